import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { events, ledgerAccounts, payments } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import { registerWithdrawalAccount, settleablePayment } from '../../../test/support/settlements.js';

/** A settleable payment (funds available), with the amount it was made for. */
const availablePayment = async (app: App, key: string, amount = 10_000, currency = 'USD') =>
  ({ id: await settleablePayment(app, key, amount, { currency }), amount });

const settle = (app: App, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/settlements', headers: bearer(key), payload });

const advance = async (app: App, key: string, seconds: number) => {
  const response = await app.inject({ method: 'POST', url: '/api/v1/sandbox/clock/advance', headers: bearer(key), payload: { seconds } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { ran: Record<string, number> };
};

async function balances(app: App, key: string, currency = 'USD') {
  const body = (await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) })).json();
  const of = (list: { currency: string; amount: number }[]) => list.find((b) => b.currency === currency)?.amount ?? 0;
  return { available: of(body.available), pending: of(body.pending) };
}

async function ledgerOf(merchantId: string, currency = 'USD'): Promise<Record<string, bigint>> {
  const { database } = await testEnv();
  const rows = await database.db.select().from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.merchantId, merchantId), eq(ledgerAccounts.env, 'sandbox'), eq(ledgerAccounts.currency, currency)));
  return Object.fromEntries(rows.map((row) => [row.purpose, row.balance]));
}

async function settlementIdOf(paymentId: string): Promise<string | null> {
  const { database } = await testEnv();
  const [row] = await database.db.select({ settlementId: payments.settlementId }).from(payments).where(eq(payments.id, paymentId));
  return row!.settlementId;
}

describe('settlements', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  async function ready(): Promise<TestMerchant> {
    const merchant = await createTestMerchant();
    await registerWithdrawalAccount(app, merchant.id);
    return merchant;
  }

  it('settles payments: their net credits held, in_progress, then success with a UTR by the sandbox rail; the transactions', async () => {
    const merchant = await ready();
    const first = await availablePayment(app, merchant.sandboxSecret, 10_000);
    const second = await availablePayment(app, merchant.sandboxSecret, 2_500);
    expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: 12_500, pending: 0 });

    const response = await settle(app, merchant.sandboxSecret, { payment_ids: [first.id, second.id] });
    expect(response.statusCode, response.body).toBe(201);
    const settlement = response.json();
    expectResponse('post', '/settlements', 201, settlement);
    expect(settlement).toMatchObject({
      id: expect.stringMatching(/^setl_[0-9a-f]{8}[0-9A-Za-z]{5}$/), status: 'in_progress', amount: 12_500, currency: 'USD',
      payment_method: 'swift_transfer', fees: { fx_fee: { amount: 0, currency: 'USD' }, txn_fee: { amount: 0, currency: 'USD' } },
    });
    expect(settlement).not.toHaveProperty('utr');
    expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: 0, pending: 0 });
    expect((await ledgerOf(merchant.id)).held).toBe(12_500n);
    expect(await settlementIdOf(first.id)).toBe(settlement.id);
    const payment = (await app.inject({ method: 'GET', url: `/api/v1/payment/${first.id}`, headers: bearer(merchant.sandboxSecret) })).json();
    expect(payment.settlement_id).toBe(settlement.id);

    const transactions = await app.inject({ method: 'GET', url: `/api/v1/settlements/${settlement.id}/transactions`, headers: bearer(merchant.sandboxSecret) });
    expect(transactions.statusCode, transactions.body).toBe(200);
    expectResponse('get', '/settlements/{id}/transactions', 200, transactions.json());
    expect(transactions.json().data).toEqual([second, first].map((p) => ({
      id: `txn_${p.id.slice(5)}`, source_id: p.id, source_type: 'payment',
      credit: { amount: p.amount, currency: 'USD' }, debit: { amount: 0, currency: 'USD' },
      fees: { fx_fee: { amount: 0, currency: 'USD' }, txn_fee: { amount: 0, currency: 'USD' } },
      settled_amount: { amount: p.amount, currency: 'USD' },
      processed_at: expect.any(String), created_at: expect.any(String), updated_at: expect.any(String),
    })));

    const ran = await advance(app, merchant.sandboxSecret, 120);
    expect(ran.ran['settlements.rail']).toBe(1);
    const done = (await app.inject({ method: 'GET', url: `/api/v1/settlements/${settlement.id}`, headers: bearer(merchant.sandboxSecret) })).json();
    expectResponse('get', '/settlements/{id}', 200, done);
    expect(done).toMatchObject({ id: settlement.id, status: 'success', utr: expect.stringMatching(/^GLMOSB[0-9A-Z]{14}$/) });
    const accounts = await ledgerOf(merchant.id);
    expect(accounts.held).toBe(0n);
    expect(accounts.available).toBe(0n);
    const { database } = await testEnv();
    const recorded = await database.db.select().from(events).where(eq(events.entityId, settlement.id)).orderBy(events.seq);
    expect(recorded.map((event) => [event.entityType, event.eventType])).toEqual([['settlement', 'in_progress'], ['settlement', 'success']]);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses payments already settled, not available yet, foreign, or of two currencies (422), and stores nothing', async () => {
    const merchant = await ready();
    const settled = await availablePayment(app, merchant.sandboxSecret);
    expect((await settle(app, merchant.sandboxSecret, { payment_ids: [settled.id] })).statusCode).toBe(201);
    const again = await settle(app, merchant.sandboxSecret, { payment_ids: [settled.id] });
    expect(again.statusCode).toBe(422);
    expect(again.json()).toEqual({ error: 'Unprocessable Entity', message: 'Payments cannot be settled: some payments are already settled', code: 'PAYMENTS_NOT_SETTLEABLE' });

    const other = await ready();
    const foreign = await availablePayment(app, other.sandboxSecret);
    const fresh = await availablePayment(app, merchant.sandboxSecret);
    const refused = await settle(app, merchant.sandboxSecret, { payment_ids: [fresh.id, foreign.id] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toBe('Payments cannot be settled: some payments are not found');
    expect(await settlementIdOf(fresh.id)).toBeNull();
    expect(await settlementIdOf(foreign.id)).toBeNull();

    const eur = await availablePayment(app, merchant.sandboxSecret, 4_000, 'EUR');
    expect((await settle(app, merchant.sandboxSecret, { payment_ids: [fresh.id, eur.id] })).json().message)
      .toBe('Payments cannot be settled: the payments settle in different currencies');

    const list = (await app.inject({ method: 'GET', url: '/api/v1/settlements', headers: bearer(merchant.sandboxSecret) })).json();
    expect(list.data).toHaveLength(1);
  });

  it('settles an amount of a balance; a shortfall answers 400 INSUFFICIENT_BALANCE and holds nothing', async () => {
    const merchant = await ready();
    await fundMerchant(merchant.id, 'USD', 5_000n);
    const short = await settle(app, merchant.sandboxSecret, { amount: 5_001, balance_currency: 'usd' });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    expect((await ledgerOf(merchant.id)).held ?? 0n).toBe(0n);
    const response = await settle(app, merchant.sandboxSecret, { amount: 5_000, balance_currency: 'usd' });
    expect(response.statusCode, response.body).toBe(201);
    const transactions = (await app.inject({ method: 'GET', url: `/api/v1/settlements/${response.json().id}/transactions`, headers: bearer(merchant.sandboxSecret) })).json();
    expect(transactions.data).toEqual([]);
    await advance(app, merchant.sandboxSecret, 120);
    expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: 0, pending: 0 });
    await expectLedgerConsistent(merchant.id);
  });

  it('fails at the bank for a withdrawal account ending in 9910: the funds come back and the payments can be settled again', async () => {
    const merchant = await createTestMerchant();
    await registerWithdrawalAccount(app, merchant.id, { account_number: '12349910' });
    const paid = await availablePayment(app, merchant.sandboxSecret, 7_000);
    const created = (await settle(app, merchant.sandboxSecret, { payment_ids: [paid.id] })).json();
    await advance(app, merchant.sandboxSecret, 120);
    const failed = (await app.inject({ method: 'GET', url: `/api/v1/settlements/${created.id}`, headers: bearer(merchant.sandboxSecret) })).json();
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed).not.toHaveProperty('utr');
    expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: 7_000, pending: 0 });
    expect(await settlementIdOf(paid.id)).toBeNull();
    expect((await settle(app, merchant.sandboxSecret, { payment_ids: [paid.id] })).statusCode).toBe(201);
    await expectLedgerConsistent(merchant.id);
  });

  it('the sandbox trigger settles every settleable payment, one settlement per currency', async () => {
    const merchant = await ready();
    const usd = [await availablePayment(app, merchant.sandboxSecret, 1_000), await availablePayment(app, merchant.sandboxSecret, 2_000)];
    const eur = await availablePayment(app, merchant.sandboxSecret, 3_000, 'EUR');
    const response = await app.inject({ method: 'POST', url: '/api/v1/settlements/mock-trigger', headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode, response.body).toBe(200);
    const { data } = response.json();
    expect(data.map((s: { currency: string; amount: number }) => [s.currency, s.amount])).toEqual([['EUR', 3_000], ['USD', 3_000]]);
    for (const settlement of data) expectSchema('Settlement', settlement);
    for (const payment of [...usd, eur]) expect(await settlementIdOf(payment.id)).not.toBeNull();
    // Nothing left: a second trigger settles nothing.
    const again = await app.inject({ method: 'POST', url: '/api/v1/settlements/mock-trigger', headers: bearer(merchant.sandboxSecret) });
    expect(again.json()).toEqual({ data: [] });
    const production = await app.inject({ method: 'POST', url: '/api/v1/settlements/mock-trigger', headers: bearer(merchant.productionSecret) });
    expect(production.statusCode).toBe(404);
  });

  it('concurrent settlements of one balance settle at most what it holds, and each payment once', async () => {
    const merchant = await ready();
    await fundMerchant(merchant.id, 'USD', 10_000n);
    const answers = await Promise.all(Array.from({ length: 20 }, () => settle(app, merchant.sandboxSecret, { amount: 1_000, balance_currency: 'USD' })));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(10);
    expect(answers.filter((a) => a.statusCode === 400).map((a) => a.json().code)).toEqual(Array(10).fill('INSUFFICIENT_BALANCE'));

    const paid = await availablePayment(app, merchant.sandboxSecret, 500);
    const same = await Promise.all(Array.from({ length: 5 }, () => settle(app, merchant.sandboxSecret, { payment_ids: [paid.id] })));
    expect(same.map((a) => a.statusCode).sort()).toEqual([201, 422, 422, 422, 422]);
    expect((await ledgerOf(merchant.id)).available).toBe(0n);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses a body without exactly one form, unknown currencies, production keys and a merchant without a withdrawal account', async () => {
    const merchant = await ready();
    for (const body of [{}, { amount: 10, balance_currency: 'USD', payment_ids: ['payt_6819d8046mpKt'] }]) {
      const response = await settle(app, merchant.sandboxSecret, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toBe('Validation failed: provide either amount and balance_currency, or payment_ids');
    }
    expect((await settle(app, merchant.sandboxSecret, { amount: 10 })).json().message).toBe("Validation failed: Balance currency can't be blank");
    expect((await settle(app, merchant.sandboxSecret, { amount: 10, balance_currency: 'INR' })).json().code).toBe('UNSUPPORTED_CURRENCY');
    expect((await settle(app, merchant.sandboxSecret, { payment_ids: ['order_6819d8046mpKt'] })).json().code).toBe('INVALID_ID');
    expect((await settle(app, merchant.productionSecret, { amount: 10, balance_currency: 'USD' })).json().code).toBe('SETTLEMENTS_UNAVAILABLE');
    const bare = await createTestMerchant();
    await fundMerchant(bare.id, 'USD', 100n);
    expect((await settle(app, bare.sandboxSecret, { amount: 10, balance_currency: 'USD' })).json().code).toBe('NO_WITHDRAWAL_ACCOUNT');
  });
});

describeListConventions('GET /api/v1/settlements', {
  url: '/api/v1/settlements',
  contractPath: '/settlements',
  create: async (app, key, index) => {
    const { sub } = JSON.parse(Buffer.from(key.split('.')[1]!, 'base64url').toString()) as { sub: string };
    if (index === 0) {
      await registerWithdrawalAccount(app, sub);
      await fundMerchant(sub, 'USD', 100_000n);
    }
    const response = await settle(app, key, { amount: 100, balance_currency: 'USD' });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  },
});

describeSecurity('POST /api/v1/settlements', { method: 'POST', url: () => '/api/v1/settlements', payload: () => ({ amount: 100, balance_currency: 'USD' }) });
describeSecurity('POST /api/v1/settlements/mock-trigger', { method: 'POST', url: () => '/api/v1/settlements/mock-trigger' });
describeSecurity('GET /api/v1/settlements', {
  method: 'GET',
  url: () => '/api/v1/settlements?per_page=100',
  listedObject: async (app, owner) => {
    await registerWithdrawalAccount(app, owner.id);
    await fundMerchant(owner.id, 'USD', 1_000n);
    return (await settle(app, owner.sandboxSecret, { amount: 100, balance_currency: 'USD' })).json().id;
  },
});
for (const suffix of ['', '/transactions']) {
  describeSecurity(`GET /api/v1/settlements/{id}${suffix}`, {
    method: 'GET',
    url: (id) => `/api/v1/settlements/${id}${suffix}`,
    notFoundMessage: 'Settlement not found',
    idPrefix: 'setl',
    createObject: async (app, owner) => {
      await registerWithdrawalAccount(app, owner.id);
      await fundMerchant(owner.id, 'USD', 1_000n);
      return (await settle(app, owner.sandboxSecret, { amount: 100, balance_currency: 'USD' })).json().id;
    },
  });
}
