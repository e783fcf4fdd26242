// The hosted subscription page in a real browser (Debian's Chromium through playwright-core), as
// checkout.browser.test.ts drives the order checkout: a real server whose subscription_link_url is opened, a merchant
// site on another origin that frames it and records its messages (or receives the redirect), a phone-sized viewport.
// Without /usr/bin/chromium the file is skipped (README: `apt-get install -y chromium`), except under CI, where it fails.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPaymentSignature } from '../../src/checkout/signature.js';
import { loadConfig } from '../../src/config.js';
import { subscriptions } from '../../src/db/schema/index.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ADMIN_TOKEN, tempDir } from '../support/app.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const IN_CI = Boolean(process.env.CI);
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../.tmp');

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const EXPIRY = `12/${String((new Date().getFullYear() + 2) % 100).padStart(2, '0')}`;
const MERCHANT_NAME = 'Müller & Söhne <Shop>';
const DAY_MS = 86_400_000;

interface Message {
  origin: string;
  data: { type: string; subscription_id: string; payment_id?: string; status: string; signature?: string; error_code?: string };
}

if (!HAVE_CHROMIUM && !IN_CI) {
  console.error(`test/browser/subscription.browser.test.ts skipped: ${CHROMIUM} not found (install it: apt-get install -y chromium; see README)`);
}

if (!HAVE_CHROMIUM && IN_CI) {
  describe('hosted subscription page in Chromium', () => {
    it(`needs ${CHROMIUM} under CI`, () => {
      throw new Error(`${CHROMIUM} is missing: CI must install it (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)`);
    });
  });
}

/** A port free now: PUBLIC_URL (where subscription_link_url points) must name the port before the server listens. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.skipIf(!HAVE_CHROMIUM)(
  `hosted subscription page in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} not found; install it with apt-get install -y chromium, see README)`}`,
  () => {
    let server: RunningServer;
    let host: http.Server;
    let hostUrl: string;
    let browser: Browser;
    let merchant: { secret_key: string; public_key: string };
    let dataDir: string;
    const consoleErrors: string[] = [];
    const requests: { url: string; body: string | null }[] = [];

    async function api<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
      const response = await fetch(`${server.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${merchant.secret_key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as T };
    }

    /** A customer and a monthly 12-cycle subscription of 10.00 USD through the API; its id and link. */
    async function createSubscription(overrides: Record<string, unknown> = {}): Promise<{ id: string; link: string }> {
      const customer = await api('POST', '/api/v1/customer', {
        name: 'Asha Buyer', customer_type: 'individual', email: `asha.${Date.now()}@example.com`, address: '1 Main St', city: 'Pune',
        state: 'MH', country: 'IND', pincode: '411001',
      });
      expect(customer.status, JSON.stringify(customer.json)).toBe(201);
      const today = new Date().toISOString().slice(0, 10);
      const subscription = await api('POST', '/api/v1/subscriptions', {
        customer_id: customer.json.id, product_name: 'ShieldGuard Insurance', product_description: 'Flexible insurance for your things',
        plan_name: 'ShieldGuard Lite', amount: 1_000, currency: 'USD', interval_type: 'month', interval_count: 1, billing_cycles: 12,
        start_date: today, expires_at: new Date(Date.now() + 7 * DAY_MS).toISOString().slice(0, 10), notify_customer: false,
        starts_with_first_payment: true, ...overrides,
      });
      expect(subscription.status, JSON.stringify(subscription.json)).toBe(201);
      expect(subscription.json.status).toBe('created');
      return { id: subscription.json.id as string, link: subscription.json.subscription_link_url as string };
    }

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

    /** The merchant's page on another origin, framing the subscription link. */
    async function openFramed(link: string): Promise<{ page: Page; frame: Frame }> {
      const page = await newPage();
      await page.goto(`${hostUrl}/host?src=${encodeURIComponent(link)}`);
      const deadline = Date.now() + 10_000;
      let frame: Frame | undefined;
      while (!frame && Date.now() < deadline) {
        frame = page.frames().find((f) => f.url().startsWith(`${server.url}/subscription/`));
        if (!frame) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (!frame) throw new Error('the subscription frame did not load');
      await frame.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
      return { page, frame };
    }

    async function nextMessage(page: Page): Promise<Message> {
      await page.waitForFunction(() => (window as unknown as { __messages: unknown[] }).__messages.length > 0, undefined, { timeout: 10_000 });
      const messages = await page.evaluate(() => (window as unknown as { __messages: Message[] }).__messages);
      expect(messages).toHaveLength(1);
      return messages[0]!;
    }

    async function fillCard(target: Page | Frame, number: string): Promise<void> {
      await target.locator('#card-number').fill(number);
      await target.locator('#card-expiry').fill(EXPIRY);
      await target.locator('#card-cvv').fill('123');
      await target.locator('#card-submit').click();
    }

    async function storedCard(id: string) {
      const [row] = await server.database.db.select().from(subscriptions).where(eq(subscriptions.id, id));
      return row && { network: row.cardNetwork, last4: row.cardLast4, token: row.cardToken };
    }

    beforeAll(async () => {
      dataDir = tempDir('browser-subscription');
      const port = await freePort();
      server = await startServer(loadConfig({
        DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_TOKEN, PUBLIC_URL: `http://127.0.0.1:${port}`,
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
<iframe id="subscription" title="Subscription" src="${escaped}"></iframe></body></html>`);
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

    it('the link shows the plan; the OTP test card pays it; the parent gets a signed payment.success; the API shows it active with one payment', async () => {
      const { id, link } = await createSubscription();
      expect(link).toBe(`${server.url}/subscription/${id}`);
      const { page, frame } = await openFramed(link);
      await expect.poll(() => frame.locator('#merchant-name').textContent()).toBe(MERCHANT_NAME);
      expect(await frame.locator('#product').textContent()).toBe('ShieldGuard Insurance');
      expect(await frame.locator('#plan').textContent()).toBe('ShieldGuard Lite');
      expect(await frame.locator('#amount').textContent()).toBe('$10.00');
      expect(await frame.locator('#interval').textContent()).toBe('Monthly');
      expect(await frame.locator('#cycles').textContent()).toBe('12');
      expect(await frame.locator('#first-payment').textContent()).toBe('Paying now charges the first payment of $10.00.');
      expect(await frame.locator('#card-submit').textContent()).toBe('Pay $10.00');
      expect(await frame.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'subscription-card.png') });

      await fillCard(frame, VISA_OTP_SUCCESS);
      await frame.locator('#card-otp').waitFor({ state: 'visible' });
      expect(await frame.locator('#otp-step').textContent()).toContain('123456');
      await frame.locator('#card-otp').fill('123456');
      await frame.locator('#card-submit').click();
      const message = await nextMessage(page);
      expect(message.origin).toBe(server.url);
      expect(message.data).toMatchObject({ type: 'payment.success', subscription_id: id, status: 'success' });
      expect(verifyPaymentSignature(merchant.secret_key, id, message.data.payment_id!, 'success', message.data.signature!)).toBe(true);
      expect(await frame.locator('#result-title').textContent()).toBe('Subscription active');
      expect(await frame.locator('#result-text').textContent()).toMatch(/You paid \$10\.00 to .*Next payment: /);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'subscription-success.png') });

      const subscription = await api('GET', `/api/v1/subscriptions/${id}`);
      expect(subscription.json).toMatchObject({ id, status: 'active' });
      const listed = await api<{ data: Record<string, unknown>[] }>('GET', `/api/v1/payment?subscription_id=${id}`);
      expect(listed.json.data).toHaveLength(1);
      expect(listed.json.data[0]).toMatchObject({ id: message.data.payment_id, status: 'success', subscription_id: id, payment_method: { type: 'card' } });
      // The card on file: brand and last four (and a token), never the number.
      const stored = await storedCard(id);
      expect(stored).toMatchObject({ network: 'Visa', last4: '2222' });
      expect(stored!.token).toBeTruthy();

      // The card went only into the payment POSTs (the OTP prompt, then the payment): not into a URL or storage.
      const digits = VISA_OTP_SUCCESS.replace(/ /g, '');
      const carrying = requests.filter((r) => r.url.includes(digits) || r.url.includes('4532%20') || (r.body ?? '').includes(digits));
      expect(carrying.map((r) => r.url)).toEqual(Array(2).fill(`${server.url}/api/public/v1/subscription/${id}/payments`));
      expect(await frame.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
      expect(await frame.locator('#card-number').inputValue()).toBe('');
      await page.context().close();
    });

    it('with redirect_url: a declined card is shown with a retry, then a success navigates there with the signed result', async () => {
      const { id, link } = await createSubscription();
      const page = await newPage();
      await page.goto(`${link}?${new URLSearchParams({ redirect_url: `${hostUrl}/return?shop_ref=42` })}`);
      await page.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });

      await fillCard(page, VISA_FAILURE);
      await page.locator('main[data-state="failed"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#result-title').textContent()).toBe('Payment failed');
      expect(await page.locator('#result-text').textContent()).toMatch(/could not be completed/);
      expect(page.url().startsWith(link)).toBe(true); // a decline does not leave the page
      expect((await api('GET', `/api/v1/subscriptions/${id}`)).json.status).toBe('created');

      await page.locator('#result-retry').click();
      await page.locator('main[data-state="ready"]').waitFor();
      await fillCard(page, VISA_SUCCESS);
      await page.waitForURL(`${hostUrl}/return?**`, { timeout: 10_000 });
      const returned = new URL(page.url());
      expect(returned.searchParams.get('shop_ref')).toBe('42');
      expect(returned.searchParams.get('subscription_id')).toBe(id);
      expect(returned.searchParams.get('status')).toBe('success');
      const paymentId = returned.searchParams.get('payment_id')!;
      expect(verifyPaymentSignature(merchant.secret_key, id, paymentId, 'success', returned.searchParams.get('signature')!)).toBe(true);

      expect((await api('GET', `/api/v1/subscriptions/${id}`)).json.status).toBe('active');
      const listed = await api<{ data: { id: string; status: string }[] }>('GET', `/api/v1/payment?subscription_id=${id}`);
      expect(listed.json.data.map((p) => p.status).sort()).toEqual(['failed', 'success']);
      expect(listed.json.data.find((p) => p.status === 'success')!.id).toBe(paymentId);
      expect(await storedCard(id)).toMatchObject({ network: 'Visa', last4: '1111' });
      await page.context().close();
    });

    it('a cancelled subscription shows its state and no card form', async () => {
      const { id, link } = await createSubscription();
      expect((await api('PATCH', `/api/v1/subscriptions/${id}/cancel`)).status).toBe(200);
      const page = await newPage();
      await page.goto(link);
      await page.locator('main[data-state="closed"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#page-error').textContent()).toBe('This subscription was cancelled.');
      expect(await page.locator('#card-form').isVisible()).toBe(false);
      expect(await page.locator('#amount').textContent()).toBe('$10.00');
      await page.context().close();
    });

    it('a future start without a first payment: the page authorises the card, charges nothing and posts subscription.authorized', async () => {
      const start = new Date(Date.now() + 10 * DAY_MS).toISOString().slice(0, 10);
      const { id, link } = await createSubscription({ start_date: start, expires_at: start, starts_with_first_payment: false });
      const { page, frame } = await openFramed(link);
      expect(await frame.locator('#card-submit').textContent()).toBe('Authorise card');
      expect(await frame.locator('#first-payment').textContent()).toMatch(/^Nothing is charged today: your card is saved and first charged \$10\.00 on /);
      await fillCard(frame, VISA_SUCCESS);
      const message = await nextMessage(page);
      expect(message.data).toMatchObject({ type: 'subscription.authorized', subscription_id: id, status: 'authorized' });
      expect(message.data.payment_id).toBeUndefined();
      expect(verifyPaymentSignature(merchant.secret_key, id, '', 'authorized', message.data.signature!)).toBe(true);
      expect(await frame.locator('#result-title').textContent()).toBe('Card authorised');
      expect((await api('GET', `/api/v1/subscriptions/${id}`)).json.status).toBe('authorized');
      expect((await api<{ data: unknown[] }>('GET', `/api/v1/payment?subscription_id=${id}`)).json.data).toEqual([]);
      await page.context().close();
    });

    it("an unpaid link past its expires_at (the sandbox clock advanced) shows that it expired, and no form", async () => {
      const { id, link } = await createSubscription({ expires_at: new Date().toISOString().slice(0, 10) });
      const advanced = await api('POST', '/api/v1/sandbox/clock/advance', { seconds: 2 * 86_400 });
      expect(advanced.status, JSON.stringify(advanced.json)).toBe(200);
      expect((await api('GET', `/api/v1/subscriptions/${id}`)).json.status).toBe('expired');
      const page = await newPage();
      await page.goto(link);
      await page.locator('main[data-state="closed"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#page-error').textContent()).toBe('This subscription link has expired. Ask the merchant for a new one.');
      expect(await page.locator('#card-form').isVisible()).toBe(false);
      await page.context().close();
    });

    it('raised no script error and no Content-Security-Policy violation', () => {
      expect(consoleErrors).toEqual([]);
    });
  },
);
