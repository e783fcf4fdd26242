// /docs in Debian's Chromium: the API reference renders the introduction and the operations from /openapi.json and
// makes no request to any other origin (no web fonts, no hosted services). Skipped without /usr/bin/chromium,
// except under CI, where it fails.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, launchChromium, recordedPage, startBrowserServer, type BrowserServer } from '../support/browser.js';

describeInChromium('test/browser/docs.browser.test.ts', '/docs in Chromium', () => {
  let glomo: BrowserServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const record = { consoleErrors: [] as string[], requests: [] as { url: string; body: string | null }[] };
  beforeAll(async () => {
    glomo = await startBrowserServer('Docs reader');
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await glomo?.stop();
  });

  it('renders the introduction and the operations, with no request to another origin', async () => {
    const page = await recordedPage(browser, record, { width: 1280, height: 900 });
    const origin = new URL(glomo.server.url).origin;
    await page.goto(`${glomo.server.url}/docs`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Webhooks' }).first().waitFor({ timeout: 20_000 });
    const text = await page.locator('body').innerText();
    expect(text).toContain('X-Glomopay-Signature');
    // The sidebar lists the contract's tag groups and tags (their operations render as they are opened).
    for (const tag of ['Payin', 'Customer', 'Orders', 'payment_link', 'Webhooks']) expect(text).toContain(tag);
    // The server the examples call is this one, ending in /api/v1 (the document's servers entry).
    expect(text).toContain(`${glomo.server.url}/api/v1`);
    // A request example is a whole URL: the server and the operation's path.
    await page.goto(`${glomo.server.url}/docs#tag/customer/POST/customer`, { waitUntil: 'networkidle' });
    await page.getByText(`${glomo.server.url}/api/v1/customer`).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1000);
    const elsewhere = record.requests.map((request) => new URL(request.url))
      .filter((url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:');
    expect(elsewhere.map(String)).toEqual([]);
    await page.context().close();
  }, 60_000);
});
