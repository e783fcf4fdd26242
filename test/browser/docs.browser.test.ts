// /docs in Debian's Chromium: the API reference renders the introduction and the operations from /openapi.json and
// makes no request to any other origin (no web fonts, no hosted services). Skipped without /usr/bin/chromium,
// except under CI, where it fails.
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { tempDir } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('/docs in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing: CI must install it`);
    server = await startServer(loadConfig({ DATA_DIR: tempDir('docs'), PORT: '0', RATE_LIMIT_PER_MINUTE: '0' }), { logger: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders the introduction and the operations, with no request to another origin', async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const origin = new URL(server.url).origin;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:') elsewhere.push(request.url());
    });
    await page.goto(`${server.url}/docs`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Webhooks' }).first().waitFor({ timeout: 20_000 });
    const text = await page.locator('body').innerText();
    expect(text).toContain('X-Glomopay-Signature');
    // The sidebar lists the operations' tags (their operations render as they are opened).
    for (const tag of ['Customer', 'Orders', 'Payment links']) expect(text).toContain(tag);
    await page.waitForTimeout(1000);
    expect(elsewhere).toEqual([]);
    await page.close();
  }, 60_000);
});
