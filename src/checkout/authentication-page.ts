// The card authentication page of server-to-server payments (modules/payments/s2s.ts): GET
// /payment/{id}/authenticate?token=… shows the payment and asks for the one-time password; its POST (a native form)
// settles the payment and sends the customer (303) to the merchant's callback_url with payment_id, status and the
// checkout's signature (notes-payins §7.4) over the order or subscription id, the payment id and the status. A step
// that is over (answered, expired) sends the customer there too, with the payment's final status. Every failure is
// an HTML page (the checkout's look and CSP), never JSON. Not in /openapi.json: pages, not API operations.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { currentSecretKey } from '../core/auth/api-keys.js';
import type { TenantContext } from '../core/context.js';
import { errors } from '../core/errors.js';
import { tenantContext } from '../core/tenant-clock.js';
import type { Payment } from '../modules/payments/schemas.js';
import type { AuthenticationStep } from '../modules/payments/s2s.js';
import { presentPayment } from '../modules/payments/service.js';
import { fillTemplate, htmlHeaders, PageError, pageAssets, pageErrorHandler, queryValue, readPageFile } from './page-routes.js';
import { paymentSignature } from './signature.js';

const FORM_LIMIT_BYTES = 4096;

const notFound = () => new PageError(404, 'Link not valid', 'This card verification link does not exist or is not valid.');

/** Minor units in the currency's major units (en), without floating point; the code alone when Intl does not know it. */
function formatAmount(minor: number, currency: string): string {
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat('en', { style: 'currency', currency });
  } catch {
    return `${minor} ${currency}`;
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const text = String(minor).padStart(digits + 1, '0');
  const decimal = digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return format.format(decimal as unknown as number);
}

/** The callback URL with the signed result: what the merchant's server verifies before trusting `status`. */
function signedCallback(callbackUrl: string, secretKey: string, payment: Payment): string {
  const url = new URL(callbackUrl);
  const target = payment.payin_id ?? payment.subscription_id ?? '';
  url.searchParams.set('payment_id', payment.id);
  url.searchParams.set('status', payment.status);
  url.searchParams.set('signature', paymentSignature(secretKey, target, payment.id, payment.status));
  url.searchParams.set(payment.payin_id !== null ? 'order_id' : 'subscription_id', target);
  return url.toString();
}

export const authenticationPageRoutes: FastifyPluginAsync<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const shell = readPageFile('authenticate.html');
  const { version } = pageAssets();
  const { serverPayments } = services;

  app.setErrorHandler(pageErrorHandler('Card verification unavailable'));
  // The page's form posts urlencoded fields (this scope only; the API takes JSON).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  /** The step a link opens, in its tenant's context (its sandbox clock), or the not-found page. */
  async function stepOf(id: string, token: string | undefined | null): Promise<{ ctx: TenantContext; step: AuthenticationStep }> {
    if (typeof token !== 'string') throw notFound();
    const tenant = await serverPayments.resolveStep(id, token);
    if (!tenant) throw notFound();
    const ctx = await tenantContext(deps.database.db, deps.clock, tenant);
    const step = await serverPayments.openStep(ctx, id);
    if (!step) throw notFound();
    return { ctx, step };
  }

  /** The redirect back to the merchant; the signing key first (a result without its signature is useless). */
  async function secretKeyOf(ctx: TenantContext): Promise<string> {
    const secretKey = await currentSecretKey(deps.database.db, deps.keyRing, deps.clock, ctx.tenant);
    if (!secretKey) throw errors.checkoutNoSecretKey();
    return secretKey;
  }

  const backToMerchant = (reply: FastifyReply, url: string) =>
    htmlHeaders(reply.status(303)).header('location', url).send('');

  app.get('/payment/:id/authenticate', { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const id = (request.params as { id: string }).id;
    const token = queryValue(request.query, 'token');
    const { ctx, step } = await stepOf(id, token);
    const { payment, authentication } = step;
    if (authentication.status !== 'pending' || payment.status !== 'in_progress') {
      return backToMerchant(reply, signedCallback(authentication.callbackUrl, await secretKeyOf(ctx), presentPayment(payment)));
    }
    const merchant = await services.merchants.find(ctx.tenant.merchantId);
    const html = fillTemplate(shell, {
      ASSET_VERSION: version,
      MODE: ctx.tenant.env === 'sandbox' ? 'sandbox' : 'live',
      PAYMENT_ID: payment.id,
      MERCHANT_NAME: merchant?.name ?? '',
      AMOUNT: formatAmount(Number(payment.paymentAmount), payment.paymentCurrency),
      CARD: `${payment.cardNetwork ?? 'Card'} ending in ${payment.cardLast4 ?? ''}`,
      ACTION: `/payment/${encodeURIComponent(payment.id)}/authenticate`,
      TOKEN: token as string,
      EXPIRES_AT: authentication.expiresAt.toISOString().slice(0, 16).replace('T', ' '),
    });
    return htmlHeaders(reply).send(html);
  });

  app.post('/payment/:id/authenticate', { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const id = (request.params as { id: string }).id;
    const form = request.body as Record<string, unknown> | undefined;
    const token = typeof form?.token === 'string' ? form.token : undefined;
    const otp = typeof form?.otp === 'string' ? form.otp : '';
    const { ctx } = await stepOf(id, token);
    const secretKey = await secretKeyOf(ctx);
    const result = await serverPayments.authenticate(ctx, id, otp);
    return backToMerchant(reply, signedCallback(result.callbackUrl, secretKey, result.payment));
  });
};
