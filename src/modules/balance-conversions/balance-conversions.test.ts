import { and, eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { events } from '../../db/schema/index.js';
import { tableRateSource } from '../../fx/rates.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';

// Round rates so every expected amount below can be worked out by hand.
const RATES = tableRateSource({ base: 'USD', rates: { EUR: '0.8', GBP: '0.75', JPY: '150', KWD: '0.3', BHD: '0.375' } });
const MARKUP = { FX_MARKUP_BPS: '50' };

async function balances(app: App, key: string) {
  const response = await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) });
  expect(response.statusCode).toBe(200);
  const body = response.json() as { available: Array<{ currency: string; amount: number }> };
  return Object.fromEntries(body.available.map((b) => [b.currency, b.amount]));
}

function convert(app: App, key: string, payload: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/api/v1/balance_conversions', headers: bearer(key), payload });
}

describe('POST /api/v1/balance_conversions', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ fxRates: RATES, env: MARKUP }));
    merchant = await createTestMerchant();
    await fundMerchant(merchant.id, 'USD', 1_000_000n);
    await fundMerchant(merchant.id, 'JPY', 100_000n);
  });

  it('converts a source amount: the markup is a fee in the source currency, the rest converts at mid, rounded down', async () => {
    const before = await balances(app, merchant.sandboxSecret);
    const response = await convert(app, merchant.sandboxSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 10_001 });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expectResponse('post', '/balance_conversions', 201, body);
    // fee = ceil(10001 × 0.005) = 51; net 9950 × 0.8 = 7960 exactly.
    expect(body).toMatchObject({
      from: { amount: 10_001, currency: 'USD' },
      to: { amount: 7960, currency: 'EUR' },
      fees: { amount: 51, currency: 'USD' },
      mid_market_rate: { currency: 'EUR', rate: 0.8 },
      status: 'success',
    });
    expect(body.id).toMatch(/^conv_[0-9a-f]{8}[0-9A-Za-z]{5}$/);
    const after = await balances(app, merchant.sandboxSecret);
    expect(after.USD).toBe(before.USD! - 10_001);
    expect(after.EUR).toBe((before.EUR ?? 0) + 7960);
    await expectLedgerConsistent(merchant.id);
  });

  it('converts to an exact target amount, charging the smallest source that covers it', async () => {
    const response = await convert(app, merchant.sandboxSecret, { source_currency: 'USD', target_currency: 'GBP', target_amount: 7463 });
    expect(response.statusCode, response.body).toBe(201);
    // net N is the least with floor(N × 0.75) ≥ 7463: 9951 (9950 gives 7462.5). S is the least with
    // S − ceil(S × 0.005) ≥ 9951: 10002 (fee 51); 10001 would net only 9950 (fee 51 too).
    expect(response.json()).toMatchObject({ from: { amount: 10_002, currency: 'USD' }, to: { amount: 7463, currency: 'GBP' }, fees: { amount: 51 } });
  });

  it.each([
    // USD -> JPY (zero decimals): 101 cents, fee 1, net 100 cents = 1 USD = 150 yen.
    ['USD', 'JPY', 101, 150, 1],
    // JPY -> USD: 1000 yen, fee ceil(5) = 5, net 995 yen = 6.6333 USD -> 663 cents (rounded down).
    ['JPY', 'USD', 1000, 663, 5],
    // USD -> KWD (three decimals): fee 50, net 9950 cents = 99.50 USD = 29.850 KWD = 29850 fils.
    ['USD', 'KWD', 10_000, 29_850, 50],
    // USD -> BHD: 333 cents, fee 2, net 331 cents = 3.31 USD = 1.24125 BHD -> 1241 fils (rounded down).
    ['USD', 'BHD', 333, 1241, 2],
  ])('rounds %s -> %s by the documented rule (minor units of both sides)', async (source, target, sourceAmount, targetAmount, fee) => {
    const response = await convert(app, merchant.sandboxSecret, { source_currency: source, target_currency: target, source_amount: sourceAmount });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ from: { amount: sourceAmount }, to: { amount: targetAmount }, fees: { amount: fee } });
  });

  it('accepts lower-case currency codes and answers them upper-case', async () => {
    const response = await convert(app, merchant.sandboxSecret, { source_currency: 'usd', target_currency: 'eur', source_amount: 1000 });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ from: { currency: 'USD' }, to: { currency: 'EUR' } });
  });

  it('records a balance_conversion event in the same transaction', async () => {
    const response = await convert(app, merchant.sandboxSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 2000 });
    const conversion = response.json();
    const { database } = await testEnv();
    const rows = await database.db.select().from(events).where(and(eq(events.merchantId, merchant.id), eq(events.entityId, conversion.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entityType: 'balance_conversion', eventType: 'success', env: 'sandbox', data: conversion });
  });

  it.each([
    [{ source_currency: 'USD', target_currency: 'EUR', source_amount: 100, target_amount: 80 }, 'You can only send source_amount or target_amount, not both.'],
    [{ source_currency: 'USD', target_currency: 'EUR' }, 'You must send either source_amount or target_amount.'],
    [{ source_currency: 'USD', target_currency: 'usd', source_amount: 100 }, 'source_currency and target_currency must be different'],
    [{ source_currency: 'USD', target_currency: 'CHF', source_amount: 100 }, 'Currency CHF is not supported for balance conversions'],
    [{ source_currency: 'ABC', target_currency: 'EUR', source_amount: 100 }, 'Validation failed: Source currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [{ target_currency: 'EUR', source_amount: 100 }, "Validation failed: Source currency can't be blank"],
    [{ source_currency: 'USD', source_amount: 100 }, "Validation failed: Target currency can't be blank"],
    [{ source_currency: 'USD', target_currency: 'EUR', source_amount: 10.5 }, 'Validation failed: Source amount must be an integer'],
    [{ source_currency: 'USD', target_currency: 'EUR', source_amount: 0 }, 'Validation failed: Source amount must be between 1 and 9007199254740991'],
    [{ source_currency: 'USD', target_currency: 'EUR', source_amount: '100' }, 'Validation failed: Source amount must be an integer'],
    [{ source_currency: 'JPY', target_currency: 'USD', source_amount: 1 }, 'Amount is too small to convert'],
  ])('refuses %j with 400 and stores nothing', async (payload, message) => {
    const before = await balances(app, merchant.sandboxSecret);
    const response = await convert(app, merchant.sandboxSecret, payload);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
    expect(await balances(app, merchant.sandboxSecret)).toEqual(before);
  });

  it('refuses unknown fields', async () => {
    const response = await convert(app, merchant.sandboxSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 100, rate: 2 });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/rate/);
  });

  it('answers insufficient balance with the shortfall and writes nothing', async () => {
    const poor = await createTestMerchant();
    await fundMerchant(poor.id, 'USD', 500n);
    const response = await convert(app, poor.sandboxSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 1200 });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request',
      message: 'Account has insufficient balance to process this transaction. Additional amount required: 700.',
      code: 'INSUFFICIENT_BALANCE',
    });
    expect(await balances(app, poor.sandboxSecret)).toEqual({ USD: 500 });
    const list = await app.inject({ method: 'GET', url: '/api/v1/balance_conversions', headers: bearer(poor.sandboxSecret) });
    expect(list.json().data).toEqual([]);
    await expectLedgerConsistent(poor.id);
  });

  it('spends only the environment of the key: production money is not sandbox money', async () => {
    const both = await createTestMerchant();
    await fundMerchant(both.id, 'USD', 10_000n, 'production');
    const sandbox = await convert(app, both.sandboxSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 1000 });
    expect(sandbox.statusCode).toBe(400);
    expect(sandbox.json().code).toBe('INSUFFICIENT_BALANCE');
    const production = await convert(app, both.productionSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 1000 });
    expect(production.statusCode, production.body).toBe(201);
    expect(await balances(app, both.productionSecret)).toEqual({ USD: 9000, EUR: 796 });
    expect(await balances(app, both.sandboxSecret)).toEqual({});
  });

  it('lets exactly the covered conversions of many concurrent ones succeed; the ledger holds afterwards', async () => {
    const busy = await createTestMerchant();
    await fundMerchant(busy.id, 'USD', 7_000n);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => convert(app, busy.sandboxSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 1000 })),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    const refused = responses.filter((r) => r.statusCode !== 201);
    expect(created).toHaveLength(7);
    expect(refused).toHaveLength(13);
    for (const response of refused) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'INSUFFICIENT_BALANCE', message: expect.stringContaining('Additional amount required: 1000.') });
    }
    expect(await balances(app, busy.sandboxSecret)).toEqual({ USD: 0, EUR: 7 * 796 });
    const list = await app.inject({ method: 'GET', url: '/api/v1/balance_conversions?per_page=100', headers: bearer(busy.sandboxSecret) });
    expect(list.json().page_meta.count).toBe(7);
    await expectLedgerConsistent(busy.id);
    await expectLedgerConsistent();
  });
});

describe('balance conversions from a quote', () => {
  const clock = new ManualClock('2026-06-01T12:00:00Z');
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ fxRates: RATES, env: MARKUP, clock }));
    merchant = await createTestMerchant(clock);
    await fundMerchant(merchant.id, 'USD', 100_000n);
  });

  async function quote(resource = 'balance_conversion', key = merchant.sandboxSecret) {
    const response = await app.inject({
      method: 'POST', url: '/api/v1/quotes', headers: bearer(key),
      payload: { resource, source_currency: 'USD', destination_currency: 'EUR', source_amount: 10_001 },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().quotes[0] as { id: string; destination_amount: number; status: string };
  }

  it('converts at the quoted amounts, once; the quote then reads as used by the conversion', async () => {
    const q = await quote();
    const response = await convert(app, merchant.sandboxSecret, { quote_id: q.id });
    expect(response.statusCode, response.body).toBe(201);
    const conversion = response.json();
    expectResponse('post', '/balance_conversions', 201, conversion);
    expect(conversion).toMatchObject({ from: { amount: 10_001, currency: 'USD' }, to: { amount: q.destination_amount, currency: 'EUR' }, fees: { amount: 51 } });
    const again = await convert(app, merchant.sandboxSecret, { quote_id: q.id });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ message: 'quote_id has already been used', code: 'QUOTE_USED' });
    const read = await app.inject({ method: 'GET', url: `/api/v1/quotes/${q.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json()).toMatchObject({ status: 'used', used_by: conversion.id });
  });

  it('refuses an expired quote', async () => {
    const q = await quote();
    clock.advance(30 * 60 * 1000);
    const response = await convert(app, merchant.sandboxSecret, { quote_id: q.id });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: 'quote_id has expired', code: 'QUOTE_EXPIRED' });
  });

  it("refuses a payout quote, another merchant's quote and an unknown one", async () => {
    const payout = await quote('payout');
    expect((await convert(app, merchant.sandboxSecret, { quote_id: payout.id })).json().message).toBe('Quote is not a balance_conversion quote');
    const other = await createTestMerchant(clock);
    const foreign = await quote('balance_conversion', other.sandboxSecret);
    expect((await convert(app, merchant.sandboxSecret, { quote_id: foreign.id })).json().message).toBe('quote_id not found');
    expect((await convert(app, merchant.productionSecret, { quote_id: (await quote()).id })).json().message).toBe('quote_id not found');
    expect((await convert(app, merchant.sandboxSecret, { quote_id: 'quote_00000000AAAAA' })).json().message).toBe('quote_id not found');
  });

  it.each(['source_currency', 'target_currency', 'source_amount', 'target_amount'])('refuses %s next to quote_id', async (field) => {
    const q = await quote();
    const response = await convert(app, merchant.sandboxSecret, { quote_id: q.id, [field]: field.endsWith('amount') ? 100 : 'USD' });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe(`${field} cannot be specified when quote_id is present`);
  });

  it('leaves the quote unused when the balance cannot cover it', async () => {
    const poor = await createTestMerchant(clock);
    const q = await quote('balance_conversion', poor.sandboxSecret);
    const response = await convert(app, poor.sandboxSecret, { quote_id: q.id });
    expect(response.json()).toMatchObject({ code: 'INSUFFICIENT_BALANCE', message: expect.stringContaining('Additional amount required: 10001.') });
    const read = await app.inject({ method: 'GET', url: `/api/v1/quotes/${q.id}`, headers: bearer(poor.sandboxSecret) });
    expect(read.json().status).toBe('active');
  });

  it('lets exactly one of many concurrent uses of one quote convert', async () => {
    const q = await quote();
    const responses = await Promise.all(Array.from({ length: 8 }, () => convert(app, merchant.sandboxSecret, { quote_id: q.id })));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const r of responses.filter((r) => r.statusCode !== 201)) expect(r.json().message).toBe('quote_id has already been used');
    await expectLedgerConsistent(merchant.id);
  });
});

describe('GET /api/v1/balance_conversions', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ fxRates: RATES }));
    merchant = await createTestMerchant();
    await fundMerchant(merchant.id, 'USD', 100_000n);
    await fundMerchant(merchant.id, 'EUR', 100_000n);
    for (const [source, target] of [['USD', 'EUR'], ['EUR', 'USD'], ['USD', 'GBP']]) {
      expect((await convert(app, merchant.sandboxSecret, { source_currency: source, target_currency: target, source_amount: 1000 })).statusCode).toBe(201);
    }
  });

  it.each([
    ['source_currency=USD', [['USD', 'GBP'], ['USD', 'EUR']]],
    ['source_currency=usd&target_currency=EUR', [['USD', 'EUR']]],
    ['target_currency=USD', [['EUR', 'USD']]],
  ])('filters by %s', async (query, expected) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/balance_conversions?${query}`, headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expectResponse('get', '/balance_conversions', 200, body);
    expect(body.data.map((c: { from: { currency: string }; to: { currency: string } }) => [c.from.currency, c.to.currency])).toEqual(expected);
  });

  it('refuses an invalid currency filter', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/balance_conversions?source_currency=DOLLARS', headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(400);
  });

  it('reads one conversion by id as it was created', async () => {
    const created = (await convert(app, merchant.sandboxSecret, { source_currency: 'USD', target_currency: 'EUR', source_amount: 5000 })).json();
    const response = await app.inject({ method: 'GET', url: `/api/v1/balance_conversions/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(created);
  });
});

async function createConversion(app: App, key: string): Promise<string> {
  const claims = decodeJwt(key);
  await fundMerchant(claims.sub!, 'USD', 1000n, claims.env as 'sandbox' | 'production');
  const response = await convert(app, key, { source_currency: 'USD', target_currency: 'EUR', source_amount: 1000 });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

describeListConventions('GET /api/v1/balance_conversions', {
  url: '/api/v1/balance_conversions',
  contractPath: '/balance_conversions',
  create: createConversion,
});

describeSecurity('POST /api/v1/balance_conversions', {
  method: 'POST',
  url: () => '/api/v1/balance_conversions',
  payload: () => ({ source_currency: 'USD', target_currency: 'EUR', source_amount: 100 }),
});
describeSecurity('GET /api/v1/balance_conversions', {
  method: 'GET',
  url: () => '/api/v1/balance_conversions?per_page=100',
  listedObject: (app, owner) => createConversion(app, owner.sandboxSecret),
});
describeSecurity('GET /api/v1/balance_conversions/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/balance_conversions/${id}`,
  notFoundMessage: 'Balance conversion not found',
  idPrefix: 'conv',
  createObject: (app, owner) => createConversion(app, owner.sandboxSecret),
});
