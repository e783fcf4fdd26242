import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { systemClock } from '../../core/clock.js';
import { getBalanceHistory, holdFunds, postJournal, postHold } from '../../ledger/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectServedResponse } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { fundMerchant } from '../../../test/support/ledger.js';
import { describeSecurity } from '../../../test/support/security.js';

/** Posts, for one merchant's sandbox: a 2,500 EUR payment into pending, its release to available, a 1,000 hold, its posting. */
async function moveEuros(merchant: TestMerchant): Promise<void> {
  const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
  const { database } = await testEnv();
  const move = (kind: string, from: 'clearing' | 'pending', to: 'pending' | 'available') => database.db.transaction(async (tx) => {
    expect((await postJournal({ tx, clock: systemClock, tenant }, {
      kind, cause: { type: 'test', id: 'payt_history' },
      entries: [{ account: { purpose: from, currency: 'EUR' }, amount: -2500n }, { account: { purpose: to, currency: 'EUR' }, amount: 2500n }],
    })).ok).toBe(true);
  });
  await move('test_payment', 'clearing', 'pending');
  await move('test_release', 'pending', 'available');
  const hold = await database.db.transaction(async (tx) => holdFunds({ tx, clock: systemClock, tenant }, { currency: 'EUR', amount: 1000n, cause: { type: 'test', id: 'pout_history' } }));
  expect(hold.ok).toBe(true);
  if (!hold.ok) return;
  await database.db.transaction(async (tx) => {
    const posted = await postHold({ tx, clock: systemClock, tenant }, hold.hold.id);
    expect(posted.ok).toBe(true);
  });
}

describe('GET /api/v1/balances/history', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  const get = (key: string, query: string) => app.inject({ method: 'GET', url: `/api/v1/balances/history?${query}`, headers: bearer(key) });

  it('answers the balances after every journal that moved the currency, oldest first, ending at the current balance', async () => {
    const merchant = await createTestMerchant();
    await fundMerchant(merchant.id, 'EUR', 700n);
    await fundMerchant(merchant.id, 'USD', 999n); // another currency: not in the EUR history
    await moveEuros(merchant);
    const response = await get(merchant.sandboxSecret, 'currency=eur');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expectServedResponse(app.swagger(), 'get', '/api/v1/balances/history', 200, body);
    expect(body.currency).toBe('EUR');
    expect(body.data.map(({ at: _at, ...amounts }: { at: string }) => amounts)).toEqual([
      { available: 700, pending: 0, held: 0 }, // the funding
      { available: 700, pending: 2500, held: 0 }, // the payment received
      { available: 3200, pending: 0, held: 0 }, // its release
      { available: 2200, pending: 0, held: 1000 }, // the hold
      { available: 2200, pending: 0, held: 0 }, // the hold posted: the money left
    ]);
    const times = body.data.map((point: { at: string }) => Date.parse(point.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const balances = (await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(merchant.sandboxSecret) })).json();
    expect(balances.available).toContainEqual({ currency: 'EUR', amount: body.data.at(-1).available });
  });

  it('answers the latest points only with limit, each as in the whole history', async () => {
    const merchant = await createTestMerchant();
    for (const amount of [100n, 200n, 300n, 400n]) await fundMerchant(merchant.id, 'GBP', amount);
    const all = (await get(merchant.sandboxSecret, 'currency=GBP')).json().data;
    expect(all.map((p: { available: number }) => p.available)).toEqual([100, 300, 600, 1000]);
    const last = (await get(merchant.sandboxSecret, 'currency=GBP&limit=2')).json().data;
    expect(last).toEqual(all.slice(2));
  });

  it('reads a bounded window however long the history (the last journals from the newest entries)', async () => {
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    for (let i = 1; i <= 30; i++) await fundMerchant(merchant.id, 'CHF', BigInt(i));
    const { database } = await testEnv();
    const points = await getBalanceHistory(database.db, tenant, 'CHF', 3);
    expect(points.map((p) => p.available)).toEqual([406n, 435n, 465n]); // 1+…+28, 1+…+29, 1+…+30
  });

  it('answers no point for a currency never held, and each environment only its own money', async () => {
    const merchant = await createTestMerchant();
    await fundMerchant(merchant.id, 'JPY', 5000n, 'production');
    expect((await get(merchant.sandboxSecret, 'currency=JPY')).json()).toEqual({ currency: 'JPY', data: [] });
    const production = (await get(merchant.productionSecret, 'currency=JPY')).json();
    expect(production.data.map(({ at: _at, ...amounts }: { at: string }) => amounts)).toEqual([{ available: 5000, pending: 0, held: 0 }]);
    const other = await createTestMerchant();
    expect((await get(other.productionSecret, 'currency=JPY')).json()).toEqual({ currency: 'JPY', data: [] });
  });

  it.each([
    ['', 400],
    ['currency=XXY', 400],
    ['currency=USD&limit=0', 400],
    ['currency=USD&limit=501', 400],
    ['currency=USD&limit=two', 400],
  ])('refuses %s with a 400 in the contract shape', async (query, status) => {
    const merchant = await createTestMerchant();
    const response = await get(merchant.sandboxSecret, query);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: expect.any(String) });
  });

  it('names the currency it refuses', async () => {
    const merchant = await createTestMerchant();
    expect((await get(merchant.sandboxSecret, 'currency=XXY')).json().message).toBe('Validation failed: Currency must be a valid ISO 4217 currency code (e.g., USD)');
  });
});

describeSecurity('GET /api/v1/balances/history', { method: 'GET', url: () => '/api/v1/balances/history?currency=USD' });
