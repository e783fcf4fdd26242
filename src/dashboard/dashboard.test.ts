// The dashboard's routes: the page and its CSP, the assets' allowlist (nothing else under node_modules or src is
// reachable), the page needing no key, and its modules calling only operations the server serves, with the list
// filters the served /openapi.json declares. The browser flow is test/browser/dashboard.browser.test.ts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { buildTestApp } from '../../test/support/app.js';
import { servedPaths } from '../../test/support/contract.js';
import { dashboardPage, VENDOR_FILES } from './routes.js';

interface Resource { list: string; item: ((id: string) => string) | null; filters: { name: string; options?: string[] }[] }

let app: App;
/** The browser module's data, imported as the browser does (plain JavaScript, no types). */
let RESOURCES: Record<string, Resource>;

beforeAll(async () => {
  ({ app } = await buildTestApp());
  ({ RESOURCES } = (await import(new URL('./ui/resources.js', import.meta.url).href)) as { RESOURCES: Record<string, Resource> });
});

afterAll(async () => {
  await app.close();
});

const UI_DIR = new URL('./ui/', import.meta.url);
/** Our browser modules, their comment lines left out (they name what the code must not do). */
const uiSources = () => fs.readdirSync(UI_DIR).filter((name) => name.endsWith('.js'))
  .map((name) => ({ name, text: fs.readFileSync(new URL(name, UI_DIR), 'utf8').replace(/^\s*\/\/.*$/gm, '') }));

function importMapOf(html: string): { text: string; imports: Record<string, string> } {
  const match = /<script type="importmap">([^<]*)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return { text: match![1]!, imports: (JSON.parse(match![1]!) as { imports: Record<string, string> }).imports };
}

describe('GET /dashboard', () => {
  it('answers the page under a strict CSP whose only inline script is the import map, allowed by its hash', async () => {
    const response = await app.inject({ method: 'GET', url: '/dashboard' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(response.headers['content-security-policy']).split('; ');
    const { text } = importMapOf(response.body);
    const hash = createHash('sha256').update(text).digest('base64');
    expect(csp).toEqual([
      "default-src 'none'", `script-src 'self' 'sha256-${hash}'`, "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'",
    ]);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
    // No other inline script, no inline style, nothing from another origin.
    const scripts = [...response.body.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map(([, attributes, body]) => (body === '' ? String(attributes).trim() : 'inline'))).toEqual(['inline', 'type="module" src="/dashboard/assets/app.js"']);
    expect(response.body).not.toMatch(/style=|<style|https?:\/\//);
    for (const [, url] of response.body.matchAll(/(?:href|src)="([^"]+)"/g)) expect(url, url).toMatch(/^(\/dashboard\/assets\/|data:)/);
  });

  it('needs no key and holds none: the page is the same for everyone, with or without credentials', async () => {
    const bare = await app.inject({ method: 'GET', url: '/dashboard' });
    const withKey = await app.inject({ method: 'GET', url: '/dashboard', headers: { authorization: 'Bearer whatever', cookie: 'a=b' } });
    expect(withKey.statusCode).toBe(200);
    expect(withKey.body).toBe(bare.body);
    expect(bare.headers['set-cookie']).toBeUndefined();
    expect(bare.body).not.toMatch(/eyJ|Bearer|secret|token/i);
    // The modules keep the session in sessionStorage only (the lint rules forbid more; this checks the files too).
    for (const { name, text } of uiSources()) {
      expect(text, name).not.toMatch(/localStorage|indexedDB|document\.cookie/);
    }
    expect(uiSources().filter(({ text }) => text.includes('sessionStorage')).map(({ name }) => name)).toEqual(['session.js']);
  });

  it('is only GET: other methods answer the error shape', async () => {
    const response = await app.inject({ method: 'POST', url: '/dashboard', payload: {} });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'Not Found', message: expect.any(String) });
  });
});

describe('GET /dashboard/assets/*', () => {
  it('serves every vendor file of the allowlist byte for byte, typed, under a versioned URL cached for a year', async () => {
    const page = dashboardPage();
    const vendor = [...page.assets.keys()].filter((name) => name.startsWith('vendor/'));
    expect(vendor).toHaveLength(VENDOR_FILES.length);
    for (const file of VENDOR_FILES) {
      const { version } = JSON.parse(fs.readFileSync(new URL(`../../node_modules/${file.pkg}/package.json`, import.meta.url), 'utf8')) as { version: string };
      const url = `/dashboard/assets/vendor/${file.pkg.replace('/', '-')}@${version}/${file.as}`;
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toBe(file.type);
      expect(response.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      expect(response.rawPayload.equals(fs.readFileSync(new URL(`../../node_modules/${file.pkg}/${file.file}`, import.meta.url))), url).toBe(true);
    }
  });

  it('serves our own modules and stylesheet revalidated by ETag (304 when unchanged)', async () => {
    const first = await app.inject({ method: 'GET', url: '/dashboard/assets/app.js' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.body).toBe(fs.readFileSync(new URL('app.js', UI_DIR), 'utf8'));
    const again = await app.inject({ method: 'GET', url: '/dashboard/assets/app.js', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const css = await app.inject({ method: 'GET', url: '/dashboard/assets/dashboard.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it.each([
    '/dashboard/assets/../package.json',
    '/dashboard/assets/%2e%2e/package.json',
    '/dashboard/assets/..%2f..%2fpackage.json',
    '/dashboard/assets/vendor/preact@11.2.0/../../../../package.json',
    '/dashboard/assets/vendor/preact/package.json',
    '/dashboard/assets/vendor/preact@0.0.1/preact.mjs',
    '/dashboard/assets/routes.ts',
    '/dashboard/assets/nope.js',
    '/dashboard/assets/APP.JS',
    '/dashboard/assets/',
  ])('answers 404 in the error shape for %s (no file outside the allowlist)', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode, url).toBe(404);
    expect(response.json()).toMatchObject({ error: 'Not Found', message: expect.any(String) });
    expect(response.body).not.toContain('glomo-server');
  });
});

describe('the dashboard modules', () => {
  it('import only files the allowlist serves and bare names the import map resolves to served files', async () => {
    const page = dashboardPage();
    const { imports } = importMapOf(page.html);
    for (const target of Object.values(imports)) expect(page.assets.has(target.replace('/dashboard/assets/', '')), target).toBe(true);
    for (const { name, text } of uiSources()) {
      for (const [, specifier] of text.matchAll(/^import [^'"]*['"]([^'"]+)['"]/gm)) {
        if (specifier!.startsWith('./')) expect(page.assets.has(specifier!.slice(2)), `${name}: ${specifier}`).toBe(true);
        else expect(Object.keys(imports), `${name}: ${specifier}`).toContain(specifier);
      }
    }
  });

  it('call only operations the server serves', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const served = new Set(servedPaths(spec).map(([path]) => path.replace(/\{[^}]+\}/g, '{}')));
    const called = new Set<string>();
    for (const { text } of uiSources()) {
      for (const [path] of text.matchAll(/\/(?:api\/v[12]|admin\/v1)\/(?:\$\{[^}]*\}|[^`'"?\s$,])*/g)) {
        called.add(path.replace(/\$\{[^}]+\}/g, '{}').replace(/\/$/, ''));
      }
    }
    // Read routes are written as functions of the id (`/api/v1/orders/${id}`) in resources.js.
    expect(called.size).toBeGreaterThan(30);
    const unknown = [...called].filter((path) => !served.has(path));
    expect(unknown).toEqual([]);
  });

  it('filter each list by exactly the query parameters (and values) its list operation declares', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const paths = Object.fromEntries(servedPaths(spec)) as Record<string, { get?: { parameters?: { in: string; name: string; schema?: { enum?: string[] } }[] } }>;
    const PAGING = new Set(['page', 'per_page', 'before', 'after']);
    for (const [name, resource] of Object.entries(RESOURCES)) {
      expect(paths[resource.list]?.get, name).toBeDefined();
      const parameters = (paths[resource.list]?.get?.parameters ?? []).filter((p) => p.in === 'query' && !PAGING.has(p.name));
      expect(resource.filters.map((f) => f.name).sort(), name).toEqual(parameters.map((p) => p.name).sort());
      for (const filter of resource.filters) {
        const declared = parameters.find((p) => p.name === filter.name)!;
        expect('options' in filter ? filter.options : undefined, `${name}.${filter.name}`).toEqual(declared.schema?.enum);
      }
      if (resource.item) expect(Object.keys(paths), name).toContain(resource.item('{id}'));
    }
  });
});

describe('the dashboard\'s amounts', () => {
  it('are written from the integer minor units, as the server writes them (formatMinorUnits)', async () => {
    // The browser module as the page loads it (plain JS, untyped: imported by its URL).
    const lib = new URL('./ui/lib.js', import.meta.url).href;
    const { formatMoney } = (await import(lib)) as { formatMoney: (minor: unknown, currency: string) => string };
    const { formatMinorUnits } = await import('../core/money.js');
    for (const [minor, currency] of [[123456, 'USD'], [500, 'JPY'], [1250, 'KWD'], [-5, 'USD'], [0, 'EUR'], [9007199254740991, 'USD']] as const) {
      expect(formatMoney(minor, currency), `${minor} ${currency}`).toBe(formatMinorUnits(BigInt(minor), currency));
    }
    expect(formatMoney(1.5, 'USD')).toBe('1.5');
  });
});
