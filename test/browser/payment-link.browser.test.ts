// The hosted payment link page in a real browser (Debian's Chromium through playwright-core), as
// subscription.browser.test.ts drives the subscription page: a real server whose payment_link is opened, a merchant site
// on another origin that frames it and records its messages (or receives the redirect), a phone-sized viewport. It pays
// a link by card with the OTP, and a link that allows partial payments in two parts (decision 0037).
// Without /usr/bin/chromium the file is skipped (README: `apt-get install -y chromium`), except under CI, where it fails.
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyPaymentSignature } from '../../src/checkout/signature.js';
import type { RunningServer } from '../../src/server.js';
import { describeInChromium, launchChromium, recordedPage, startBrowserServer, startSite, type BrowserServer } from '../support/browser.js';

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../.tmp');

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const EXPIRY = `12/${String((new Date().getFullYear() + 2) % 100).padStart(2, '0')}`;
const MERCHANT_NAME = 'Müller & Söhne <Shop>';
const DAY_MS = 86_400_000;

interface Message {
  origin: string;
  data: { type: string; payment_link_id: string; payment_id?: string; status: string; signature?: string; error_code?: string };
}

describeInChromium('test/browser/payment-link.browser.test.ts', 'hosted payment link page in Chromium', () => {
  let glomo: BrowserServer;
  let server: RunningServer;
  let merchant: BrowserServer['merchant'];
  let site: Awaited<ReturnType<typeof startSite>>;
  let hostUrl: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const record = { consoleErrors: [] as string[], requests: [] as { url: string; body: string | null }[] };
  const { consoleErrors, requests } = record;

  async function api<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${merchant.secret_key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  }

  /** A customer and a link of 10.00 USD through the API; its id and payment_link. */
  async function createLink(overrides: Record<string, unknown> = {}): Promise<{ id: string; link: string }> {
    const customer = await api('POST', '/api/v1/customer', {
      name: 'Asha Buyer', customer_type: 'individual', email: `asha.${Date.now()}@example.com`, address: '1 Main St', city: 'Pune',
      state: 'MH', country: 'IND', pincode: '411001',
    });
    expect(customer.status, JSON.stringify(customer.json)).toBe(201);
    const created = await api('POST', '/api/v1/payin', {
      customer_id: customer.json.id, currency: 'USD', amount: 1_000, purpose_code: 'P1401',
      expires_at: new Date(Date.now() + 7 * DAY_MS).toISOString(), payment_methods: ['card', 'bank_transfer', 'pay_via_bank'],
      invoice_number: 'INV-42', invoice_description: 'Consulting, May', product: { name: 'Advice', description: 'One hour' }, ...overrides,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    return { id: created.json.id as string, link: created.json.payment_link as string };
  }

  const newPage = () => recordedPage(browser, record);

  /** The merchant's page on another origin, framing the payment link. */
  async function openFramed(link: string): Promise<{ page: Page; frame: Frame }> {
    const page = await newPage();
    await page.goto(`${hostUrl}/host?src=${encodeURIComponent(link)}`);
    const deadline = Date.now() + 10_000;
    let frame: Frame | undefined;
    while (!frame && Date.now() < deadline) {
      frame = page.frames().find((f) => f.url().startsWith(`${server.url}/payin/pl/`));
      if (!frame) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!frame) throw new Error('the payment link frame did not load');
    await frame.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
    return { page, frame };
  }

  async function messages(page: Page, count: number): Promise<Message[]> {
    await page.waitForFunction((n) => (window as unknown as { __messages: unknown[] }).__messages.length >= n, count, { timeout: 10_000 });
    const all = await page.evaluate(() => (window as unknown as { __messages: Message[] }).__messages);
    expect(all).toHaveLength(count);
    return all;
  }

  async function fillCard(target: Page | Frame, number: string): Promise<void> {
    await target.locator('#card-number').fill(number);
    await target.locator('#card-expiry').fill(EXPIRY);
    await target.locator('#card-cvv').fill('123');
    await target.locator('#card-submit').click();
  }

  beforeAll(async () => {
    glomo = await startBrowserServer(MERCHANT_NAME);
    ({ server, merchant } = glomo);
    site = await startSite((request, response) => {
      const url = new URL(request.url ?? '/', 'http://host');
      if (url.pathname === '/host') {
        const src = url.searchParams.get('src') ?? '';
        const escaped = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>html,body{margin:0;height:100%}iframe{display:block;width:100%;height:100%;border:0}</style></head><body>
<script>window.__messages=[];window.addEventListener('message',function(e){window.__messages.push({origin:e.origin,data:e.data});});</script>
<iframe id="payment-link" title="Payment link" src="${escaped}"></iframe></body></html>`);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>returned</title><p>Back at the shop.</p>');
    });
    hostUrl = site.url;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await glomo?.stop();
  });

  it('the payment_link shows the link; the OTP test card pays it; the parent gets a signed payment.success; the API shows it paid', async () => {
    const { id, link } = await createLink();
    expect(link).toBe(`${server.url}/payin/pl/${id}`);
    const { page, frame } = await openFramed(link);
    await expect.poll(() => frame.locator('#merchant-name').textContent()).toBe(MERCHANT_NAME);
    expect(await frame.locator('#amount').textContent()).toBe('$10.00');
    expect(await frame.locator('#description').textContent()).toBe('Consulting, May');
    expect(await frame.locator('#invoice').textContent()).toBe('Invoice INV-42');
    expect(await frame.locator('#product').textContent()).toBe('Advice: One hour');
    expect(await frame.locator('#part').isVisible()).toBe(false);
    expect(await frame.locator('#card-submit').textContent()).toBe('Pay $10.00');
    for (const tab of ['#tab-card', '#tab-bank_transfer', '#tab-pay_via_bank']) expect(await frame.locator(tab).isVisible(), tab).toBe(true);
    expect(await frame.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'payment-link-card.png') });

    await frame.locator('#tab-bank_transfer').click();
    await expect.poll(() => frame.locator('#bt-reference').textContent()).toBe(id);
    expect(await frame.locator('#bt-amount').textContent()).toBe('$10.00');
    await frame.locator('#tab-card').click();

    await fillCard(frame, VISA_OTP_SUCCESS);
    await frame.locator('#card-otp').waitFor({ state: 'visible' });
    expect(await frame.locator('#otp-step').textContent()).toContain('123456');
    await frame.locator('#card-otp').fill('123456');
    await frame.locator('#card-submit').click();
    const [message] = await messages(page, 1);
    expect(message!.origin).toBe(server.url);
    expect(message!.data).toMatchObject({ type: 'payment.success', payment_link_id: id, status: 'success' });
    expect(verifyPaymentSignature(merchant.secret_key, id, message!.data.payment_id!, 'success', message!.data.signature!)).toBe(true);
    expect(await frame.locator('#result-title').textContent()).toBe('Payment successful');
    expect(await frame.locator('#result-text').textContent()).toBe(`You paid $10.00 to ${MERCHANT_NAME}. This payment link is paid.`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'payment-link-success.png') });

    expect((await api('GET', `/api/v1/payin/${id}`)).json).toMatchObject({ id, status: 'paid', amount_paid: 1_000 });
    const listed = await api<{ data: Record<string, unknown>[] }>('GET', `/api/v1/payment?payin_id=${id}`);
    expect(listed.json.data).toHaveLength(1);
    expect(listed.json.data[0]).toMatchObject({ id: message!.data.payment_id, status: 'success', payment_method: { type: 'card' } });
    // The card went only into the payment POSTs (the OTP prompt, then the payment): not into a URL or storage.
    const digits = VISA_OTP_SUCCESS.replace(/ /g, '');
    const carrying = requests.filter((r) => r.url.includes(digits) || r.url.includes('4532%20') || (r.body ?? '').includes(digits));
    expect(carrying.map((r) => r.url)).toEqual(Array(2).fill(`${server.url}/api/public/v1/payment-link/${id}/payments`));
    expect(await frame.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

    // Opened again, the page says the link is paid and offers nothing.
    const again = await newPage();
    await again.goto(link);
    await again.locator('main[data-state="closed"]').waitFor({ timeout: 10_000 });
    expect(await again.locator('#page-error').textContent()).toBe('This payment link has been paid.');
    expect(await again.locator('#card-form').isVisible()).toBe(false);
    await again.context().close();
    await page.context().close();
  });

  it('a link that allows partial payments is paid in two parts: 4.00 by card, then the rest by bank transfer', async () => {
    const { id, link } = await createLink({ allow_partial_payments: true });
    const { page, frame } = await openFramed(link);
    expect(await frame.locator('#part').isVisible()).toBe(true);
    expect(await frame.locator('#part-amount').inputValue()).toBe('10.00');
    await frame.locator('#part-amount').fill('4.00');
    expect(await frame.locator('#card-submit').textContent()).toBe('Pay $4.00');
    await fillCard(frame, VISA_SUCCESS);
    const [first] = await messages(page, 1);
    expect(first!.data).toMatchObject({ type: 'payment.success', payment_link_id: id, status: 'success' });
    expect(verifyPaymentSignature(merchant.secret_key, id, first!.data.payment_id!, 'success', first!.data.signature!)).toBe(true);
    expect(await frame.locator('#result-title').textContent()).toBe('Part paid');
    expect(await frame.locator('#result-text').textContent()).toBe(`You paid $4.00 to ${MERCHANT_NAME}. $6.00 remains to be paid.`);
    expect(await frame.locator('#paid').textContent()).toBe('$4.00');
    expect((await api('GET', `/api/v1/payin/${id}`)).json).toMatchObject({ status: 'partially_paid', amount_paid: 400 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'payment-link-part.png') });

    await frame.locator('#result-continue').click();
    await frame.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
    expect(await frame.locator('#paid').textContent()).toBe('$4.00');
    expect(await frame.locator('#remaining').textContent()).toBe('$6.00');
    expect(await frame.locator('#amount').textContent()).toBe('$6.00');
    expect(await frame.locator('#part-amount').inputValue()).toBe('6.00');
    await frame.locator('#tab-bank_transfer').click();
    await expect.poll(() => frame.locator('#bt-amount').textContent()).toBe('$6.00');
    await frame.locator('#bt-submit').click();
    const [, second] = await messages(page, 2);
    expect(second!.data).toMatchObject({ type: 'payment.success', payment_link_id: id, status: 'success' });
    expect(verifyPaymentSignature(merchant.secret_key, id, second!.data.payment_id!, 'success', second!.data.signature!)).toBe(true);
    expect(await frame.locator('#result-text').textContent()).toBe(`You paid $6.00 to ${MERCHANT_NAME}. This payment link is paid.`);

    expect((await api('GET', `/api/v1/payin/${id}`)).json).toMatchObject({ status: 'paid', amount_paid: 1_000 });
    const listed = await api<{ data: { payment_amount: number; payment_method: { type: string } }[] }>('GET', `/api/v1/payment?payin_id=${id}`);
    expect(listed.json.data.map((p) => [p.payment_amount, p.payment_method.type]).sort()).toEqual([[400, 'card'], [600, 'bank_transfer']]);
    await page.context().close();
  });

  it('with redirect_url, a success navigates there with the signed result', async () => {
    const { id, link } = await createLink({ payment_methods: ['pay_via_bank'] });
    const page = await newPage();
    await page.goto(`${link}?${new URLSearchParams({ redirect_url: `${hostUrl}/return?shop_ref=7` })}`);
    await page.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#method-tabs').isVisible()).toBe(false);
    await page.locator('#pvb-start').click();
    expect(await page.locator('#pvb-consent-text').textContent()).toBe(`Glomo Sandbox Bank asks you to approve a payment of $10.00 to ${MERCHANT_NAME}.`);
    await page.locator('#pvb-approve').click();
    await page.waitForURL(`${hostUrl}/return?**`, { timeout: 10_000 });
    const returned = new URL(page.url());
    expect(returned.searchParams.get('shop_ref')).toBe('7');
    expect(returned.searchParams.get('payment_link_id')).toBe(id);
    expect(returned.searchParams.get('status')).toBe('success');
    expect(verifyPaymentSignature(merchant.secret_key, id, returned.searchParams.get('payment_id')!, 'success', returned.searchParams.get('signature')!)).toBe(true);
    await page.context().close();
  });

  it('a cancelled link and an expired one show their state and no way to pay', async () => {
    const cancelled = await createLink();
    expect((await api('PATCH', `/api/v1/payin/${cancelled.id}/cancel`)).status).toBe(200);
    const page = await newPage();
    await page.goto(cancelled.link);
    await page.locator('main[data-state="closed"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#page-error').textContent()).toBe('This payment link was cancelled.');
    expect(await page.locator('#methods').isVisible()).toBe(false);

    const expiring = await createLink({ expires_at: new Date(Date.now() + 60_000).toISOString() });
    expect((await api('POST', '/api/v1/sandbox/clock/advance', { seconds: 120 })).status).toBe(200);
    await page.goto(expiring.link);
    await page.locator('main[data-state="closed"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#page-error').textContent()).toBe('This payment link has expired. Ask the merchant for a new one.');
    await page.context().close();
  });

  it('raised no script error and no Content-Security-Policy violation', () => {
    expect(consoleErrors).toEqual([]);
  });
});
