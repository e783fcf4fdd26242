// What Glomo's checkout SDKs load from this server, without a browser (decision 0038): the web SDK's module at
// /checkout/sdk/index.js (type, CORS, cache) and the mobile SDKs' URL /checkout?orderId=…&publicKey=…&mode=…, which
// answers the order checkout's page (or the subscription page for a sub_ id) and the checkout's HTML error pages.
// The module's behaviour in a browser is test/browser/sdk.browser.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../test/support/app.js';
import { CHECKOUT_CSP } from './page-routes.js';
import { servedPaths } from '../../test/support/contract.js';

const DAY_MS = 86_400_000;
const dateIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

async function createCustomer(app: App, secretKey: string): Promise<string> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(secretKey), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  return customer.json().id as string;
}

async function createOrder(app: App, secretKey: string): Promise<string> {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(secretKey),
    payload: { customer_id: await createCustomer(app, secretKey), currency: 'USD', amount: 12_345, payment_methods: ['card'] },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

async function createSubscription(app: App, secretKey: string): Promise<string> {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/subscriptions', headers: bearer(secretKey),
    payload: {
      customer_id: await createCustomer(app, secretKey), product_name: 'ShieldGuard Insurance', product_description: 'Flexible insurance', plan_name: 'ShieldGuard Lite',
      amount: 1_000, currency: 'USD', interval_type: 'month', interval_count: 1, billing_cycles: 12, start_date: dateIn(0),
      expires_at: dateIn(7), notify_customer: false, starts_with_first_payment: true,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

describe('checkout SDK routes', () => {
  let app: App;
  let owner: TestMerchant;
  let other: TestMerchant;
  let order: string;
  let productionOrder: string;
  let othersOrder: string;
  let subscription: string;
  let productionSubscription: string;
  let othersSubscription: string;

  /** The mobile SDKs' URL: `/checkout?…` (a query string as given, or built from pairs in order). */
  const mobile = (query: Record<string, string> | string, path = '/checkout') => {
    const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
    return app.inject({ method: 'GET', url: `${path}${search ? `?${search}` : ''}` });
  };

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    owner = await createTestMerchant();
    other = await createTestMerchant();
    order = await createOrder(app, owner.sandboxSecret);
    productionOrder = await createOrder(app, owner.productionSecret);
    othersOrder = await createOrder(app, other.sandboxSecret);
    subscription = await createSubscription(app, owner.sandboxSecret);
    productionSubscription = await createSubscription(app, owner.productionSecret);
    othersSubscription = await createSubscription(app, other.sandboxSecret);
  });

  describe('GET /checkout/sdk/index.js', () => {
    it('serves an ES module exporting GlomoCheckoutApi, importable from any origin and cached like the checkout assets', async () => {
      const response = await app.inject('/checkout/sdk/index.js');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(response.headers['cache-control']).toBe('public, max-age=3600');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers.etag).toMatch(/^"[0-9a-f]{16}"$/);
      expect(response.body).toMatch(/^export class GlomoCheckoutApi \{$/m);
      // The origin it trusts is its own URL's; it loads nothing else and keeps nothing.
      expect(response.body).toContain('new URL(import.meta.url).origin');
      expect(response.body).not.toMatch(/https?:\/\//);
      expect(response.body).not.toMatch(/localStorage|sessionStorage|document\.cookie|console\./);
    });

    it('answers 304 to its ETag, and 200 to another', async () => {
      const { headers } = await app.inject('/checkout/sdk/index.js');
      const again = await app.inject({ method: 'GET', url: '/checkout/sdk/index.js', headers: { 'if-none-match': headers.etag as string } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers['access-control-allow-origin']).toBe('*');
      const stale = await app.inject({ method: 'GET', url: '/checkout/sdk/index.js', headers: { 'if-none-match': '"0000000000000000"' } });
      expect(stale.statusCode).toBe(200);
    });

    it('is no API operation: neither route is in /openapi.json', async () => {
      const doc = { paths: Object.fromEntries(servedPaths((await app.inject('/openapi.json')).json())) };
      expect(Object.keys(doc.paths).filter((p) => p === '/checkout' || p.startsWith('/checkout/sdk'))).toEqual([]);
    });
  });

  describe('GET /checkout?orderId=…&publicKey=…&mode=…', () => {
    it('answers the same page as /checkout/{order_id}?public_key=…, with or without mode and the trailing slash', async () => {
      const canonical = await app.inject(`/checkout/${order}?public_key=${owner.sandboxPublishable}`);
      expect(canonical.statusCode).toBe(200);
      for (const [query, path] of [
        [{ orderId: order, publicKey: owner.sandboxPublishable, mode: 'mock' }, '/checkout'],
        [{ orderId: order, publicKey: owner.sandboxPublishable, mode: 'mock' }, '/checkout/'],
        [{ orderId: order, publicKey: owner.sandboxPublishable }, '/checkout'],
      ] as const) {
        const response = await mobile(query, path);
        expect(response.statusCode, `${path} ${JSON.stringify(query)}`).toBe(200);
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.body).toBe(canonical.body);
      }
      expect(canonical.body).toContain(`data-order-id="${order}"`);
      expect(canonical.body).toContain('data-mode="sandbox"');
    });

    it('mode=live with a production key: the live page', async () => {
      const response = await mobile({ orderId: productionOrder, publicKey: owner.productionPublishable, mode: 'live' });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).toContain(`data-order-id="${productionOrder}"`);
      expect(response.body).toContain('data-mode="live"');
    });

    it('keeps a redirect_url as the path form does', async () => {
      const response = await mobile({ orderId: order, publicKey: owner.sandboxPublishable, mode: 'mock', redirect_url: 'https://shop.example/back?x=1' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('data-redirect-url="https://shop.example/back?x=1"');
    });

    it("a sub_ id in orderId (as the mobile SDKs pass it) answers the subscription page of the key's merchant", async () => {
      const canonical = await app.inject(`/subscription/${subscription}`);
      const response = await mobile({ orderId: subscription, publicKey: owner.sandboxPublishable, mode: 'mock' });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).toBe(canonical.body);
      expect(response.body).toContain(`data-subscription-id="${subscription}"`);
      expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
      const live = await mobile({ orderId: productionSubscription, publicKey: owner.productionPublishable, mode: 'live' });
      expect(live.statusCode, live.body).toBe(200);
      expect(live.body).toContain('data-mode="live"');
    });

    describe('error pages (HTML, never JSON or a 500)', () => {
      const cases: [string, () => Record<string, string> | string, number, RegExp][] = [
        ['no parameters', () => ({}), 400, /missing its orderId/],
        ['no orderId', () => ({ publicKey: owner.sandboxPublishable, mode: 'mock' }), 400, /missing its orderId/],
        ['an empty orderId', () => ({ orderId: '', publicKey: owner.sandboxPublishable }), 400, /missing its orderId/],
        ['a repeated orderId', () => `orderId=${order}&orderId=${order}&publicKey=${owner.sandboxPublishable}`, 400, /not valid/],
        ['no publicKey', () => ({ orderId: order, mode: 'mock' }), 400, /missing its publicKey/],
        ['an empty publicKey', () => ({ orderId: order, publicKey: '' }), 400, /missing its publicKey/],
        ['a repeated publicKey', () => `orderId=${order}&publicKey=${owner.sandboxPublishable}&publicKey=x`, 400, /not valid/],
        ['the snake-case public_key of the path form', () => ({ orderId: order, public_key: owner.sandboxPublishable }), 400, /missing its publicKey/],
        ['an unknown mode', () => ({ orderId: order, publicKey: owner.sandboxPublishable, mode: 'sandbox' }), 400, /mode: it must be mock or live/],
        ['an empty mode', () => ({ orderId: order, publicKey: owner.sandboxPublishable, mode: '' }), 400, /mode: it must be mock or live/],
        ['a repeated mode', () => `orderId=${order}&publicKey=${owner.sandboxPublishable}&mode=mock&mode=mock`, 400, /mode: it must be mock or live/],
        ['mode=live with a test_ key', () => ({ orderId: order, publicKey: owner.sandboxPublishable, mode: 'live' }), 400, /needs a live_ public key/],
        ['mode=mock with a live_ key', () => ({ orderId: productionOrder, publicKey: owner.productionPublishable, mode: 'mock' }), 400, /needs a test_ public key/],
        ['a javascript: redirect_url', () => ({ orderId: order, publicKey: owner.sandboxPublishable, redirect_url: 'javascript:alert(1)' }), 400, /redirect_url/],
        ['an unknown key', () => ({ orderId: order, publicKey: 'test_0000000000000000000000', mode: 'mock' }), 401, /invalid or expired public key/],
        ['the secret key', () => ({ orderId: order, publicKey: owner.sandboxSecret }), 401, /invalid or expired public key/],
        ["a mock_ key (Glomo's SDKs know the prefix; this server issues none)", () => ({ orderId: order, publicKey: 'mock_abc', mode: 'mock' }), 401, /invalid or expired public key/],
        ['garbage as the key', () => ({ orderId: subscription, publicKey: '<b>x</b>' }), 401, /invalid or expired public key/],
        ["another merchant's order", () => ({ orderId: othersOrder, publicKey: owner.sandboxPublishable, mode: 'mock' }), 404, /does not exist/],
        ['the production key on a sandbox order', () => ({ orderId: order, publicKey: owner.productionPublishable, mode: 'live' }), 404, /does not exist/],
        ['an unknown order', () => ({ orderId: 'order_6819d804aaaaa', publicKey: owner.sandboxPublishable }), 404, /does not exist/],
        ['an id that is neither an order nor a subscription', () => ({ orderId: 'plink_6819d804aaaaa', publicKey: owner.sandboxPublishable }), 404, /does not exist/],
        ["another merchant's subscription", () => ({ orderId: othersSubscription, publicKey: owner.sandboxPublishable, mode: 'mock' }), 404, /subscription does not exist/],
        ['the sandbox key on a production subscription', () => ({ orderId: productionSubscription, publicKey: owner.sandboxPublishable }), 404, /subscription does not exist/],
        ['an unknown subscription', () => ({ orderId: 'sub_6819d804aaaaa', publicKey: owner.sandboxPublishable }), 404, /subscription does not exist/],
      ];
      for (const [label, query, status, message] of cases) {
        it(`${status} for ${label}`, async () => {
          const response = await mobile(query());
          expect(response.statusCode, response.body).toBe(status);
          expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
          expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
          expect(response.body).toMatch(/^<!doctype html>/);
          expect(response.body).toMatch(message);
          expect(response.body).not.toContain('data-public-key');
          expect(response.body).not.toContain('data-subscription-id');
          expect(response.body).not.toContain(owner.sandboxSecret);
          expect(response.body).not.toContain('<b>x</b>');
        });
      }

      it('does not echo the requested id', async () => {
        const response = await mobile({ orderId: 'order_<img src=x>', publicKey: owner.sandboxPublishable });
        expect(response.statusCode).toBe(404);
        expect(response.body).not.toContain('<img');
      });
    });
  });
});
