import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { quotes } from '../../db/schema/index.js';
import { tableRateSource } from '../../fx/rates.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { testEnv } from '../../../test/support/env.js';
import { describeSecurity } from '../../../test/support/security.js';

const RATES = tableRateSource({ base: 'USD', rates: { EUR: '0.8', GBP: '0.75', INR: '80', AED: '3.6725', SGD: '1.35', AUD: '1.5', JPY: '150' } });

describe('POST /api/v1/quotes', () => {
  const clock = new ManualClock('2026-06-01T12:00:00Z');
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ fxRates: RATES, clock, env: { FX_MARKUP_BPS: '50', QUOTE_TTL_SECONDS: '1800' } }));
    merchant = await createTestMerchant(clock);
  });

  const post = (payload: Record<string, unknown>, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: '/api/v1/quotes', headers: bearer(key), payload });

  it('locks a rate for 30 minutes: amounts, fees, mid and effective rate', async () => {
    const response = await post({ resource: 'balance_conversion', source_currency: 'USD', destination_currency: 'EUR', source_amount: 10_001 });
    expect(response.statusCode, response.body).toBe(201);
    const [quote] = response.json().quotes;
    expect(quote).toEqual({
      id: expect.stringMatching(/^quote_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      resource: 'balance_conversion',
      status: 'active',
      source_currency: 'USD',
      destination_currency: 'EUR',
      source_amount: 10_001,
      destination_amount: 7960,
      fx_rate: '0.796',
      mid_market_rate: { currency: 'EUR', rate: 0.8 },
      fees: { txn_fee: { currency: 'USD', amount: 0 }, fx_fee: { currency: 'USD', amount: 51 } },
      expires_at: '2026-06-01T12:30:00Z',
      created_at: '2026-06-01T12:00:00Z',
    });
    const read = await app.inject({ method: 'GET', url: `/api/v1/quotes/${quote.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json()).toEqual(quote);
    clock.advance(30 * 60 * 1000);
    const later = await app.inject({ method: 'GET', url: `/api/v1/quotes/${quote.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(later.json().status).toBe('expired');
  });

  it.each([9_007_199_254_740_991, 10 ** 15])('answers 400 for a payout quote whose source_amount %d converts past the JSON safe range, and stores none', async (sourceAmount) => {
    const owner = await createTestMerchant(clock);
    const response = await post({ resource: 'payout', source_currency: 'USD', destination_currency: 'INR', source_amount: sourceAmount }, owner.sandboxSecret);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request', message: 'Amount with its fees is larger than the API can carry: use a smaller amount', code: 'INVALID_PARAMETER',
    });
    const { database } = await testEnv();
    expect(await database.db.select().from(quotes).where(eq(quotes.merchantId, owner.id))).toEqual([]);
  });

  it('prices a destination amount exactly', async () => {
    const response = await post({ resource: 'payin', source_currency: 'EUR', destination_currency: 'USD', destination_amount: 10_000 });
    expect(response.statusCode, response.body).toBe(201);
    // net N least with floor(N / 0.8) >= 10000 is 8000; S least with S - ceil(S * 0.005) >= 8000 is 8041 (fee 41).
    expect(response.json().quotes[0]).toMatchObject({ source_amount: 8041, destination_amount: 10_000, fees: { fx_fee: { amount: 41, currency: 'EUR' } } });
  });

  it('charges no FX fee when the currencies are the same (a USD payout of USD)', async () => {
    const response = await post({ resource: 'payout', source_currency: 'USD', destination_currency: 'USD', source_amount: 5000 });
    expect(response.json().quotes[0]).toMatchObject({ source_amount: 5000, destination_amount: 5000, fx_rate: '1', fees: { fx_fee: { amount: 0 } } });
  });

  it('answers one payout quote per eligible local rail, and swift by default', async () => {
    const local = await post({
      resource: 'payout', source_currency: 'USD', destination_currency: 'INR', source_amount: 10_000,
      method: { payment_method: 'bank_transfer', subtype: 'local_transfer' },
    });
    expect(local.statusCode, local.body).toBe(201);
    const quotes = local.json().quotes as Array<{ id: string; method: { payment_rail: string } }>;
    expect(quotes.map((q) => q.method.payment_rail)).toEqual(['upi', 'imps', 'neft', 'rtgs']);
    expect(new Set(quotes.map((q) => q.id)).size).toBe(4);
    const swift = await post({ resource: 'payout', source_currency: 'USD', destination_currency: 'INR', source_amount: 10_000 });
    expect(swift.json().quotes.map((q: { method: unknown }) => q.method)).toEqual([
      { payment_method: 'bank_transfer', subtype: 'swift_transfer', payment_rail: 'swift' },
    ]);
    const alias = await post({
      resource: 'payout', source_currency: 'USD', destination_currency: 'AED', source_amount: 10_000,
      payment_method: { type: 'bank_transfer', subtype: 'local_transfer' },
    });
    expect(alias.json().quotes.map((q: { method: { payment_rail: string } }) => q.method.payment_rail)).toEqual(['ipp', 'fts']);
  });

  it.each([
    [{ resource: 'payout', source_currency: 'USD', destination_currency: 'SGD', source_amount: 100, method: { subtype: 'local_transfer' } }, 'local_transfer is not supported for SGD destination'],
    [{ resource: 'payout', source_currency: 'INR', destination_currency: 'USD', source_amount: 100 }, 'Currency INR is not supported for payouts'],
    [{ resource: 'payout', source_currency: 'USD', destination_currency: 'JPY', source_amount: 100 }, 'Currency JPY is not supported for payouts'],
    [{ resource: 'payin', source_currency: 'USD', destination_currency: 'EUR', source_amount: 100, method: { subtype: 'swift_transfer' } }, 'method can only be specified for payout quotes'],
    [{ resource: 'balance_conversion', source_currency: 'USD', destination_currency: 'USD', source_amount: 100 }, 'source_currency and destination_currency must be different'],
    [{ resource: 'balance_conversion', source_currency: 'USD', destination_currency: 'CHF', source_amount: 100 }, 'Currency CHF is not supported for balance conversions'],
    [{ resource: 'payin', source_currency: 'USD', destination_currency: 'EUR', source_amount: 100, destination_amount: 80 }, 'You can only send source_amount or destination_amount, not both.'],
    [{ resource: 'payin', source_currency: 'USD', destination_currency: 'EUR' }, 'You must send either source_amount or destination_amount.'],
    [{ resource: 'refund', source_currency: 'USD', destination_currency: 'EUR', source_amount: 100 }, 'Validation failed: Resource must be one of: payin, payout, balance_conversion'],
    [{ resource: 'payin', source_currency: 'JPY', destination_currency: 'USD', source_amount: 1 }, 'Amount is too small to convert'],
  ])('refuses %j with 400', async (payload, message) => {
    const response = await post(payload);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });
});

async function createQuote(app: App, owner: TestMerchant): Promise<string> {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/quotes', headers: bearer(owner.sandboxSecret),
    payload: { resource: 'payin', source_currency: 'USD', destination_currency: 'EUR', source_amount: 1000 },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().quotes[0].id;
}

describeSecurity('POST /api/v1/quotes', {
  method: 'POST',
  url: () => '/api/v1/quotes',
  payload: () => ({ resource: 'payin', source_currency: 'USD', destination_currency: 'EUR', source_amount: 1000 }),
});
describeSecurity('GET /api/v1/quotes/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/quotes/${id}`,
  notFoundMessage: 'Quote not found',
  idPrefix: 'quote',
  createObject: createQuote,
});

describe('payout quote transaction fees', () => {
  it("charges each rail's fee in the source currency: USD 15.00 for swift, USD 1.00 for local rails, converted and rounded up", async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const post = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/v1/quotes', headers: bearer(merchant.sandboxSecret), payload });
    const swift = await post({ resource: 'payout', source_currency: 'USD', destination_currency: 'INR', source_amount: 10_000 });
    expect(swift.json().quotes.map((q: { fees: unknown }) => q.fees)).toEqual([
      { txn_fee: { currency: 'USD', amount: 1500 }, fx_fee: { currency: 'USD', amount: 50 } },
    ]);
    // EUR per USD is 0.92 in the built-in table: USD 1.00 is EUR 0.92.
    const local = await post({
      resource: 'payout', source_currency: 'EUR', destination_currency: 'INR', source_amount: 10_000,
      method: { payment_method: 'bank_transfer', subtype: 'local_transfer' },
    });
    expect(local.json().quotes.map((q: { fees: { txn_fee: unknown } }) => q.fees.txn_fee))
      .toEqual(Array(4).fill({ currency: 'EUR', amount: 92 }));
    // GBP per USD is 0.79: USD 15.00 is GBP 11.85.
    const gbp = await post({ resource: 'payout', source_currency: 'GBP', destination_currency: 'USD', source_amount: 10_000 });
    expect(gbp.json().quotes[0].fees.txn_fee).toEqual({ currency: 'GBP', amount: 1185 });
    const conversion = await post({ resource: 'balance_conversion', source_currency: 'USD', destination_currency: 'EUR', source_amount: 10_000 });
    expect(conversion.json().quotes[0].fees.txn_fee).toEqual({ currency: 'USD', amount: 0 });
  });
});
