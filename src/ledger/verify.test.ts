// Each corruption happens inside a transaction that is rolled back, and verifyLedger reads through that same
// transaction: the test database is shared by every test file, so no corrupt row may ever commit.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ledgerAccounts, ledgerEntries, ledgerHolds, ledgerJournals } from '../db/schema/index.js';
import { ID_PREFIXES, newId } from '../core/ids.js';
import type { Tenant } from '../core/tenancy.js';
import { holdFunds, postHold, postJournal, verifyLedger, voidHold, type Hold } from './index.js';
import type { Tx } from '../db/client.js';
import { accountId, clock, database, inRolledBackTx, inTx, newTenant, refusal, seed, storedBalance, uniqueCause } from '../../test/support/ledger-helpers.js';
import { createTestChild, createTestPlatform } from '../../test/support/platform.js';

interface Fixture {
  tenant: Tenant;
  pending: Hold;
  posted: Hold;
  voided: Hold;
  transferJournalId: string;
}

/** A merchant with a bit of everything: an adjustment, a transfer, and a pending, a posted and a voided hold. */
async function healthyMerchant(): Promise<Fixture> {
  const tenant = await newTenant();
  await seed(tenant, 'USD', 10_000n);
  return inTx(async (tx) => {
    const transfer = await postJournal({ tx, clock, tenant }, {
      kind: 'transfer',
      cause: uniqueCause('transfer'),
      entries: [
        { account: { purpose: 'available', currency: 'USD' }, amount: -1_500n },
        { account: { purpose: 'pending', currency: 'USD' }, amount: 1_500n },
      ],
    });
    const holds: Hold[] = [];
    for (const amount of [1_000n, 2_000n, 500n]) {
      const held = await holdFunds({ tx, clock, tenant }, { currency: 'USD', amount, cause: uniqueCause('payout') });
      if (!held.ok) throw new Error('fixture hold failed');
      holds.push(held.hold);
    }
    const [pending, posted, voided] = holds as [Hold, Hold, Hold];
    expect((await postHold({ tx, clock, tenant }, posted.id)).ok).toBe(true);
    expect((await voidHold({ tx, clock, tenant }, voided.id)).ok).toBe(true);
    if (!transfer.ok) throw new Error('fixture transfer failed');
    return { tenant, pending, posted, voided, transferJournalId: transfer.journal.id };
  });
}

/** A void journal (without entries) for a hold that was already posted. */
function secondResolution(tenant: Tenant, posted: Hold) {
  const now = clock.now();
  return { id: newId(ID_PREFIXES.journal, now), ...tenant, kind: 'hold_void', causeType: posted.causeType, causeId: posted.causeId, holdId: posted.id, createdAt: now };
}

const account = (tenant: Tenant, purpose: string) => ({ merchantId: tenant.merchantId, env: tenant.env, currency: 'USD', purpose });

describe('verifyLedger', () => {
  it('is ok on a healthy ledger, scoped to a merchant and whole, with the scoped counts', async () => {
    const { tenant } = await healthyMerchant();
    const { db } = await database();
    expect(await verifyLedger(db, { merchantId: tenant.merchantId })).toEqual({
      ok: true,
      scope: { merchantId: tenant.merchantId },
      // available, adjustments, pending, held, clearing; the seed, the transfer, 3 holds, a post, a void.
      counts: { accounts: 5, journals: 7, entries: 14, holds: 3 },
      problems: [],
    });
    const whole = await verifyLedger(db);
    expect(whole.problems).toEqual([]);
    expect(whole).toMatchObject({ ok: true, scope: { merchantId: null } });
    expect(whole.counts.journals).toBeGreaterThanOrEqual(7);
  });

  it('reports balance_mismatch for an account whose stored balance is not the sum of its entries', async () => {
    const { tenant } = await healthyMerchant();
    const available = await accountId(tenant, 'USD', 'available');
    const other = await healthyMerchant();
    const reports = await inRolledBackTx(async (tx) => {
      await tx.update(ledgerAccounts).set({ balance: sql`${ledgerAccounts.balance} + 1` }).where(eq(ledgerAccounts.id, available));
      return {
        scoped: await verifyLedger(tx, { merchantId: tenant.merchantId }),
        whole: await verifyLedger(tx),
        otherMerchant: await verifyLedger(tx, { merchantId: other.tenant.merchantId }),
      };
    });
    const problem = {
      check: 'balance_mismatch',
      accountId: available,
      ...account(tenant, 'available'),
      detail: `account ${available} (${tenant.merchantId} sandbox USD available) stores 5501 but its entries sum to 5500`,
    };
    expect(reports.scoped).toMatchObject({ ok: false, problems: [problem] });
    expect(reports.whole.ok).toBe(false);
    expect(reports.whole.problems).toContainEqual(problem);
    // Scoping keeps another merchant's report clean.
    expect(reports.otherMerchant).toMatchObject({ ok: true, problems: [] });
    // And nothing of it was committed.
    expect(await storedBalance(tenant, 'USD', 'available')).toBe(5_500n);
  });

  it('reports journal_unbalanced for the journal, and currency_unbalanced over the whole ledger, for a stray entry', async () => {
    const { tenant, transferJournalId } = await healthyMerchant();
    const pendingAccount = await accountId(tenant, 'USD', 'pending');
    const reports = await inRolledBackTx(async (tx) => {
      await tx.insert(ledgerEntries).values({
        journalId: transferJournalId,
        accountId: pendingAccount,
        merchantId: tenant.merchantId,
        env: tenant.env,
        currency: 'USD',
        amount: 7n,
        createdAt: clock.now(),
      });
      // Keep the stored balance equal to its entries, so that only the journal checks fire.
      await tx.update(ledgerAccounts).set({ balance: sql`${ledgerAccounts.balance} + 7` }).where(eq(ledgerAccounts.id, pendingAccount));
      return { scoped: await verifyLedger(tx, { merchantId: tenant.merchantId }), whole: await verifyLedger(tx) };
    });
    const journalProblem = {
      check: 'journal_unbalanced',
      journalId: transferJournalId,
      currency: 'USD',
      detail: `entries of journal ${transferJournalId} sum to 7 USD, not 0`,
    };
    // currency_unbalanced is only meaningful over the whole ledger, so the scoped report leaves it out.
    expect(reports.scoped).toMatchObject({ ok: false, problems: [journalProblem] });
    expect(reports.whole.ok).toBe(false);
    expect(reports.whole.problems).toContainEqual(journalProblem);
    expect(reports.whole.problems).toContainEqual({ check: 'currency_unbalanced', currency: 'USD', detail: 'entries in USD sum to 7, not 0' });
  });

  it('reports negative_balance for a merchant-side account below zero (with the CHECK dropped, rolled back)', async () => {
    const { tenant } = await healthyMerchant();
    const available = await accountId(tenant, 'USD', 'available');
    const report = await inRolledBackTx(async (tx) => {
      // First statement of the transaction, so it waits for no lock of ours; rolled back with the rest.
      await tx.execute(sql`alter table ledger_accounts drop constraint ledger_accounts_non_negative_ck`);
      // Overdraw through the ledger itself, so the entries still explain the balance: only this check fires.
      await tx.update(ledgerAccounts).set({ allowNegative: true }).where(eq(ledgerAccounts.id, available));
      const overdraw = await postJournal({ tx, clock, tenant }, {
        kind: 'transfer',
        cause: uniqueCause('overdraw'),
        entries: [
          { account: { purpose: 'available', currency: 'USD' }, amount: -6_000n },
          { account: { purpose: 'clearing', currency: 'USD' }, amount: 6_000n },
        ],
      });
      expect(overdraw.ok).toBe(true);
      await tx.update(ledgerAccounts).set({ allowNegative: false }).where(eq(ledgerAccounts.id, available));
      return verifyLedger(tx, { merchantId: tenant.merchantId });
    });
    expect(report).toMatchObject({
      ok: false,
      problems: [
        {
          check: 'negative_balance',
          accountId: available,
          ...account(tenant, 'available'),
          detail: `account ${available} (${tenant.merchantId} sandbox USD available) is negative: -500`,
        },
      ],
    });
    // The constraint is back.
    const error = await inRolledBackTx((tx) => refusal(tx.update(ledgerAccounts).set({ balance: -1n }).where(eq(ledgerAccounts.id, available))));
    expect(error).toMatchObject({ code: '23514', constraint: 'ledger_accounts_non_negative_ck' });
  });

  it('reports hold_state_mismatch for a hold whose status contradicts its journals', async () => {
    const { tenant, posted } = await healthyMerchant();
    const report = await inRolledBackTx(async (tx) => {
      await tx.update(ledgerHolds).set({ status: 'voided' }).where(eq(ledgerHolds.id, posted.id));
      return verifyLedger(tx, { merchantId: tenant.merchantId });
    });
    expect(report).toMatchObject({
      ok: false,
      problems: [
        {
          check: 'hold_state_mismatch',
          holdId: posted.id,
          merchantId: tenant.merchantId,
          env: 'sandbox',
          currency: 'USD',
          detail: `hold ${posted.id} is voided but its journals say posted (1 creating journals)`,
        },
      ],
    });
  });

  it('reports a resolved hold marked pending both as hold_state_mismatch and as held_balance_mismatch', async () => {
    const { tenant, voided } = await healthyMerchant();
    const held = await accountId(tenant, 'USD', 'held');
    const report = await inRolledBackTx(async (tx) => {
      await tx.update(ledgerHolds).set({ status: 'pending', resolvedAt: null }).where(eq(ledgerHolds.id, voided.id));
      return verifyLedger(tx, { merchantId: tenant.merchantId });
    });
    expect(report.problems).toHaveLength(2);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'hold_state_mismatch', holdId: voided.id, detail: expect.stringContaining('is pending but its journals say voided') }),
        expect.objectContaining({ check: 'held_balance_mismatch', accountId: held, detail: expect.stringContaining('stores 1000 but its pending holds total 1500') }),
      ]),
    );
  });

  it('reports held_balance_mismatch for a held account that does not hold exactly its pending holds', async () => {
    const { tenant, pending } = await healthyMerchant();
    const held = await accountId(tenant, 'USD', 'held');
    const report = await inRolledBackTx(async (tx) => {
      await tx.update(ledgerHolds).set({ amount: sql`${ledgerHolds.amount} + 1` }).where(eq(ledgerHolds.id, pending.id));
      return verifyLedger(tx, { merchantId: tenant.merchantId });
    });
    expect(report).toMatchObject({
      ok: false,
      problems: [
        {
          check: 'held_balance_mismatch',
          accountId: held,
          ...account(tenant, 'held'),
          detail: `account ${held} (${tenant.merchantId} sandbox USD held) stores 1000 but its pending holds total 1001`,
        },
      ],
    });
  });

  it('reports hold_resolved_twice for a hold with two resolving journals (unique index dropped, rolled back)', async () => {
    const { tenant, posted } = await healthyMerchant();
    const report = await inRolledBackTx(async (tx) => {
      await tx.execute(sql`drop index ledger_journals_hold_resolved_uq`);
      await tx.insert(ledgerJournals).values(secondResolution(tenant, posted));
      return verifyLedger(tx, { merchantId: tenant.merchantId });
    });
    expect(report).toMatchObject({
      ok: false,
      problems: [
        {
          check: 'hold_resolved_twice',
          holdId: posted.id,
          merchantId: tenant.merchantId,
          env: 'sandbox',
          currency: 'USD',
          detail: `hold ${posted.id} was resolved 2 times (1 posts, 1 voids)`,
        },
      ],
    });
    // The unique index is back.
    const error = await inRolledBackTx((tx) => refusal(tx.insert(ledgerJournals).values(secondResolution(tenant, posted))));
    expect(error).toMatchObject({ code: '23505', constraint: 'ledger_journals_hold_resolved_uq' });
  });

  it('scopes every check to the merchant asked about', async () => {
    const corrupt = await healthyMerchant();
    const clean = await healthyMerchant();
    const available = await accountId(corrupt.tenant, 'USD', 'available');
    const reports = await inRolledBackTx(async (tx) => {
      await tx.update(ledgerAccounts).set({ balance: sql`${ledgerAccounts.balance} + 1` }).where(eq(ledgerAccounts.id, available));
      await tx.update(ledgerHolds).set({ status: 'voided' }).where(eq(ledgerHolds.id, corrupt.posted.id));
      await tx.update(ledgerHolds).set({ amount: sql`${ledgerHolds.amount} + 1` }).where(eq(ledgerHolds.id, corrupt.pending.id));
      return {
        corrupt: await verifyLedger(tx, { merchantId: corrupt.tenant.merchantId }),
        clean: await verifyLedger(tx, { merchantId: clean.tenant.merchantId }),
      };
    });
    expect(reports.corrupt.problems.map((p) => p.check).sort()).toEqual(['balance_mismatch', 'held_balance_mismatch', 'hold_state_mismatch']);
    expect(reports.clean).toMatchObject({ ok: true, problems: [] });
    await expect(
      (await database()).db
        .select({ status: ledgerHolds.status })
        .from(ledgerHolds)
        .where(and(eq(ledgerHolds.merchantId, corrupt.tenant.merchantId), eq(ledgerHolds.id, corrupt.posted.id))),
    ).resolves.toEqual([{ status: 'posted' }]);
  });
});

describe('verifyLedger across tenants (internal transfers)', () => {
  const usd = (merchantId?: string) => ({ purpose: 'available' as const, currency: 'USD', ...(merchantId ? { merchantId } : {}) });

  /** Moves `amount` from `from`'s available USD to `to`'s in one journal of `tenant` (the caller's transaction). */
  async function moveFunds(tx: Tx, tenant: Tenant, from: string, to: string, amount: bigint, kind = 'internal_transfer') {
    const posted = await postJournal({ tx, clock, tenant }, {
      kind,
      cause: uniqueCause('internal_transfer'),
      entries: [{ account: usd(from), amount: -amount }, { account: usd(to), amount }],
    });
    if (!posted.ok) throw new Error(`the move from ${from} failed: ${posted.reason}`);
    return posted.journal.id;
  }

  /** A platform (funded with 10000 USD) and two sandbox children, with internal transfers P->A, A->P and A->B. */
  async function hierarchy() {
    const platform = await createTestPlatform();
    const [childA, childB] = [await createTestChild(platform), await createTestChild(platform)];
    const tenant: Tenant = { merchantId: platform.id, env: 'sandbox' };
    await seed(tenant, 'USD', 10_000n);
    const journals = await inTx(async (tx) => ({
      toChild: await moveFunds(tx, tenant, platform.id, childA.id, 3_000n),
      toPlatform: await moveFunds(tx, tenant, childA.id, platform.id, 500n),
      toSibling: await moveFunds(tx, tenant, childA.id, childB.id, 1_000n),
    }));
    return { platform, childA, childB, tenant, journals };
  }

  const crossing = (report: Awaited<ReturnType<typeof verifyLedger>>) => report.problems.filter((p) => p.check === 'cross_tenant_journal');

  it("is ok for a platform's internal transfers with its children, and each child's report covers the platform's journals", async () => {
    const { platform, childA, childB, journals } = await hierarchy();
    const { db } = await database();
    for (const merchantId of [platform.id, childA.id, childB.id]) {
      expect(await verifyLedger(db, { merchantId }), merchantId).toMatchObject({ ok: true, problems: [] });
    }
    // Over the whole ledger too (other tests' journals are theirs to judge).
    const ours: ReadonlySet<string | undefined> = new Set(Object.values(journals));
    expect(crossing(await verifyLedger(db)).filter((problem) => ours.has(problem.journalId))).toEqual([]);
    // Child A owns no journal: the three it counts are the platform's, touching its account.
    expect((await verifyLedger(db, { merchantId: childA.id })).counts).toEqual({ accounts: 1, journals: 3, entries: 3, holds: 0 });
    expect((await verifyLedger(db, { merchantId: childB.id })).counts).toEqual({ accounts: 1, journals: 1, entries: 1, holds: 0 });
    expect(await storedBalance({ merchantId: childA.id, env: 'sandbox' }, 'USD', 'available')).toBe(1_500n);
  });

  it("reports journal_unbalanced to the child for a platform's journal that touches the child's account", async () => {
    const { childA, journals } = await hierarchy();
    const childAccount = await accountId({ merchantId: childA.id, env: 'sandbox' }, 'USD', 'available');
    const report = await inRolledBackTx(async (tx) => {
      await tx.insert(ledgerEntries).values({
        journalId: journals.toChild, accountId: childAccount, merchantId: childA.id, env: 'sandbox', currency: 'USD', amount: 7n, createdAt: clock.now(),
      });
      await tx.update(ledgerAccounts).set({ balance: sql`${ledgerAccounts.balance} + 7` }).where(eq(ledgerAccounts.id, childAccount));
      return verifyLedger(tx, { merchantId: childA.id });
    });
    expect(report).toMatchObject({
      ok: false,
      problems: [{ check: 'journal_unbalanced', journalId: journals.toChild, currency: 'USD', detail: `entries of journal ${journals.toChild} sum to 7 USD, not 0` }],
    });
  });

  it('reports cross_tenant_journal for an internal transfer between two unrelated merchants, to both and over the whole ledger', async () => {
    const [payer, payee] = [await newTenant(), await newTenant()];
    await seed(payer, 'USD', 1_000n);
    const result = await inRolledBackTx(async (tx) => {
      const journalId = await moveFunds(tx, payer, payer.merchantId, payee.merchantId, 400n);
      return {
        journalId,
        payer: await verifyLedger(tx, { merchantId: payer.merchantId }),
        payee: await verifyLedger(tx, { merchantId: payee.merchantId }),
        whole: await verifyLedger(tx),
      };
    });
    const [first, second] = [payer.merchantId, payee.merchantId].sort();
    const problem = {
      check: 'cross_tenant_journal',
      journalId: result.journalId,
      merchantId: payer.merchantId,
      env: 'sandbox',
      detail: `journal ${result.journalId} (internal_transfer, ${payer.merchantId} sandbox) moves the funds of ${first} sandbox, ${second} sandbox: they are not one platform and its children`,
    };
    expect(result.payer).toMatchObject({ ok: false, problems: [problem] });
    expect(result.payee).toMatchObject({ ok: false, problems: [problem] });
    expect(result.whole.problems).toContainEqual(problem);
  });

  it('reports cross_tenant_journal for a journal of another kind between a platform and its child', async () => {
    const { platform, childA, tenant } = await hierarchy();
    const report = await inRolledBackTx(async (tx) => {
      const journalId = await moveFunds(tx, tenant, platform.id, childA.id, 100n, 'transfer');
      return { journalId, report: await verifyLedger(tx, { merchantId: childA.id }) };
    });
    expect(report.report).toMatchObject({
      ok: false,
      problems: [{ check: 'cross_tenant_journal', journalId: report.journalId, merchantId: platform.id, env: 'sandbox', detail: expect.stringMatching(/^journal \S+ \(transfer, .*: only an internal_transfer journal may$/) }],
    });
  });

  it("reports cross_tenant_journal for a platform's journal with another platform's child", async () => {
    const { platform, tenant } = await hierarchy();
    const stranger = await createTestChild(await createTestPlatform());
    const report = await inRolledBackTx(async (tx) => {
      const journalId = await moveFunds(tx, tenant, platform.id, stranger.id, 100n);
      return { journalId, report: await verifyLedger(tx, { merchantId: stranger.id }) };
    });
    expect(report.report).toMatchObject({
      ok: false,
      problems: [{ check: 'cross_tenant_journal', journalId: report.journalId, detail: expect.stringMatching(/: they are not one platform and its children$/) }],
    });
  });

  it('reports cross_tenant_journal for a journal with a child outside the environment it lives in', async () => {
    const { platform, childA } = await hierarchy();
    const production: Tenant = { merchantId: platform.id, env: 'production' };
    await seed(production, 'USD', 1_000n);
    const report = await inRolledBackTx(async (tx) => {
      // The sandbox child gets production accounts: the journal is in production, the child is not.
      const journalId = await moveFunds(tx, production, platform.id, childA.id, 100n);
      return { journalId, report: await verifyLedger(tx, { merchantId: childA.id }) };
    });
    expect(report.report).toMatchObject({
      ok: false,
      problems: [{
        check: 'cross_tenant_journal', journalId: report.journalId, merchantId: platform.id, env: 'production',
        detail: `journal ${report.journalId} (internal_transfer, ${platform.id} production) moves the funds of ${[platform.id, childA.id].sort().map((id) => `${id} production`).join(', ')}: not all of them are in production`,
      }],
    });
  });

  it("reports cross_tenant_journal for a clean internal transfer whose entries were made to move a stranger's funds", async () => {
    const { platform, childA, journals } = await hierarchy();
    const stranger = await newTenant();
    await seed(stranger, 'USD', 1_000n);
    const strangerAccount = await accountId(stranger, 'USD', 'available');
    const childAccount = await accountId({ merchantId: childA.id, env: 'sandbox' }, 'USD', 'available');
    const reports = await inRolledBackTx(async (tx) => {
      // A balanced pair added to the platform's journal (and the balances to match): only the cross-tenant check can see it.
      await tx.insert(ledgerEntries).values([
        { journalId: journals.toChild, accountId: strangerAccount, merchantId: stranger.merchantId, env: 'sandbox', currency: 'USD', amount: -50n, createdAt: clock.now() },
        { journalId: journals.toChild, accountId: childAccount, merchantId: childA.id, env: 'sandbox', currency: 'USD', amount: 50n, createdAt: clock.now() },
      ]);
      await tx.update(ledgerAccounts).set({ balance: sql`${ledgerAccounts.balance} - 50` }).where(eq(ledgerAccounts.id, strangerAccount));
      await tx.update(ledgerAccounts).set({ balance: sql`${ledgerAccounts.balance} + 50` }).where(eq(ledgerAccounts.id, childAccount));
      return {
        stranger: await verifyLedger(tx, { merchantId: stranger.merchantId }),
        platform: await verifyLedger(tx, { merchantId: platform.id }),
      };
    });
    for (const report of [reports.stranger, reports.platform]) {
      expect(report).toMatchObject({
        ok: false,
        problems: [{ check: 'cross_tenant_journal', journalId: journals.toChild, merchantId: platform.id, detail: expect.stringContaining(`${stranger.merchantId} sandbox`) }],
      });
    }
  });
});
