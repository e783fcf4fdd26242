// The hosted payment link page (decision 0037): GET /payin/pl/{id}[?redirect_url=…], where a link's `payment_link`
// points. It answers the HTML shell (the link id, the redirect URL and the mode as escaped data attributes) with the
// checkout's stylesheet, CSP and error pages; its script reads the link and pays it through
// /api/public/v1/payment-link/{id}. Not in /openapi.json: a page, not an operation.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../core/errors.js';
import { paymentLinkPagePath } from '../modules/payment-links/service.js';
import { fillTemplate, htmlHeaders, pageAssets, pageErrorHandler, PageError, readPageTemplate, redirectUrlOf } from './page-routes.js';
import { paymentLinkPageOf } from './payment-link-service.js';

const notFound = () => new PageError(404, 'Payment link not found', 'This payment link does not exist or the link is wrong.');

export const paymentLinkPageRoutes: FastifyPluginAsync<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const page = paymentLinkPageOf(deps, services);
  const shell = readPageTemplate('payment-link.html');
  const assets = pageAssets();
  // Pages answer pages: anything thrown in this scope (including framework errors) becomes an HTML error page.
  app.setErrorHandler(pageErrorHandler('Payment link unavailable'));

  app.get(paymentLinkPagePath(':id'), { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const id = (request.params as { id: string }).id;
    const redirectUrl = redirectUrlOf(request.query);
    const { ctx, row } = await page.locate(id).catch((error: unknown) => {
      throw error instanceof ApiError && error.statusCode === 404 ? notFound() : error;
    });
    const html = fillTemplate(shell, {
      PAYMENT_LINK_ID: row.id,
      REDIRECT_URL: redirectUrl,
      MODE: ctx.tenant.env === 'sandbox' ? 'sandbox' : 'live',
      ASSET_VERSION: assets.version,
    });
    return htmlHeaders(reply).send(html);
  });
};
