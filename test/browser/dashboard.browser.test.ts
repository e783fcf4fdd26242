// The merchant dashboard in a real browser (Debian's Chromium through playwright-core): a real server with its job
// runner (webhook deliveries happen as in production), a webhook receiver on 127.0.0.1, and a merchant who signs in
// with the sandbox secret key, creates the webhook endpoint, pays an order from the sandbox tools, finds the payment,
// its timeline and its delivery, redelivers it, makes the funds available, fails a refund, completes a payout,
// advances the test clock and rotates its key; a production key sees no sandbox tools; an operator signs in with
// ADMIN_TOKEN through the merchant picker; a refused key ends the session; a phone-sized viewport shows the
// navigation and the mail. No request may leave the server's origin (the receiver is called by the server, not the
// page) and no console error may appear.
// UPDATE_SCREENSHOTS=1 writes docs/screenshots/dashboard-*.png (committed); otherwise screenshots go to .tmp/.
// Without /usr/bin/chromium the file is skipped (README: `apt-get install -y chromium`), except under CI, where it fails.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { RunningServer } from '../../src/server.js';
import { ADMIN_TOKEN } from '../support/app.js';
import { v2Body } from '../support/beneficiaries.js';
import { describeInChromium, launchChromium, recordedPage, startBrowserServer, type BrowserServer } from '../support/browser.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.resolve(import.meta.dirname, '../../docs/screenshots')
  : path.resolve(import.meta.dirname, '../../.tmp');
const MERCHANT_NAME = 'Dashboard Traders';
const DESKTOP = { width: 1280, height: 900 };

describeInChromium('test/browser/dashboard.browser.test.ts', 'merchant dashboard in Chromium', () => {
  let glomo: BrowserServer;
  let server: RunningServer;
  let merchant: BrowserServer['merchant'] & { id: string };
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  const record = { consoleErrors: [] as string[], requests: [] as { url: string; body: string | null }[] };
  let orderId = '';
  let paymentId = '';
  let eventId = '';

  async function api<T = Record<string, unknown>>(method: string, url: string, body?: unknown, token = merchant.secret_key): Promise<T> {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    expect(response.ok, `${method} ${url}: ${JSON.stringify(json)}`).toBe(true);
    return json;
  }

  /** Follows one of the navigation's sections. */
  const section = (target: Page, name: string) =>
    target.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();

  const shot = async (target: Page, name: string) => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await target.mouse.move(0, 0);
    await target.screenshot({ path: path.join(SCREENSHOTS, `dashboard-${name}.png`), fullPage: name !== 'phone' });
  };

  beforeAll(async () => {
    // Sandbox endpoints may target 127.0.0.1 as they are (WEBHOOK_ALLOW_PRIVATE_TARGETS is about production ones).
    glomo = await startBrowserServer(MERCHANT_NAME, { jobs: true });
    ({ server } = glomo);
    merchant = glomo.merchant as typeof merchant;
    receiver = await startReceiver(systemClock, () => ({ status: 200, body: '{"received":true}', headers: { 'content-type': 'application/json' } }));
    browser = await launchChromium();
    page = await recordedPage(browser, record, DESKTOP);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await glomo?.stop();
  });

  it('signs in with the sandbox secret key; the environment shows; nothing is stored but the session', async () => {
    await page.goto(`${server.url}/dashboard`);
    await page.locator('#secret-key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.error-note').textContent()).toContain('That is not a secret key');
    // A key of the right shape whose signature is wrong: the API refuses it, the page says so and stores nothing.
    const [head, claims] = merchant.secret_key.split('.');
    await page.locator('#secret-key').fill(`${head}.${claims}.${'A'.repeat(342)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.error-note').textContent()).toContain('The key was refused');
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
    await page.locator('#secret-key').fill(merchant.secret_key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Balances', level: 1 }).waitFor();
    expect(await page.locator('.env-badge').textContent()).toBe('Sandbox');
    await page.getByText('No balance yet').waitFor();
    const storage = await page.evaluate(() => ({
      local: window.localStorage.length, session: Object.keys(window.sessionStorage), cookie: document.cookie,
    }));
    expect(storage).toEqual({ local: 0, session: ['glomo.dashboard.session'], cookie: '' });
  });

  it('creates the webhook endpoint from the dashboard; its secret is shown once', async () => {
    await section(page, 'Webhooks');
    await page.locator('#endpoint-url').fill(receiver.url);
    await page.locator('#endpoint-description').fill('Receiver of the browser test');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.locator('#endpoint-secret').waitFor();
    const endpoints = await api<{ data: { id: string; url: string; secret_hint: string }[] }>('GET', '/api/v1/webhook_endpoints');
    expect(endpoints.data).toHaveLength(1);
    expect(endpoints.data[0]!.url).toBe(receiver.url);
    expect((await page.locator('#endpoint-secret').textContent())!.endsWith(endpoints.data[0]!.secret_hint)).toBe(true);
    await page.locator(`[data-endpoint-id="${endpoints.data[0]!.id}"]`).waitFor();
  });

  it('pays an order from the sandbox tools of its page; the payment is in the list and its timeline', async () => {
    const customer = await api<{ id: string }>('POST', '/api/v1/customer', {
      name: 'Asha Buyer', customer_type: 'individual', email: 'asha.dashboard@example.com', address: '1 Main St', city: 'Pune',
      state: 'MH', country: 'IND', pincode: '411001',
    });
    const order = await api<{ id: string }>('POST', '/api/v1/orders', {
      customer_id: customer.id, currency: 'USD', amount: 12_500, purpose_code: 'P1401', payment_methods: ['bank_transfer'],
    });
    orderId = order.id;

    await section(page, 'Orders');
    await page.locator(`tr[data-id="${orderId}"]`).waitFor();
    // The list's filters are the list operation's query parameters.
    await page.locator('#filter-status').selectOption('paid');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('.count').textContent()).toBe('0 results');
    expect(page.url()).toContain('#/orders?status=paid');
    await page.locator('#orders-find').fill(orderId);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: orderId, level: 1 }).waitFor();
    expect(await page.locator('#pay-amount').inputValue()).toBe('12500');
    expect(await page.locator('#pay-currency').inputValue()).toBe('USD');
    await page.locator('#pay-submit').click();
    await page.getByText(/^Payment payt_/).waitFor();
    await expect.poll(() => page.locator('main .status').first().textContent()).toBe('paid');
    await page.locator('.timeline li[data-event-type="orders.paid"]').waitFor();
    await shot(page, 'order-detail');

    const payments = await api<{ data: { id: string; status: string }[] }>('GET', `/api/v1/payment?payin_id=${orderId}`);
    expect(payments.data).toHaveLength(1);
    paymentId = payments.data[0]!.id;
    expect(payments.data[0]!.status).toBe('success');

    await section(page, 'Payments');
    const row = page.locator(`tr[data-id="${paymentId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('USD 125.00');
    await row.getByRole('link', { name: paymentId }).click();
    await page.getByRole('heading', { name: paymentId, level: 1 }).waitFor();
    await page.locator('.timeline li[data-event-type="payment.success"]').waitFor();
  });

  it('loads every list page with its filters, none with an error', async () => {
    const expected: Record<string, string> = {
      Customers: '1 result', Orders: '1 result', Payments: '1 result', Refunds: '0 results', 'Payment links': '0 results',
      Payouts: '0 results', Beneficiaries: '0 results', Subscriptions: '0 results', Settlements: '0 results', 'Virtual accounts': '0 results',
    };
    for (const [name, count] of Object.entries(expected)) {
      await section(page, name);
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      await expect.poll(() => page.locator('.count').textContent(), { message: name }).toBe(count);
      expect(await page.locator('.error-note').count(), name).toBe(0);
    }
    // A customer's page: its fields and its timeline (customer.created).
    await section(page, 'Customers');
    await page.locator('table.object-list tbody a').first().click();
    await page.locator('.timeline li[data-event-type="customer.created"]').waitFor();
    expect(await page.locator('.fields').textContent()).toContain('asha.dashboard@example.com');
  });

  it('shows the delivery of payment.success with its request and response, redelivers it and shows the second attempt', async () => {
    const events = await api<{ data: { id: string; entity_id: string; event_type: string }[] }>('GET', `/api/v1/events?entity_id=${paymentId}`);
    eventId = events.data.find((event) => event.event_type === 'success')!.id;
    await section(page, 'Payments');
    await page.locator(`tr[data-id="${paymentId}"]`).getByRole('link', { name: paymentId }).click();
    await page.locator(`.timeline li[data-event-type="payment.success"] a`).click();
    await page.getByRole('heading', { name: `Event ${eventId}` }).waitFor();
    // The job runner delivers it within a second or two: refresh until the attempt shows.
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return page.locator('.attempt').count();
    }, { timeout: 15_000 }).toBe(1);
    expect(await page.locator('.attempt').first().textContent()).toContain('HTTP 200');
    expect(await page.locator('#request-title + pre').textContent()).toContain(`"id": "${paymentId}"`);
    await page.locator('.attempt summary').first().click();
    expect(await page.locator('.attempt pre').first().textContent()).toBe('{"received":true}');
    const deliveriesOfPaymentSuccess = () => receiver.received.filter((request) => {
      const body = JSON.parse(request.body.toString()) as { entity_type: string; event_type: string; data: { id?: string } };
      return body.entity_type === 'payment' && body.event_type === 'success' && body.data.id === paymentId;
    });
    const delivered = deliveriesOfPaymentSuccess();
    expect(delivered).toHaveLength(1);
    const before = delivered.length;
    await shot(page, 'webhook-delivery');

    await page.locator('#redeliver-all').click();
    await page.getByText('Redelivery queued for 1 endpoint.').waitFor();
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return page.locator('.attempt[data-trigger="manual"]').count();
    }, { timeout: 15_000 }).toBe(1);
    expect(await page.locator('.attempt').count()).toBe(2);
    expect(deliveriesOfPaymentSuccess()).toHaveLength(before + 1);
    await section(page, 'Webhooks');
    await page.locator(`tr[data-event-id="${eventId}"]`).waitFor();
    await shot(page, 'webhooks');
  });

  it("makes the payment's funds available, then fails a refund of it, from the objects' sandbox actions", async () => {
    await section(page, 'Payments');
    await page.locator(`tr[data-id="${paymentId}"]`).getByRole('link', { name: paymentId }).click();
    await page.getByRole('button', { name: 'Make the funds available' }).click();
    await page.getByText('Make the funds available: done.').waitFor();
    await expect.poll(async () => (await api<{ funds_available: boolean }>('GET', `/api/v1/payment/${paymentId}`)).funds_available).toBe(true);
    // The page reloads the object after the action: waited for, not sampled.
    await page.getByRole('button', { name: 'Make the funds available' }).waitFor({ state: 'detached' });

    const refund = await api<{ id: string; status: string }>('POST', '/api/v1/refunds', { payment_id: paymentId, reason: 'Requested By Customer' });
    expect(refund.status).toBe('in_progress');
    await section(page, 'Refunds');
    await page.locator(`tr[data-id="${refund.id}"]`).getByRole('link', { name: refund.id }).click();
    await page.getByRole('button', { name: 'Fail this refund' }).click();
    await page.getByText('Fail this refund: done.').waitFor();
    await expect.poll(() => page.locator('main .status').first().textContent()).toBe('failed');
    expect((await api<{ status: string }>('GET', `/api/v1/refunds/${refund.id}`)).status).toBe('failed');
    await page.locator('.timeline li[data-event-type="refund.failed"]').waitFor();
  });

  it('shows the balances and their chart from the ledger history', async () => {
    await section(page, 'Balances');
    const usd = page.locator('tr[data-currency="USD"]');
    await usd.waitFor();
    const balances = await api<{ available: { currency: string; amount: number }[]; pending: { currency: string; amount: number }[] }>('GET', '/api/v1/balances');
    const pending = balances.pending.find((entry) => entry.currency === 'USD')?.amount ?? 0;
    const available = balances.available.find((entry) => entry.currency === 'USD')?.amount ?? 0;
    expect(pending + available).toBeGreaterThan(0);
    expect(await usd.locator('.pending').textContent()).toBe(`USD ${(pending / 100).toLocaleString('en', { minimumFractionDigits: 2 })}`);
    expect(await usd.locator('.available').textContent()).toBe(`USD ${(available / 100).toLocaleString('en', { minimumFractionDigits: 2 })}`);
    await page.locator('.chart-area canvas').waitFor();
    await shot(page, 'balances');
  });

  it('advances the test clock by a day and shows the new time', async () => {
    await section(page, 'Sandbox');
    await page.locator('#clock-now').waitFor();
    const before = await api<{ now: string; offset_seconds: number }>('GET', '/api/v1/sandbox/clock');
    await page.getByRole('button', { name: '+ 1 day' }).click();
    await page.getByText(/^The clock is at /).waitFor({ timeout: 20_000 });
    const after = await api<{ now: string; offset_seconds: number }>('GET', '/api/v1/sandbox/clock');
    expect(after.offset_seconds).toBe(before.offset_seconds + 86_400);
    // The page reads the clock again after the advance: it shows the new time.
    const moved = async () => Date.parse((await page.locator('#clock-now time').getAttribute('datetime'))!) - Date.parse(before.now);
    await expect.poll(moved).toBeGreaterThanOrEqual(86_400_000);
    expect(await moved()).toBeLessThan(86_400_000 + 60_000);
    const shownText = (await page.locator('#clock-now').textContent())!;
    expect(shownText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(shownText.slice(0, 10)).toBe(new Date(Date.parse(before.now) + 86_400_000).toISOString().slice(0, 10));
  });

  it("completes a payout from its page's sandbox actions", async () => {
    const beneficiary = await api<{ id: string; status: string }>('POST', '/api/v2/beneficiaries', v2Body());
    const payout = await api<{ id: string; status: string }>('POST', '/api/v1/payouts', {
      beneficiary_id: beneficiary.id, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: 10_000,
    });
    expect(payout.status).toBe('in_progress');
    await section(page, 'Payouts');
    await page.locator(`tr[data-id="${payout.id}"]`).getByRole('link', { name: payout.id }).click();
    await page.getByRole('button', { name: 'Complete this payout' }).click();
    await page.getByText('Complete this payout: done.').waitFor();
    await expect.poll(() => page.locator('main .status').first().textContent()).toBe('success');
    expect((await api<{ status: string }>('GET', `/api/v1/payouts/${payout.id}`)).status).toBe('success');
    // The page reloads the object after the action: waited for, not sampled.
    await page.getByRole('button', { name: 'Complete this payout' }).waitFor({ state: 'detached' });
  });

  it('signs an operator in with ADMIN_TOKEN and the merchant picker; signing out revokes the minted credential', async () => {
    const operator = await recordedPage(browser, record, DESKTOP);
    await operator.goto(`${server.url}/dashboard`);
    await operator.locator('#admin-token').fill('wrong-token-0123456789');
    await operator.getByRole('button', { name: 'Choose a merchant' }).click();
    await expect.poll(() => operator.locator('.error-note').textContent()).toContain('operator token was refused');
    await operator.locator('#admin-token').fill(ADMIN_TOKEN);
    await operator.getByRole('button', { name: 'Choose a merchant' }).click();
    await operator.locator('#merchant-picker').selectOption(merchant.id);
    await operator.getByRole('button', { name: 'Open the dashboard' }).click();
    await operator.getByRole('heading', { name: 'Balances', level: 1 }).waitFor();
    expect(await operator.locator('.env-badge').textContent()).toBe('Sandbox');
    expect(await operator.locator('.who').textContent()).toContain(`Operator · ${MERCHANT_NAME}`);
    await operator.locator('tr[data-currency="USD"]').waitFor();
    await section(operator, 'Payments');
    await operator.locator(`tr[data-id="${paymentId}"]`).waitFor();

    const credentials = await api<{ data: { id: string; status: string; env: string }[] }>(
      'GET', `/admin/v1/merchants/${merchant.id}/mcp_credentials`, undefined, ADMIN_TOKEN);
    expect(credentials.data).toHaveLength(1);
    expect(credentials.data[0]).toMatchObject({ status: 'active', env: 'sandbox' });
    await operator.getByRole('button', { name: 'Sign out' }).click();
    await operator.locator('#admin-token').waitFor();
    await expect.poll(async () => (await api<{ data: { status: string }[] }>(
      'GET', `/admin/v1/merchants/${merchant.id}/mcp_credentials`, undefined, ADMIN_TOKEN)).data[0]!.status).toBe('revoked');
    expect(await operator.evaluate(() => window.sessionStorage.length)).toBe(0);
    await operator.context().close();
  });

  it('ends the session when the API refuses its key (here: the operator credential revoked meanwhile)', async () => {
    const operator = await recordedPage(browser, record, DESKTOP);
    await operator.goto(`${server.url}/dashboard`);
    await operator.locator('#admin-token').fill(ADMIN_TOKEN);
    await operator.getByRole('button', { name: 'Choose a merchant' }).click();
    await operator.locator('#merchant-picker').selectOption(merchant.id);
    await operator.getByRole('button', { name: 'Open the dashboard' }).click();
    await operator.locator('tr[data-currency="USD"]').waitFor();
    const { credentialId } = await operator.evaluate(() => JSON.parse(window.sessionStorage.getItem('glomo.dashboard.session')!) as { credentialId: string });
    await api('DELETE', `/admin/v1/merchants/${merchant.id}/mcp_credentials/${credentialId}`, undefined, ADMIN_TOKEN);
    await section(operator, 'Customers');
    await operator.getByText('Your session ended: the key was refused. Sign in again.').waitFor();
    expect(await operator.locator('#secret-key').isVisible()).toBe(true);
    expect(await operator.evaluate(() => window.sessionStorage.length)).toBe(0);
    await operator.context().close();
  });

  it('renders the navigation on a phone-sized viewport, keyboard first: the skip link, then the sections', async () => {
    const phone = await recordedPage(browser, record);
    await phone.goto(`${server.url}/dashboard`);
    await phone.locator('#secret-key').fill(merchant.secret_key);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.locator('tr[data-currency="USD"]').waitFor();
    const nav = phone.getByRole('navigation', { name: 'Sections' });
    for (const name of ['Balances', 'Orders', 'Payments', 'Webhooks', 'Sandbox', 'API keys', 'Mail']) {
      expect(await nav.getByRole('link', { name }).isVisible(), name).toBe(true);
    }
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.locator('.chart-area canvas').waitFor();
    await shot(phone, 'phone');
    await phone.keyboard.press('Tab');
    expect(await phone.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await phone.keyboard.press('Enter');
    expect(await phone.evaluate(() => document.activeElement?.id)).toBe('main');
    // A payment link is mailed to its customer (decision 0041): the mail page lists it.
    const customers = await api<{ data: { id: string; email: string }[] }>('GET', '/api/v1/customer');
    const link = await api<{ id: string }>('POST', '/api/v1/payin', {
      customer_id: customers.data[0]!.id, currency: 'USD', amount: 1_000, purpose_code: 'P1401', payment_methods: ['card'],
      expires_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    await section(phone, 'Mail');
    await phone.getByRole('heading', { name: 'Mail', level: 1 }).waitFor();
    const mail = phone.locator('table.mails tbody tr').filter({ hasText: link.id });
    await mail.waitFor();
    expect(await mail.textContent()).toContain(customers.data[0]!.email);
    await phone.context().close();
  });

  it('signs in with the production key: the environment says so and the sandbox tools are not offered', async () => {
    const production = await recordedPage(browser, record, DESKTOP);
    await production.goto(`${server.url}/dashboard`);
    await production.locator('#secret-key').fill((glomo.merchant as unknown as { production_secret_key: string }).production_secret_key);
    await production.getByRole('button', { name: 'Sign in' }).click();
    await production.getByRole('heading', { name: 'Balances', level: 1 }).waitFor();
    expect(await production.locator('.env-badge').textContent()).toBe('Production');
    // Production has none of the sandbox's orders and no sandbox section.
    await production.getByText('No balance yet').waitFor();
    const nav = production.getByRole('navigation', { name: 'Sections' });
    expect(await nav.getByRole('link', { name: 'Sandbox', exact: true }).count()).toBe(0);
    await production.evaluate(() => {
      window.location.hash = '#/sandbox';
    });
    await production.getByRole('heading', { name: 'Not found', level: 1 }).waitFor();
    await section(production, 'Orders');
    await expect.poll(() => production.locator('.count').textContent()).toBe('0 results');
    await production.context().close();
  });

  it('rotates the secret key: the new key is shown once and the session goes on with it', async () => {
    await section(page, 'API keys');
    await page.locator('#expire-after').fill('3600');
    await page.getByRole('button', { name: 'Rotate' }).click();
    const shown = (await page.locator('#new-secret-key').textContent())!;
    expect(shown).not.toBe(merchant.secret_key);
    expect(await page.evaluate(() => JSON.parse(window.sessionStorage.getItem('glomo.dashboard.session')!).key)).toBe(shown);
    // The new key works on the API; the page's next reads use it.
    expect(await api<{ available: unknown[] }>('GET', '/api/v1/balances', undefined, shown)).toHaveProperty('available');
    const before = record.requests.length;
    await section(page, 'Balances');
    await page.locator('tr[data-currency="USD"]').waitFor();
    expect(record.requests.slice(before).some((request) => request.url === `${server.url}/api/v1/balances`)).toBe(true);
    // Shown once: another visit of the page does not show it again.
    await section(page, 'API keys');
    await page.getByRole('heading', { name: 'Rotate the secret key' }).waitFor();
    expect(await page.locator('#new-secret-key').count()).toBe(0);
  });

  it('sent no request outside the server origin and logged no console error', () => {
    const foreign = record.requests.filter((request) => !request.url.startsWith(`${server.url}/`));
    expect(foreign.map((request) => request.url)).toEqual([]);
    // The console may only mention the refused key and operator token (401).
    expect(record.consoleErrors.filter((text) => !/status of 401 \(Unauthorized\)/.test(text))).toEqual([]);
    expect(record.requests.some((request) => request.url.startsWith(`${server.url}/dashboard/assets/vendor/preact@`))).toBe(true);
  });
});
