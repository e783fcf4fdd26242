import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { systemClock } from '../core/clock.js';
import { findMerchant, replaceKeys } from '../modules/merchants/service.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../test/support/app.js';
import { testEnv } from '../../test/support/env.js';

const INVALID = { error: 'Unauthorized', message: 'Auth token expired or invalid', code: 'UNAUTHORIZED' };
const MISSING = { error: 'Unauthorized', message: 'Missing token', code: 'UNAUTHORIZED' };
const NOT_FOUND = { error: 'Not Found', message: 'Order not found', code: 'NOT_FOUND' };
const PUBLIC_KEYS = ['amount', 'amount_due', 'currency', 'description', 'expires_at', 'id', 'merchant_name', 'payment_methods', 'product', 'status'];

async function createOrder(app: App, secretKey: string, overrides: Record<string, unknown> = {}) {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(secretKey), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const response = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(secretKey),
    payload: { customer_id: customer.json().id, currency: 'USD', amount: 1000, payment_methods: ['card'], ...overrides },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Record<string, unknown> & { id: string; customer_id: string };
}

describe('GET /api/public/v1/order/{id}', () => {
  let app: App;
  let owner: TestMerchant;
  let other: TestMerchant;
  let sandboxOrder: Record<string, unknown> & { id: string; customer_id: string };
  let productionOrderId: string;
  let othersOrderId: string;

  const read = (id: string, headers: Record<string, string> = {}, query = '') =>
    app.inject({ method: 'GET', url: `/api/public/v1/order/${id}${query}`, headers });

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    owner = await createTestMerchant();
    other = await createTestMerchant();
    sandboxOrder = await createOrder(app, owner.sandboxSecret, {
      currency: 'GBP',
      amount: 29_900,
      purpose_code: 'P1401',
      invoice_number: 'RG12FF590',
      invoice_description: 'Payment requested for services provided',
      invoice_amount: 30_000,
      reference_number: 'R0001',
      product: { name: 'ShieldGuard Insurance', description: 'Flexible insurance' },
      notes: { internal: 'do-not-show' },
      bank_account_details: { account_number: '1234567890', bic_primary: 'HDFCINBBDEL', bank_customer_id: '7189204715' },
      payment_methods: ['bank_transfer', 'card'],
      request_id: 'public-read-1',
    });
    productionOrderId = (await createOrder(app, owner.productionSecret)).id;
    othersOrderId = (await createOrder(app, other.sandboxSecret)).id;
  });

  it('answers the customer-facing view of a sandbox order to the test_ publishable key', async () => {
    const response = await read(sandboxOrder.id, bearer(owner.sandboxPublishable));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const merchant = await findMerchant((await testEnv()).database.db, owner.id);
    expect(response.json()).toEqual({
      id: sandboxOrder.id,
      status: 'active',
      amount: 29_900,
      currency: 'GBP',
      amount_due: 29_900,
      description: 'Payment requested for services provided',
      product: { name: 'ShieldGuard Insurance', description: 'Flexible insurance' },
      payment_methods: ['bank_transfer', 'card'],
      merchant_name: merchant!.name,
      expires_at: sandboxOrder.expires_at,
    });
  });

  it('shows a fee the merchant passes on to the customer in amount_due', async () => {
    const merchant = await createTestMerchant();
    const price = await app.inject({ method: 'POST', url: '/api/v1/prices', headers: bearer(merchant.sandboxSecret), payload: { pricing_type: 'percentage', bps: 300 } });
    expect(price.statusCode, price.body).toBe(201);
    const order = await createOrder(app, merchant.sandboxSecret, { amount: 10_000 });
    expect((await read(order.id, bearer(merchant.sandboxPublishable))).json()).toMatchObject({ amount: 10_000, amount_due: 10_000 });
    const switched = await app.inject({
      method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: { payin_fee_bearer: 'customer' },
    });
    expect(switched.statusCode, switched.body).toBe(200);
    expect((await read(order.id, bearer(merchant.sandboxPublishable))).json()).toMatchObject({ amount: 10_000, amount_due: 10_300 });
  });

  it('is an allow-list: exactly the public keys, nothing internal', async () => {
    const response = await read(sandboxOrder.id, bearer(owner.sandboxPublishable));
    expect(Object.keys(response.json()).sort()).toEqual(PUBLIC_KEYS);
    for (const secret of [sandboxOrder.customer_id, 'public-read-1', 'do-not-show', 'R0001', 'RG12FF590', '1234567890', 'P1401', owner.id]) {
      expect(response.body, secret).not.toContain(secret);
    }
  });

  it('answers a production order to the live_ publishable key, omitting what the order does not have', async () => {
    const response = await read(productionOrderId, bearer(owner.productionPublishable));
    expect(response.statusCode, response.body).toBe(200);
    expect(Object.keys(response.json()).sort()).toEqual(['amount', 'amount_due', 'currency', 'expires_at', 'id', 'merchant_name', 'payment_methods', 'status']);
    expect(response.json()).toMatchObject({ id: productionOrderId, status: 'active', amount: 1000, currency: 'USD', payment_methods: ['card'] });
  });

  describe('401', () => {
    it('Missing token without an Authorization header or with an empty bearer', async () => {
      for (const headers of [{}, { authorization: 'Bearer ' }, { authorization: '' }] as Record<string, string>[]) {
        const response = await read(sandboxOrder.id, headers);
        expect(response.statusCode, JSON.stringify(headers)).toBe(401);
        expect(response.json()).toEqual(MISSING);
      }
    });

    it('does not take the key from the query string', async () => {
      const response = await read(sandboxOrder.id, {}, `?public_key=${owner.sandboxPublishable}`);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(MISSING);
    });

    it('for a non-bearer scheme, garbage and unknown publishable-looking keys', async () => {
      for (const authorization of [
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        'Bearer not-a-key',
        `Bearer ${owner.sandboxPublishable}x`,
        'Bearer test_0000000000000000000000',
        'Bearer live_0000000000000000000000',
        'Bearer mock_0000000000000000000000',
      ]) {
        const response = await read(sandboxOrder.id, { authorization });
        expect(response.statusCode, authorization).toBe(401);
        expect(response.json()).toEqual(INVALID);
      }
    });

    it('for secret keys, even the owner\'s own', async () => {
      for (const key of [owner.sandboxSecret, owner.productionSecret]) {
        const response = await read(sandboxOrder.id, bearer(key));
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual(INVALID);
      }
    });

    it('for a revoked publishable key, and a rotated-out one while its replacement works', async () => {
      const { database, keyRing } = await testEnv();
      const deps = { db: database.db, keyRing, clock: systemClock };

      const revoked = await createTestMerchant();
      const revokedOrder = await createOrder(app, revoked.sandboxSecret);
      expect((await read(revokedOrder.id, bearer(revoked.sandboxPublishable))).statusCode).toBe(200);
      await replaceKeys(deps, revoked.id, ['sandbox'], { reissue: false });
      const afterRevoke = await read(revokedOrder.id, bearer(revoked.sandboxPublishable));
      expect(afterRevoke.statusCode).toBe(401);
      expect(afterRevoke.json()).toEqual(INVALID);

      const rotated = await createTestMerchant();
      const rotatedOrder = await createOrder(app, rotated.sandboxSecret);
      const { keys } = await replaceKeys(deps, rotated.id, ['sandbox'], { reissue: true });
      const old = await read(rotatedOrder.id, bearer(rotated.sandboxPublishable));
      expect(old.statusCode).toBe(401);
      expect(old.json()).toEqual(INVALID);
      const fresh = await read(rotatedOrder.id, bearer(keys.sandbox!.publishableKey));
      expect(fresh.statusCode, fresh.body).toBe(200);
      expect(fresh.json().id).toBe(rotatedOrder.id);
    });
  });

  describe('404 Order not found', () => {
    it("for the owner's sandbox order read with the owner's live_ key, and the other way round", async () => {
      for (const [id, key] of [[sandboxOrder.id, owner.productionPublishable], [productionOrderId, owner.sandboxPublishable]] as const) {
        const response = await read(id, bearer(key));
        expect(response.statusCode).toBe(404);
        expect(response.json()).toEqual(NOT_FOUND);
      }
    });

    it("for another merchant's order", async () => {
      const response = await read(othersOrderId, bearer(owner.sandboxPublishable));
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual(NOT_FOUND);
    });

    it('for an unknown id and for an id that is not an order id', async () => {
      for (const id of ['order_6819d804aaaaa', 'cust_6819d804aaaaa', sandboxOrder.customer_id, 'sub_6819d804aaaaa']) {
        const response = await read(id, bearer(owner.sandboxPublishable));
        expect(response.statusCode, id).toBe(404);
        expect(response.json()).toEqual(NOT_FOUND);
      }
    });
  });

  it('checks the key before the id: a bad key on an unknown order answers 401, not 404', async () => {
    const response = await read('order_6819d804aaaaa', bearer(owner.sandboxSecret));
    expect(response.statusCode).toBe(401);
  });
});
