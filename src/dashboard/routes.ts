// The merchant dashboard (issue 17, decision 0040): GET /dashboard answers one HTML page whose Preact + htm code
// (src/dashboard/ui/*.js, plain browser ES modules, no build step) calls the same public API as any integration
// (/api/v1 with the Bearer key kept in sessionStorage, or /admin/v1 for the operator's sign-in). Everything it loads
// comes from this origin: our own files and an explicit allowlist of vendor files under node_modules, read once
// per process. Not in /openapi.json: these are pages, not API operations.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

const NODE_MODULES = new URL('../../node_modules/', import.meta.url);
const UI_DIR = new URL('./ui/', import.meta.url);

/** A vendor file: its package, its path in the package, and the name it is served under (after `vendor/<pkg>@<version>/`). */
interface VendorFile { pkg: string; file: string; as: string; type: string }

/**
 * The only vendor files the dashboard serves. Each URL carries its package's installed version, so a file is cached
 * for a year and an upgrade changes its URL; nothing else under node_modules is reachable.
 */
export const VENDOR_FILES: readonly VendorFile[] = [
  { pkg: 'preact', file: 'dist/preact.mjs', as: 'preact.mjs', type: JS },
  { pkg: 'preact', file: 'hooks/dist/hooks.mjs', as: 'hooks.mjs', type: JS },
  { pkg: 'htm', file: 'dist/htm.mjs', as: 'htm.mjs', type: JS },
  { pkg: 'uplot', file: 'dist/uPlot.esm.js', as: 'uPlot.esm.js', type: JS },
  { pkg: 'uplot', file: 'dist/uPlot.min.css', as: 'uPlot.min.css', type: CSS },
  { pkg: '@picocss/pico', file: 'css/pico.min.css', as: 'pico.min.css', type: CSS },
];

/** The bare specifiers our modules import, resolved by the page's import map. */
const IMPORTS: Record<string, string> = {
  preact: 'preact/preact.mjs',
  'preact/hooks': 'preact/hooks.mjs',
  htm: 'htm/htm.mjs',
  uplot: 'uplot/uPlot.esm.js',
};

const OWN_FILE = /^[a-z][a-z0-9-]*\.(js|css)$/;

const etagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

export interface DashboardPage {
  html: string;
  csp: string;
  /** URL path below /dashboard/assets/ -> the file served there. */
  assets: ReadonlyMap<string, Asset>;
}

function versionOf(pkg: string): string {
  const manifest = JSON.parse(fs.readFileSync(new URL(`${pkg}/package.json`, NODE_MODULES), 'utf8')) as { version: string };
  return manifest.version;
}

function loadDashboard(): DashboardPage {
  const assets = new Map<string, Asset>();
  const vendorUrl = new Map<string, string>();
  for (const vendor of VENDOR_FILES) {
    const dir = `vendor/${vendor.pkg.replace('/', '-')}@${versionOf(vendor.pkg)}`;
    const body = fs.readFileSync(new URL(`${vendor.pkg}/${vendor.file}`, NODE_MODULES));
    assets.set(`${dir}/${vendor.as}`, { body, type: vendor.type, etag: etagOf(body), cacheControl: 'public, max-age=31536000, immutable' });
    vendorUrl.set(`${vendor.pkg.split('/').pop()}/${vendor.as}`, `/dashboard/assets/${dir}/${vendor.as}`);
  }
  // Our own files change with the server: always revalidated (ETag), never a stale page script.
  for (const name of fs.readdirSync(UI_DIR).filter((entry) => OWN_FILE.test(entry)).sort()) {
    const body = fs.readFileSync(new URL(name, UI_DIR));
    assets.set(name, { body, type: name.endsWith('.css') ? CSS : JS, etag: etagOf(body), cacheControl: 'no-cache' });
  }
  const vendor = (short: string) => {
    const url = vendorUrl.get(short);
    if (!url) throw new Error(`dashboard: no vendor file ${short}`);
    return url;
  };
  const importMap = JSON.stringify({ imports: Object.fromEntries(Object.entries(IMPORTS).map(([name, short]) => [name, vendor(short)])) });
  const importMapHash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${importMapHash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light dark">
<title>Glomo dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${vendor('pico/pico.min.css')}">
<link rel="stylesheet" href="${vendor('uplot/uPlot.min.css')}">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script type="importmap">${importMap}</script>
<script type="module" src="/dashboard/assets/app.js"></script>
</head>
<body>
<div id="app"><main id="main" class="container"><p aria-busy="true">Loading the dashboard…</p></main></div>
<noscript><p class="container">The dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;
  return { html, csp, assets };
}

let loaded: DashboardPage | undefined;

/** The page, its CSP and its assets, read once per process. */
export function dashboardPage(): DashboardPage {
  loaded ??= loadDashboard();
  return loaded;
}

export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const page = dashboardPage();
  const hide = { hide: true };

  app.get('/dashboard', { schema: hide }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8')
      .header('content-security-policy', page.csp)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .send(page.html));

  // One exact look-up in the allowlist: a path with `..`, an encoded slash or any name not in it answers 404.
  app.get('/dashboard/assets/*', { schema: hide }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const asset = page.assets.get(name);
    // The app's own not-found answer, as for any unknown URL.
    if (!asset) return reply.callNotFound();
    reply.header('cache-control', asset.cacheControl).header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
    return reply.type(asset.type).send(asset.body);
  });
};
