import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ledgerAccounts, ledgerAdjustments, ledgerEntries, ledgerJournals } from '../db/schema/index.js';
import type { Tenant } from '../core/tenancy.js';
import { adjustBalance, findAdjustment, getBalances, holdFunds, LedgerInvariantError, postJournal, verifyLedger, type EntryInput } from './index.js';
import {
  accountId,
  balanceMaps,
  clock,
  database,
  inRolledBackTx,
  inTx,
  journalsForCause,
  newTenant,
  refusal,
  seed,
  storedBalance,
  uniqueCause,
} from '../../test/support/ledger-helpers.js';

const transfer = (tenant: Tenant, entries: EntryInput[], cause = uniqueCause('transfer')) =>
  inTx((tx) => postJournal({ tx, clock, tenant }, { kind: 'transfer', cause, entries }));

describe('postJournal', () => {
  it('moves the balances of a balanced journal, in getBalances and in the stored account balances', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 10_000n);
    const cause = uniqueCause('transfer');
    const result = await transfer(
      tenant,
      [
        { account: { purpose: 'available', currency: 'USD' }, amount: -2_500n },
        { account: { purpose: 'pending', currency: 'USD' }, amount: 2_500n },
      ],
      cause,
    );
    expect(result).toMatchObject({ ok: true, journal: { kind: 'transfer', id: expect.stringMatching(/^jrnl_/) } });

    expect(await getBalances((await database()).db, tenant)).toEqual({
      available: [{ currency: 'USD', amount: 7_500n }],
      pending: [{ currency: 'USD', amount: 2_500n }],
    });
    expect(await storedBalance(tenant, 'USD', 'available')).toBe(7_500n);
    expect(await storedBalance(tenant, 'USD', 'pending')).toBe(2_500n);
    // The seed's other leg: platform-side accounts may go negative.
    expect(await storedBalance(tenant, 'USD', 'adjustments')).toBe(-10_000n);

    const { db } = await database();
    const journalId = result.ok ? result.journal.id : '';
    const [journal] = await db.select().from(ledgerJournals).where(eq(ledgerJournals.id, journalId));
    expect(journal).toMatchObject({ merchantId: tenant.merchantId, env: 'sandbox', kind: 'transfer', causeType: cause.type, causeId: cause.id });
    const entries = await db.select().from(ledgerEntries).where(eq(ledgerEntries.journalId, journalId));
    expect(entries.map((e) => ({ accountId: e.accountId, amount: e.amount, currency: e.currency })).sort((a, b) => Number(a.amount - b.amount))).toEqual([
      { accountId: await accountId(tenant, 'USD', 'available'), amount: -2_500n, currency: 'USD' },
      { accountId: await accountId(tenant, 'USD', 'pending'), amount: 2_500n, currency: 'USD' },
    ]);
  });

  it('seeds money by crediting available against clearing, and nets several entries on one account', async () => {
    const tenant = await newTenant();
    const seeded = await transfer(tenant, [
      { account: { purpose: 'available', currency: 'JPY' }, amount: 300n },
      { account: { purpose: 'available', currency: 'JPY' }, amount: 200n },
      { account: { purpose: 'clearing', currency: 'JPY' }, amount: -500n },
    ]);
    expect(seeded.ok).toBe(true);
    expect(await balanceMaps(tenant)).toEqual({ available: { JPY: 500n }, pending: { JPY: 0n } });
    expect(await storedBalance(tenant, 'JPY', 'clearing')).toBe(-500n);
  });

  const invalid: Array<[string, EntryInput[]]> = [
    ['an unbalanced journal', [{ account: { purpose: 'available', currency: 'USD' }, amount: -100n }, { account: { purpose: 'pending', currency: 'USD' }, amount: 99n }]],
    ['a journal balanced only across currencies', [{ account: { purpose: 'available', currency: 'USD' }, amount: -100n }, { account: { purpose: 'pending', currency: 'EUR' }, amount: 100n }]],
    ['a zero-amount journal', [{ account: { purpose: 'available', currency: 'USD' }, amount: 0n }, { account: { purpose: 'pending', currency: 'USD' }, amount: 0n }]],
    ['a balanced journal with one zero entry', [{ account: { purpose: 'available', currency: 'USD' }, amount: -100n }, { account: { purpose: 'pending', currency: 'USD' }, amount: 100n }, { account: { purpose: 'clearing', currency: 'USD' }, amount: 0n }]],
    ['a single-entry journal', [{ account: { purpose: 'available', currency: 'USD' }, amount: 100n }]],
    ['an empty journal', []],
    ['a journal in an unknown currency', [{ account: { purpose: 'available', currency: 'ZZZ' }, amount: 100n }, { account: { purpose: 'clearing', currency: 'ZZZ' }, amount: -100n }]],
    ['a journal in a lower-case currency code', [{ account: { purpose: 'available', currency: 'usd' }, amount: 100n }, { account: { purpose: 'clearing', currency: 'usd' }, amount: -100n }]],
    ['a journal that moves money into held (only holds may)', [{ account: { purpose: 'available', currency: 'USD' }, amount: -100n }, { account: { purpose: 'held', currency: 'USD' }, amount: 100n }]],
    ['a journal that moves money out of held (only holds may)', [{ account: { purpose: 'held', currency: 'USD' }, amount: -100n }, { account: { purpose: 'clearing', currency: 'USD' }, amount: 100n }]],
    ['a journal whose currency is an Object.prototype key', [{ account: { purpose: 'available', currency: 'constructor' }, amount: 100n }, { account: { purpose: 'clearing', currency: 'constructor' }, amount: -100n }]],
  ];

  it.each(invalid)('throws LedgerInvariantError on %s and writes nothing', async (_label, entries) => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    const before = await balanceMaps(tenant);
    const cause = uniqueCause('invalid');
    // The error is caught inside the transaction, which then commits: nothing may have been written before it.
    const error = await inTx(async (tx) => {
      try {
        await postJournal({ tx, clock, tenant }, { kind: 'transfer', cause, entries });
        return undefined;
      } catch (caught) {
        return caught;
      }
    });
    expect(error).toBeInstanceOf(LedgerInvariantError);
    expect(await journalsForCause(cause.id)).toEqual({ journals: 0, entries: 0 });
    expect(await balanceMaps(tenant)).toEqual(before);
    const { db } = await database();
    const [accounts] = await db.select({ n: count() }).from(ledgerAccounts).where(eq(ledgerAccounts.merchantId, tenant.merchantId));
    expect(accounts!.n).toBe(2); // the seed's available and adjustments accounts, nothing more
  });

  it('answers insufficient_funds as a value with the shortfall, and writes no journal for that cause', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    const cause = uniqueCause('payout');
    const result = await transfer(
      tenant,
      [
        { account: { purpose: 'available', currency: 'USD' }, amount: -1_500n },
        { account: { purpose: 'clearing', currency: 'USD' }, amount: 1_500n },
      ],
      cause,
    );
    expect(result).toEqual({
      ok: false,
      reason: 'insufficient_funds',
      accountId: await accountId(tenant, 'USD', 'available'),
      purpose: 'available',
      currency: 'USD',
      balance: 1_000n,
      shortfall: 500n,
    });
    expect(await journalsForCause(cause.id)).toEqual({ journals: 0, entries: 0 });
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 1_000n }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'clearing')).toBe(0n);
  });

  it('checks funds against the net of every entry on an account, and exactly at the balance goes through', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    const twoDebits = await transfer(tenant, [
      { account: { purpose: 'available', currency: 'USD' }, amount: -600n },
      { account: { purpose: 'available', currency: 'USD' }, amount: -600n },
      { account: { purpose: 'clearing', currency: 'USD' }, amount: 1_200n },
    ]);
    expect(twoDebits).toMatchObject({ ok: false, reason: 'insufficient_funds', balance: 1_000n, shortfall: 200n });

    const never = await transfer(tenant, [
      { account: { purpose: 'available', currency: 'EUR' }, amount: -1n },
      { account: { purpose: 'clearing', currency: 'EUR' }, amount: 1n },
    ]);
    expect(never).toMatchObject({ ok: false, reason: 'insufficient_funds', currency: 'EUR', balance: 0n, shortfall: 1n });

    const exact = await transfer(tenant, [
      { account: { purpose: 'available', currency: 'USD' }, amount: -1_000n },
      { account: { purpose: 'clearing', currency: 'USD' }, amount: 1_000n },
    ]);
    expect(exact.ok).toBe(true);
    expect(await storedBalance(tenant, 'USD', 'available')).toBe(0n);
  });
});

describe('database guards', () => {
  it.each(['available', 'pending', 'held'] as const)('the CHECK refuses a negative %s balance even on a direct UPDATE', async (purpose) => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    // Give the account a positive balance the healthy way (a hold for `held`, so the committed ledger stays valid).
    if (purpose === 'held') {
      expect((await inTx((tx) => holdFunds({ tx, clock, tenant }, { currency: 'USD', amount: 1n, cause: uniqueCause('hold') }))).ok).toBe(true);
    } else if (purpose === 'pending') {
      await transfer(tenant, [
        { account: { purpose: 'available', currency: 'USD' }, amount: -1n },
        { account: { purpose: 'pending', currency: 'USD' }, amount: 1n },
      ]);
    }
    const id = await accountId(tenant, 'USD', purpose);
    // Rolled back whatever happens, so a missing CHECK cannot leave a corrupt row in the shared database.
    const error = await inRolledBackTx((tx) => refusal(tx.update(ledgerAccounts).set({ balance: -1n }).where(eq(ledgerAccounts.id, id))));
    expect(error).toMatchObject({ code: '23514', constraint: 'ledger_accounts_non_negative_ck' });
  });

  it('lets a platform-side account go negative on a direct UPDATE (the CHECK is about merchant-side accounts only)', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    const id = await accountId(tenant, 'USD', 'adjustments');
    const stored = await inRolledBackTx(async (tx) => {
      await tx.update(ledgerAccounts).set({ balance: -5_000n }).where(eq(ledgerAccounts.id, id));
      return storedBalance(tenant, 'USD', 'adjustments', tx);
    });
    expect(stored).toBe(-5_000n);
  });

  it.each([
    ['UPDATE', 'ledger_journals'],
    ['DELETE', 'ledger_journals'],
    ['UPDATE', 'ledger_entries'],
    ['DELETE', 'ledger_entries'],
  ] as const)('the trigger refuses %s on %s', async (operation, table) => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    const { db } = await database();
    const [journal] = await db.select({ id: ledgerJournals.id }).from(ledgerJournals).where(eq(ledgerJournals.merchantId, tenant.merchantId));
    const journalId = journal!.id;
    const error = await inRolledBackTx((tx) => {
      if (table === 'ledger_journals') {
        return refusal(
          operation === 'UPDATE'
            ? tx.update(ledgerJournals).set({ memo: 'rewritten' }).where(eq(ledgerJournals.id, journalId))
            : tx.delete(ledgerJournals).where(eq(ledgerJournals.id, journalId)),
        );
      }
      return refusal(
        operation === 'UPDATE'
          ? tx.update(ledgerEntries).set({ amount: 1n }).where(eq(ledgerEntries.journalId, journalId))
          : tx.delete(ledgerEntries).where(eq(ledgerEntries.journalId, journalId)),
      );
    });
    expect(error.code).toBe('23001');
    expect(error.message).toContain(`ledger journals are immutable: ${operation} on ${table} refused`);
  });
});

describe('transactions and tenants', () => {
  it('leaves nothing behind when the transaction that posted a journal later throws', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'USD', 1_000n);
    const cause = uniqueCause('rolled_back');
    let adjustmentId = '';
    await expect(
      inTx(async (tx) => {
        const adjusted = await adjustBalance({ tx, clock, tenant }, { direction: 'credit', currency: 'EUR', amount: 700n, reason: 'rolled back' });
        if (adjusted.ok) adjustmentId = adjusted.adjustment.id;
        const posted = await postJournal({ tx, clock, tenant }, {
          kind: 'transfer',
          cause,
          entries: [
            { account: { purpose: 'available', currency: 'USD' }, amount: -400n },
            { account: { purpose: 'pending', currency: 'USD' }, amount: 400n },
          ],
        });
        expect(posted.ok).toBe(true);
        // Inside the transaction the journal is visible.
        expect(await balanceMaps(tenant, tx)).toEqual({ available: { EUR: 700n, USD: 600n }, pending: { EUR: 0n, USD: 400n } });
        throw new Error('after the journal');
      }),
    ).rejects.toThrow('after the journal');
    expect(adjustmentId).toMatch(/^adj_/);
    expect(await journalsForCause(cause.id)).toEqual({ journals: 0, entries: 0 });
    expect(await journalsForCause(adjustmentId)).toEqual({ journals: 0, entries: 0 });
    expect(await findAdjustment((await database()).db, tenant, adjustmentId)).toBeUndefined();
    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 1_000n }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'pending')).toBeUndefined();
  });

  it('creates an account again when the transaction that first used it posted twice and rolled back', async () => {
    // The second journal of that transaction sees the account existing (its own uncommitted row), so the
    // process remembers it; after the rollback the next journal must notice the account is gone and create it.
    const tenant = await newTenant();
    await seed(tenant, 'GBP', 1_000n);
    const move = (tx: Parameters<Parameters<typeof inTx>[0]>[0]) => postJournal({ tx, clock, tenant }, {
      kind: 'transfer',
      cause: uniqueCause(),
      entries: [
        { account: { purpose: 'available', currency: 'GBP' }, amount: -100n },
        { account: { purpose: 'pending', currency: 'GBP' }, amount: 100n },
      ],
    });
    await expect(inTx(async (tx) => {
      expect((await move(tx)).ok).toBe(true);
      expect((await move(tx)).ok).toBe(true);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await storedBalance(tenant, 'GBP', 'pending')).toBeUndefined();
    expect((await inTx(move)).ok).toBe(true);
    expect(await balanceMaps(tenant)).toEqual({ available: { GBP: 900n }, pending: { GBP: 100n } });
    expect((await verifyLedger((await database()).db, { merchantId: tenant.merchantId })).problems).toEqual([]);
  });

  it('keeps merchants, and the sandbox and production of one merchant, apart', async () => {
    const a = await newTenant();
    const aProduction: Tenant = { merchantId: a.merchantId, env: 'production' };
    const b = await newTenant();
    const bProduction: Tenant = { merchantId: b.merchantId, env: 'production' };
    await seed(a, 'USD', 1_000n);
    await seed(b, 'USD', 300n);
    await seed(aProduction, 'USD', 70n);
    await seed(aProduction, 'EUR', 5n);

    expect(await balanceMaps(a)).toEqual({ available: { USD: 1_000n }, pending: { USD: 0n } });
    expect(await balanceMaps(aProduction)).toEqual({ available: { EUR: 5n, USD: 70n }, pending: { EUR: 0n, USD: 0n } });
    expect(await balanceMaps(b)).toEqual({ available: { USD: 300n }, pending: { USD: 0n } });
    expect(await getBalances((await database()).db, bProduction)).toEqual({ available: [], pending: [] });

    // Production sees only its own 70, although the sandbox of the same merchant holds 1,000.
    const overdraw = await transfer(aProduction, [
      { account: { purpose: 'available', currency: 'USD' }, amount: -100n },
      { account: { purpose: 'clearing', currency: 'USD' }, amount: 100n },
    ]);
    expect(overdraw).toMatchObject({ ok: false, reason: 'insufficient_funds', balance: 70n, shortfall: 30n });

    const spend = await transfer(a, [
      { account: { purpose: 'available', currency: 'USD' }, amount: -250n },
      { account: { purpose: 'clearing', currency: 'USD' }, amount: 250n },
    ]);
    expect(spend.ok).toBe(true);
    expect(await balanceMaps(a)).toEqual({ available: { USD: 750n }, pending: { USD: 0n } });
    expect(await balanceMaps(aProduction)).toEqual({ available: { EUR: 5n, USD: 70n }, pending: { EUR: 0n, USD: 0n } });
    expect(await balanceMaps(b)).toEqual({ available: { USD: 300n }, pending: { USD: 0n } });
  });
});

describe('adjustBalance', () => {
  it('credits and debits available against the adjustments account, recording the reason and the journal', async () => {
    const tenant = await newTenant();
    const credit = await inTx((tx) => adjustBalance({ tx, clock, tenant }, { direction: 'credit', currency: 'USD', amount: 5_000n, reason: 'goodwill' }));
    expect(credit).toMatchObject({
      ok: true,
      adjustment: { id: expect.stringMatching(/^adj_/), direction: 'credit', currency: 'USD', amount: 5_000n, reason: 'goodwill', ...tenant },
    });
    const debit = await inTx((tx) => adjustBalance({ tx, clock, tenant }, { direction: 'debit', currency: 'USD', amount: 2_000n, reason: 'chargeback fee' }));
    expect(debit).toMatchObject({ ok: true, adjustment: { direction: 'debit', amount: 2_000n } });

    expect(await balanceMaps(tenant)).toEqual({ available: { USD: 3_000n }, pending: { USD: 0n } });
    expect(await storedBalance(tenant, 'USD', 'adjustments')).toBe(-3_000n);

    const { db } = await database();
    for (const adjusted of [credit, debit]) {
      if (!adjusted.ok) throw new Error('unreachable');
      expect(await findAdjustment(db, tenant, adjusted.adjustment.id)).toEqual(adjusted.adjustment);
      const [journal] = await db.select().from(ledgerJournals).where(eq(ledgerJournals.id, adjusted.adjustment.journalId));
      expect(journal).toMatchObject({ kind: 'adjustment', causeType: 'adjustment', causeId: adjusted.adjustment.id, memo: adjusted.adjustment.reason });
    }
    // Another tenant cannot read the adjustment.
    const other = await newTenant();
    if (!credit.ok) throw new Error('unreachable');
    expect(await findAdjustment(db, other, credit.adjustment.id)).toBeUndefined();
    expect(await findAdjustment(db, { ...tenant, env: 'production' }, credit.adjustment.id)).toBeUndefined();
  });

  it('answers insufficient_funds for a debit beyond available, and records no adjustment', async () => {
    const tenant = await newTenant();
    await seed(tenant, 'JPY', 3_000n);
    const result = await inTx((tx) => adjustBalance({ tx, clock, tenant }, { direction: 'debit', currency: 'JPY', amount: 3_001n, reason: 'too much' }));
    expect(result).toMatchObject({ ok: false, reason: 'insufficient_funds', purpose: 'available', currency: 'JPY', balance: 3_000n, shortfall: 1n });
    const { db } = await database();
    const adjustments = await db
      .select({ direction: ledgerAdjustments.direction })
      .from(ledgerAdjustments)
      .where(and(eq(ledgerAdjustments.merchantId, tenant.merchantId), eq(ledgerAdjustments.env, tenant.env)));
    expect(adjustments).toEqual([{ direction: 'credit' }]);
    const [journals] = await db.select({ n: count() }).from(ledgerJournals).where(eq(ledgerJournals.merchantId, tenant.merchantId));
    expect(journals!.n).toBe(1);
    expect(await balanceMaps(tenant)).toEqual({ available: { JPY: 3_000n }, pending: { JPY: 0n } });
  });

  it.each([0n, -1n])('throws LedgerInvariantError on an adjustment of %s', async (amount) => {
    const tenant = await newTenant();
    await expect(inTx((tx) => adjustBalance({ tx, clock, tenant }, { direction: 'credit', currency: 'USD', amount, reason: 'x' }))).rejects.toBeInstanceOf(
      LedgerInvariantError,
    );
  });
});
