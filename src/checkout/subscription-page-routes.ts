// The hosted subscription page (decision 0028): GET /subscription/{id}[?redirect_url=…], the page a subscription's
// `subscription_link_url` opens. It answers the HTML shell (the subscription id, the redirect URL and the mode as
// escaped data attributes) with the checkout's stylesheet, CSP and error pages; its script reads the subscription and
// pays the first instalment through /api/public/v1/subscription/{id}. Not in /openapi.json: a page, not an operation.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../core/errors.js';
import type { Tenant } from '../core/tenancy.js';
import { fillTemplate, htmlHeaders, pageAssets, pageErrorHandler, PageError, readPageTemplate, redirectUrlOf } from './page-routes.js';
import { subscriptionPageOf } from './subscription-service.js';

const notFound = () => new PageError(404, 'Subscription not found', 'This subscription does not exist or the link is wrong.');

/**
 * The subscription page of `id`: the filled HTML shell, or a 404 PageError. With `of`, only a subscription of that
 * merchant and environment is found (the SDKs' `/checkout?orderId=sub_…&publicKey=…`, sdk-routes.ts, names one).
 */
export function subscriptionPage(deps: AppDeps, services: Services): (id: string, redirectUrl: string, of?: Tenant) => Promise<string> {
  const page = subscriptionPageOf(deps, services);
  const shell = readPageTemplate('subscription.html');
  const assets = pageAssets();
  return async (id, redirectUrl, of) => {
    const { ctx, row } = await page.locate(id).catch((error: unknown) => {
      throw error instanceof ApiError && error.statusCode === 404 ? notFound() : error;
    });
    if (of && (ctx.tenant.merchantId !== of.merchantId || ctx.tenant.env !== of.env)) throw notFound();
    return fillTemplate(shell, {
      SUBSCRIPTION_ID: row.id,
      REDIRECT_URL: redirectUrl,
      MODE: ctx.tenant.env === 'sandbox' ? 'sandbox' : 'live',
      ASSET_VERSION: assets.version,
    });
  };
}

export const subscriptionPageRoutes: FastifyPluginAsync<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const page = subscriptionPage(deps, services);
  // Pages answer pages: anything thrown in this scope (including framework errors) becomes an HTML error page.
  app.setErrorHandler(pageErrorHandler('Subscription unavailable'));

  app.get('/subscription/:id', { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const id = (request.params as { id: string }).id;
    const redirectUrl = redirectUrlOf(request.query);
    return htmlHeaders(reply).send(await page(id, redirectUrl));
  });
};
