// What a browser test needs (Debian's Chromium through playwright-core): the skip-or-fail guard for a machine without
// /usr/bin/chromium, a real server with a merchant made through the operator API, a plain HTTP server for the merchant's
// site on another origin, and pages that record console errors and requests. The SDK, payment link, docs and dashboard
// browser tests use it; the checkout and subscription browser tests still carry their own copies of these lines.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ADMIN_TOKEN, tempDir } from './app.js';
import { createFreshPostgresDatabase, onPostgres } from './env.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);

/**
 * `describe(name, body)` when Chromium is there; without it the file is skipped with a note (README: `apt-get install
 * -y chromium`), except under CI, where one failing test says that CI must install it.
 */
export function describeInChromium(file: string, name: string, body: () => void): void {
  if (!HAVE_CHROMIUM && !process.env.CI) {
    console.error(`${file} skipped: ${CHROMIUM} not found (install it: apt-get install -y chromium; see README)`);
  }
  if (!HAVE_CHROMIUM && process.env.CI) {
    describe(name, () => {
      it(`needs ${CHROMIUM} under CI`, () => {
        throw new Error(`${CHROMIUM} is missing: CI must install it (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)`);
      });
    });
  }
  describe.skipIf(!HAVE_CHROMIUM)(`${name}${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} not found)`}`, body);
}

export interface BrowserServer {
  server: RunningServer;
  merchant: { secret_key: string; public_key: string };
  stop(): Promise<void>;
}

/** A port free now: PUBLIC_URL (where the links the API answers point) must name the port before the server listens. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * A real server on a free port, its PUBLIC_URL that port (so the `payment_link` and `subscription_link_url` it answers
 * open it), and one merchant. No job runner unless `jobs` (on the shared test database it would take other files'
 * jobs): with `jobs` on PostgreSQL the server gets a database of its own, dropped at stop. `env` adds settings.
 */
export async function startBrowserServer(
  merchantName: string,
  options: { jobs?: boolean; env?: Record<string, string> } = {},
): Promise<BrowserServer> {
  const dataDir = tempDir('browser');
  const port = await freePort();
  const own = options.jobs && onPostgres ? await createFreshPostgresDatabase('browser') : undefined;
  const databaseUrl = own?.url ?? process.env.DATABASE_URL;
  const server = await startServer(loadConfig({
    DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, ADMIN_TOKEN,
    JOBS_ENABLED: options.jobs ? 'true' : 'false', ...options.env,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  }));
  const created = await fetch(`${server.url}/admin/v1/merchants`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: merchantName }),
  });
  expect(created.status).toBe(201);
  return {
    server,
    merchant: (await created.json()) as BrowserServer['merchant'],
    stop: async () => {
      await server.stop();
      await own?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A plain HTTP server on 127.0.0.1 and a free port: another origin than the server's. */
export async function startSite(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const site = http.createServer(handler);
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(site.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => site.close(() => resolve())),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}

/** A page in a fresh context whose console errors, page errors and requests are appended to `record`. */
export async function recordedPage(
  browser: Browser,
  record: { consoleErrors: string[]; requests: { url: string; body: string | null }[] },
  viewport = { width: 390, height: 844 },
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-US', deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') record.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => record.consoleErrors.push(String(error)));
  page.on('request', (request) => record.requests.push({ url: request.url(), body: request.postData() }));
  return page;
}
