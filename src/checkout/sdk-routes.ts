// What Glomo's checkout SDKs load from this server (decision 0038): the web SDK's drop-in ES module at
// GET /checkout/sdk/index.js (imported by merchant pages on any origin), and the URL shape the mobile SDKs open,
// GET /checkout?orderId=…&publicKey=…&mode=mock|live, which answers the same page as /checkout/{order_id}?public_key=…
// (or the subscription page for a `sub_` id, which the mobile SDKs pass in the same parameter). Pages, not API
// operations: hidden from /openapi.json; every failure is an HTML error page.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { looksPublishable, resolvePublishableKey } from '../core/auth/api-keys.js';
import { ID_PREFIXES } from '../core/ids.js';
import { htmlHeaders, orderCheckoutPage, pageErrorHandler, PageError, pageErrors, queryValue, redirectUrlOf } from './page-routes.js';
import { subscriptionPage } from './subscription-page-routes.js';

const TITLE = 'Checkout unavailable';

const sdkPageErrors = {
  missingOrderId: () => new PageError(400, TITLE, 'This checkout link is missing its orderId.'),
  missingPublicKey: () => new PageError(400, TITLE, 'This checkout link is missing its publicKey.'),
  badMode: () => new PageError(400, TITLE, 'This checkout link has an invalid mode: it must be mock or live.'),
  modeMismatch: (mode: 'mock' | 'live') =>
    new PageError(400, TITLE, mode === 'mock'
      ? 'This checkout link asks for mode=mock, which needs a test_ public key.'
      : 'This checkout link asks for mode=live, which needs a live_ public key.'),
};

/** The module file, read once per process, with its validator for conditional requests. */
function sdkModule(): { body: string; etag: string } {
  const body = fs.readFileSync(new URL('./sdk/index.js', import.meta.url), 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` };
}

/**
 * `mode` as Glomo's mobile SDKs send it (`mock` for a `test_`/`mock_` key, else `live`): optional here, but when
 * given it must be one of the two and agree with the key, so a link built for the wrong environment is refused.
 */
function checkMode(query: unknown, publicKey: string): void {
  const mode = queryValue(query, 'mode');
  if (mode === undefined) return;
  if (mode !== 'mock' && mode !== 'live') throw sdkPageErrors.badMode();
  // Glomo's getMode: `mock` for test_ and mock_ keys (this server issues no mock_ key: such a key is then a 401).
  const mockKey = publicKey.startsWith('test_') || publicKey.startsWith('mock_');
  if ((mode === 'mock') !== mockKey) throw sdkPageErrors.modeMismatch(mode);
}

export const checkoutSdkRoutes: FastifyPluginAsync<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const sdk = sdkModule();
  const checkoutPage = orderCheckoutPage(deps);
  const subscriptionCheckoutPage = subscriptionPage(deps, services);
  app.setErrorHandler(pageErrorHandler(TITLE));
  const hide = { hide: true };

  // Imported cross-origin by merchant pages (`<script type="module">` needs CORS); no version in its URL, so an hour's
  // cache and an ETag to revalidate with.
  app.get('/checkout/sdk/index.js', { schema: hide }, async (request, reply) => {
    reply
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('cache-control', 'public, max-age=3600')
      .header('etag', sdk.etag);
    if (request.headers['if-none-match'] === sdk.etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(sdk.body);
  });

  // notes-payins §7.3: `${server}/?orderId=<order or subscription id>&publicKey=<key>&mode=<mock|live>`; a mobile
  // SDK's `server` set to `${PUBLIC_URL}/checkout` opens exactly this (the trailing slash is ignored).
  app.get('/checkout', { schema: hide }, async (request: FastifyRequest, reply) => {
    const id = queryValue(request.query, 'orderId');
    if (id === undefined || id === '') throw sdkPageErrors.missingOrderId();
    if (id === null) throw pageErrors.badRequest();
    const publicKey = queryValue(request.query, 'publicKey');
    if (publicKey === undefined || publicKey === '') throw sdkPageErrors.missingPublicKey();
    if (publicKey === null) throw pageErrors.badRequest();
    checkMode(request.query, publicKey);
    const redirectUrl = redirectUrlOf(request.query);
    if (!id.startsWith(`${ID_PREFIXES.subscription}_`)) return htmlHeaders(reply).send(await checkoutPage(id, publicKey, redirectUrl));
    // A subscription's page takes no key, but this URL names one: only that merchant's and environment's is found.
    const tenant = looksPublishable(publicKey) ? await resolvePublishableKey(deps.database.db, deps.clock, publicKey) : undefined;
    if (!tenant) throw pageErrors.badKey();
    return htmlHeaders(reply).send(await subscriptionCheckoutPage(id, redirectUrl, tenant));
  });
};
