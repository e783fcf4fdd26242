// Balances as the API shows them: the merchant's available and pending accounts, per currency.
import { and, inArray, sql } from 'drizzle-orm';
import { selectRows, type DbOrTx } from '../db/client.js';
import { ledgerAccounts, ledgerEntries, ledgerJournals } from '../db/schema/index.js';
import { tenantFilter, type Tenant } from '../core/tenancy.js';

export interface CurrencyAmount {
  currency: string;
  amount: bigint;
}

export interface MerchantBalances {
  available: CurrencyAmount[];
  pending: CurrencyAmount[];
}

/** Every currency the merchant has ever held appears, also at zero; `held` funds are in neither list. */
export async function getBalances(db: DbOrTx, tenant: Tenant): Promise<MerchantBalances> {
  const rows = await db
    .select({ currency: ledgerAccounts.currency, purpose: ledgerAccounts.purpose, balance: ledgerAccounts.balance })
    .from(ledgerAccounts)
    .where(and(tenantFilter(ledgerAccounts, tenant), inArray(ledgerAccounts.purpose, ['available', 'pending'])))
    .orderBy(ledgerAccounts.currency);
  const available = new Map<string, bigint>();
  const pending = new Map<string, bigint>();
  for (const row of rows) {
    available.set(row.currency, available.get(row.currency) ?? 0n);
    pending.set(row.currency, pending.get(row.currency) ?? 0n);
    (row.purpose === 'available' ? available : pending).set(row.currency, row.balance);
  }
  const list = (m: Map<string, bigint>) => [...m.entries()].map(([currency, amount]) => ({ currency, amount }));
  return { available: list(available), pending: list(pending) };
}

/** A merchant's balances in one currency right after one journal: what a balance chart plots. */
export interface BalancePoint {
  at: Date;
  available: bigint;
  pending: bigint;
  held: bigint;
}

export const MAX_BALANCE_HISTORY = 500;

interface HistoryRow {
  at: Date | string;
  d_available: string;
  d_pending: string;
  d_held: string;
  available_now: string;
  pending_now: string;
  held_now: string;
}

/**
 * The balances after each of the last `limit` journals that moved the tenant's available, pending or held funds in
 * `currency`, oldest first; the last point is the current balance. One statement (one snapshot): the newest `limit`
 * entries of each of the three accounts through the (account, id) index name the journals, so the cost is bounded by
 * `limit` however long the tenant's history; each journal's movement is summed from all its entries on those accounts,
 * and the balances are walked back from the accounts' stored balances. Journals are ordered by their newest entry id,
 * which is commit order except between journals committed concurrently.
 */
export async function getBalanceHistory(db: DbOrTx, tenant: Tenant, currency: string, limit: number = MAX_BALANCE_HISTORY): Promise<BalancePoint[]> {
  const rows = await selectRows<HistoryRow>(db, sql`
    with accounts as (
      select id, purpose, balance from ${ledgerAccounts}
      where merchant_id = ${tenant.merchantId} and env = ${tenant.env} and currency = ${currency}
        and purpose in ('available', 'pending', 'held')
    ), recent as (
      select e.journal_id, max(e.id) as last_entry
      from accounts a
      cross join lateral (
        select id, journal_id from ${ledgerEntries} where account_id = a.id order by id desc limit ${limit}
      ) e
      group by e.journal_id order by last_entry desc limit ${limit}
    ), moves as (
      select r.journal_id, r.last_entry,
        coalesce(sum(e.amount) filter (where a.purpose = 'available'), 0) as d_available,
        coalesce(sum(e.amount) filter (where a.purpose = 'pending'), 0) as d_pending,
        coalesce(sum(e.amount) filter (where a.purpose = 'held'), 0) as d_held
      from recent r
      join ${ledgerEntries} e on e.journal_id = r.journal_id
      join accounts a on a.id = e.account_id
      group by r.journal_id, r.last_entry
    ), totals as (
      select coalesce(sum(balance) filter (where purpose = 'available'), 0)::text as available_now,
        coalesce(sum(balance) filter (where purpose = 'pending'), 0)::text as pending_now,
        coalesce(sum(balance) filter (where purpose = 'held'), 0)::text as held_now
      from accounts
    )
    select j.created_at as at, m.d_available::text, m.d_pending::text, m.d_held::text, t.available_now, t.pending_now, t.held_now
    from moves m join ${ledgerJournals} j on j.id = m.journal_id cross join totals t
    order by m.last_entry desc`);
  if (rows.length === 0) return [];
  let available = BigInt(rows[0]!.available_now);
  let pending = BigInt(rows[0]!.pending_now);
  let held = BigInt(rows[0]!.held_now);
  const points: BalancePoint[] = [];
  for (const row of rows) {
    points.push({ at: new Date(row.at), available, pending, held });
    available -= BigInt(row.d_available);
    pending -= BigInt(row.d_pending);
    held -= BigInt(row.d_held);
  }
  return points.reverse();
}
