// The hosted checkout page: GET /checkout/{order_id}?public_key=…[&redirect_url=…] answers a small HTML shell (the
// order id, key and redirect URL as escaped data attributes) whose script and stylesheet come from this server;
// the script does the rest through /api/public/v1. Every failure here is an HTML page, never JSON or a 500 body.
// Not in /openapi.json: these are pages, not API operations.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { looksPublishable, resolvePublishableKey } from '../core/auth/api-keys.js';
import { ApiError } from '../core/errors.js';
import { ID_PREFIXES } from '../core/ids.js';
import { findOrder } from '../modules/orders/service.js';

/** Everything the page loads comes from this origin; it may be framed by any merchant site. */
export const CHECKOUT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self' http: https:",
  "base-uri 'none'",
  'frame-ancestors *',
].join('; ');

export const readPageFile = (name: string) => fs.readFileSync(new URL(`./page/${name}`, import.meta.url), 'utf8');

/**
 * A page's HTML shell with its `<!-- include: file.html -->` parts inlined, parts within parts too (the payment methods
 * both payin pages show, the card form within them and on the subscription page).
 */
export const readPageTemplate = (name: string, depth = 0): string => {
  if (depth > 3) throw new Error(`checkout template: includes nested too deep at ${name}`);
  return readPageFile(name).replace(/<!-- include: ([a-z-]+\.html) -->/g, (_line, part: string) => readPageTemplate(part, depth + 1));
};

/**
 * The hosted pages' scripts and stylesheets (the card form's, which both pages load before their own, the checkout's,
 * the subscription page's), all served at /checkout/assets/{name} under one version: the hash of them all, in every
 * asset URL, so that a changed file is never taken from a cache. Read once per process.
 */
const PAGE_ASSET_TYPES = {
  'card-form.js': 'text/javascript; charset=utf-8',
  'checkout.js': 'text/javascript; charset=utf-8',
  'checkout.css': 'text/css; charset=utf-8',
  'subscription.js': 'text/javascript; charset=utf-8',
  'payment-link.js': 'text/javascript; charset=utf-8',
} as const;

export interface PageAssets {
  files: Readonly<Record<string, { body: string; type: string }>>;
  version: string;
}

let loadedAssets: PageAssets | undefined;

export function pageAssets(): PageAssets {
  if (loadedAssets) return loadedAssets;
  const files: Record<string, { body: string; type: string }> = {};
  const hash = createHash('sha256');
  for (const [name, type] of Object.entries(PAGE_ASSET_TYPES)) {
    files[name] = { body: readPageFile(name), type };
    hash.update(files[name].body);
  }
  loadedAssets = { files: Object.freeze(files), version: hash.digest('hex').slice(0, 12) };
  return loadedAssets;
}

const MAX_REDIRECT_URL_LENGTH = 2048;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** Fills `{{NAME}}` placeholders in one pass, escaping every value (a value containing `{{…}}` stays as it is). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`checkout template: no value for ${placeholder}`);
    return escapeHtml(value);
  });
}

export class PageError extends Error {
  constructor(readonly statusCode: number, readonly title: string, message: string) {
    super(message);
  }
}

export const pageErrors = {
  missingKey: () => new PageError(401, 'Checkout unavailable', 'This checkout link is missing its public key.'),
  badKey: () => new PageError(401, 'Checkout unavailable', 'This checkout link has an invalid or expired public key.'),
  orderNotFound: () => new PageError(404, 'Order not found', 'This order does not exist or the link is wrong.'),
  badRedirect: () => new PageError(400, 'Checkout unavailable', 'This checkout link has an invalid redirect_url: it must be an absolute http or https URL.'),
  badRequest: () => new PageError(400, 'Checkout unavailable', 'This checkout link is not valid.'),
  notFound: () => new PageError(404, 'Not found', 'There is nothing here.'),
};

export function errorPage(error: PageError, assetVersion: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(error.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/checkout/assets/checkout.css?v=${assetVersion}">
</head>
<body>
<main class="checkout error-page" data-state="error">
  <h1>${escapeHtml(error.title)}</h1>
  <p class="page-error" role="alert">${escapeHtml(error.message)}</p>
</main>
</body>
</html>
`;
}

/** A single string query value; a repeated parameter is not one. */
export function queryValue(query: unknown, name: string): string | undefined | null {
  const value = (query as Record<string, unknown> | null)?.[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/** An absolute http(s) URL without credentials, or null. */
export function validRedirectUrl(value: string): string | null {
  if (value.length > MAX_REDIRECT_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.toString();
}

/** The `redirect_url` of a page link: '' when absent or empty; a repeated or invalid one is a 400 page. */
export function redirectUrlOf(query: unknown): string {
  const redirect = queryValue(query, 'redirect_url');
  if (redirect === null) throw pageErrors.badRedirect();
  if (redirect === undefined || redirect === '') return '';
  const valid = validRedirectUrl(redirect);
  if (valid === null) throw pageErrors.badRedirect();
  return valid;
}

export function htmlHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CHECKOUT_CSP)
    .header('referrer-policy', 'no-referrer');
}

/**
 * The error handler of a scope of pages: anything thrown there (framework errors too) becomes an HTML error page,
 * never JSON or a 500 body; `title` heads the pages made from API errors.
 */
export function pageErrorHandler(title: string) {
  const { version } = pageAssets();
  return (error: Error & { statusCode?: number }, request: FastifyRequest, reply: FastifyReply) => {
    let page: PageError;
    if (error instanceof PageError) page = error;
    else if (error instanceof ApiError && error.statusCode < 500) page = new PageError(error.statusCode, title, error.message);
    else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) page = pageErrors.badRequest();
    else {
      request.log.error({ err: error }, 'page failed');
      page = new PageError(500, title, 'Something went wrong on our side. Please try again later.');
    }
    return htmlHeaders(reply.status(page.statusCode)).send(errorPage(page, version));
  };
}

/**
 * The order checkout's page for order `id` under `publicKey` (given, not yet checked): the filled HTML shell, or a
 * PageError (401 for a key that is not a live publishable key, 404 for an order not of its merchant and environment).
 * The path form below and the SDKs' `/checkout?orderId=…` form (sdk-routes.ts) both answer it.
 */
export function orderCheckoutPage(deps: AppDeps): (id: string, publicKey: string, redirectUrl: string) => Promise<string> {
  const shell = readPageTemplate('checkout.html');
  const assets = pageAssets();
  return async (id, publicKey, redirectUrl) => {
    // A secret key in a URL is refused like any other non-publishable string (and never echoed).
    const tenant = looksPublishable(publicKey) ? await resolvePublishableKey(deps.database.db, deps.clock, publicKey) : undefined;
    if (!tenant) throw pageErrors.badKey();
    const order = id.startsWith(`${ID_PREFIXES.order}_`) ? await findOrder(deps.database.db, tenant, id) : undefined;
    if (!order) throw pageErrors.orderNotFound();
    return fillTemplate(shell, {
      ORDER_ID: order.id,
      PUBLIC_KEY: publicKey,
      REDIRECT_URL: redirectUrl,
      MODE: tenant.env === 'sandbox' ? 'sandbox' : 'live',
      ASSET_VERSION: assets.version,
    });
  };
}

export const checkoutPageRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  const assets = pageAssets();
  const checkoutPage = orderCheckoutPage(deps);

  // Pages answer pages: anything thrown in this scope (including framework errors) becomes an HTML error page.
  app.setErrorHandler(pageErrorHandler('Checkout unavailable'));

  const hide = { hide: true };

  app.get('/checkout/assets/:name', { schema: hide }, async (request: FastifyRequest, reply) => {
    const name = (request.params as { name: string }).name;
    const asset = Object.hasOwn(assets.files, name) ? assets.files[name] : undefined;
    if (!asset) throw pageErrors.notFound();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });

  app.get('/checkout/:id', { schema: hide }, async (request: FastifyRequest, reply) => {
    const id = (request.params as { id: string }).id;
    const publicKey = queryValue(request.query, 'public_key');
    if (publicKey === undefined || publicKey === '') throw pageErrors.missingKey();
    if (publicKey === null) throw pageErrors.badKey();
    const redirectUrl = redirectUrlOf(request.query);
    return htmlHeaders(reply).send(await checkoutPage(id, publicKey, redirectUrl));
  });
};
