// Glomo's web checkout SDK, drop-in (decision 0038), in a real browser: a merchant's site on another origin, under a
// strict Content-Security-Policy, uses /checkout/sdk/index.js exactly as Glomo's C# example uses Glomo's module
// (import, new GlomoCheckoutApi({orderId, publicKey}), open(), on(...)); the customer pays in the overlay's frame and
// the test verifies the signature the handler received with the merchant's secret key. Messages from anything but
// the SDK's own frame are ignored. The mobile SDKs' URL (/checkout?orderId=…) is driven as their WebView does it: the
// page at the top, and the SDKs' injected listener for the window's own messages.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPaymentSignature } from '../../src/checkout/signature.js';
import { describeInChromium, launchChromium, recordedPage, startBrowserServer, startSite, type BrowserServer } from '../support/browser.js';

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../.tmp');
const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const EXPIRY = `12/${String((new Date().getFullYear() + 2) % 100).padStart(2, '0')}`;
const DAY_MS = 86_400_000;
const NONCE = 'c2hvcC1ub25jZQ';
const EVENTS = ['payment.success', 'payment.failure', 'payment.pending', 'payment.cancelled', 'subscription.authorized', 'checkout.closed'];

interface HandlerCall {
  name: string;
  response: Record<string, string> | null;
}

/** A value inside the merchant page's inline script: JSON that cannot close the script element. */
const js = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

describeInChromium('test/browser/sdk.browser.test.ts', 'the checkout SDK in Chromium', () => {
  let glomo: BrowserServer;
  let shop: Awaited<ReturnType<typeof startSite>>;
  let evil: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  const record = { consoleErrors: [] as string[], requests: [] as { url: string; body: string | null }[] };

  async function api<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
    const response = await fetch(`${glomo.server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${glomo.merchant.secret_key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  }

  async function createCustomer(): Promise<string> {
    const customer = await api('POST', '/api/v1/customer', {
      name: 'Asha Buyer', customer_type: 'individual', email: `asha.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
      address: '1 Main St', city: 'Pune', state: 'MH', country: 'IND', pincode: '411001',
    });
    expect(customer.status, JSON.stringify(customer.json)).toBe(201);
    return customer.json.id as string;
  }

  async function createOrder(): Promise<string> {
    const order = await api('POST', '/api/v1/orders', {
      customer_id: await createCustomer(), currency: 'USD', amount: 12_345, invoice_description: 'Annual plan', payment_methods: ['card'],
    });
    expect(order.status, JSON.stringify(order.json)).toBe(201);
    return order.json.id as string;
  }

  async function createSubscription(): Promise<string> {
    const today = new Date().toISOString().slice(0, 10);
    const subscription = await api('POST', '/api/v1/subscriptions', {
      customer_id: await createCustomer(), product_name: 'ShieldGuard Insurance', product_description: 'Flexible insurance',
      plan_name: 'ShieldGuard Lite', amount: 1_000, currency: 'USD', interval_type: 'month', interval_count: 1, billing_cycles: 12,
      start_date: today, expires_at: new Date(Date.now() + 7 * DAY_MS).toISOString().slice(0, 10), notify_customer: false,
      starts_with_first_payment: true,
    });
    expect(subscription.status, JSON.stringify(subscription.json)).toBe(201);
    return subscription.json.id as string;
  }

  /** The merchant's page at `/shop`: the C# example's script, the SDK imported from this server. */
  function shopPage(url: URL): { html: string; csp: string } {
    const options = JSON.parse(url.searchParams.get('options') ?? '{}') as Record<string, string>;
    const openNow = url.searchParams.get('open') !== 'button';
    const sibling = url.searchParams.get('sibling');
    const server = glomo.server.url;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head>
<body><h1>Checkout at the shop</h1><button id="pay" type="button">Pay now</button>
<iframe id="evil" title="ads" src="${evil.url}/evil"></iframe>
${sibling ? `<iframe id="sibling" title="other" src="${sibling.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>` : ''}
<script nonce="${NONCE}">window.__events = []; window.__raw = [];
window.addEventListener('message', function (e) { window.__raw.push({ origin: e.origin, type: e.data && e.data.type }); });</script>
<script type="module" nonce="${NONCE}">
import { GlomoCheckoutApi } from ${js(`${server}/checkout/sdk/index.js`)};

const checkout = new GlomoCheckoutApi(${js(options)});
window.__checkout = checkout;
window.__GlomoCheckoutApi = GlomoCheckoutApi;
${openNow ? 'checkout.open();' : ''}
for (const name of ${js(EVENTS)}) {
  checkout.on(name, function (response) { window.__events.push({ name: name, response: response === undefined ? null : response }); });
}
document.getElementById('pay').addEventListener('click', function () { checkout.open(); });
window.__ready = true;
</script></body></html>`;
    // What a merchant allows for Glomo's SDK: its script and frames from the checkout's origin; no inline style.
    const csp = [`default-src 'none'`, `script-src 'nonce-${NONCE}' ${server}`, `frame-src ${server} ${evil.url}`, `style-src 'self'`].join('; ');
    return { html, csp };
  }

  async function openShop(options: Record<string, string>, query: Record<string, string> = {}, viewport?: { width: number; height: number }): Promise<Page> {
    const page = await recordedPage(browser, record, viewport ?? { width: 1280, height: 800 });
    await page.goto(`${shop.url}/shop?${new URLSearchParams({ options: JSON.stringify(options), ...query })}`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, undefined, { timeout: 10_000 });
    return page;
  }

  async function sdkFrame(page: Page, prefix: string): Promise<Frame> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const frame = page.frames().find((f) => f.url().startsWith(prefix) && f.parentFrame() === page.mainFrame());
      if (frame) {
        await frame.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
        return frame;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no frame at ${prefix}`);
  }

  const orderFrame = (page: Page, orderId: string) => sdkFrame(page, `${glomo.server.url}/checkout/${orderId}?`);

  /** Fills the card form and submits it; `covered`: the frame is behind the overlay, so the click is dispatched. */
  async function fillCard(target: Frame | Page, number: string, covered = false): Promise<void> {
    await target.locator('#card-number').fill(number);
    await target.locator('#card-expiry').fill(EXPIRY);
    await target.locator('#card-cvv').fill('123');
    if (covered) await target.locator('#card-submit').dispatchEvent('click');
    else await target.locator('#card-submit').click();
  }

  const calls = (page: Page) => page.evaluate(() => (window as unknown as { __events: HandlerCall[] }).__events);

  async function waitForCalls(page: Page, count: number): Promise<HandlerCall[]> {
    await page.waitForFunction((n) => (window as unknown as { __events: unknown[] }).__events.length >= n, count, { timeout: 10_000 });
    return calls(page);
  }

  const overlayOpen = (page: Page) => page.evaluate(() => document.querySelector('[data-glomo-checkout]') !== null);

  beforeAll(async () => {
    glomo = await startBrowserServer('SDK Shop Ltd');
    evil = await startSite((request, response) => {
      // Another origin framed by the shop: on the shop's word it posts a forged success to its parent.
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>ads</title><script>
window.addEventListener('message', function (e) {
  if (e.data && e.data.forge) parent.postMessage({ type: 'payment.success', order_id: e.data.forge, payment_id: 'payt_forged00000',
    status: 'success', signature: '${'0'.repeat(64)}' }, '*');
});</script>`);
    });
    shop = await startSite((request, response) => {
      const url = new URL(request.url ?? '/', 'http://shop');
      if (url.pathname !== '/shop') {
        response.writeHead(404).end();
        return;
      }
      const { html, csp } = shopPage(url);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      response.end(html);
    });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await evil?.close();
    await glomo?.stop();
  });

  it('opens the order over the shop; a card payment calls payment.success with a signature the secret key verifies', async () => {
    const orderId = await createOrder();
    const page = await openShop({ orderId, publicKey: glomo.merchant.public_key });
    const frame = await orderFrame(page, orderId);
    expect(await frame.locator('#merchant-name').textContent()).toBe('SDK Shop Ltd');
    // A dialog over the page, its scrolling locked; the focus in the checkout once it has loaded.
    expect(await page.locator('[role="dialog"][aria-modal="true"]').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('hidden');
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('IFRAME');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sdk-overlay.png') });

    await fillCard(frame, VISA_SUCCESS);
    const [call] = await waitForCalls(page, 1);
    expect(call!.name).toBe('payment.success');
    const response = call!.response!;
    expect(Object.keys(response).sort()).toEqual(['order_id', 'payment_id', 'signature', 'status']);
    expect(response).toMatchObject({ order_id: orderId, status: 'success' });
    expect(verifyPaymentSignature(glomo.merchant.secret_key, orderId, response.payment_id!, 'success', response.signature!)).toBe(true);
    const payment = await api('GET', `/api/v1/payment/${response.payment_id}`);
    expect(payment.json).toMatchObject({ status: 'success', payin_id: orderId });

    // The page shows its result until the customer closes the overlay: then checkout.closed, and the page is as it was.
    expect(await frame.locator('#result-title').textContent()).toBe('Payment successful');
    await page.locator('[data-glomo-close]').click();
    expect((await waitForCalls(page, 2))[1]).toEqual({ name: 'checkout.closed', response: { order_id: orderId } });
    expect(await overlayOpen(page)).toBe(false);
    expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('');
    await page.context().close();
  });

  it('a decline calls payment.failure (signed, with its code); the retry in the same overlay with the OTP card succeeds', async () => {
    const orderId = await createOrder();
    const page = await openShop({ orderId, publicKey: glomo.merchant.public_key }, {}, { width: 390, height: 844 });
    const frame = await orderFrame(page, orderId);
    // On a phone the dialog fills the screen.
    expect(await page.locator('[role="dialog"]').evaluate((e) => e.getBoundingClientRect().width)).toBe(390);
    await fillCard(frame, VISA_FAILURE);
    const [failure] = await waitForCalls(page, 1);
    expect(failure!.name).toBe('payment.failure');
    expect(failure!.response).toMatchObject({ order_id: orderId, status: 'failed', error_code: 'PAYMENT_DECLINED' });
    expect(verifyPaymentSignature(glomo.merchant.secret_key, orderId, failure!.response!.payment_id!, 'failed', failure!.response!.signature!)).toBe(true);

    await frame.locator('#result-retry').click();
    await fillCard(frame, VISA_OTP_SUCCESS);
    await frame.locator('#card-otp').fill('123456');
    await frame.locator('#card-submit').click();
    const [, success] = await waitForCalls(page, 2);
    expect(success!.name).toBe('payment.success');
    expect(verifyPaymentSignature(glomo.merchant.secret_key, orderId, success!.response!.payment_id!, 'success', success!.response!.signature!)).toBe(true);
    expect(success!.response!.payment_id).not.toBe(failure!.response!.payment_id);
    await page.context().close();
  });

  it('Escape (in the checkout or on the shop) and the close button call checkout.closed and give the focus back; close() calls nothing', async () => {
    const orderId = await createOrder();
    const page = await openShop({ orderId, publicKey: glomo.merchant.public_key }, { open: 'button' });
    expect(await overlayOpen(page)).toBe(false);

    // Escape while typing in the card form (the key press is the frame's).
    await page.locator('#pay').click();
    const frame = await orderFrame(page, orderId);
    await frame.locator('#card-number').focus();
    await page.keyboard.press('Escape');
    expect(await waitForCalls(page, 1)).toEqual([{ name: 'checkout.closed', response: { order_id: orderId } }]);
    expect(await overlayOpen(page)).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pay');

    // Escape on the shop's side, after the focus was sent back into the dialog from behind it.
    await page.locator('#pay').click();
    await orderFrame(page, orderId);
    await page.evaluate(() => document.getElementById('pay')!.focus());
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Close checkout');
    await page.keyboard.press('Escape');
    expect(await waitForCalls(page, 2)).toHaveLength(2);
    expect(await overlayOpen(page)).toBe(false);

    // The close button.
    await page.locator('#pay').click();
    await orderFrame(page, orderId);
    await page.locator('[data-glomo-close]').click();
    expect((await waitForCalls(page, 3)).map((c) => c.name)).toEqual(['checkout.closed', 'checkout.closed', 'checkout.closed']);

    // The merchant's own close(): the overlay goes, no event.
    await page.locator('#pay').click();
    await orderFrame(page, orderId);
    await page.evaluate(() => (window as unknown as { __checkout: { close(): void } }).__checkout.close());
    expect(await overlayOpen(page)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await calls(page)).toHaveLength(3);
    await page.context().close();
  });

  it("ignores messages from another origin, from the shop itself and from another frame of this server's origin", async () => {
    const orderId = await createOrder();
    const otherOrder = await createOrder();
    const sibling = `${glomo.server.url}/checkout/${otherOrder}?public_key=${glomo.merchant.public_key}`;
    const page = await openShop({ orderId, publicKey: glomo.merchant.public_key }, { sibling });
    const frame = await orderFrame(page, orderId);
    const raw = () => page.evaluate(() => (window as unknown as { __raw: { origin: string; type?: string }[] }).__raw);

    // A forged success from another origin's frame, and one the shop's own window posts.
    await page.evaluate((id) => {
      (document.getElementById('evil') as HTMLIFrameElement).contentWindow!.postMessage({ forge: id }, '*');
      window.postMessage({ type: 'payment.success', order_id: id, payment_id: 'payt_forged00001', status: 'success', signature: 'f'.repeat(64) }, '*');
    }, orderId);
    // A real, signed success from a checkout of this server that the SDK did not open.
    const siblingFrame = page.frames().find((f) => f.url() === sibling)!;
    await siblingFrame.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
    await fillCard(siblingFrame, VISA_SUCCESS, true);
    await expect.poll(async () => (await raw()).map((m) => `${m.origin} ${m.type}`).sort()).toEqual([
      `${evil.url} payment.success`, `${glomo.server.url} payment.success`, `${shop.url} payment.success`,
    ].sort());
    expect(await calls(page)).toEqual([]);

    // The SDK's own frame is still heard.
    await fillCard(frame, VISA_SUCCESS);
    const [call] = await waitForCalls(page, 1);
    expect(call).toMatchObject({ name: 'payment.success', response: { order_id: orderId, status: 'success' } });
    await page.context().close();
  });

  it('opens the subscription page with subscriptionId: payment.success carries subscription_id and its signature', async () => {
    const subscriptionId = await createSubscription();
    const page = await openShop({ subscriptionId, publicKey: glomo.merchant.public_key });
    const frame = await sdkFrame(page, `${glomo.server.url}/subscription/${subscriptionId}`);
    expect(await frame.locator('#plan').textContent()).toBe('ShieldGuard Lite');
    await fillCard(frame, VISA_SUCCESS);
    const [call] = await waitForCalls(page, 1);
    expect(call!.name).toBe('payment.success');
    expect(Object.keys(call!.response!).sort()).toEqual(['payment_id', 'signature', 'status', 'subscription_id']);
    const { payment_id: paymentId, signature } = call!.response!;
    expect(call!.response).toMatchObject({ subscription_id: subscriptionId, status: 'success' });
    expect(verifyPaymentSignature(glomo.merchant.secret_key, subscriptionId, paymentId!, 'success', signature!)).toBe(true);
    const subscription = await api('GET', `/api/v1/subscriptions/${subscriptionId}`);
    expect(subscription.json.status).toBe('active');
    await page.context().close();
  });

  it('opens a payment link with paymentLinkId at its payment_link page: paid by card, signed with the link id', async () => {
    const link = await api('POST', '/api/v1/payin', {
      customer_id: await createCustomer(), currency: 'USD', amount: 2_500, purpose_code: 'P0802', payment_methods: ['card'],
      expires_at: new Date(Date.now() + 7 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'), invoice_description: 'Annual plan',
    });
    expect(link.status, JSON.stringify(link.json)).toBe(201);
    const linkId = link.json.id as string;
    expect(link.json.payment_link).toBe(`${glomo.server.url}/payin/pl/${linkId}`);
    const page = await openShop({ paymentLinkId: linkId, publicKey: glomo.merchant.public_key });
    const frame = await sdkFrame(page, `${glomo.server.url}/payin/pl/${linkId}`);
    await fillCard(frame, VISA_SUCCESS);
    const [call] = await waitForCalls(page, 1);
    expect(call!.name).toBe('payment.success');
    expect(Object.keys(call!.response!).sort()).toEqual(['payment_id', 'payment_link_id', 'signature', 'status']);
    const { payment_id: paymentId, signature } = call!.response!;
    expect(call!.response).toMatchObject({ payment_link_id: linkId, status: 'success' });
    expect(verifyPaymentSignature(glomo.merchant.secret_key, linkId, paymentId!, 'success', signature!)).toBe(true);
    expect((await api('GET', `/api/v1/payin/${linkId}`)).json.status).toBe('paid');
    await page.context().close();
  });

  it('names the link when the customer closes its page', async () => {
    const link = await api('POST', '/api/v1/payin', {
      customer_id: await createCustomer(), currency: 'USD', amount: 2_500, purpose_code: 'P0802', payment_methods: ['card'],
      expires_at: new Date(Date.now() + 7 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    const linkId = link.json.id as string;
    const page = await openShop({ paymentLinkId: linkId, publicKey: glomo.merchant.public_key }, { open: 'button' });
    await page.locator('#pay').click();
    expect(await page.locator('[data-glomo-checkout] iframe').getAttribute('src')).toBe(`${glomo.server.url}/payin/pl/${linkId}`);
    await page.locator('[data-glomo-close]').click();
    expect(await waitForCalls(page, 1)).toEqual([{ name: 'checkout.closed', response: { payment_link_id: linkId } }]);
    await page.context().close();
  });

  it('refuses options Glomo\'s SDKs refuse, with a TypeError, before opening anything', async () => {
    const page = await openShop({ orderId: 'order_x', publicKey: glomo.merchant.public_key }, { open: 'button' });
    const errors = await page.evaluate(() => {
      const GlomoCheckoutApi = (window as unknown as { __GlomoCheckoutApi: new (options: unknown) => unknown }).__GlomoCheckoutApi;
      const attempts: unknown[] = [undefined, {}, { orderId: 'order_abc' }, { orderId: 'order_abc', publicKey: 'sk_secret' },
        { orderId: 'cust_abc', publicKey: 'test_abc' }, { orderId: 'order_abc', subscriptionId: 'sub_abc', publicKey: 'test_abc' },
        { subscriptionId: 'order_abc', publicKey: 'test_abc' }];
      return attempts.map((options) => {
        try {
          new GlomoCheckoutApi(options);
          return 'accepted';
        } catch (error) {
          return (error as Error).name;
        }
      });
    });
    expect(errors).toEqual(Array(7).fill('TypeError'));
    expect(await overlayOpen(page)).toBe(false);
    await page.context().close();
  });

  describe('the mobile SDKs\' URL, as their WebView opens it', () => {
    // GlomoPayInjectionScripts (Android and iOS): a listener for the window's own messages forwards each as
    // {type: 'message', data} to the app's GlomoPayBridge; GlomoPayPayload then reads orderId|order_id, paymentId|payment_id
    // and signature, and a success counts only with all three (Validator.isValidPaymentPayload).
    const BRIDGE = `window.__bridge = [];
window.addEventListener('message', function (e) { if (e.data) window.__bridge.push(JSON.stringify({ type: 'message', data: e.data })); });`;

    async function bridged(page: Page): Promise<{ type: string; data: Record<string, string> }> {
      await page.waitForFunction(() => (window as unknown as { __bridge: string[] }).__bridge.length > 0, undefined, { timeout: 10_000 });
      const messages = await page.evaluate(() => (window as unknown as { __bridge: string[] }).__bridge);
      expect(messages).toHaveLength(1);
      return JSON.parse(messages[0]!);
    }

    const valid = (data: Record<string, string>) => Boolean((data.orderId ?? data.order_id) && (data.paymentId ?? data.payment_id) && data.signature);

    it('an order: /checkout?orderId=…&publicKey=…&mode=mock is paid at the top; the bridge gets a valid, signed payment.success', async () => {
      const orderId = await createOrder();
      const page = await recordedPage(browser, record);
      await page.addInitScript(BRIDGE);
      await page.goto(`${glomo.server.url}/checkout?${new URLSearchParams({ orderId, publicKey: glomo.merchant.public_key, mode: 'mock' })}`);
      await page.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
      await fillCard(page, VISA_SUCCESS);
      const { type, data } = await bridged(page);
      expect(type).toBe('message');
      expect(data).toMatchObject({ type: 'payment.success', order_id: orderId, status: 'success' });
      expect(valid(data)).toBe(true);
      expect(verifyPaymentSignature(glomo.merchant.secret_key, orderId, data.payment_id!, 'success', data.signature!)).toBe(true);
      await page.context().close();
    });

    it('a subscription in orderId: the bridge gets order_id (the subscription id, as the SDKs read it) beside subscription_id', async () => {
      const subscriptionId = await createSubscription();
      const page = await recordedPage(browser, record);
      await page.addInitScript(BRIDGE);
      await page.goto(`${glomo.server.url}/checkout/?${new URLSearchParams({ orderId: subscriptionId, publicKey: glomo.merchant.public_key, mode: 'mock' })}`);
      await page.locator('main[data-state="ready"]').waitFor({ timeout: 10_000 });
      await fillCard(page, VISA_SUCCESS);
      const { data } = await bridged(page);
      expect(data).toMatchObject({ type: 'payment.success', order_id: subscriptionId, subscription_id: subscriptionId, status: 'success' });
      expect(valid(data)).toBe(true);
      expect(verifyPaymentSignature(glomo.merchant.secret_key, subscriptionId, data.payment_id!, 'success', data.signature!)).toBe(true);
      await page.context().close();
    });
  });

  it('raised no script error and no Content-Security-Policy violation (the shop\'s or the checkout\'s)', () => {
    expect(record.consoleErrors).toEqual([]);
  });
});
