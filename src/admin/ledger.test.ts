import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { ManualClock } from '../core/clock.js';
import type { Environment } from '../db/schema/columns.js';
import { events, ledgerAccounts, ledgerEntries, ledgerJournals } from '../db/schema/index.js';
import { getBalances, verifyLedger, type LedgerReport } from '../ledger/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant } from '../../test/support/app.js';
import { expectAdminAbsentWithoutToken, expectAdminAuthRefused } from '../../test/support/admin.js';
import { testEnv } from '../../test/support/env.js';
import { presentLedgerReport } from './ledger-routes.js';

interface AdjustmentJson {
  id: string;
  merchant_id: string;
  env: Environment;
  direction: 'credit' | 'debit';
  currency: string;
  amount: number;
  reason: string;
  journal_id: string;
  created_at: string;
}

interface ReportJson {
  ok: boolean;
  scope: { merchant_id: string | null };
  counts: { accounts: number; journals: number; entries: number; holds: number };
  problems: Array<Record<string, string>>;
}

const admin = bearer(ADMIN_TOKEN);
const ADJUSTMENT_ID = /^adj_[0-9a-f]{8}[0-9A-Za-z]{16}$/;
const UNKNOWN_MERCHANT = 'merch_00000001aaaaa';
const insufficient = (shortfall: bigint | number) => ({
  error: 'Bad Request',
  message: `Account has insufficient balance to process this transaction. Additional amount required: ${shortfall}.`,
  code: 'INSUFFICIENT_BALANCE',
});

const adjustmentBody = (overrides: Record<string, unknown> = {}) => ({
  direction: 'credit',
  currency: 'USD',
  amount: 100000,
  reason: 'Opening balance for the pilot',
  ...overrides,
});

async function available(merchantId: string, env: Environment = 'sandbox') {
  const { database } = await testEnv();
  const balances = await getBalances(database.db, { merchantId, env });
  return Object.fromEntries(balances.available.map((b) => [b.currency, b.amount]));
}

function adjust(app: App, merchantId: string, payload: unknown, headers: Record<string, string> = admin) {
  return app.inject({
    method: 'POST',
    url: `/admin/v1/merchants/${merchantId}/adjustments`,
    headers,
    payload: payload as Record<string, unknown>,
  });
}

async function adjusted(app: App, merchantId: string, overrides: Record<string, unknown> = {}): Promise<AdjustmentJson> {
  const response = await adjust(app, merchantId, adjustmentBody(overrides));
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as AdjustmentJson;
}

describe('POST /admin/v1/merchants/{id}/adjustments', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('credits the sandbox available balance (201) and the balance really changes', async () => {
    const merchant = await createTestMerchant();
    expect(await available(merchant.id)).toEqual({});
    const adjustment = await adjusted(app, merchant.id);
    expect(adjustment.id).toMatch(ADJUSTMENT_ID);
    expect(adjustment).toMatchObject({
      merchant_id: merchant.id, env: 'sandbox', direction: 'credit', currency: 'USD', amount: 100000, reason: 'Opening balance for the pilot',
    });
    expect(adjustment.journal_id).toMatch(/^jrnl_/);
    expect(adjustment.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Object.keys(adjustment).sort()).toEqual(['amount', 'created_at', 'currency', 'direction', 'env', 'id', 'journal_id', 'merchant_id', 'reason']);
    expect(await available(merchant.id)).toEqual({ USD: 100000n });
    expect(await available(merchant.id, 'production')).toEqual({});
  });

  it('leaves an audit trail: a journal of kind adjustment caused by the adjustment, with the reason as memo', async () => {
    const { database } = await testEnv();
    const merchant = await createTestMerchant();
    const adjustment = await adjusted(app, merchant.id, { amount: 2500, reason: 'Goodwill credit, ticket 4411' });
    const [journal] = await database.db.select().from(ledgerJournals).where(eq(ledgerJournals.id, adjustment.journal_id));
    expect(journal).toMatchObject({
      merchantId: merchant.id, env: 'sandbox', kind: 'adjustment', causeType: 'adjustment', causeId: adjustment.id, memo: 'Goodwill credit, ticket 4411',
    });
    const entries = await database.db
      .select({ amount: ledgerEntries.amount, purpose: ledgerAccounts.purpose, currency: ledgerEntries.currency })
      .from(ledgerEntries)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
      .where(eq(ledgerEntries.journalId, adjustment.journal_id));
    expect(entries.sort((a, b) => a.purpose.localeCompare(b.purpose))).toEqual([
      { amount: -2500n, purpose: 'adjustments', currency: 'USD' },
      { amount: 2500n, purpose: 'available', currency: 'USD' },
    ]);
    // The merchant is told in the same transaction, without the operator's reason.
    const recorded = await database.db.select().from(events).where(eq(events.entityId, adjustment.id));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      merchantId: merchant.id, env: 'sandbox', entityType: 'balance', eventType: 'adjusted',
      data: { id: adjustment.id, direction: 'credit', currency: 'USD', amount: 2500, created_at: adjustment.created_at },
    });
    expect(recorded[0]!.data).not.toHaveProperty('reason');
  });

  it('debits within the balance, normalises the currency and trims the reason', async () => {
    const merchant = await createTestMerchant();
    await adjusted(app, merchant.id, { currency: 'jpy', amount: 5000 });
    const debit = await adjusted(app, merchant.id, { direction: 'debit', currency: ' Jpy ', amount: 5000, reason: '  Reversal of test credit  ' });
    expect(debit).toMatchObject({ direction: 'debit', currency: 'JPY', amount: 5000, reason: 'Reversal of test credit' });
    expect(await available(merchant.id)).toEqual({ JPY: 0n });
  });

  it('adjusts the production ledger with env production, leaving sandbox alone', async () => {
    const merchant = await createTestMerchant();
    const credit = await adjusted(app, merchant.id, { env: 'production', currency: 'EUR', amount: 700 });
    expect(credit.env).toBe('production');
    expect(await available(merchant.id, 'production')).toEqual({ EUR: 700n });
    expect(await available(merchant.id, 'sandbox')).toEqual({});
  });

  it('answers the largest JSON-safe amount exactly', async () => {
    const merchant = await createTestMerchant();
    const response = await adjust(app, merchant.id, adjustmentBody({ amount: Number.MAX_SAFE_INTEGER }));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.body).toContain('"amount":9007199254740991,');
    expect(await available(merchant.id)).toEqual({ USD: 9007199254740991n });
  });

  it('refuses a debit beyond the available balance with 400 INSUFFICIENT_BALANCE and changes nothing', async () => {
    const merchant = await createTestMerchant();
    await adjusted(app, merchant.id, { amount: 1000 });
    const response = await adjust(app, merchant.id, adjustmentBody({ direction: 'debit', amount: 1250 }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(insufficient(250));
    expect(await available(merchant.id)).toEqual({ USD: 1000n });
    const list = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}/adjustments`, headers: admin });
    expect(list.json().data).toHaveLength(1);
  });

  it('refuses a debit in a currency never held, without leaving an empty balance behind', async () => {
    const merchant = await createTestMerchant();
    const response = await adjust(app, merchant.id, adjustmentBody({ direction: 'debit', currency: 'GBP', amount: 99 }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(insufficient(99));
    expect(await available(merchant.id)).toEqual({});
    const report = (await app.inject({ method: 'GET', url: `/admin/v1/ledger/verify?merchant_id=${merchant.id}`, headers: admin })).json();
    expect(report.counts).toEqual({ accounts: 0, journals: 0, entries: 0, holds: 0 });
  });

  it.each([
    [{ direction: undefined }, "Validation failed: Direction can't be blank"],
    [{ direction: 'refund' }, 'Validation failed: Direction must be one of: credit, debit'],
    [{ currency: undefined }, "Validation failed: Currency can't be blank"],
    [{ currency: 'US' }, 'Validation failed: Currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [{ currency: 'XYZ' }, 'Validation failed: Currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [{ currency: 'XAU' }, 'Validation failed: Currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [{ currency: 840 }, 'Validation failed: Currency must be a string'],
    [{ amount: undefined }, "Validation failed: Amount can't be blank"],
    [{ amount: 0 }, 'Validation failed: Amount must be between 1 and 9007199254740991'],
    [{ amount: -100 }, 'Validation failed: Amount must be between 1 and 9007199254740991'],
    [{ amount: 9007199254740992 }, 'Validation failed: Amount must be between 1 and 9007199254740991'],
    [{ amount: 1e21 }, 'Validation failed: Amount must be between 1 and 9007199254740991'],
    [{ amount: 10.5 }, 'Validation failed: Amount must be an integer'],
    [{ amount: '100' }, 'Validation failed: Amount must be an integer'],
    [{ reason: undefined }, "Validation failed: Reason can't be blank"],
    [{ reason: '' }, "Validation failed: Reason can't be blank"],
    [{ reason: '  \n ' }, "Validation failed: Reason can't be blank"],
    [{ reason: 'x'.repeat(501) }, 'Validation failed: Reason is too long (maximum is 500 characters)'],
    [{ env: 'staging' }, 'Validation failed: Env must be one of: sandbox, production'],
    [{ memo: 'extra' }, "Validation failed: Unknown field 'memo'"],
  ])('rejects %o with 400 and moves no money', async (overrides, message) => {
    const merchant = await createTestMerchant();
    const response = await adjust(app, merchant.id, adjustmentBody(overrides));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message, code: 'VALIDATION_FAILED' });
    expect(await available(merchant.id)).toEqual({});
  });

  it('accepts a reason of exactly 500 characters', async () => {
    const merchant = await createTestMerchant();
    expect((await adjusted(app, merchant.id, { reason: 'r'.repeat(500) })).reason).toHaveLength(500);
  });

  it('answers 400 for a missing, non-object or malformed body', async () => {
    const merchant = await createTestMerchant();
    const url = `/admin/v1/merchants/${merchant.id}/adjustments`;
    const json = { ...admin, 'content-type': 'application/json' };
    const none = await app.inject({ method: 'POST', url, headers: admin });
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ error: 'Bad Request', code: 'VALIDATION_FAILED' });
    const array = await app.inject({ method: 'POST', url, headers: json, payload: '[1]' });
    expect(array.json()).toMatchObject({ message: 'Validation failed: Request body must be a JSON object' });
    const malformed = await app.inject({ method: 'POST', url, headers: json, payload: '{"amount":' });
    expect(malformed.json()).toMatchObject({ message: 'Malformed JSON in request body' });
    // A number beyond 2^53 cannot be represented exactly; it is refused, never rounded into a different amount.
    const huge = await app.inject({ method: 'POST', url, headers: json, payload: JSON.stringify(adjustmentBody()).replace('100000', '9007199254740993') });
    expect(huge.json()).toMatchObject({ message: 'Validation failed: Amount must be between 1 and 9007199254740991' });
    expect(await available(merchant.id)).toEqual({});
  });

  it('answers 404 for an unknown merchant and 400 for another id prefix', async () => {
    const unknown = await adjust(app, UNKNOWN_MERCHANT, adjustmentBody());
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    const wrong = await adjust(app, 'cust_6819d7d0lrLvP', adjustmentBody());
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

describe('GET /admin/v1/merchants/{id}/adjustments', () => {
  let app: App;
  let merchantId: string;
  const made: AdjustmentJson[] = [];
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000));

  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
    merchantId = (await createTestMerchant(clock)).id;
    const bodies = [
      { amount: 100 },
      { env: 'production', amount: 200 },
      { amount: 300, currency: 'EUR' },
      { direction: 'debit', amount: 50 },
      { env: 'production', direction: 'debit', amount: 20 },
    ];
    for (const body of bodies) {
      clock.advance(1000);
      made.push(await adjusted(app, merchantId, body));
    }
    // Another merchant's adjustment never shows.
    await adjusted(app, (await createTestMerchant(clock)).id);
  });

  const list = (query = '', id = merchantId) =>
    app.inject({ method: 'GET', url: `/admin/v1/merchants/${id}/adjustments${query}`, headers: admin });
  const ids = (body: { data: AdjustmentJson[] }) => body.data.map((a) => a.id);

  it('lists both environments newest first with page_meta', async () => {
    const response = await list();
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(ids(body)).toEqual([...made].reverse().map((a) => a.id));
    expect(body.page_meta).toEqual({ current: 1, previous: null, next: null, per_page: 20, pages: 1, count: 5 });
    expect(body.data[0]).toEqual(made[4]);
  });

  it('filters by env', async () => {
    const production = (await list('?env=production')).json();
    expect(ids(production)).toEqual([made[4]!.id, made[1]!.id]);
    expect(production.page_meta.count).toBe(2);
    const sandbox = (await list('?env=sandbox')).json();
    expect(ids(sandbox)).toEqual([made[3]!.id, made[2]!.id, made[0]!.id]);
    expect(await available(merchantId)).toEqual({ EUR: 300n, USD: 50n });
    expect(await available(merchantId, 'production')).toEqual({ USD: 180n });
  });

  it('pages with page and per_page', async () => {
    const second = (await list('?per_page=2&page=2')).json();
    expect(ids(second)).toEqual([made[2]!.id, made[1]!.id]);
    expect(second.page_meta).toEqual({ current: 2, previous: 1, next: 3, per_page: 2, pages: 3, count: 5 });
  });

  it('answers an empty list for a merchant without adjustments', async () => {
    const fresh = await createTestMerchant();
    const body = (await list('', fresh.id)).json();
    expect(body).toEqual({ data: [], page_meta: { current: 1, previous: null, next: null, per_page: 20, pages: 0, count: 0 } });
  });

  it('answers 400 for a bad env or page, 404 for an unknown merchant, 400 for another prefix', async () => {
    const env = await list('?env=staging');
    expect(env.statusCode).toBe(400);
    expect(env.json()).toMatchObject({ message: 'Validation failed: Env must be one of: sandbox, production' });
    expect((await list('?page=0')).statusCode).toBe(400);
    const unknown = await list('', UNKNOWN_MERCHANT);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    const wrong = await list('', 'cust_6819d7d0lrLvP');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

class Rollback extends Error {}

/** Runs fn in a transaction that is always rolled back: the shared database never sees what fn wrote. */
async function inRolledBackTransaction(fn: Parameters<Awaited<ReturnType<typeof testEnv>>['database']['db']['transaction']>[0]): Promise<void> {
  const { database } = await testEnv();
  await expect(
    database.db.transaction(async (tx) => {
      await fn(tx);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
}

describe('GET /admin/v1/ledger/verify', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  const verify = (query = '') => app.inject({ method: 'GET', url: `/admin/v1/ledger/verify${query}`, headers: admin });

  it("answers ok with the merchant's counts on a healthy ledger", async () => {
    const merchant = await createTestMerchant();
    await adjusted(app, merchant.id, { amount: 1000 });
    await adjusted(app, merchant.id, { direction: 'debit', amount: 400 });
    const response = await verify(`?merchant_id=${merchant.id}`);
    expect(response.statusCode).toBe(200);
    // available + adjustments accounts in USD sandbox; two journals of two entries each.
    expect(response.json()).toEqual({
      ok: true, scope: { merchant_id: merchant.id }, counts: { accounts: 2, journals: 2, entries: 4, holds: 0 }, problems: [],
    });
  });

  it('checks the whole ledger without merchant_id', async () => {
    const merchant = await createTestMerchant();
    await adjusted(app, merchant.id);
    const response = await verify();
    expect(response.statusCode).toBe(200);
    const report = response.json() as ReportJson;
    expect(report.scope).toEqual({ merchant_id: null });
    expect(report.counts.accounts).toBeGreaterThanOrEqual(2);
    expect(report.counts.journals).toBeGreaterThanOrEqual(1);
    // Other test files share the database; none of them may leave it inconsistent either.
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('reports a corrupted balance naming its account (inside a transaction that is rolled back)', async () => {
    const merchant = await createTestMerchant();
    await adjusted(app, merchant.id, { amount: 1000 });
    let corrupted: LedgerReport | undefined;
    let accountId: string | undefined;
    await inRolledBackTransaction(async (tx) => {
      const [account] = await tx
        .update(ledgerAccounts)
        .set({ balance: sql`${ledgerAccounts.balance} + 1` })
        .where(sql`${ledgerAccounts.merchantId} = ${merchant.id} and ${ledgerAccounts.purpose} = 'available'`)
        .returning({ id: ledgerAccounts.id });
      accountId = account!.id;
      corrupted = await verifyLedger(tx, { merchantId: merchant.id });
    });
    expect(corrupted!.ok).toBe(false);
    const presented = presentLedgerReport(corrupted!);
    expect(presented).toMatchObject({ ok: false, scope: { merchant_id: merchant.id }, counts: { accounts: 2, journals: 1, entries: 2, holds: 0 } });
    expect(presented.problems).toEqual([
      {
        check: 'balance_mismatch',
        merchant_id: merchant.id,
        env: 'sandbox',
        currency: 'USD',
        account_id: accountId,
        purpose: 'available',
        detail: `account ${accountId} (${merchant.id} sandbox USD available) stores 1001 but its entries sum to 1000`,
      },
    ]);
    // The rollback left the shared database as it was.
    expect((await verify(`?merchant_id=${merchant.id}`)).json()).toMatchObject({ ok: true, problems: [] });
    expect(await available(merchant.id)).toEqual({ USD: 1000n });
  });

  it('presents a failed report in snake_case, leaving out the fields a problem does not have', () => {
    const report: LedgerReport = {
      ok: false,
      scope: { merchantId: null },
      counts: { accounts: 4, journals: 3, entries: 6, holds: 1 },
      problems: [
        { check: 'journal_unbalanced', journalId: 'jrnl_1', currency: 'USD', detail: 'entries of journal jrnl_1 sum to 5 USD, not 0' },
        { check: 'currency_unbalanced', currency: 'EUR', detail: 'entries in EUR sum to -3, not 0' },
        { check: 'hold_resolved_twice', holdId: 'hold_1', merchantId: 'merch_1', env: 'production', currency: 'USD', detail: 'hold hold_1 was resolved 2 times' },
      ],
    };
    expect(presentLedgerReport(report)).toEqual({
      ok: false,
      scope: { merchant_id: null },
      counts: { accounts: 4, journals: 3, entries: 6, holds: 1 },
      problems: [
        { check: 'journal_unbalanced', journal_id: 'jrnl_1', currency: 'USD', detail: 'entries of journal jrnl_1 sum to 5 USD, not 0' },
        { check: 'currency_unbalanced', currency: 'EUR', detail: 'entries in EUR sum to -3, not 0' },
        { check: 'hold_resolved_twice', hold_id: 'hold_1', merchant_id: 'merch_1', env: 'production', currency: 'USD', detail: 'hold hold_1 was resolved 2 times' },
      ],
    });
  });

  it('answers 404 for an unknown merchant_id and 400 for another prefix', async () => {
    const unknown = await verify(`?merchant_id=${UNKNOWN_MERCHANT}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    const wrong = await verify('?merchant_id=cust_6819d7d0lrLvP');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

describe('/admin/v1 ledger routes: security', () => {
  let app: App;
  let merchant: Awaited<ReturnType<typeof createTestMerchant>>;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const routes = () => [
    { method: 'POST' as const, url: `/admin/v1/merchants/${merchant.id}/adjustments`, payload: adjustmentBody() },
    { method: 'GET' as const, url: `/admin/v1/merchants/${merchant.id}/adjustments` },
    { method: 'GET' as const, url: '/admin/v1/ledger/verify' },
    { method: 'GET' as const, url: `/admin/v1/ledger/verify?merchant_id=${merchant.id}` },
  ];

  it('answers 401 Missing token without a token, and 401 for a wrong token or a merchant key', async () => {
    await expectAdminAuthRefused(app, routes(), merchant.sandboxSecret);
    // None of the refused credits moved money.
    expect(await available(merchant.id)).toEqual({});
  });

  it('is not mounted without ADMIN_TOKEN', async () => {
    await expectAdminAbsentWithoutToken(routes());
    expect(await available(merchant.id)).toEqual({});
  });

  it('is not reachable with a merchant key on the merchant API prefix', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/ledger/verify', headers: bearer(merchant.sandboxSecret) });
    expect(response.statusCode).toBe(404);
  });
});
