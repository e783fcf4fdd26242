// The ledger's invariants, checked from the stored rows: what `glomo ledger verify` and
// GET /admin/v1/ledger/verify run. Sums are cast to text in SQL so both drivers return exact values.
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { ledgerAccounts, ledgerEntries, ledgerHolds, ledgerJournals } from '../db/schema/index.js';

export type LedgerCheck =
  | 'journal_unbalanced'
  | 'currency_unbalanced'
  | 'balance_mismatch'
  | 'negative_balance'
  | 'hold_resolved_twice'
  | 'hold_state_mismatch'
  | 'held_balance_mismatch';

export interface LedgerProblem {
  check: LedgerCheck;
  detail: string;
  merchantId?: string;
  env?: string;
  currency?: string;
  accountId?: string;
  purpose?: string;
  journalId?: string;
  holdId?: string;
}

export interface LedgerReport {
  ok: boolean;
  scope: { merchantId: string | null };
  counts: { accounts: number; journals: number; entries: number; holds: number };
  problems: LedgerProblem[];
}

/** The columns that name an account in a problem, with its balance as exact text. */
const accountColumns = () => ({
  accountId: ledgerAccounts.id,
  merchantId: ledgerAccounts.merchantId,
  env: ledgerAccounts.env,
  currency: ledgerAccounts.currency,
  purpose: ledgerAccounts.purpose,
  balance: sql<string>`${ledgerAccounts.balance}::text`,
});

const total = (column: unknown) => sql<string>`coalesce(sum(${column}), 0)::text`;

export async function verifyLedger(db: DbOrTx, options: { merchantId?: string } = {}): Promise<LedgerReport> {
  const merchantId = options.merchantId;
  const scoped = (column: Parameters<typeof eq>[0]): SQL | undefined => (merchantId ? eq(column, merchantId) : undefined);
  const problems: LedgerProblem[] = [];

  // 1. Every journal balances per currency.
  const unbalancedJournals = await db
    .select({ journalId: ledgerEntries.journalId, currency: ledgerEntries.currency, sum: total(ledgerEntries.amount) })
    .from(ledgerEntries)
    .where(merchantId ? inArray(ledgerEntries.journalId, db.select({ id: ledgerJournals.id }).from(ledgerJournals).where(eq(ledgerJournals.merchantId, merchantId))) : undefined)
    .groupBy(ledgerEntries.journalId, ledgerEntries.currency)
    .having(sql`sum(${ledgerEntries.amount}) <> 0`);
  for (const row of unbalancedJournals) {
    problems.push({ check: 'journal_unbalanced', journalId: row.journalId, currency: row.currency, detail: `entries of journal ${row.journalId} sum to ${row.sum} ${row.currency}, not 0` });
  }

  // 2. Per currency, all entries (and so all balances) sum to zero. Only meaningful over the whole ledger.
  if (!merchantId) {
    const currencies = await db
      .select({ currency: ledgerEntries.currency, sum: total(ledgerEntries.amount) })
      .from(ledgerEntries)
      .groupBy(ledgerEntries.currency)
      .having(sql`sum(${ledgerEntries.amount}) <> 0`);
    for (const row of currencies) {
      problems.push({ check: 'currency_unbalanced', currency: row.currency, detail: `entries in ${row.currency} sum to ${row.sum}, not 0` });
    }
  }

  // 3. Every stored balance equals the fold of its entries.
  const folds = db
    .select({ accountId: ledgerEntries.accountId, sum: sql`sum(${ledgerEntries.amount})`.as('sum') })
    .from(ledgerEntries)
    .where(scoped(ledgerEntries.merchantId))
    .groupBy(ledgerEntries.accountId)
    .as('folds');
  const mismatched = await db
    .select({
      ...accountColumns(),
      folded: sql<string>`coalesce(${folds.sum}, 0)::text`,
    })
    .from(ledgerAccounts)
    .leftJoin(folds, eq(folds.accountId, ledgerAccounts.id))
    .where(and(scoped(ledgerAccounts.merchantId), sql`${ledgerAccounts.balance} <> coalesce(${folds.sum}, 0)`));
  for (const row of mismatched) {
    problems.push({ check: 'balance_mismatch', ...accountFields(row), detail: `${describe(row)} stores ${row.balance} but its entries sum to ${row.folded}` });
  }

  // 4. No merchant-side balance is negative.
  const negative = await db
    .select({
      ...accountColumns(),
    })
    .from(ledgerAccounts)
    .where(and(scoped(ledgerAccounts.merchantId), eq(ledgerAccounts.allowNegative, false), sql`${ledgerAccounts.balance} < 0`));
  for (const row of negative) {
    problems.push({ check: 'negative_balance', ...accountFields(row), detail: `${describe(row)} is negative: ${row.balance}` });
  }

  // 5. Every hold is resolved at most once, and its status says what its journals did.
  const resolutions = await db
    .select({
      holdId: ledgerHolds.id,
      merchantId: ledgerHolds.merchantId,
      env: ledgerHolds.env,
      currency: ledgerHolds.currency,
      status: ledgerHolds.status,
      posts: sql<string>`count(*) filter (where ${ledgerJournals.kind} = 'hold_post')::text`,
      voids: sql<string>`count(*) filter (where ${ledgerJournals.kind} = 'hold_void')::text`,
      creations: sql<string>`count(*) filter (where ${ledgerJournals.kind} = 'hold')::text`,
    })
    .from(ledgerHolds)
    .leftJoin(ledgerJournals, eq(ledgerJournals.holdId, ledgerHolds.id))
    .where(scoped(ledgerHolds.merchantId))
    .groupBy(ledgerHolds.id);
  for (const row of resolutions) {
    const posts = Number(row.posts);
    const voids = Number(row.voids);
    const base = { holdId: row.holdId, merchantId: row.merchantId, env: row.env, currency: row.currency };
    if (posts + voids > 1) {
      problems.push({ check: 'hold_resolved_twice', ...base, detail: `hold ${row.holdId} was resolved ${posts + voids} times (${posts} posts, ${voids} voids)` });
      continue;
    }
    const expected = posts === 1 ? 'posted' : voids === 1 ? 'voided' : 'pending';
    if (row.status !== expected || Number(row.creations) !== 1) {
      problems.push({ check: 'hold_state_mismatch', ...base, detail: `hold ${row.holdId} is ${row.status} but its journals say ${expected} (${row.creations} creating journals)` });
    }
  }

  // 6. A held account holds exactly its pending holds.
  const pendingHolds = db
    .select({
      merchantId: ledgerHolds.merchantId,
      env: ledgerHolds.env,
      currency: ledgerHolds.currency,
      sum: sql`sum(${ledgerHolds.amount})`.as('sum'),
    })
    .from(ledgerHolds)
    .where(and(scoped(ledgerHolds.merchantId), eq(ledgerHolds.status, 'pending')))
    .groupBy(ledgerHolds.merchantId, ledgerHolds.env, ledgerHolds.currency)
    .as('pending_holds');
  const held = await db
    .select({
      ...accountColumns(),
      pending: sql<string>`coalesce(${pendingHolds.sum}, 0)::text`,
    })
    .from(ledgerAccounts)
    .leftJoin(
      pendingHolds,
      and(eq(pendingHolds.merchantId, ledgerAccounts.merchantId), eq(pendingHolds.env, ledgerAccounts.env), eq(pendingHolds.currency, ledgerAccounts.currency)),
    )
    .where(and(scoped(ledgerAccounts.merchantId), eq(ledgerAccounts.purpose, 'held'), sql`${ledgerAccounts.balance} <> coalesce(${pendingHolds.sum}, 0)`));
  for (const row of held) {
    problems.push({ check: 'held_balance_mismatch', ...accountFields(row), detail: `${describe(row)} stores ${row.balance} but its pending holds total ${row.pending}` });
  }

  const [counts] = await db
    .select({
      accounts: sql<string>`(select count(*) from ${ledgerAccounts} ${merchantId ? sql`where ${ledgerAccounts.merchantId} = ${merchantId}` : sql``})::text`,
      journals: sql<string>`(select count(*) from ${ledgerJournals} ${merchantId ? sql`where ${ledgerJournals.merchantId} = ${merchantId}` : sql``})::text`,
      entries: sql<string>`(select count(*) from ${ledgerEntries} ${merchantId ? sql`where ${ledgerEntries.merchantId} = ${merchantId}` : sql``})::text`,
      holds: sql<string>`(select count(*) from ${ledgerHolds} ${merchantId ? sql`where ${ledgerHolds.merchantId} = ${merchantId}` : sql``})::text`,
    })
    .from(sql`(select 1) as one`);
  return {
    ok: problems.length === 0,
    scope: { merchantId: merchantId ?? null },
    counts: {
      accounts: Number(counts!.accounts),
      journals: Number(counts!.journals),
      entries: Number(counts!.entries),
      holds: Number(counts!.holds),
    },
    problems,
  };
}

function accountFields(row: { accountId: string; merchantId: string; env: string; currency: string; purpose: string }) {
  return { accountId: row.accountId, merchantId: row.merchantId, env: row.env, currency: row.currency, purpose: row.purpose };
}

function describe(row: { accountId: string; merchantId: string; env: string; currency: string; purpose: string }): string {
  return `account ${row.accountId} (${row.merchantId} ${row.env} ${row.currency} ${row.purpose})`;
}
