// The hosted subscription page without a browser (decision 0028): GET /subscription/{id} and its error pages, and the
// keyless public routes GET /api/public/v1/subscription/{id} and POST …/payments: the first instalment by card, the
// OTP step, declines, authorisations, every refusal, production, the signature and what is never stored or logged.
// The browser flow is test/browser/subscription.browser.test.ts.
import path from 'node:path';
import { Writable } from 'node:stream';
import { eq, or } from 'drizzle-orm';
import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../core/clock.js';
import { events, payments, subscriptions } from '../db/schema/index.js';
import { DEFAULT_RATE_TABLE } from '../fx/default-rates.js';
import { tableRateSource } from '../fx/rates.js';
import { LocalDocumentStore } from '../modules/documents/storage.js';
import { findMerchant } from '../modules/merchants/service.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, tempDir, type TestMerchant } from '../../test/support/app.js';
import { expectSchema, servedPaths } from '../../test/support/contract.js';
import { testEnv } from '../../test/support/env.js';
import { expectLedgerConsistent } from '../../test/support/ledger.js';
import { CHECKOUT_CSP } from './page-routes.js';
import { OtpRequired, PublicSubscription, SubscriptionPaymentResult } from './schemas.js';
import { verifyPaymentSignature } from './signature.js';

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const AMEX_SUCCESS = '3466 2411 1111 1111';
const FUTURE_YEAR = new Date().getUTCFullYear() + 2;
const CVV = '987';
const DAY_MS = 86_400_000;

const NOT_FOUND = { error: 'Not Found', message: 'Subscription not found', code: 'NOT_FOUND' };
const PUBLIC_KEYS = [
  'amount', 'amount_due', 'billing_cycles', 'charges_now', 'currency', 'end_date', 'expires_at', 'id', 'interval_count', 'interval_type',
  'merchant_name', 'next_payment_date', 'payable', 'plan_description', 'plan_name', 'product_description', 'product_name',
  'start_date', 'status',
];

type Subscription = Record<string, unknown> & { id: string; status: string; subscription_link_url: string; customer_id: string };

/** A UTC calendar date `days` from now (real time: a new merchant's sandbox clock reads real time). */
const dateIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

async function createSubscription(app: App, secretKey: string, overrides: Record<string, unknown> = {}): Promise<Subscription> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(secretKey), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const response = await app.inject({
    method: 'POST', url: '/api/v1/subscriptions', headers: bearer(secretKey),
    payload: {
      customer_id: customer.json().id, product_name: 'ShieldGuard Insurance', product_description: 'Flexible insurance',
      plan_name: 'ShieldGuard Lite', plan_description: 'Basic cover', amount: 1_000, currency: 'USD', interval_type: 'month',
      interval_count: 1, billing_cycles: 12, start_date: dateIn(0), expires_at: dateIn(7), notify_customer: false,
      starts_with_first_payment: true, notes: { internal: 'do-not-show' }, reference_number: 'REF-SECRET-1', ...overrides,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const card = (number: string, overrides: Record<string, unknown> = {}) =>
  ({ number, exp_month: 12, exp_year: FUTURE_YEAR, cvv: CVV, ...overrides });

async function paymentsOf(subscriptionId: string) {
  const { database } = await testEnv();
  return database.db.select().from(payments).where(eq(payments.subscriptionId, subscriptionId));
}

describe('hosted subscription page', () => {
  let app: App;
  let owner: TestMerchant;
  let other: TestMerchant;
  let subscription: Subscription;
  let productionSubscription: Subscription;

  const page = (id: string, query: Record<string, string> | string = {}) => {
    const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
    return app.inject({ method: 'GET', url: `/subscription/${id}${search ? `?${search}` : ''}` });
  };
  const read = (id: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: `/api/public/v1/subscription/${id}`, headers });
  const pay = (id: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/api/public/v1/subscription/${id}/payments`, headers, payload });
  const apiGet = (key: string, url: string) => app.inject({ method: 'GET', url, headers: bearer(key) });

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    owner = await createTestMerchant();
    other = await createTestMerchant();
    subscription = await createSubscription(app, owner.sandboxSecret);
    productionSubscription = await createSubscription(app, owner.productionSecret);
  });

  describe('GET /subscription/{id}', () => {
    it('is where subscription_link_url points: the page with a strict CSP, escaped data attributes and only same-origin resources', async () => {
      const link = new URL(subscription.subscription_link_url);
      expect(link.pathname).toBe(`/subscription/${subscription.id}`);
      const response = await app.inject({ method: 'GET', url: link.pathname });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['x-frame-options']).toBeUndefined();
      const html = response.body;
      expect(html).toContain(`data-subscription-id="${subscription.id}"`);
      expect(html).toContain('data-redirect-url=""');
      expect(html).toContain('data-mode="sandbox"');
      expect(html).not.toContain('data-public-key');

      const references = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
      expect(references).toEqual(expect.arrayContaining([expect.stringMatching(/^\/checkout\/assets\/subscription\.js\?v=/),
        expect.stringMatching(/^\/checkout\/assets\/checkout\.css\?v=/)]));
      // The shared card form (card-form.js) runs before the page's own script, which reads it.
      const scripts = [...html.matchAll(/<script [^>]*src="([^"?]*)/g)].map((m) => m[1]!);
      expect(scripts).toEqual(['/checkout/assets/card-form.js', '/checkout/assets/subscription.js']);
      for (const reference of references) expect(reference, reference).toMatch(/^(\/checkout\/assets\/|data:)/);
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle=|<style/);
      expect(html).not.toMatch(/\son[a-z]+=/);
      for (const reference of references.filter((r) => r.startsWith('/'))) {
        const asset = await app.inject(reference);
        expect(asset.statusCode, reference).toBe(200);
        expect(asset.body, reference).not.toMatch(/https?:\/\//);
        expect(asset.body, reference).not.toMatch(/@import|url\(\s*['"]?(?!data:)/);
      }
    });

    it('serves its scripts as JavaScript; they keep the card out of storage, cookies and the console', async () => {
      for (const name of ['card-form.js', 'subscription.js']) {
        const js = await app.inject(`/checkout/assets/${name}`);
        expect(js.statusCode, name).toBe(200);
        expect(js.headers['content-type'], name).toBe('text/javascript; charset=utf-8');
        expect(js.headers['cache-control'], name).toBe('public, max-age=3600');
        expect(js.body, name).not.toMatch(/localStorage|sessionStorage|document\.cookie|console\./);
      }
      expect((await app.inject('/checkout/assets/subscription.js')).body).toContain('/api/public/v1/subscription/');
    });

    it("marks a production subscription's page live (no sandbox hints shown)", async () => {
      const response = await page(productionSubscription.id);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).toContain('data-mode="live"');
    });

    it('keeps a valid redirect_url, escaped in the HTML', async () => {
      const redirect = `https://shop.example/return?a=1&b="><script>alert(1)</script>&c='x'`;
      const response = await page(subscription.id, { redirect_url: redirect });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).not.toContain('<script>alert');
      const attribute = /data-redirect-url="([^"]*)"/.exec(response.body)![1]!;
      const unescaped = attribute.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      expect(unescaped).toBe(new URL(redirect).toString());
    });

    describe('error pages (HTML, never JSON or a 500)', () => {
      const cases: [string, () => { id: string; query: Record<string, string> | string }, number][] = [
        ['an unknown subscription', () => ({ id: 'sub_6819d804aaaaa', query: {} }), 404],
        ['an id that is no subscription id', () => ({ id: 'order_6819d804aaaaa', query: {} }), 404],
        ["a customer's id", () => ({ id: subscription.customer_id, query: {} }), 404],
        ['markup as the id', () => ({ id: encodeURIComponent('sub_<img src=x>'), query: {} }), 404],
        ['a javascript: redirect_url', () => ({ id: subscription.id, query: { redirect_url: 'javascript:alert(1)' } }), 400],
        ['a relative redirect_url', () => ({ id: subscription.id, query: { redirect_url: '/done' } }), 400],
        ['a repeated redirect_url', () => ({ id: subscription.id, query: 'redirect_url=https://a.example/&redirect_url=https://b.example/' }), 400],
      ];
      for (const [label, target, status] of cases) {
        it(`${status} for ${label}`, async () => {
          const { id, query } = target();
          const response = await page(id, query);
          expect(response.statusCode, response.body).toBe(status);
          expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
          expect(response.headers['content-security-policy']).toBe(CHECKOUT_CSP);
          expect(response.body).toMatch(/^<!doctype html>/);
          expect(response.body).not.toContain('data-subscription-id');
          expect(response.body).not.toContain('<img');
          if (status === 404) expect(response.body).toContain('Subscription not found');
        });
      }
    });

    it('is not in /openapi.json, while the two public operations are, tagged Checkout', async () => {
      // Every path as served (`/api/public/v1/…`), whatever the document writes.
      const doc = { paths: Object.fromEntries(servedPaths((await app.inject('/openapi.json')).json())) as Record<string, Record<string, { operationId: string; tags: string[] }>> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/subscription'))).toEqual([]);
      expect(doc.paths['/api/public/v1/subscription/{id}']?.get).toMatchObject({ operationId: 'getPublicSubscription', tags: ['Checkout'] });
      expect(doc.paths['/api/public/v1/subscription/{id}/payments']?.post)
        .toMatchObject({ operationId: 'createSubscriptionPayment', tags: ['Checkout'] });
    });
  });

  describe('GET /api/public/v1/subscription/{id}', () => {
    it('answers the customer-facing view without a key: an allow-list, nothing internal', async () => {
      const response = await read(subscription.id);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json();
      expect(Value.Check(PublicSubscription, body)).toBe(true);
      expect(Object.keys(body).sort()).toEqual(PUBLIC_KEYS);
      const merchant = await findMerchant((await testEnv()).database.db, owner.id);
      expect(body).toEqual({
        id: subscription.id, status: 'created', payable: true, charges_now: true, merchant_name: merchant!.name,
        product_name: 'ShieldGuard Insurance', product_description: 'Flexible insurance', plan_name: 'ShieldGuard Lite',
        plan_description: 'Basic cover', amount: 1_000, amount_due: 1_000, currency: 'USD', interval_type: 'month', interval_count: 1,
        billing_cycles: 12, start_date: subscription.start_date, end_date: subscription.end_date, expires_at: subscription.expires_at,
        next_payment_date: subscription.next_payment_date,
      });
      for (const secret of [subscription.customer_id, 'do-not-show', 'REF-SECRET-1', owner.id]) expect(response.body, secret).not.toContain(secret);
    });

    it('an Authorization header changes nothing: a secret key neither widens nor narrows the view', async () => {
      const plain = (await read(subscription.id)).json();
      for (const key of [owner.sandboxSecret, other.sandboxSecret, owner.sandboxPublishable, 'garbage']) {
        const response = await read(subscription.id, bearer(key));
        expect(response.statusCode, key).toBe(200);
        expect(response.json()).toEqual(plain);
      }
    });

    it('amount_due shows a fee the merchant passes on, and is what the first instalment charges', async () => {
      const merchant = await createTestMerchant();
      const price = await app.inject({ method: 'POST', url: '/api/v1/prices', headers: bearer(merchant.sandboxSecret), payload: { pricing_type: 'percentage', bps: 300 } });
      expect(price.statusCode, price.body).toBe(201);
      const feeSubscription = await createSubscription(app, merchant.sandboxSecret);
      expect((await read(feeSubscription.id)).json()).toMatchObject({ amount: 1_000, amount_due: 1_000 });
      const switched = await app.inject({
        method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: { payin_fee_bearer: 'customer' },
      });
      expect(switched.statusCode, switched.body).toBe(200);
      expect((await read(feeSubscription.id)).json()).toMatchObject({ amount: 1_000, amount_due: 1_030 });
      const result = (await pay(feeSubscription.id, { card: card(VISA_SUCCESS) })).json();
      expect(result.status).toBe('success');
      const payment = await apiGet(merchant.sandboxSecret, `/api/v1/payment/${result.payment_id}`);
      expect(payment.json()).toMatchObject({ payment_amount: 1_030 });
    });

    it('shows an as_presented subscription with its cap', async () => {
      const presented = await createSubscription(app, owner.sandboxSecret, {
        interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, max_amount: 3_000,
      });
      const body = (await read(presented.id)).json();
      expect(Value.Check(PublicSubscription, body)).toBe(true);
      expect(body).toMatchObject({ interval_type: 'as_presented', max_amount: 3_000, amount: 1_000, payable: true });
      expect(body).not.toHaveProperty('billing_cycles');
    });

    it('404 Subscription not found for unknown ids, other prefixes and other objects', async () => {
      for (const id of ['sub_6819d804aaaaa', 'order_6819d804aaaaa', subscription.customer_id, 'x']) {
        const response = await read(id);
        expect(response.statusCode, id).toBe(404);
        expect(response.json()).toEqual(NOT_FOUND);
      }
    });
  });

  describe('POST /api/public/v1/subscription/{id}/payments (sandbox)', () => {
    it("a successful test card: 201 success signed with the merchant's secret key; the subscription is active with the card on file", async () => {
      const paid = await createSubscription(app, owner.sandboxSecret);
      const response = await pay(paid.id, { card: card(VISA_SUCCESS, { holder_name: 'A Buyer' }) });
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(Value.Check(SubscriptionPaymentResult, result)).toBe(true);
      expect(Object.keys(result).sort()).toEqual(['payment_id', 'signature', 'status', 'subscription_id', 'subscription_status']);
      expect(result).toMatchObject({ subscription_id: paid.id, status: 'success', subscription_status: 'active' });
      expect(result.signature).toMatch(/^[0-9a-f]{64}$/);
      expect(verifyPaymentSignature(owner.sandboxSecret, paid.id, result.payment_id, 'success', result.signature)).toBe(true);
      expect(verifyPaymentSignature(other.sandboxSecret, paid.id, result.payment_id, 'success', result.signature)).toBe(false);
      expect(verifyPaymentSignature(owner.sandboxSecret, paid.id, result.payment_id, 'failed', result.signature)).toBe(false);

      const now = await apiGet(owner.sandboxSecret, `/api/v1/subscriptions/${paid.id}`);
      expect(now.json().status).toBe('active');
      expectSchema('Subscription', now.json());
      const [row] = await (await testEnv()).database.db.select().from(subscriptions).where(eq(subscriptions.id, paid.id));
      expect(row).toMatchObject({ status: 'active', cardNetwork: 'Visa', cardLast4: '1111', cardExpMonth: 12, cardExpYear: FUTURE_YEAR });
      expect(row!.cardToken).toBeTruthy();
      const payment = await apiGet(owner.sandboxSecret, `/api/v1/payment/${result.payment_id}`);
      expect(payment.json()).toMatchObject({ id: result.payment_id, status: 'success', subscription_id: paid.id, payment_method: { type: 'card' } });
      expect((await paymentsOf(paid.id)).map((p) => p.status)).toEqual(['success']);

      // The page now shows it as active and takes no second payment.
      expect((await read(paid.id)).json()).toMatchObject({ status: 'active', payable: false });
      const again = await pay(paid.id, { card: card(VISA_SUCCESS) });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toEqual({ error: 'Bad Request', message: 'Subscription cannot be paid from current state: active', code: 'INVALID_STATE' });
      expect(await paymentsOf(paid.id)).toHaveLength(1);
    });

    it('keeps only network, last four and expiry: the number and CVV are nowhere in the rows or events', async () => {
      const paid = await createSubscription(app, owner.sandboxSecret);
      const response = await pay(paid.id, { card: card(AMEX_SUCCESS, { cvv: '4821', exp_month: 7 }) });
      expect(response.statusCode, response.body).toBe(201);
      const { database } = await testEnv();
      const [row] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, paid.id));
      const paymentRows = await paymentsOf(paid.id);
      expect(paymentRows[0]).toMatchObject({ methodType: 'card', cardNetwork: 'Amex', cardLast4: '1111', cardExpMonth: 7 });
      const related = await database.db.select().from(events)
        .where(or(eq(events.entityId, paid.id), eq(events.entityId, paymentRows[0]!.id)));
      expect(related.length).toBeGreaterThan(0);
      const stored = JSON.stringify([row, paymentRows, related], (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
      for (const secret of ['346624111111', '3466 2411', '4821']) expect(stored, secret).not.toContain(secret);
      expect(response.body).not.toContain('3466');
    });

    it('a declined card: 201 failed with the decline, signed; the subscription stays created and payable, and a retry succeeds', async () => {
      const declined = await createSubscription(app, owner.sandboxSecret);
      const response = await pay(declined.id, { card: card(VISA_FAILURE) });
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(Value.Check(SubscriptionPaymentResult, result)).toBe(true);
      expect(result).toMatchObject({ subscription_id: declined.id, status: 'failed', subscription_status: 'created', error_code: 'PAYMENT_DECLINED' });
      expect(result.error_message).toEqual(expect.any(String));
      expect(verifyPaymentSignature(owner.sandboxSecret, declined.id, result.payment_id, 'failed', result.signature)).toBe(true);
      expect((await read(declined.id)).json()).toMatchObject({ status: 'created', payable: true });
      const retry = await pay(declined.id, { card: card(VISA_SUCCESS) });
      expect(retry.json()).toMatchObject({ status: 'success', subscription_status: 'active' });
      expect((await paymentsOf(declined.id)).map((p) => p.status).sort()).toEqual(['failed', 'success']);
    });

    describe('a card that asks for a one-time password', () => {
      it('answers 200 otp_required without an otp and records nothing; the sandbox OTP then pays', async () => {
        const otpSubscription = await createSubscription(app, owner.sandboxSecret);
        for (const otp of [undefined, '', '  ']) {
          const first = await pay(otpSubscription.id, { card: card(VISA_OTP_SUCCESS), ...(otp === undefined ? {} : { otp }) });
          expect(first.statusCode, first.body).toBe(200);
          expect(first.json()).toEqual({ status: 'otp_required' });
          expect(Value.Check(OtpRequired, first.json())).toBe(true);
        }
        expect(await paymentsOf(otpSubscription.id)).toEqual([]);
        const second = await pay(otpSubscription.id, { card: card(VISA_OTP_SUCCESS), otp: '123456' });
        expect(second.statusCode, second.body).toBe(201);
        const result = second.json();
        expect(result).toMatchObject({ status: 'success', subscription_status: 'active' });
        expect(verifyPaymentSignature(owner.sandboxSecret, otpSubscription.id, result.payment_id, 'success', result.signature)).toBe(true);
      });

      it('a wrong otp declines the card (a failed payment; still payable)', async () => {
        const otpSubscription = await createSubscription(app, owner.sandboxSecret);
        const response = await pay(otpSubscription.id, { card: card(VISA_OTP_SUCCESS), otp: '654321' });
        expect(response.statusCode, response.body).toBe(201);
        expect(response.json()).toMatchObject({ status: 'failed', subscription_status: 'created', error_code: 'PAYMENT_DECLINED' });
        expect((await paymentsOf(otpSubscription.id)).map((p) => p.status)).toEqual(['failed']);
      });

      it('asks for no otp before refusing a subscription that cannot be paid', async () => {
        const cancelled = await createSubscription(app, owner.sandboxSecret);
        const cancel = await app.inject({ method: 'PATCH', url: `/api/v1/subscriptions/${cancelled.id}/cancel`, headers: bearer(owner.sandboxSecret) });
        expect(cancel.statusCode, cancel.body).toBe(200);
        const response = await pay(cancelled.id, { card: card(VISA_OTP_SUCCESS) });
        expect(response.statusCode).toBe(400);
        expect(response.json().message).toBe('Subscription cannot be paid from current state: cancelled');
      });
    });

    describe('card checks: 400 with the card error code, nothing recorded, the number never echoed', () => {
      const cases: [string, Record<string, unknown> | undefined, string, string][] = [
        ['too few digits', card('4532 4911'), 'INVALID_CARD_NUMBER', 'Card number must be 12 to 19 digits'],
        ['a failed Luhn check', card('4111 1111 1111 1112'), 'INVALID_CARD_NUMBER', 'Card number is invalid'],
        ['a real-looking card that is no test card', card('4111 1111 1111 1111'), 'NOT_A_TEST_CARD', 'Card is not a valid test card'],
        ['an expired card', card(VISA_SUCCESS, { exp_month: 1, exp_year: 2020 }), 'CARD_EXPIRED', 'Card has expired'],
        ['month 13', card(VISA_SUCCESS, { exp_month: 13 }), 'INVALID_CARD_EXPIRY_DATE', 'Card expiry date is invalid'],
        ['a 4-digit CVV on a Visa', card(VISA_SUCCESS, { cvv: '1234' }), 'INVALID_CARD_CVV', 'Card CVV must be 3 digits'],
        ['no card', undefined, 'VALIDATION_FAILED', "Validation failed: Card can't be blank"],
      ];
      let checked: Subscription;
      beforeAll(async () => {
        checked = await createSubscription(app, owner.sandboxSecret);
      });
      for (const [label, body, code, message] of cases) {
        it(label, async () => {
          const response = await pay(checked.id, body ? { card: body } : {});
          expect(response.statusCode, response.body).toBe(400);
          expect(response.json()).toEqual({ error: 'Bad Request', message, code });
          if (body) expect(response.body).not.toContain(String(body.number).replace(/ /g, '').slice(0, 8));
        });
      }

      it('a strict body: unknown fields, a method and a string month are 400', async () => {
        for (const payload of [
          { card: card(VISA_SUCCESS), extra: 1 },
          { card: { ...card(VISA_SUCCESS), pin: '1234' } },
          { method: 'card', card: card(VISA_SUCCESS) },
          { card: card(VISA_SUCCESS, { exp_month: '12' }) },
        ]) {
          const response = await pay(checked.id, payload);
          expect(response.statusCode, JSON.stringify(payload)).toBe(400);
          expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.any(String) });
          expect(response.body).not.toContain('45324911');
        }
      });

      it('recorded nothing for any of them; the subscription is still created', async () => {
        expect(await paymentsOf(checked.id)).toEqual([]);
        expect((await read(checked.id)).json()).toMatchObject({ status: 'created', payable: true });
      });
    });

    it('a future start without a first payment: 201 authorized, no payment, the card saved; signed over subscription_id||authorized', async () => {
      const later = await createSubscription(app, owner.sandboxSecret, { start_date: dateIn(10), expires_at: dateIn(10), starts_with_first_payment: false });
      expect((await read(later.id)).json()).toMatchObject({ payable: true, charges_now: false });
      const response = await pay(later.id, { card: card(VISA_SUCCESS) });
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(Value.Check(SubscriptionPaymentResult, result)).toBe(true);
      expect(result).toEqual({ subscription_id: later.id, subscription_status: 'authorized', status: 'authorized', signature: expect.any(String) });
      expect(verifyPaymentSignature(owner.sandboxSecret, later.id, '', 'authorized', result.signature)).toBe(true);
      expect(await paymentsOf(later.id)).toEqual([]);
      expect((await apiGet(owner.sandboxSecret, `/api/v1/subscriptions/${later.id}`)).json().status).toBe('authorized');
      const [row] = await (await testEnv()).database.db.select().from(subscriptions).where(eq(subscriptions.id, later.id));
      expect(row).toMatchObject({ cardNetwork: 'Visa', cardLast4: '1111' });
      expect((await read(later.id)).json()).toMatchObject({ status: 'authorized', payable: false });
      expect((await pay(later.id, { card: card(VISA_SUCCESS) })).json().message).toBe('Subscription cannot be paid from current state: authorized');
    });

    it("a start today without a first payment charges now (charges_now true)", async () => {
      const today = await createSubscription(app, owner.sandboxSecret, { starts_with_first_payment: false });
      expect((await read(today.id)).json()).toMatchObject({ payable: true, charges_now: true });
      expect((await pay(today.id, { card: card(VISA_SUCCESS) })).json()).toMatchObject({ status: 'success', subscription_status: 'active' });
    });

    it("a link past its expires_at (the environment's clock moved on) shows expired and refuses payment", async () => {
      const merchant = await createTestMerchant();
      const expiring = await createSubscription(app, merchant.sandboxSecret, { expires_at: dateIn(0) });
      expect((await read(expiring.id)).json()).toMatchObject({ payable: true });
      const advanced = await app.inject({
        method: 'POST', url: '/api/v1/sandbox/clock/advance', headers: bearer(merchant.sandboxSecret), payload: { seconds: 2 * 86_400 },
      });
      expect(advanced.statusCode, advanced.body).toBe(200);
      const view = (await read(expiring.id)).json();
      expect(view.payable).toBe(false);
      expect(view.status).toBe('expired'); // by the subscriptions module's expiry job, which the advance ran
      const response = await pay(expiring.id, { card: card(VISA_SUCCESS) });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Bad Request', message: 'Subscription cannot be paid from current state: expired', code: 'INVALID_STATE' });
      expect(await paymentsOf(expiring.id)).toEqual([]);
      // The page itself still opens, to say so.
      expect((await page(expiring.id)).statusCode).toBe(200);
    });

    it('a cancelled subscription shows cancelled and is refused', async () => {
      const cancelled = await createSubscription(app, owner.sandboxSecret);
      await app.inject({ method: 'PATCH', url: `/api/v1/subscriptions/${cancelled.id}/cancel`, headers: bearer(owner.sandboxSecret) });
      expect((await read(cancelled.id)).json()).toMatchObject({ status: 'cancelled', payable: false });
      const response = await pay(cancelled.id, { card: card(VISA_SUCCESS) });
      expect(response.json()).toEqual({ error: 'Bad Request', message: 'Subscription cannot be paid from current state: cancelled', code: 'INVALID_STATE' });
    });

    it('404 Subscription not found for unknown ids and other prefixes, before the body is looked at', async () => {
      for (const id of ['sub_6819d804aaaaa', 'order_6819d804aaaaa', subscription.customer_id]) {
        const response = await pay(id, { card: card(VISA_SUCCESS) });
        expect(response.statusCode, id).toBe(404);
        expect(response.json()).toEqual(NOT_FOUND);
      }
    });

    it('a key in the Authorization header changes nothing: the subscription is paid in its own tenant', async () => {
      const paid = await createSubscription(app, owner.sandboxSecret);
      const response = await pay(paid.id, { card: card(VISA_SUCCESS) }, bearer(other.sandboxSecret));
      expect(response.statusCode, response.body).toBe(201);
      const result = response.json();
      expect(verifyPaymentSignature(owner.sandboxSecret, paid.id, result.payment_id, 'success', result.signature)).toBe(true);
      expect((await apiGet(other.sandboxSecret, `/api/v1/payment/${result.payment_id}`)).statusCode).toBe(404);
      expect((await apiGet(owner.sandboxSecret, `/api/v1/payment/${result.payment_id}`)).statusCode).toBe(200);
    });

    it('the signature follows a key rotation: it verifies with the newest secret key', async () => {
      const rotating = await createTestMerchant();
      const rotatingSubscription = await createSubscription(app, rotating.sandboxSecret);
      const rotated = await app.inject({
        method: 'POST', url: '/api/v1/api-keys/rotate', headers: bearer(rotating.sandboxSecret), payload: { expire_after_in_seconds: 3600 },
      });
      expect(rotated.statusCode, rotated.body).toBe(200);
      const result = (await pay(rotatingSubscription.id, { card: card(VISA_SUCCESS) })).json();
      expect(verifyPaymentSignature(rotated.json().secret_key, rotatingSubscription.id, result.payment_id, 'success', result.signature)).toBe(true);
    });
  });

  describe('production', () => {
    it('the view is served, payable, but a card is refused: this server has no card processor; nothing recorded', async () => {
      expect((await read(productionSubscription.id)).json()).toMatchObject({ status: 'created', payable: true });
      const response = await pay(productionSubscription.id, { card: card(VISA_SUCCESS) });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'Bad Request', message: 'Card payments need a card processor, which this server does not have', code: 'PAYMENT_METHOD_UNAVAILABLE',
      });
      expect(await paymentsOf(productionSubscription.id)).toEqual([]);
      const now = await apiGet(owner.productionSecret, `/api/v1/subscriptions/${productionSubscription.id}`);
      expect(now.json().status).toBe('created');
    });
  });

  it('never logs the card number or CVV (request logs carry no bodies)', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const { database, keyRing } = await testEnv();
    const config = loadConfig({ DATA_DIR: tempDir('subscription-log') });
    const logged = await buildApp({
      config, database, clock: systemClock, keyRing,
      documentStore: new LocalDocumentStore(path.join(config.dataDir, 'documents')),
      fxRates: tableRateSource(DEFAULT_RATE_TABLE),
    }, { logger: { level: 'trace', stream } });
    try {
      for (const body of [card(VISA_OTP_SUCCESS, { cvv: '735' }), card('4111 1111 1111 1111', { cvv: '735' }), card(VISA_SUCCESS, { cvv: '735' })]) {
        const target = await createSubscription(logged, owner.sandboxSecret);
        const response = await logged.inject({ method: 'POST', url: `/api/public/v1/subscription/${target.id}/payments`, payload: { card: body } });
        expect(response.statusCode).toBeLessThan(500);
      }
    } finally {
      await logged.close();
    }
    const output = lines.join('');
    expect(output).toContain('/payments');
    for (const secret of ['4532491111111111', '4532 4911', '4111111111111111', '4532442222222222', '"735"', 'cvv']) {
      expect(output, secret).not.toContain(secret);
    }
  });

  it('leaves the ledger consistent', async () => {
    await expectLedgerConsistent(owner.id);
    await expectLedgerConsistent();
  });
});
