import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import type { Tenant } from '../../core/tenancy.js';
import { systemClock } from '../../core/clock.js';
import { createPrice as createPriceDirectly, defaultPrice, findPrice } from './service.js';

const fixedBody = (overrides: Record<string, unknown> = {}) => ({ pricing_type: 'fixed', fees_amount: 1000, fees_currency: 'USD', ...overrides });
const percentageBody = (overrides: Record<string, unknown> = {}) => ({ pricing_type: 'percentage', bps: 250, ...overrides });

async function createPrice(app: App, key: string, body: Record<string, unknown> = fixedBody()) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/prices', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; created_at: string };
}

const sandbox = (merchant: TestMerchant): Tenant => ({ merchantId: merchant.id, env: 'sandbox' });

describe('POST /api/v1/prices', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const post = (payload: unknown, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: '/api/v1/prices', headers: bearer(key), payload: payload as Record<string, unknown> });

  it('creates a fixed price (201) in the contract shape, upper-casing the currency', async () => {
    const response = await post(fixedBody({ fees_currency: ' usd ' }));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expectResponse('post', '/prices', 201, body);
    expect(body).toEqual({
      id: expect.stringMatching(/^price_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      pricing_type: 'fixed',
      fees_amount: 1000,
      fees_currency: 'USD',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      updated_at: body.created_at,
    });
    expect(parseInt(body.id.slice(6, 14), 16)).toBe(Date.parse(body.created_at) / 1000);
  });

  it('creates a percentage price without fees fields', async () => {
    const body = (await post(percentageBody({ bps: 10_000 }))).json();
    expectResponse('post', '/prices', 201, body);
    expect(body).toMatchObject({ pricing_type: 'percentage', bps: 10_000 });
    expect(body).not.toHaveProperty('fees_amount');
    expect(body).not.toHaveProperty('fees_currency');
  });

  it("accepts the contract's example body (bps alongside a fixed price) and ignores the other type's fields", async () => {
    const fixed = (await post({ pricing_type: 'fixed', fees_amount: 1000, fees_currency: 'USD', bps: 1000 })).json();
    expect(fixed).not.toHaveProperty('bps');
    const percentage = (await post(percentageBody({ fees_amount: 5, fees_currency: 'EUR' }))).json();
    expect(percentage).not.toHaveProperty('fees_amount');
    expect(percentage).not.toHaveProperty('fees_currency');
  });

  it('ignores unknown fields (the contract sets no additionalProperties)', async () => {
    const response = await post(fixedBody({ nickname: 'partner' }));
    expect(response.statusCode).toBe(201);
    expect(response.json()).not.toHaveProperty('nickname');
  });

  it('reads back what it created', async () => {
    const created = await createPrice(app, merchant.sandboxSecret, percentageBody());
    const response = await app.inject({ method: 'GET', url: `/api/v1/prices/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(created);
  });

  it.each([
    [{ pricing_type: undefined }, "Validation failed: Pricing type can't be blank"],
    [{ pricing_type: 'tiered' }, 'Validation failed: Pricing type must be one of: fixed, percentage'],
    [{ fees_amount: undefined }, "Validation failed: Fees amount can't be blank"],
    [{ fees_currency: undefined }, "Validation failed: Fees currency can't be blank"],
    [{ fees_amount: 0 }, 'Validation failed: Fees amount must be between 1 and 9007199254740991'],
    [{ fees_amount: -5 }, 'Validation failed: Fees amount must be between 1 and 9007199254740991'],
    [{ fees_amount: 10.5 }, 'Validation failed: Fees amount must be an integer'],
    [{ fees_amount: '1000' }, 'Validation failed: Fees amount must be an integer'],
    [{ fees_amount: 2 ** 53 }, 'Validation failed: Fees amount must be between 1 and 9007199254740991'],
    [{ fees_currency: 'XYZ' }, 'Validation failed: Fees currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [{ fees_currency: 'US' }, 'Validation failed: Fees currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [{ fees_currency: 840 }, 'Validation failed: Fees currency must be a string'],
    [{ bps: 0 }, 'Validation failed: Bps must be between 1 and 10000'],
  ])('rejects fixed %o', async (override, message) => {
    const response = await post(fixedBody(override));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message, code: 'VALIDATION_FAILED' });
  });

  it.each([
    [{ bps: undefined }, "Validation failed: Bps can't be blank"],
    [{ bps: 0 }, 'Validation failed: Bps must be between 1 and 10000'],
    [{ bps: 10_001 }, 'Validation failed: Bps must be between 1 and 10000'],
    [{ bps: 2.5 }, 'Validation failed: Bps must be an integer'],
    [{ bps: '250' }, 'Validation failed: Bps must be an integer'],
  ])('rejects percentage %o', async (override, message) => {
    const response = await post(percentageBody(override));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message, code: 'VALIDATION_FAILED' });
  });

  it('answers 400 for a body that is not a JSON object', async () => {
    const response = await app.inject({
      method: 'POST', url: '/api/v1/prices', headers: { ...bearer(merchant.sandboxSecret), 'content-type': 'application/json' }, payload: '[1]',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: 'Validation failed: Request body must be a JSON object' });
  });
});

describe('the default price', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('is the first price of each merchant environment; later prices are not', async () => {
    const merchant = await createTestMerchant();
    const { database } = await testEnv();
    expect(await defaultPrice(database.db, sandbox(merchant))).toBeUndefined();
    const first = await createPrice(app, merchant.sandboxSecret, percentageBody());
    const second = await createPrice(app, merchant.sandboxSecret);
    expect((await defaultPrice(database.db, sandbox(merchant)))?.id).toBe(first.id);
    expect((await findPrice(database.db, sandbox(merchant), second.id))?.isDefault).toBe(false);
    // Production is another tenant: its first price is its own default.
    const production = await createPrice(app, merchant.productionSecret);
    expect((await defaultPrice(database.db, { merchantId: merchant.id, env: 'production' }))?.id).toBe(production.id);
    expect((await defaultPrice(database.db, sandbox(merchant)))?.id).toBe(first.id);
  });

  it('is exactly one when first creations race (the partial unique index decides; the losers are stored as ordinary prices)', async () => {
    const merchant = await createTestMerchant();
    const { database } = await testEnv();
    const created = await Promise.all(Array.from({ length: 6 }, () => createPrice(app, merchant.sandboxSecret)));
    const rows = await Promise.all(created.map((price) => findPrice(database.db, sandbox(merchant), price.id)));
    expect(rows.every(Boolean)).toBe(true);
    expect(rows.filter((row) => row!.isDefault)).toHaveLength(1);
    expect((await defaultPrice(database.db, sandbox(merchant)))?.id).toBe(rows.find((row) => row!.isDefault)!.id);
  });

  it('stores the loser of a race past the check as an ordinary price (both service calls check before either inserts)', async () => {
    const merchant = await createTestMerchant();
    const { database } = await testEnv();
    const deps = { db: database.db };
    const ctx = { tenant: sandbox(merchant), clock: systemClock };
    const [a, b] = await Promise.all([
      createPriceDirectly(deps, ctx, { pricing_type: 'fixed', fees_amount: 100, fees_currency: 'usd' }),
      createPriceDirectly(deps, ctx, { pricing_type: 'percentage', bps: 100 }),
    ]);
    const rows = [await findPrice(database.db, sandbox(merchant), a.id), await findPrice(database.db, sandbox(merchant), b.id)];
    expect(rows.map((row) => row?.isDefault).sort()).toEqual([false, true]);
  });
});

describe('findPrice', () => {
  it('answers undefined for another tenant, another prefix or an unknown id, and the row for its own tenant', async () => {
    const { app } = await buildTestApp();
    const owner = await createTestMerchant();
    const other = await createTestMerchant();
    const { database } = await testEnv();
    const created = await createPrice(app, owner.sandboxSecret);
    expect(await findPrice(database.db, sandbox(owner), created.id)).toMatchObject({
      id: created.id, pricingType: 'fixed', feesAmount: 1000n, feesCurrency: 'USD', bps: null,
    });
    expect(await findPrice(database.db, sandbox(other), created.id)).toBeUndefined();
    expect(await findPrice(database.db, { merchantId: owner.id, env: 'production' }, created.id)).toBeUndefined();
    expect(await findPrice(database.db, sandbox(owner), 'cust_6819d804aaaaa')).toBeUndefined();
    expect(await findPrice(database.db, sandbox(owner), 'price_6819d804aaaaa')).toBeUndefined();
  });
});

describe('GET /api/v1/prices/{id}', () => {
  it('answers in the contract shape', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    for (const body of [fixedBody(), percentageBody()]) {
      const created = await createPrice(app, merchant.sandboxSecret, body);
      const response = await app.inject({ method: 'GET', url: `/api/v1/prices/${created.id}`, headers: bearer(merchant.sandboxSecret) });
      expect(response.statusCode).toBe(200);
      expectResponse('get', '/prices/{id}', 200, response.json());
    }
  });
});

describeListConventions('GET /api/v1/prices', {
  url: '/api/v1/prices',
  contractPath: '/prices',
  create: async (app, key, index) => (await createPrice(app, key, index % 2 === 0 ? fixedBody() : percentageBody())).id,
});

describeSecurity('POST /api/v1/prices', { method: 'POST', url: () => '/api/v1/prices', payload: () => fixedBody() });
describeSecurity('GET /api/v1/prices', {
  method: 'GET',
  url: () => '/api/v1/prices?per_page=100',
  listedObject: async (app, owner) => (await createPrice(app, owner.sandboxSecret)).id,
});
describeSecurity('GET /api/v1/prices/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/prices/${id}`,
  notFoundMessage: 'Price not found',
  idPrefix: 'price',
  createObject: async (app, owner) => (await createPrice(app, owner.sandboxSecret)).id,
});
