import { and, eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { events, ledgerAccounts, withdrawals } from '../../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: withdrawal accounts come from the operator API; balances from an operator adjustment.

const ACCOUNT = {
  holder_name: 'Test Arts & Crafts Pvt Ltd',
  account_number: '1234567890',
  bank_name: 'Yes Bank',
  bic_primary: 'YESBINBB',
  bic_secondary: 'YESB0000002',
  currency: 'USD',
  email: 'john@mybusiness.com',
  address_line1: '123 Main St',
  city: 'Bengaluru',
  state: 'Karnataka',
  country: 'ind',
  pincode: '560048',
};

const merchantOf = (key: string) => decodeJwt(key).sub!;

async function registerAccount(app: App, merchantId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await app.inject({
    method: 'POST', url: `/admin/v1/merchants/${merchantId}/withdrawal_accounts`, headers: bearer(ADMIN_TOKEN),
    payload: { ...ACCOUNT, env: 'sandbox', ...overrides },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

const create = (app: App, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/withdrawals', headers: bearer(key), payload });

const mockStatus = (app: App, key: string, id: string, status: string) =>
  app.inject({ method: 'PATCH', url: `/api/v1/withdrawals/${id}/mock_update_status`, headers: bearer(key), payload: { status } });

async function withdrawalOf(app: App, key: string, payload: Record<string, unknown> = { amount: 1_000, balance_currency: 'USD' }): Promise<string> {
  const response = await create(app, key, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

/** A merchant with one USD withdrawal account and `funds` USD available. */
async function readyMerchant(app: App, funds = 100_000n): Promise<TestMerchant & { accountId: string }> {
  const merchant = await createTestMerchant();
  const accountId = await registerAccount(app, merchant.id);
  if (funds > 0n) await fundMerchant(merchant.id, 'USD', funds);
  return { ...merchant, accountId };
}

/** GET /api/v1/balances in one currency: what is available (pending stays 0 here; held funds are in neither). */
async function balanceOf(app: App, key: string, currency = 'USD'): Promise<number | undefined> {
  const response = await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) });
  expect(response.statusCode).toBe(200);
  const body = response.json() as { available: { currency: string; amount: number }[]; pending: { currency: string; amount: number }[] };
  expect(body.pending.find((b) => b.currency === currency)?.amount ?? 0).toBe(0);
  return body.available.find((b) => b.currency === currency)?.amount;
}

/** The merchant's sandbox accounts of one currency by purpose (held, clearing and fees are not in GET /balances). */
async function ledger(merchantId: string, currency: string): Promise<Record<string, bigint>> {
  const { database } = await testEnv();
  const rows = await database.db.select().from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.merchantId, merchantId), eq(ledgerAccounts.env, 'sandbox'), eq(ledgerAccounts.currency, currency)));
  const of = (purpose: string) => rows.find((row) => row.purpose === purpose)?.balance ?? 0n;
  return { available: of('available'), held: of('held'), clearing: of('clearing'), fees: of('fees') };
}

async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  return database.db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq);
}

async function stored(merchantId: string) {
  const { database } = await testEnv();
  return database.db.select().from(withdrawals).where(eq(withdrawals.merchantId, merchantId));
}

// The contract types Withdrawal.id and withdrawal_account_id as `format: uuid`, yet its own examples are
// `payout_DdWpHUbOnlg` and `accwith_5JU9yv0lGSUP`: check the rest of the shape with a uuid in their place.
const UUID = '00000000-0000-4000-8000-000000000000';
const uuidIds = (w: Record<string, unknown>) => ({ ...w, id: UUID, withdrawal_account_id: UUID });
const expectWithdrawalSchema = (body: Record<string, unknown>) => expectSchema('Withdrawal', uuidIds(body));

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ID = /^payout_[0-9a-f]{8}[0-9A-Za-z]{5}$/;
const insufficient = (n: number) => ({
  error: 'Bad Request',
  message: `Account has insufficient balance to process this transaction. Additional amount required: ${n}.`,
  code: 'INSUFFICIENT_BALANCE',
});

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/withdrawals', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('withdraws in the account currency: amount + SWIFT fee held, then sent out on success with the fees', async () => {
    const merchant = await readyMerchant(app);
    const key = merchant.sandboxSecret;
    expect(await balanceOf(app, key)).toBe(100_000);

    const response = await create(app, key, { amount: 10_000, balance_currency: 'usd' });
    expect(response.statusCode, response.body).toBe(201);
    const withdrawal = response.json();
    expectResponse('post', '/withdrawals', 201, uuidIds(withdrawal));
    expect(withdrawal).toEqual({
      id: expect.stringMatching(ID),
      status: 'in_progress',
      currency: 'USD',
      amount: 10_000,
      withdrawal_account_id: merchant.accountId,
      payment_method: 'bank_transfer',
      balance_used: [{ currency: 'USD', amount: 10_000 }],
      purpose_code: 'S0000',
      mid_market_rate: [{ currency: 'USD', rate: 1 }],
      fx_fees: [{ currency: 'USD', amount: 0 }],
      txn_fees: [{ currency: 'USD', amount: 1_500 }],
      created_at: expect.stringMatching(ISO),
      updated_at: withdrawal.created_at,
    });
    // 10 000 + the 1 500 fee are held: in neither available nor pending.
    expect(await balanceOf(app, key)).toBe(88_500);
    expect(await ledger(merchant.id, 'USD')).toMatchObject({ available: 88_500n, held: 11_500n, clearing: 0n, fees: 0n });
    const created = await eventsOf(withdrawal.id);
    expect(created.map((e) => [e.entityType, e.eventType])).toEqual([['withdrawal', 'in_progress']]);
    expect(created[0]!.data).toEqual(withdrawal);
    await expectLedgerConsistent(merchant.id);

    const read = await app.inject({ method: 'GET', url: `/api/v1/withdrawals/${withdrawal.id}`, headers: bearer(key) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(withdrawal);

    const done = await mockStatus(app, key, withdrawal.id, 'success');
    expect(done.statusCode, done.body).toBe(200);
    expectWithdrawalSchema(done.json());
    expect(done.json()).toEqual({ ...withdrawal, status: 'success', updated_at: expect.stringMatching(ISO) });
    expect(await balanceOf(app, key)).toBe(88_500);
    // The amount left the platform (clearing); the fee went to fees.
    expect(await ledger(merchant.id, 'USD')).toEqual({ available: 88_500n, held: 0n, clearing: 10_000n, fees: 1_500n });
    const all = await eventsOf(withdrawal.id);
    expect(all.map((e) => [e.entityType, e.eventType])).toEqual([['withdrawal', 'in_progress'], ['withdrawal', 'success']]);
    expect(all[1]!.data).toEqual(done.json());
    await expectLedgerConsistent(merchant.id);
  });

  it('converts into another account currency at the mid rate with the markup as fx fee', async () => {
    const merchant = await createTestMerchant();
    const eur = await registerAccount(app, merchant.id, { currency: 'EUR', country: 'DEU', bic_primary: 'DEUTDEFF' });
    await registerAccount(app, merchant.id, { currency: 'GBP' });
    await fundMerchant(merchant.id, 'USD', 200_000n);
    const key = merchant.sandboxSecret;

    const response = await create(app, key, { amount: 100_000, balance_currency: 'USD', withdrawal_account_id: eur });
    expect(response.statusCode, response.body).toBe(201);
    const withdrawal = response.json();
    expectWithdrawalSchema(withdrawal);
    // fx fee ceil(100 000 × 50 bps) = 500; 99 500 USD cents × 0.92 = 91 540 EUR cents.
    expect(withdrawal).toMatchObject({
      currency: 'EUR',
      amount: 91_540,
      withdrawal_account_id: eur,
      balance_used: [{ currency: 'USD', amount: 100_000 }],
      mid_market_rate: [{ currency: 'EUR', rate: 0.92 }],
      fx_fees: [{ currency: 'USD', amount: 500 }],
      txn_fees: [{ currency: 'USD', amount: 1_500 }],
    });
    expect(await ledger(merchant.id, 'USD')).toMatchObject({ available: 98_500n, held: 101_500n });
    expect(await ledger(merchant.id, 'EUR')).toEqual({ available: 0n, held: 0n, clearing: 0n, fees: 0n });
    await expectLedgerConsistent(merchant.id);

    expect((await mockStatus(app, key, withdrawal.id, 'success')).statusCode).toBe(200);
    // Clearing gets the converted part (100 000 − 500), fees the fx fee and the transaction fee.
    expect(await ledger(merchant.id, 'USD')).toEqual({ available: 98_500n, held: 0n, clearing: 99_500n, fees: 2_000n });
    await expectLedgerConsistent(merchant.id);
  });

  it('charges the transaction fee in the balance currency (converted from USD, rounded up)', async () => {
    const merchant = await createTestMerchant();
    await registerAccount(app, merchant.id, { currency: 'EUR' });
    await fundMerchant(merchant.id, 'EUR', 50_000n);
    const response = await create(app, merchant.sandboxSecret, { amount: 10_000, balance_currency: 'EUR' });
    expect(response.statusCode, response.body).toBe(201);
    // 1 500 USD cents × 0.92 = 1 380 EUR cents; no conversion, so no fx fee.
    expect(response.json()).toMatchObject({
      currency: 'EUR', amount: 10_000, fx_fees: [{ currency: 'EUR', amount: 0 }], txn_fees: [{ currency: 'EUR', amount: 1_380 }],
    });
    expect(await ledger(merchant.id, 'EUR')).toMatchObject({ available: 38_620n, held: 11_380n });
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses what the available balance cannot cover (fee included): 400 with the shortfall, nothing stored', async () => {
    const merchant = await readyMerchant(app, 10_000n);
    const key = merchant.sandboxSecret;
    const response = await create(app, key, { amount: 10_000, balance_currency: 'USD' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(insufficient(1_500));
    expect(await stored(merchant.id)).toEqual([]);
    expect(await balanceOf(app, key)).toBe(10_000);
    // Nothing at all in a currency never funded: the shortfall is amount + fee.
    const none = await create(app, key, { amount: 100, balance_currency: 'GBP' });
    expect(none.json()).toEqual(insufficient(100 + 1_185));
    // Exactly enough passes.
    expect((await create(app, key, { amount: 8_500, balance_currency: 'USD' })).statusCode).toBe(201);
    expect(await balanceOf(app, key)).toBe(0);
    await expectLedgerConsistent(merchant.id);
  });

  it('serialises concurrent withdrawals: exactly those the balance covers succeed', async () => {
    // Each takes 10 000 + 1 500; 40 000 covers three, leaving 5 500.
    const merchant = await readyMerchant(app, 40_000n);
    const key = merchant.sandboxSecret;
    const responses = await Promise.all(Array.from({ length: 10 }, () => create(app, key, { amount: 10_000, balance_currency: 'USD' })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 400, 400, 400, 400, 400, 400, 400]);
    for (const refused of responses.filter((r) => r.statusCode === 400)) expect(refused.json()).toEqual(insufficient(6_000));
    expect(await stored(merchant.id)).toHaveLength(3);
    expect(await ledger(merchant.id, 'USD')).toMatchObject({ available: 5_500n, held: 34_500n });
    await expectLedgerConsistent(merchant.id);
  });

  it('picks the withdrawal account: the only one by default, a named one otherwise', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await fundMerchant(merchant.id, 'USD', 100_000n);
    const body = { amount: 1_000, balance_currency: 'USD' };

    const none = await create(app, key, body);
    expect(none.statusCode).toBe(400);
    expect(none.json()).toEqual({ error: 'Bad Request', message: 'No withdrawal account is registered: contact support to add one', code: 'NO_WITHDRAWAL_ACCOUNT' });
    // A production account does not count for sandbox.
    await registerAccount(app, merchant.id, { env: 'production' });
    expect((await create(app, key, body)).json().code).toBe('NO_WITHDRAWAL_ACCOUNT');

    const first = await registerAccount(app, merchant.id);
    expect((await create(app, key, body)).json().withdrawal_account_id).toBe(first);
    const second = await registerAccount(app, merchant.id, { currency: 'GBP' });
    const several = await create(app, key, body);
    expect(several.statusCode).toBe(400);
    expect(several.json()).toEqual({
      error: 'Bad Request',
      message: "Validation failed: Withdrawal account id can't be blank when there are several withdrawal accounts",
      code: 'VALIDATION_FAILED',
    });
    expect((await create(app, key, { ...body, withdrawal_account_id: ` ${second} ` })).json()).toMatchObject({ withdrawal_account_id: second, currency: 'GBP' });
    expect(await stored(merchant.id)).toHaveLength(2);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses other tenants\' accounts, bad ids, currencies and bodies', async () => {
    const merchant = await readyMerchant(app);
    const key = merchant.sandboxSecret;
    const other = await createTestMerchant();
    const othersAccount = await registerAccount(app, other.id);
    const productionAccount = await registerAccount(app, merchant.id, { env: 'production' });
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ withdrawal_account_id: othersAccount }, 404, 'Withdrawal account not found', 'NOT_FOUND'],
      [{ withdrawal_account_id: productionAccount }, 404, 'Withdrawal account not found', 'NOT_FOUND'],
      [{ withdrawal_account_id: 'accwith_6819d804aaaaa' }, 404, 'Withdrawal account not found', 'NOT_FOUND'],
      [{ withdrawal_account_id: 'bene_6819d804aaaaa' }, 400, "Id must start with 'accwith_'", 'INVALID_ID'],
      [{ balance_currency: 'XYZ' }, 400, 'Validation failed: Balance currency must be a valid ISO 4217 currency code (e.g., USD)', 'VALIDATION_FAILED'],
      [{ balance_currency: ' ' }, 400, "Validation failed: Balance currency can't be blank", 'VALIDATION_FAILED'],
      [{ balance_currency: 'INR' }, 400, 'Currency INR is not supported for withdrawals', 'UNSUPPORTED_CURRENCY'],
      [{ amount: 1 }, 201, '', ''],
    ];
    for (const [overrides, status, message, code] of cases) {
      const response = await create(app, key, { amount: 1_000, balance_currency: 'USD', ...overrides });
      expect(response.statusCode, JSON.stringify(overrides)).toBe(status);
      if (status !== 201) expect(response.json(), JSON.stringify(overrides)).toEqual({ error: status === 404 ? 'Not Found' : 'Bad Request', message, code });
    }
    // Too small to convert once the markup is taken.
    const eur = await registerAccount(app, merchant.id, { currency: 'EUR' });
    const tiny = await create(app, key, { amount: 1, balance_currency: 'USD', withdrawal_account_id: eur });
    expect(tiny.json()).toEqual({ error: 'Bad Request', message: 'Amount is too small to convert', code: 'AMOUNT_TOO_SMALL' });
    for (const payload of [{ amount: 0, balance_currency: 'USD' }, { amount: '1000', balance_currency: 'USD' }, { amount: 1.5, balance_currency: 'USD' }, { balance_currency: 'USD' }, { amount: 1_000 }]) {
      const response = await create(app, key, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code, JSON.stringify(payload)).toBe('VALIDATION_FAILED');
    }
    expect(await stored(merchant.id)).toHaveLength(1);
    await expectLedgerConsistent(merchant.id);
  });
});

describe('PATCH /api/v1/withdrawals/{id}/mock_update_status', () => {
  let app: App;
  let merchant: TestMerchant & { accountId: string };
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await readyMerchant(app, 1_000_000n);
  });

  it('fails a withdrawal: amount and fee back to available, the failed event', async () => {
    const key = merchant.sandboxSecret;
    const before = await ledger(merchant.id, 'USD');
    const id = await withdrawalOf(app, key, { amount: 20_000, balance_currency: 'USD' });
    expect(await ledger(merchant.id, 'USD')).toMatchObject({ available: before.available! - 21_500n, held: before.held! + 21_500n });
    const response = await mockStatus(app, key, id, 'failed');
    expect(response.statusCode, response.body).toBe(200);
    expectWithdrawalSchema(response.json());
    expect(response.json()).toMatchObject({ id, status: 'failed' });
    expect(await ledger(merchant.id, 'USD')).toEqual(before);
    expect((await eventsOf(id)).map((e) => e.eventType)).toEqual(['in_progress', 'failed']);
    await expectLedgerConsistent(merchant.id);
  });

  it('allows only in_progress -> success | failed: anything else is State change not allowed, money untouched', async () => {
    const key = merchant.sandboxSecret;
    const succeeded = await withdrawalOf(app, key);
    const failed = await withdrawalOf(app, key);
    expect((await mockStatus(app, key, succeeded, 'success')).statusCode).toBe(200);
    expect((await mockStatus(app, key, failed, 'failed')).statusCode).toBe(200);
    const before = await ledger(merchant.id, 'USD');
    for (const id of [succeeded, failed]) {
      for (const status of ['success', 'failed']) {
        const response = await mockStatus(app, key, id, status);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({ error: 'Bad Request', message: 'State change not allowed', code: 'INVALID_STATE' });
      }
    }
    expect(await ledger(merchant.id, 'USD')).toEqual(before);
    expect((await eventsOf(succeeded)).map((e) => e.eventType)).toEqual(['in_progress', 'success']);
    expect((await eventsOf(failed)).map((e) => e.eventType)).toEqual(['in_progress', 'failed']);
    await expectLedgerConsistent(merchant.id);
  });

  it('lets one of concurrent updates win', async () => {
    const key = merchant.sandboxSecret;
    const id = await withdrawalOf(app, key, { amount: 500, balance_currency: 'USD' });
    const responses = await Promise.all(['success', 'failed', 'success', 'failed', 'success'].map((status) => mockStatus(app, key, id, status)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 400, 400, 400, 400]);
    const winner = responses.find((r) => r.statusCode === 200)!.json();
    expect((await eventsOf(id)).map((e) => e.eventType)).toEqual(['in_progress', winner.status]);
    const read = await app.inject({ method: 'GET', url: `/api/v1/withdrawals/${id}`, headers: bearer(key) });
    expect(read.json().status).toBe(winner.status);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses other statuses, unknown withdrawals and wrong prefixes', async () => {
    const key = merchant.sandboxSecret;
    const id = await withdrawalOf(app, key);
    for (const status of ['in_progress', 'cancelled', 'SUCCESS']) {
      const response = await mockStatus(app, key, id, status);
      expect(response.statusCode, status).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
    }
    const other = await createTestMerchant();
    for (const [k, target] of [[other.sandboxSecret, id], [key, 'payout_6819d804aaaaa']] as const) {
      const response = await mockStatus(app, k, target, 'success');
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'Not Found', message: 'Withdrawal not found', code: 'NOT_FOUND' });
    }
    const wrong = await mockStatus(app, key, 'refund_6819d804aaaaa', 'success');
    expect(wrong.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'payout_'", code: 'INVALID_ID' });
    expect((await app.inject({ method: 'GET', url: `/api/v1/withdrawals/${id}`, headers: bearer(key) })).json().status).toBe('in_progress');
  });

  it('answers the production key 404 as an unknown route, before validating the body', async () => {
    const id = await withdrawalOf(app, merchant.sandboxSecret);
    const response = await app.inject({
      method: 'PATCH', url: `/api/v1/withdrawals/${id}/mock_update_status`, headers: bearer(merchant.productionSecret), payload: {},
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: `Route PATCH /api/v1/withdrawals/${id}/mock_update_status not found`, code: 'ROUTE_NOT_FOUND' });
  });
});

describe('GET /api/v1/withdrawals', () => {
  let app: App;
  let merchant: TestMerchant & { accountId: string };
  let gbp: string;
  let ids: { a: string; b: string; c: string };
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await readyMerchant(app);
    gbp = await registerAccount(app, merchant.id, { currency: 'GBP' });
    const key = merchant.sandboxSecret;
    const usd = { amount: 1_000, balance_currency: 'USD', withdrawal_account_id: merchant.accountId };
    ids = { a: await withdrawalOf(app, key, usd), b: await withdrawalOf(app, key, { ...usd, withdrawal_account_id: gbp }), c: await withdrawalOf(app, key, usd) };
    expect((await mockStatus(app, key, ids.a, 'success')).statusCode).toBe(200);
  });

  const list = (query: string) => app.inject({ method: 'GET', url: `/api/v1/withdrawals${query}`, headers: bearer(merchant.sandboxSecret) });
  const listed = async (query: string) => {
    const response = await list(query);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data as { id: string }[]).map((w) => w.id);
  };

  it('filters by withdrawal account and status', async () => {
    expect(await listed('')).toEqual([ids.c, ids.b, ids.a]);
    expect(await listed(`?withdrawal_account_id=${merchant.accountId}`)).toEqual([ids.c, ids.a]);
    expect(await listed(`?withdrawal_account_id=${gbp}`)).toEqual([ids.b]);
    expect(await listed('?status=in_progress')).toEqual([ids.c, ids.b]);
    expect(await listed('?status=success')).toEqual([ids.a]);
    expect(await listed('?status=under_review')).toEqual([]);
    expect(await listed(`?status=success&withdrawal_account_id=${gbp}`)).toEqual([]);
    const bad = await list('?status=pending');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });
});

describeListConventions('GET /api/v1/withdrawals', {
  url: '/api/v1/withdrawals',
  checkPage: (body) => {
    const page = body as { data: Record<string, unknown>[] };
    expectResponse('get', '/withdrawals', 200, { ...page, data: page.data.map(uuidIds) });
  },
  create: async (app, key, index) => {
    if (index === 0) {
      await registerAccount(app, merchantOf(key));
      await fundMerchant(merchantOf(key), 'USD', 1_000_000n);
    }
    return withdrawalOf(app, key);
  },
});

describe('GET /api/v1/withdrawal_accounts and /{id}', () => {
  it('answers the merchant\'s accounts as the contract\'s WithdrawalAccount, optional fields omitted when unset', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const full = await registerAccount(app, merchant.id);
    const bare = await registerAccount(app, merchant.id, {
      bic_primary: undefined, bic_secondary: undefined, email: undefined, address_line1: undefined, city: undefined, state: undefined, pincode: undefined,
    });
    const key = merchant.sandboxSecret;
    const read = await app.inject({ method: 'GET', url: `/api/v1/withdrawal_accounts/${full}`, headers: bearer(key) });
    expect(read.statusCode).toBe(200);
    expectResponse('get', '/withdrawal_accounts/{id}', 200, read.json());
    expect(read.json()).toEqual({
      id: full, ...ACCOUNT, country: 'IND', created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO),
    });
    const listed = await app.inject({ method: 'GET', url: '/api/v1/withdrawal_accounts', headers: bearer(key) });
    expectResponse('get', '/withdrawal_accounts', 200, listed.json());
    expect(listed.json().data.map((a: { id: string }) => a.id)).toEqual([bare, full]);
    expect(listed.json().data[0]).toEqual({
      id: bare, holder_name: ACCOUNT.holder_name, account_number: ACCOUNT.account_number, bank_name: ACCOUNT.bank_name, currency: 'USD',
      country: 'IND', created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO),
    });
  });
});

describeListConventions('GET /api/v1/withdrawal_accounts', {
  url: '/api/v1/withdrawal_accounts',
  contractPath: '/withdrawal_accounts',
  create: async (app, key) => registerAccount(app, merchantOf(key)),
});

describeSecurity('GET /api/v1/withdrawal_accounts', {
  method: 'GET',
  url: () => '/api/v1/withdrawal_accounts',
  listedObject: async (app, owner) => registerAccount(app, owner.id),
});

describeSecurity('GET /api/v1/withdrawal_accounts/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/withdrawal_accounts/${id}`,
  createObject: async (app, owner) => registerAccount(app, owner.id),
  notFoundMessage: 'Withdrawal account not found',
  idPrefix: 'accwith',
});

describeSecurity('POST /api/v1/withdrawals', {
  method: 'POST',
  url: () => '/api/v1/withdrawals',
  payload: () => ({ amount: 1_000, balance_currency: 'USD' }),
});

describeSecurity('GET /api/v1/withdrawals', {
  method: 'GET',
  url: () => '/api/v1/withdrawals',
  listedObject: async (app, owner) => {
    await registerAccount(app, owner.id);
    await fundMerchant(owner.id, 'USD', 10_000n);
    return withdrawalOf(app, owner.sandboxSecret);
  },
});

describeSecurity('GET /api/v1/withdrawals/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/withdrawals/${id}`,
  createObject: async (app, owner) => {
    await registerAccount(app, owner.id);
    await fundMerchant(owner.id, 'USD', 10_000n);
    return withdrawalOf(app, owner.sandboxSecret);
  },
  notFoundMessage: 'Withdrawal not found',
  idPrefix: 'payout',
});

// The production key gets the unknown-route 404 (tested above), so the object cases are tested by hand there.
describeSecurity('PATCH /api/v1/withdrawals/{id}/mock_update_status', {
  method: 'PATCH',
  url: () => '/api/v1/withdrawals/payout_6819d804aaaaa/mock_update_status',
  payload: () => ({ status: 'success' }),
});
