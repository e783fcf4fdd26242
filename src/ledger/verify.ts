// The ledger's invariants, checked from the stored rows: what `glomo ledger verify` and
// GET /admin/v1/ledger/verify run. Sums are cast to text in SQL so both drivers return exact values.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { selectRows, type DbOrTx } from '../db/client.js';
import { ledgerAccounts, ledgerEntries, ledgerHolds, ledgerJournals, merchants } from '../db/schema/index.js';

export type LedgerCheck =
  | 'journal_unbalanced'
  | 'currency_unbalanced'
  | 'balance_mismatch'
  | 'negative_balance'
  | 'hold_resolved_twice'
  | 'hold_state_mismatch'
  | 'held_balance_mismatch'
  | 'cross_tenant_journal';

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

/** The only journal kind that may move the funds of more than one tenant (a platform's internal transfer). */
const CROSS_TENANT_KIND = 'internal_transfer';

/**
 * The ids of the journals a merchant's report covers: its own, and every other one with an entry on one of its
 * accounts (an internal transfer's journal is the platform's, and moves its child's funds).
 */
const journalsTouching = (merchantId: string): SQL => sql`(
  select j.id from ${ledgerJournals} j where j.merchant_id = ${merchantId}
  union
  select e.journal_id from ${ledgerEntries} e join ${ledgerAccounts} a on a.id = e.account_id where a.merchant_id = ${merchantId})`;

export async function verifyLedger(db: DbOrTx, options: { merchantId?: string } = {}): Promise<LedgerReport> {
  const merchantId = options.merchantId;
  const scoped = (column: Parameters<typeof eq>[0]): SQL | undefined => (merchantId ? eq(column, merchantId) : undefined);
  const scopedJournals = merchantId ? journalsTouching(merchantId) : undefined;
  const problems: LedgerProblem[] = [];

  // 1. Every journal balances per currency (scoped: every journal that touches the merchant's accounts).
  const unbalancedJournals = await db
    .select({ journalId: ledgerEntries.journalId, currency: ledgerEntries.currency, sum: total(ledgerEntries.amount) })
    .from(ledgerEntries)
    .where(scopedJournals ? sql`${ledgerEntries.journalId} in ${scopedJournals}` : undefined)
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

  // 7. A journal that moves the funds of more than one tenant is an internal transfer within one platform's hierarchy
  // (the platform and its children, or children of one platform), all in the journal's environment.
  problems.push(...(await crossTenantProblems(db, scopedJournals)));

  const [counts] = await db
    .select({
      accounts: sql<string>`(select count(*) from ${ledgerAccounts} ${merchantId ? sql`where ${ledgerAccounts.merchantId} = ${merchantId}` : sql``})::text`,
      // Scoped: the journals check 1 covered, the merchant's own and those of others that touch its accounts.
      journals: sql<string>`(select count(*) from ${scopedJournals ?? ledgerJournals} as counted)::text`,
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

interface CrossingRow {
  journal_id: string;
  merchant_id: string;
  env: string;
  kind: string;
  /** The tenants whose funds it moves, with the journal's own: `merch_… sandbox, …`. */
  parties: string;
  /** How many top-level merchants (a child counts as its platform) they belong to. */
  roots: number;
  /** Every party a known merchant, in the journal's environment, a child only in the one it lives in. */
  one_env: boolean;
  /** Every party's top-level merchant a platform. */
  under_platform: boolean;
  known: boolean;
}

/**
 * Check 7. A journal crosses tenants when an entry's account is another merchant's or environment's than the
 * journal's: those are found first (entries whose account is not the journal's tenant), then judged by their parties.
 */
async function crossTenantProblems(db: DbOrTx, scopedJournals: SQL | undefined): Promise<LedgerProblem[]> {
  const rows = await selectRows<CrossingRow>(db, sql`
    with crossing as (
      select distinct e.journal_id as id
      from ${ledgerEntries} e
      join ${ledgerAccounts} a on a.id = e.account_id
      join ${ledgerJournals} j on j.id = e.journal_id
      where (a.merchant_id <> j.merchant_id or a.env <> j.env) ${scopedJournals ? sql`and j.id in ${scopedJournals}` : sql``}
    ), parties as (
      select e.journal_id, a.merchant_id, a.env
      from ${ledgerEntries} e join ${ledgerAccounts} a on a.id = e.account_id join crossing c on c.id = e.journal_id
      union
      select j.id, j.merchant_id, j.env from ${ledgerJournals} j join crossing c on c.id = j.id
    )
    select j.id as journal_id, j.merchant_id, j.env, j.kind,
      string_agg(p.merchant_id || ' ' || p.env, ', ' order by p.merchant_id, p.env) as parties,
      count(distinct coalesce(m.owner_merchant_id, m.id))::int as roots,
      bool_and(m.id is not null) as known,
      bool_and(p.env = j.env and (m.owner_env is null or m.owner_env = j.env)) as one_env,
      bool_and(coalesce(r.is_platform, false)) as under_platform
    from parties p
    join ${ledgerJournals} j on j.id = p.journal_id
    left join ${merchants} m on m.id = p.merchant_id
    left join ${merchants} r on r.id = coalesce(m.owner_merchant_id, m.id)
    group by j.id, j.merchant_id, j.env, j.kind
    order by j.id`);
  const problems: LedgerProblem[] = [];
  for (const row of rows) {
    const wrong: string[] = [];
    if (row.kind !== CROSS_TENANT_KIND) wrong.push(`only an ${CROSS_TENANT_KIND} journal may`);
    if (!row.known || Number(row.roots) !== 1 || !row.under_platform) wrong.push('they are not one platform and its children');
    if (!row.one_env) wrong.push(`not all of them are in ${row.env}`);
    if (wrong.length === 0) continue;
    problems.push({
      check: 'cross_tenant_journal',
      journalId: row.journal_id,
      merchantId: row.merchant_id,
      env: row.env,
      detail: `journal ${row.journal_id} (${row.kind}, ${row.merchant_id} ${row.env}) moves the funds of ${row.parties}: ${wrong.join('; ')}`,
    });
  }
  return problems;
}

function accountFields(row: { accountId: string; merchantId: string; env: string; currency: string; purpose: string }) {
  return { accountId: row.accountId, merchantId: row.merchantId, env: row.env, currency: row.currency, purpose: row.purpose };
}

function describe(row: { accountId: string; merchantId: string; env: string; currency: string; purpose: string }): string {
  return `account ${row.accountId} (${row.merchantId} ${row.env} ${row.currency} ${row.purpose})`;
}
