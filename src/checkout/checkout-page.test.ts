// The hosted checkout without a browser: the page and its assets, its error pages, and the payment step under
// /api/public/v1 (bank transfer details and payments) with its security cases. The browser flow is
// test/browser/checkout.browser.test.ts.
import path from 'node:path';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { events, payments } from '../db/schema/index.js';
import { DEFAULT_RATE_TABLE } from '../fx/default-rates.js';
import { tableRateSource } from '../fx/rates.js';
import { systemClock } from '../core/clock.js';
import { findMerchant, replaceKeys } from '../modules/merchants/service.js';
import { LocalDocumentStore } from '../modules/documents/storage.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, tempDir, type TestMerchant } from '../../test/support/app.js';
import { testEnv } from '../../test/support/env.js';
import { expectLedgerConsistent } from '../../test/support/ledger.js';
import { ibanCheckDigits, isValidIban } from '../core/iban.js';
import { randomDigits } from '../core/ids.js';
import { bankTransferDetails } from './bank-details.js';
import { CHECKOUT_CSP, escapeHtml, validRedirectUrl } from './page-routes.js';
import { verifyPaymentSignature } from './signature.js';
import { servedPaths } from '../../test/support/contract.js';

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const VISA_OTP_FAILURE = '4597 2622 2222 2223';
const AMEX_SUCCESS = '3466 2411 1111 1111';
const FUTURE_YEAR = new Date().getUTCFullYear() + 2;
const CVV = '987';

const INVALID = { error: 'Unauthorized', message: 'Auth token expired or invalid', code: 'UNAUTHORIZED' };
const MISSING = { error: 'Unauthorized', message: 'Missing token', code: 'UNAUTHORIZED' };
const NOT_FOUND = { error: 'Not Found', message: 'Order not found', code: 'NOT_FOUND' };

type Order = { id: string; amount: number; currency: string };

async function createOrder(app: App, secretKey: string, overrides: Record<string, unknown> = {}): Promise<Order> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(secretKey), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const response = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(secretKey),
    payload: {
      customer_id: customer.json().id, currency: 'USD', amount: 12_345,
      payment_methods: ['card', 'bank_transfer', 'pay_via_bank'], ...overrides,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const card = (number: string, overrides: Record<string, unknown> = {}) =>
  ({ number, exp_month: 12, exp_year: FUTURE_YEAR, cvv: CVV, ...overrides });

async function paymentsOf(orderId: string) {
  const { database } = await testEnv();
  return database.db.select().from(payments).where(eq(payments.payinId, orderId));
}

describe('hosted checkout', () => {
  let app: App;
  let owner: TestMerchant;
  let other: TestMerchant;
  let order: Order;
  let productionOrder: Order;
  let othersOrder: Order;

  const page = (id: string, query: Record<string, string> | string = {}) => {
    const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
    return app.inject({ method: 'GET', url: `/checkout/${id}${search ? `?${search}` : ''}` });
  };
  const pay = (id: string, key: string | undefined, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/api/public/v1/order/${id}/payments`, headers: key === undefined ? {} : bearer(key), payload });
  const details = (id: string, key: string | undefined) =>
    app.inject({ method: 'GET', url: `/api/public/v1/order/${id}/bank_transfer_details`, headers: key === undefined ? {} : bearer(key) });

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    owner = await createTestMerchant();
    other = await createTestMerchant();
    order = await createOrder(app, owner.sandboxSecret);
    productionOrder = await createOrder(app, owner.productionSecret);
    othersOrder = await createOrder(app, other.sandboxSecret);
  });

  describe('GET /checkout/{id}', () => {
    it('serves the page with a strict CSP, the order and key as data attributes, and only same-origin resources', async () => {
      const response = await page(order.id, { public_key: owner.sandboxPublishable });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
      expect(CHECKOUT_CSP).toContain("default-src 'none'");
      expect(CHECKOUT_CSP).toContain("script-src 'self'");
      expect(CHECKOUT_CSP).toContain('frame-ancestors *');
      expect(response.headers['x-frame-options']).toBeUndefined();
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('no-store');
      const html = response.body;
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(html).toContain(`data-order-id="${order.id}"`);
      expect(html).toContain(`data-public-key="${owner.sandboxPublishable}"`);
      expect(html).toContain('data-redirect-url=""');
      expect(html).toContain('data-mode="sandbox"');

      // Every resource the page references is ours: relative to this origin (or data:), never http(s).
      const references = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
      expect(references.length).toBeGreaterThanOrEqual(3);
      // The shared card form (card-form.js) runs before the page's own script, which reads it.
      const scripts = [...html.matchAll(/<script [^>]*src="([^"?]*)/g)].map((m) => m[1]!);
      expect(scripts).toEqual(['/checkout/assets/card-form.js', '/checkout/assets/checkout.js']);
      for (const reference of references) expect(reference, reference).toMatch(/^(\/checkout\/assets\/|data:)/);
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
      expect(html).not.toMatch(/\sstyle=|<style/); // no inline style
      expect(html).not.toMatch(/\son[a-z]+=/); // no inline handlers

      for (const reference of references.filter((r) => r.startsWith('/'))) {
        const asset = await app.inject(reference);
        expect(asset.statusCode, reference).toBe(200);
        expect(asset.body, reference).not.toMatch(/https?:\/\//);
        expect(asset.body, reference).not.toMatch(/@import|url\(\s*['"]?(?!data:)/);
      }
    });

    it('serves the scripts and stylesheet with their types and a cache lifetime; unknown assets are a 404 page', async () => {
      for (const name of ['card-form.js', 'checkout.js']) {
        const js = await app.inject(`/checkout/assets/${name}`);
        expect(js.statusCode, name).toBe(200);
        expect(js.headers['content-type'], name).toBe('text/javascript; charset=utf-8');
        expect(js.headers['cache-control'], name).toBe('public, max-age=3600');
        expect(js.headers['x-content-type-options'], name).toBe('nosniff');
        // The card never goes into storage, a URL or the console.
        expect(js.body, name).not.toMatch(/localStorage|sessionStorage|document\.cookie|console\./);
      }
      const css = await app.inject('/checkout/assets/checkout.css');
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      for (const name of ['nope.js', '..%2Fpage-routes.ts', 'constructor', '__proto__']) {
        const missing = await app.inject(`/checkout/assets/${name}`);
        expect(missing.statusCode, name).toBe(404);
        expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
      }
    });

    it('marks a production order\'s page live (no sandbox hints shown)', async () => {
      const response = await page(productionOrder.id, { public_key: owner.productionPublishable });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).toContain('data-mode="live"');
    });

    it('keeps a valid redirect_url and escapes it in the HTML', async () => {
      const redirect = `https://shop.example/return?a=1&b="><script>alert(1)</script>&c='x'`;
      const response = await page(order.id, { public_key: owner.sandboxPublishable, redirect_url: redirect });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).not.toContain('<script>alert');
      expect(response.body).not.toContain("'x'");
      const attribute = /data-redirect-url="([^"]*)"/.exec(response.body)![1]!;
      expect(attribute).toContain('&amp;b=');
      const unescaped = attribute.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      expect(unescaped).toBe(new URL(redirect).toString());
    });

    it('escapeHtml escapes the five HTML metacharacters', () => {
      expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    });

    it('validRedirectUrl takes absolute http(s) URLs only', () => {
      expect(validRedirectUrl('https://shop.example/done')).toBe('https://shop.example/done');
      expect(validRedirectUrl('http://localhost:3000/cb?x=1')).toBe('http://localhost:3000/cb?x=1');
      for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,hi', 'ftp://shop.example/', '/relative',
        '//shop.example/x', 'shop.example', 'https://user:pass@shop.example/', `https://shop.example/${'a'.repeat(2100)}`]) {
        expect(validRedirectUrl(bad), bad).toBeNull();
      }
    });

    describe('error pages (HTML, never JSON or a 500)', () => {
      const cases: [string, () => Promise<{ id: string; query: Record<string, string> | string }>, number][] = [
        ['no public_key', async () => ({ id: order.id, query: {} }), 401],
        ['an empty public_key', async () => ({ id: order.id, query: { public_key: '' } }), 401],
        ['an unknown key', async () => ({ id: order.id, query: { public_key: 'test_0000000000000000000000' } }), 401],
        ['garbage as the key', async () => ({ id: order.id, query: { public_key: '<b>x</b>' } }), 401],
        ['the secret key', async () => ({ id: order.id, query: { public_key: owner.sandboxSecret } }), 401],
        ['a repeated public_key', async () => ({ id: order.id, query: `public_key=${owner.sandboxPublishable}&public_key=x` }), 401],
        ["another merchant's order", async () => ({ id: othersOrder.id, query: { public_key: owner.sandboxPublishable } }), 404],
        ['the production key on a sandbox order', async () => ({ id: order.id, query: { public_key: owner.productionPublishable } }), 404],
        ['the sandbox key on a production order', async () => ({ id: productionOrder.id, query: { public_key: owner.sandboxPublishable } }), 404],
        ['an unknown order', async () => ({ id: 'order_6819d804aaaaa', query: { public_key: owner.sandboxPublishable } }), 404],
        ['an id that is no order id', async () => ({ id: 'cust_6819d804aaaaa', query: { public_key: owner.sandboxPublishable } }), 404],
        ['a javascript: redirect_url', async () => ({ id: order.id, query: { public_key: owner.sandboxPublishable, redirect_url: 'javascript:alert(1)' } }), 400],
        ['a relative redirect_url', async () => ({ id: order.id, query: { public_key: owner.sandboxPublishable, redirect_url: '/done' } }), 400],
        ['an ftp redirect_url', async () => ({ id: order.id, query: { public_key: owner.sandboxPublishable, redirect_url: 'ftp://x.example/' } }), 400],
        ['a repeated redirect_url', async () => ({ id: order.id, query: `public_key=${owner.sandboxPublishable}&redirect_url=https://a.example/&redirect_url=https://b.example/` }), 400],
      ];
      for (const [label, target, status] of cases) {
        it(`${status} for ${label}`, async () => {
          const { id, query } = await target();
          const response = await page(id, query);
          expect(response.statusCode, response.body).toBe(status);
          expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
          expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
          expect(response.body).toMatch(/^<!doctype html>/);
          expect(response.body).not.toContain('data-public-key');
          expect(response.body).not.toContain(owner.sandboxSecret);
          expect(response.body).not.toContain('<b>x</b>');
        });
      }

      it('does not echo the requested id', async () => {
        const response = await page('order_<img src=x>', { public_key: owner.sandboxPublishable });
        expect(response.statusCode).toBe(404);
        expect(response.body).not.toContain('<img');
      });

      it('401 for a revoked publishable key', async () => {
        const { database, keyRing } = await testEnv();
        const revoked = await createTestMerchant();
        const revokedOrder = await createOrder(app, revoked.sandboxSecret);
        expect((await page(revokedOrder.id, { public_key: revoked.sandboxPublishable })).statusCode).toBe(200);
        await replaceKeys({ db: database.db, keyRing, clock: systemClock }, revoked.id, ['sandbox'], { reissue: false });
        expect((await page(revokedOrder.id, { public_key: revoked.sandboxPublishable })).statusCode).toBe(401);
      });
    });

    it('is not in /openapi.json, while the two payment-step operations are, tagged Checkout', async () => {
      // Every path as served (`/api/public/v1/…`), whatever the document writes.
      const doc = { paths: Object.fromEntries(servedPaths((await app.inject('/openapi.json')).json())) as Record<string, Record<string, { operationId: string; tags: string[] }>> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/checkout'))).toEqual([]);
      expect(doc.paths['/api/public/v1/order/{id}/payments']?.post).toMatchObject({ operationId: 'createCheckoutPayment', tags: ['Checkout'] });
      expect(doc.paths['/api/public/v1/order/{id}/bank_transfer_details']?.get)
        .toMatchObject({ operationId: 'getCheckoutBankTransferDetails', tags: ['Checkout'] });
    });
  });

  describe('security of the payment step', () => {
    const routes = [
      { name: 'POST /order/{id}/payments', call: (id: string, key?: string) => pay(id, key, { method: 'bank_transfer' }) },
      { name: 'GET /order/{id}/bank_transfer_details', call: (id: string, key?: string) => details(id, key) },
    ];
    for (const route of routes) {
      describe(route.name, () => {
        it('401 Missing token without a key', async () => {
          const response = await route.call(order.id);
          expect(response.statusCode).toBe(401);
          expect(response.json()).toEqual(MISSING);
        });

        it('401 for garbage, unknown and secret keys (the owner\'s own too)', async () => {
          for (const key of ['not-a-key', 'test_0000000000000000000000', `${owner.sandboxPublishable}x`, owner.sandboxSecret, owner.productionSecret]) {
            const response = await route.call(order.id, key);
            expect(response.statusCode, key).toBe(401);
            expect(response.json()).toEqual(INVALID);
          }
        });

        it("404 for another merchant's order, the other environment's order, an unknown id and a non-order id", async () => {
          for (const [id, key] of [
            [othersOrder.id, owner.sandboxPublishable],
            [order.id, owner.productionPublishable],
            [productionOrder.id, owner.sandboxPublishable],
            ['order_6819d804aaaaa', owner.sandboxPublishable],
            ['cust_6819d804aaaaa', owner.sandboxPublishable],
          ] as const) {
            const response = await route.call(id, key);
            expect(response.statusCode, `${id} ${key}`).toBe(404);
            expect(response.json()).toEqual(NOT_FOUND);
          }
        });
      });
    }

    it('authenticates before validating the body', async () => {
      const response = await pay(order.id, 'not-a-key', { method: 'cash', extra: true });
      expect(response.statusCode).toBe(401);
    });

    it('nothing was recorded by any of these requests', async () => {
      expect(await paymentsOf(order.id)).toEqual([]);
      expect(await paymentsOf(othersOrder.id)).toEqual([]);
    });
  });

  describe('POST /api/public/v1/order/{id}/payments (sandbox)', () => {
    it('a successful test card: 201 success with a signature that verifies with the merchant\'s secret key', async () => {
      const paid = await createOrder(app, owner.sandboxSecret);
      const response = await pay(paid.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_SUCCESS, { holder_name: 'A Buyer' }) });
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(Object.keys(result).sort()).toEqual(['order_id', 'payment_id', 'signature', 'status']);
      expect(result).toMatchObject({ order_id: paid.id, status: 'success' });
      expect(result.payment_id).toMatch(/^payt_/);
      expect(result.signature).toMatch(/^[0-9a-f]{64}$/);
      expect(verifyPaymentSignature(owner.sandboxSecret, paid.id, result.payment_id, 'success', result.signature)).toBe(true);
      expect(verifyPaymentSignature(other.sandboxSecret, paid.id, result.payment_id, 'success', result.signature)).toBe(false);
      expect(verifyPaymentSignature(owner.sandboxSecret, paid.id, result.payment_id, 'failed', result.signature)).toBe(false);

      const payment = await app.inject({ method: 'GET', url: `/api/v1/payment/${result.payment_id}`, headers: bearer(owner.sandboxSecret) });
      expect(payment.json()).toMatchObject({ id: result.payment_id, status: 'success', payin_id: paid.id, payment_method: { type: 'card' } });
      const orderNow = await app.inject({ method: 'GET', url: `/api/v1/orders/${paid.id}`, headers: bearer(owner.sandboxSecret) });
      expect(orderNow.json().status).toBe('paid');

      // Paid: a second attempt is refused by the engine.
      const again = await pay(paid.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_SUCCESS) });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ code: 'INVALID_STATE' });
    });

    it('stores only network, last four and expiry: the number and CVV are nowhere in the payment or its events', async () => {
      const paid = await createOrder(app, owner.sandboxSecret);
      const response = await pay(paid.id, owner.sandboxPublishable, { method: 'card', card: card(AMEX_SUCCESS, { cvv: '4821', exp_month: 7 }) });
      expect(response.statusCode, response.body).toBe(201);
      const [row] = await paymentsOf(paid.id);
      expect(row).toMatchObject({ methodType: 'card', cardNetwork: 'Amex', cardLast4: '1111', cardExpMonth: 7, cardExpYear: FUTURE_YEAR });
      const { database } = await testEnv();
      const paymentEvents = await database.db.select().from(events).where(eq(events.entityId, row!.id));
      expect(paymentEvents.length).toBeGreaterThan(0);
      const stored = JSON.stringify([row, paymentEvents], (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
      expect(stored).not.toContain('346624111111');
      expect(stored).not.toContain('3466 2411');
      expect(stored).not.toContain('4821');
      expect(response.body).not.toContain('3466');
    });

    it('a declined test card: 201 failed with the decline code and a verifiable signature; the order stays payable', async () => {
      const declined = await createOrder(app, owner.sandboxSecret);
      const response = await pay(declined.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_FAILURE) });
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(result).toMatchObject({ order_id: declined.id, status: 'failed', error_code: 'PAYMENT_DECLINED' });
      expect(result.error_message).toMatch(/could not be completed/);
      expect(verifyPaymentSignature(owner.sandboxSecret, declined.id, result.payment_id, 'failed', result.signature)).toBe(true);
      const retry = await pay(declined.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_SUCCESS) });
      expect(retry.json()).toMatchObject({ status: 'success' });
    });

    describe('card checks: 400 with the card error code, nothing recorded, the number never echoed', () => {
      const cases: [string, Record<string, unknown> | undefined, string, string][] = [
        ['too few digits', card('4532 4911'), 'INVALID_CARD_NUMBER', 'Card number must be 12 to 19 digits'],
        ['letters', card('4532 4911 1111 111a'), 'INVALID_CARD_NUMBER', 'Card number must be 12 to 19 digits'],
        ['a failed Luhn check', card('4111 1111 1111 1112'), 'INVALID_CARD_NUMBER', 'Card number is invalid'],
        ['a real-looking card that is no test card', card('4111 1111 1111 1111'), 'NOT_A_TEST_CARD', 'Card is not a valid test card'],
        ['an expired card', card(VISA_SUCCESS, { exp_month: 1, exp_year: 2020 }), 'CARD_EXPIRED', 'Card has expired'],
        ['month 13', card(VISA_SUCCESS, { exp_month: 13 }), 'INVALID_CARD_EXPIRY_DATE', 'Card expiry date is invalid'],
        ['month 0', card(VISA_SUCCESS, { exp_month: 0 }), 'INVALID_CARD_EXPIRY_DATE', 'Card expiry date is invalid'],
        ['a 2-digit CVV', card(VISA_SUCCESS, { cvv: '12' }), 'INVALID_CARD_CVV', 'Card CVV must be 3 digits'],
        ['a 4-digit CVV on a Visa', card(VISA_SUCCESS, { cvv: '1234' }), 'INVALID_CARD_CVV', 'Card CVV must be 3 digits'],
        ['a 3-digit CVV on an Amex', card(AMEX_SUCCESS, { cvv: '123' }), 'INVALID_CARD_CVV', 'Card CVV must be 4 digits'],
        ['no card', undefined, 'VALIDATION_FAILED', "Validation failed: Card can't be blank"],
      ];
      let checked: Order;
      beforeAll(async () => {
        checked = await createOrder(app, owner.sandboxSecret);
      });
      for (const [label, body, code, message] of cases) {
        it(label, async () => {
          const response = await pay(checked.id, owner.sandboxPublishable, { method: 'card', ...(body ? { card: body } : {}) });
          expect(response.statusCode, response.body).toBe(400);
          expect(response.json()).toEqual({ error: 'Bad Request', message, code });
          if (body) expect(response.body).not.toContain(String(body.number).replace(/ /g, '').slice(0, 8));
        });
      }
      it('recorded nothing for any of them', async () => {
        expect(await paymentsOf(checked.id)).toEqual([]);
      });

      it('a strict body: unknown fields, a wrong method and a string month are 400', async () => {
        for (const payload of [
          { method: 'card', card: card(VISA_SUCCESS), extra: 1 },
          { method: 'card', card: { ...card(VISA_SUCCESS), pin: '1234' } },
          { method: 'cash' },
          { method: 'card', card: card(VISA_SUCCESS, { exp_month: '12' }) },
        ]) {
          const response = await pay(checked.id, owner.sandboxPublishable, payload);
          expect(response.statusCode, JSON.stringify(payload)).toBe(400);
          expect(response.body).not.toContain('45324911');
        }
        expect(await paymentsOf(checked.id)).toEqual([]);
      });
    });

    describe('a card that asks for a one-time password', () => {
      it('answers 200 otp_required without an otp and records nothing; the sandbox OTP then pays', async () => {
        const otpOrder = await createOrder(app, owner.sandboxSecret);
        for (const otp of [undefined, '', '  ']) {
          const first = await pay(otpOrder.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_OTP_SUCCESS), ...(otp === undefined ? {} : { otp }) });
          expect(first.statusCode, first.body).toBe(200);
          expect(first.json()).toEqual({ status: 'otp_required' });
        }
        expect(await paymentsOf(otpOrder.id)).toEqual([]);
        const second = await pay(otpOrder.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_OTP_SUCCESS), otp: '123456' });
        expect(second.statusCode, second.body).toBe(201);
        const result = second.json();
        expect(result.status).toBe('success');
        expect(verifyPaymentSignature(owner.sandboxSecret, otpOrder.id, result.payment_id, 'success', result.signature)).toBe(true);
      });

      it('a wrong otp is recorded as a declined payment', async () => {
        const otpOrder = await createOrder(app, owner.sandboxSecret);
        const response = await pay(otpOrder.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_OTP_SUCCESS), otp: '654321' });
        expect(response.statusCode, response.body).toBe(201);
        expect(response.json()).toMatchObject({ status: 'failed', error_code: 'PAYMENT_DECLINED' });
        expect((await paymentsOf(otpOrder.id)).map((p) => p.status)).toEqual(['failed']);
      });

      it("the right otp gives the card's own outcome: a failure card still fails", async () => {
        const otpOrder = await createOrder(app, owner.sandboxSecret);
        const response = await pay(otpOrder.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_OTP_FAILURE), otp: '123456' });
        expect(response.json()).toMatchObject({ status: 'failed' });
      });

      it('asks for no otp before refusing an order that cannot be paid', async () => {
        const cardless = await createOrder(app, owner.sandboxSecret, { payment_methods: ['bank_transfer'] });
        const response = await pay(cardless.id, owner.sandboxPublishable, { method: 'card', card: card(VISA_OTP_SUCCESS) });
        expect(response.statusCode).toBe(400);
        expect(response.json().message).toMatch(/does not accept card payments/);
      });
    });

    it('bank transfer: the details are shown, then the sandbox transfer arrives at once', async () => {
      const transfer = await createOrder(app, owner.sandboxSecret, { currency: 'EUR', amount: 5_000 });
      const response = await details(transfer.id, owner.sandboxPublishable);
      expect(response.statusCode, response.body).toBe(200);
      const merchant = await findMerchant((await testEnv()).database.db, owner.id);
      const body = response.json();
      expect(body).toMatchObject({
        order_id: transfer.id, amount: 5_000, currency: 'EUR', account_name: merchant!.name, bank_name: 'Glomo Sandbox Bank',
        swift_code: 'GLMOXXSB', reference: transfer.id,
      });
      expect(body.account_number).toMatch(/^\d{14}$/);
      expect(body.iban).toBe(`GB${body.iban.slice(2, 4)}GLMO${body.account_number}`);
      expect(isValidIban(body.iban)).toBe(true);
      // Deterministic per merchant, environment and currency.
      const sameCurrency = await createOrder(app, owner.sandboxSecret, { currency: 'EUR' });
      expect((await details(sameCurrency.id, owner.sandboxPublishable)).json().account_number).toBe(body.account_number);
      expect((await details(order.id, owner.sandboxPublishable)).json().account_number).not.toBe(body.account_number);

      const paid = await pay(transfer.id, owner.sandboxPublishable, { method: 'bank_transfer' });
      expect(paid.statusCode, paid.body).toBe(201);
      const result = paid.json();
      expect(result).toMatchObject({ order_id: transfer.id, status: 'success' });
      expect(verifyPaymentSignature(owner.sandboxSecret, transfer.id, result.payment_id, 'success', result.signature)).toBe(true);
      const payment = await app.inject({ method: 'GET', url: `/api/v1/payment/${result.payment_id}`, headers: bearer(owner.sandboxSecret) });
      expect(payment.json()).toMatchObject({ status: 'success', payment_method: { type: 'bank_transfer' }, payment_amount: 5_000 });
    });

    it('bank transfer details: 400 for an order that takes no bank transfers', async () => {
      const cardOnly = await createOrder(app, owner.sandboxSecret, { payment_methods: ['card'] });
      const response = await details(cardOnly.id, owner.sandboxPublishable);
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/does not accept bank_transfer payments/);
    });

    it('pay via bank: the approved payment is recorded', async () => {
      const viaBank = await createOrder(app, owner.sandboxSecret);
      const response = await pay(viaBank.id, owner.sandboxPublishable, { method: 'pay_via_bank' });
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(result.status).toBe('success');
      expect(verifyPaymentSignature(owner.sandboxSecret, viaBank.id, result.payment_id, 'success', result.signature)).toBe(true);
      expect((await paymentsOf(viaBank.id)).map((p) => p.methodType)).toEqual(['pay_via_bank']);
    });

    it('a method the order does not allow is refused by the engine, nothing recorded', async () => {
      const cardOnly = await createOrder(app, owner.sandboxSecret, { payment_methods: ['card'] });
      for (const method of ['bank_transfer', 'pay_via_bank']) {
        const response = await pay(cardOnly.id, owner.sandboxPublishable, { method });
        expect(response.statusCode).toBe(400);
        expect(response.json().message).toBe(`Order does not accept ${method} payments`);
      }
      expect(await paymentsOf(cardOnly.id)).toEqual([]);
    });

    it('the signature follows a key rotation: it verifies with the newest secret key', async () => {
      const rotating = await createTestMerchant();
      const rotatingOrder = await createOrder(app, rotating.sandboxSecret);
      const rotated = await app.inject({
        method: 'POST', url: '/api/v1/api-keys/rotate', headers: bearer(rotating.sandboxSecret), payload: { expire_after_in_seconds: 3600 },
      });
      expect(rotated.statusCode, rotated.body).toBe(200);
      const newSecret = rotated.json().secret_key as string;
      expect(newSecret).toBeTruthy();
      const result = (await pay(rotatingOrder.id, rotating.sandboxPublishable, { method: 'card', card: card(VISA_SUCCESS) })).json();
      expect(verifyPaymentSignature(newSecret, rotatingOrder.id, result.payment_id, 'success', result.signature)).toBe(true);
    });
  });

  describe('production (live_ key)', () => {
    it('card and pay via bank are refused: this server has no processor or bank connection', async () => {
      const card400 = await pay(productionOrder.id, owner.productionPublishable, { method: 'card', card: card(VISA_SUCCESS) });
      expect(card400.statusCode).toBe(400);
      expect(card400.json()).toEqual({
        error: 'Bad Request', message: 'Card payments need a card processor, which this server does not have', code: 'PAYMENT_METHOD_UNAVAILABLE',
      });
      const bank400 = await pay(productionOrder.id, owner.productionPublishable, { method: 'pay_via_bank' });
      expect(bank400.statusCode).toBe(400);
      expect(bank400.json().code).toBe('PAYMENT_METHOD_UNAVAILABLE');
      expect(await paymentsOf(productionOrder.id)).toEqual([]);
    });

    it('a bank transfer is refused too, and no account details are made up: nothing recorded, the order still active', async () => {
      const response = await pay(productionOrder.id, owner.productionPublishable, { method: 'bank_transfer' });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toEqual({
        error: 'Bad Request', message: 'Bank transfers need a virtual account to receive them, which this server does not issue yet', code: 'PAYMENT_METHOD_UNAVAILABLE',
      });
      expect(await paymentsOf(productionOrder.id)).toEqual([]);
      const orderNow = await app.inject({ method: 'GET', url: `/api/v1/orders/${productionOrder.id}`, headers: bearer(owner.productionSecret) });
      expect(orderNow.json().status).toBe('active');
      const shown = await details(productionOrder.id, owner.productionPublishable);
      expect(shown.statusCode).toBe(400);
      expect(shown.json().code).toBe('PAYMENT_METHOD_UNAVAILABLE');
    });

    it('shows the account the operator registered for the currency (a bank-issued one), never a made-up one', async () => {
      const merchant = await createTestMerchant();
      const liveOrder = await createOrder(app, merchant.productionSecret);
      // Account numbers are unique across merchants: one no other run has.
      const account_number = randomDigits(12);
      const registered = await app.inject({
        method: 'POST', url: `/admin/v1/merchants/${merchant.id}/virtual_accounts`, headers: bearer(ADMIN_TOKEN),
        payload: {
          env: 'production', payment_type: 'local', currency: liveOrder.currency, account_number,
          bank_name: 'Example Bank NA', bank_country: 'USA', bic: 'EXAMUS33', local_bank_code: '021000021',
        },
      });
      expect(registered.statusCode, registered.body).toBe(201);
      const shown = await details(liveOrder.id, merchant.productionPublishable);
      expect(shown.statusCode, shown.body).toBe(200);
      expect(shown.json()).toMatchObject({
        order_id: liveOrder.id, account_number, bank_name: 'Example Bank NA', swift_code: 'EXAMUS33',
        routing_number: '021000021', reference: liveOrder.id,
      });
    });
  });

  it('never logs the card number or CVV (request logs carry no bodies)', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const { database, keyRing } = await testEnv();
    const config = loadConfig({ DATA_DIR: tempDir('checkout-log') });
    const logged = await buildApp({
      config, database, clock: systemClock, keyRing,
      documentStore: new LocalDocumentStore(path.join(config.dataDir, 'documents')),
      fxRates: tableRateSource(DEFAULT_RATE_TABLE),
    }, { logger: { level: 'trace', stream } });
    try {
      const logOrder = await createOrder(logged, owner.sandboxSecret);
      for (const body of [card(VISA_SUCCESS, { cvv: '735' }), card('4111 1111 1111 1111', { cvv: '735' }), card(VISA_OTP_SUCCESS, { cvv: '735' })]) {
        const response = await logged.inject({
          method: 'POST', url: `/api/public/v1/order/${logOrder.id}/payments`, headers: bearer(owner.sandboxPublishable), payload: { method: 'card', card: body },
        });
        expect(response.statusCode).toBeLessThan(500);
      }
    } finally {
      await logged.close();
    }
    const output = lines.join('');
    expect(output).toContain('/payments'); // the requests were logged...
    for (const secret of ['4532491111111111', '4532 4911', '4111111111111111', '4532442222222222', '"735"', 'cvv']) {
      expect(output, secret).not.toContain(secret); // ...without their bodies
    }
  });

  it('leaves the ledger consistent', async () => {
    await expectLedgerConsistent(owner.id);
    await expectLedgerConsistent();
  });
});

describe('bank transfer details', () => {
  it('IBAN check digits follow ISO 13616 (the published GB example)', () => {
    expect(ibanCheckDigits('GB', 'WEST12345698765432')).toBe('82');
    expect(isValidIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isValidIban('GB83WEST12345698765432')).toBe(false);
  });

  it('are deterministic per merchant, environment and currency', () => {
    const a = bankTransferDetails({ merchantId: 'merch_1', env: 'sandbox' }, 'Shop', 'usd', 'order_1');
    expect(bankTransferDetails({ merchantId: 'merch_1', env: 'sandbox' }, 'Shop', 'USD', 'order_2')).toEqual({ ...a, reference: 'order_2' });
    expect(bankTransferDetails({ merchantId: 'merch_1', env: 'production' }, 'Shop', 'USD', 'order_1').accountNumber).not.toBe(a.accountNumber);
    expect(bankTransferDetails({ merchantId: 'merch_2', env: 'sandbox' }, 'Shop', 'USD', 'order_1').accountNumber).not.toBe(a.accountNumber);
    expect(bankTransferDetails({ merchantId: 'merch_1', env: 'sandbox' }, 'Shop', 'EUR', 'order_1').accountNumber).not.toBe(a.accountNumber);
    expect(isValidIban(a.iban)).toBe(true);
  });
});
