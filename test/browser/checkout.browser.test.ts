// The hosted checkout in a real browser (Debian's Chromium through playwright-core): a real server, a merchant site
// on another origin that frames the checkout and records its messages, and a phone-sized viewport. Without
// /usr/bin/chromium the file is skipped (README: `apt-get install -y chromium`), except under CI, where it fails.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPaymentSignature } from '../../src/checkout/signature.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ADMIN_TOKEN, tempDir } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const IN_CI = Boolean(process.env.CI);
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../.tmp');
const SCREENSHOT = path.join(SCREENSHOTS, 'checkout-bank-transfer.png');

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const EXPIRY = `12/${String((new Date().getFullYear() + 2) % 100).padStart(2, '0')}`;
const MERCHANT_NAME = 'Müller & Söhne <Shop>';

interface Message {
  origin: string;
  data: { type: string; order_id: string; payment_id?: string; status: string; signature?: string; error_code?: string; error_message?: string };
}

if (!HAVE_CHROMIUM && !IN_CI) {
  console.error(`test/browser/checkout.browser.test.ts skipped: ${CHROMIUM} not found (install it: apt-get install -y chromium; see README)`);
}

if (!HAVE_CHROMIUM && IN_CI) {
  describe('hosted checkout in Chromium', () => {
    it(`needs ${CHROMIUM} under CI`, () => {
      throw new Error(`${CHROMIUM} is missing: CI must install it (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)`);
    });
  });
}

describe.skipIf(!HAVE_CHROMIUM)(
  `hosted checkout in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} not found; install it with apt-get install -y chromium, see README)`}`,
  () => {
    let server: RunningServer;
    let host: http.Server;
    let hostUrl: string;
    let browser: Browser;
    let merchant: { secret_key: string; public_key: string };
    let dataDir: string;
    const consoleErrors: string[] = [];
    const requests: { url: string; body: string | null }[] = [];

    async function api<T = Record<string, unknown>>(method: string, url: string, key: string, body?: unknown): Promise<{ status: number; json: T }> {
      const response = await fetch(`${server.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as T };
    }

    async function createOrder(overrides: Record<string, unknown> = {}): Promise<string> {
      const customer = await api('POST', '/api/v1/customer', merchant.secret_key, {
        name: 'Asha Buyer', customer_type: 'individual', email: `asha.${Date.now()}@example.com`, address: '1 Main St', city: 'Pune',
        state: 'MH', country: 'IND', pincode: '411001',
      });
      expect(customer.status, JSON.stringify(customer.json)).toBe(201);
      const order = await api('POST', '/api/v1/orders', merchant.secret_key, {
        customer_id: customer.json.id, currency: 'USD', amount: 12_345, invoice_description: 'Annual plan',
        payment_methods: ['card', 'bank_transfer', 'pay_via_bank'], ...overrides,
      });
      expect(order.status, JSON.stringify(order.json)).toBe(201);
      return order.json.id as string;
    }

    const checkoutUrl = (orderId: string, extra: Record<string, string> = {}) =>
      `${server.url}/checkout/${orderId}?${new URLSearchParams({ public_key: merchant.public_key, ...extra })}`;

    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', deviceScaleFactor: 1 });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(String(error)));
      page.on('request', (request) => requests.push({ url: request.url(), body: request.postData() }));
      return page;
    }

    /** The merchant's page on another origin, framing the checkout. */
    async function openFramed(orderId: string): Promise<{ page: Page; frame: Frame }> {
      const page = await newPage();
      await page.goto(`${hostUrl}/host?src=${encodeURIComponent(checkoutUrl(orderId))}`);
      const frame = await waitForFrame(page);
      await frame.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
      return { page, frame };
    }

    async function waitForFrame(page: Page): Promise<Frame> {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const frame = page.frames().find((f) => f.url().startsWith(`${server.url}/checkout/`));
        if (frame) return frame;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the checkout frame did not load');
    }

    async function nextMessage(page: Page): Promise<Message> {
      await page.waitForFunction(() => (window as unknown as { __messages: unknown[] }).__messages.length > 0, undefined, { timeout: 10_000 });
      const messages = await page.evaluate(() => (window as unknown as { __messages: Message[] }).__messages);
      expect(messages).toHaveLength(1);
      return messages[0]!;
    }

    async function payByCard(frame: Frame, number: string): Promise<void> {
      await frame.locator('#card-number').fill(number);
      await frame.locator('#card-expiry').fill(EXPIRY);
      await frame.locator('#card-cvv').fill('123');
      await frame.locator('#card-submit').click();
    }

    beforeAll(async () => {
      dataDir = tempDir('browser');
      server = await startServer(loadConfig({
        DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN,
        // On the shared test database a job runner here would take other test files' jobs.
        JOBS_ENABLED: 'false',
        ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      }));
      const created = await fetch(`${server.url}/admin/v1/merchants`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: MERCHANT_NAME }),
      });
      expect(created.status).toBe(201);
      merchant = (await created.json()) as typeof merchant;

      host = http.createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://host');
        if (url.pathname === '/host') {
          const src = url.searchParams.get('src') ?? '';
          const escaped = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          response.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>html,body{margin:0;height:100%}iframe{display:block;width:100%;height:100%;border:0}</style></head><body>
<script>window.__messages=[];window.addEventListener('message',function(e){window.__messages.push({origin:e.origin,data:e.data});});</script>
<iframe id="checkout" title="Checkout" src="${escaped}"></iframe></body></html>`);
          return;
        }
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end('<!doctype html><title>returned</title><p>Back at the shop.</p>');
      });
      await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
      hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync'],
        timeout: 30_000,
      });
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
      await server?.stop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('a successful card in a frame: the order is shown, payment.success reaches the parent with a valid signature', async () => {
      const orderId = await createOrder();
      const { page, frame } = await openFramed(orderId);
      await expect.poll(() => frame.locator('#merchant-name').textContent()).toBe(MERCHANT_NAME);
      expect(await frame.locator('#amount').textContent()).toBe('$123.45');
      expect(await frame.locator('#description').textContent()).toBe('Annual plan');
      for (const tab of ['#tab-card', '#tab-bank_transfer', '#tab-pay_via_bank']) expect(await frame.locator(tab).isVisible(), tab).toBe(true);
      // One column that fits the phone: nothing wider than the viewport.
      expect(await frame.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'checkout-card.png') });

      await payByCard(frame, VISA_SUCCESS);
      const message = await nextMessage(page);
      expect(message.origin).toBe(server.url);
      expect(message.data).toMatchObject({ type: 'payment.success', order_id: orderId, status: 'success' });
      expect(verifyPaymentSignature(merchant.secret_key, orderId, message.data.payment_id!, 'success', message.data.signature!)).toBe(true);
      expect(await frame.locator('#result-title').textContent()).toBe('Payment successful');

      const payment = await api('GET', `/api/v1/payment/${message.data.payment_id}`, merchant.secret_key);
      expect(payment.json).toMatchObject({ status: 'success', payin_id: orderId, payment_method: { type: 'card' } });

      // The card went only into the payment POST: not into a URL, storage or any other request.
      const digits = VISA_SUCCESS.replace(/ /g, '');
      const carrying = requests.filter((r) => r.url.includes(digits) || r.url.includes('4532%20') || (r.body ?? '').includes(digits));
      expect(carrying.map((r) => r.url)).toEqual([`${server.url}/api/public/v1/order/${orderId}/payments`]);
      expect(await frame.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
      expect(await frame.locator('#card-number').inputValue()).toBe('');
      await page.context().close();
    });

    it('a declined card: payment.failure with the decline code', async () => {
      const orderId = await createOrder();
      const { page, frame } = await openFramed(orderId);
      await payByCard(frame, VISA_FAILURE);
      const message = await nextMessage(page);
      expect(message.data).toMatchObject({ type: 'payment.failure', order_id: orderId, status: 'failed', error_code: 'PAYMENT_DECLINED' });
      expect(verifyPaymentSignature(merchant.secret_key, orderId, message.data.payment_id!, 'failed', message.data.signature!)).toBe(true);
      expect(await frame.locator('#result-title').textContent()).toBe('Payment failed');
      expect(await frame.locator('#result-retry').isVisible()).toBe(true);
      await page.context().close();
    });

    it('the page refuses a bad card before sending anything, then the OTP card asks for its code', async () => {
      const orderId = await createOrder();
      const { page, frame } = await openFramed(orderId);
      const before = requests.length;
      await frame.locator('#card-number').fill('4111 1111 1111 1112');
      await frame.locator('#card-expiry').fill(EXPIRY);
      await frame.locator('#card-cvv').fill('123');
      await frame.locator('#card-submit').click();
      await expect.poll(() => frame.locator('#card-error').textContent()).toMatch(/not valid/);
      await frame.locator('#card-number').fill(VISA_SUCCESS);
      await frame.locator('#card-expiry').fill('01/20');
      await frame.locator('#card-submit').click();
      await expect.poll(() => frame.locator('#card-error').textContent()).toMatch(/expired/);
      expect(requests.slice(before).filter((r) => r.url.includes('/payments'))).toEqual([]);

      await payByCard(frame, VISA_OTP_SUCCESS);
      await frame.locator('#card-otp').waitFor({ state: 'visible' });
      expect(await frame.locator('#otp-step').textContent()).toContain('123456');
      await frame.locator('#card-otp').fill('123456');
      await frame.locator('#card-submit').click();
      const message = await nextMessage(page);
      expect(message.data).toMatchObject({ type: 'payment.success', status: 'success' });
      await page.context().close();
    });

    it('a bank transfer: the account details are shown, then the sandbox transfer succeeds (screenshot at 390×844)', async () => {
      const orderId = await createOrder({ payment_methods: ['bank_transfer'], currency: 'EUR', amount: 50_000 });
      const { page, frame } = await openFramed(orderId);
      // The only method: no tabs, its panel at once.
      expect(await frame.locator('#method-tabs').isVisible()).toBe(false);
      await frame.locator('#bt-details').waitFor({ state: 'visible' });
      expect(await frame.locator('#bt-bank-name').textContent()).toBe('Glomo Sandbox Bank');
      expect(await frame.locator('#bt-account-name').textContent()).toBe(MERCHANT_NAME);
      expect(await frame.locator('#bt-reference').textContent()).toBe(orderId);
      expect(await frame.locator('#bt-swift').textContent()).toBe('GLMOXXSB');
      expect(await frame.locator('#bt-iban').textContent()).toMatch(/^GB\d{2}GLMO\d{14}$/);
      expect(await frame.locator('#bt-amount').textContent()).toBe('€500.00');
      expect(await frame.locator('.sandbox-note').first().isVisible()).toBe(true);

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      fs.rmSync(SCREENSHOT, { force: true });
      await page.screenshot({ path: SCREENSHOT });
      expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(0);

      await frame.locator('#bt-submit').click();
      const message = await nextMessage(page);
      expect(message.data).toMatchObject({ type: 'payment.success', order_id: orderId, status: 'success' });
      expect(verifyPaymentSignature(merchant.secret_key, orderId, message.data.payment_id!, 'success', message.data.signature!)).toBe(true);
      const payment = await api('GET', `/api/v1/payment/${message.data.payment_id}`, merchant.secret_key);
      expect(payment.json).toMatchObject({ status: 'success', payment_method: { type: 'bank_transfer' } });
      await page.context().close();
    });

    it('pay via bank: cancelling at the simulated bank reports payment.cancelled and records nothing', async () => {
      const orderId = await createOrder({ payment_methods: ['pay_via_bank'] });
      const { page, frame } = await openFramed(orderId);
      await frame.locator('#pvb-start').click();
      expect(await frame.locator('#pvb-consent-text').textContent()).toBe(`Glomo Sandbox Bank asks you to approve a payment of $123.45 to ${MERCHANT_NAME}.`);
      await frame.locator('#pvb-cancel').click();
      const message = await nextMessage(page);
      expect(message.data).toEqual({ type: 'payment.cancelled', order_id: orderId, status: 'cancelled' });
      const listed = await api<{ data: unknown[] }>('GET', `/api/v1/payment?payin_id=${orderId}`, merchant.secret_key);
      expect(listed.json.data).toEqual([]);
      await page.context().close();
    });

    it('with redirect_url the page navigates there with the signed result instead of posting a message', async () => {
      const orderId = await createOrder();
      const page = await newPage();
      await page.goto(checkoutUrl(orderId, { redirect_url: `${hostUrl}/return?shop_ref=42` }));
      await page.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
      await page.locator('#tab-pay_via_bank').click();
      await page.locator('#pvb-start').click();
      await page.locator('#pvb-approve').click();
      await page.waitForURL(`${hostUrl}/return?**`, { timeout: 10_000 });
      const returned = new URL(page.url());
      expect(returned.searchParams.get('shop_ref')).toBe('42');
      expect(returned.searchParams.get('order_id')).toBe(orderId);
      expect(returned.searchParams.get('status')).toBe('success');
      const paymentId = returned.searchParams.get('payment_id')!;
      expect(verifyPaymentSignature(merchant.secret_key, orderId, paymentId, 'success', returned.searchParams.get('signature')!)).toBe(true);
      await page.context().close();
    });

    it('raised no script error and no Content-Security-Policy violation', () => {
      expect(consoleErrors).toEqual([]);
    });
  },
);
