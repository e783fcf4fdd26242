// Ledger accounts: one per merchant, environment, currency and purpose, created on first use and locked in one
// fixed order (merchant, currency, purpose) by every journal, so two journals never wait on each other in a cycle.
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Environment } from '../db/schema/columns.js';
import { ledgerAccounts } from '../db/schema/index.js';
import type { Clock } from '../core/clock.js';
import { ID_PREFIXES, newId } from '../core/ids.js';

/**
 * Merchant side (what the platform owes the merchant, never negative): `available` can be spent, `pending` is
 * money received but not yet released, `held` is reserved by a hold until it is posted or voided.
 * Platform side (the other leg of every journal, may go negative): `clearing` is money entering or leaving the
 * system, `fees` the platform's fee revenue, `fx` its currency position from conversions, `adjustments` the
 * counterpart of operator corrections.
 */
export const MERCHANT_PURPOSES = ['available', 'pending', 'held'] as const;
export const PLATFORM_PURPOSES = ['clearing', 'fees', 'fx', 'adjustments'] as const;
export type AccountPurpose = (typeof MERCHANT_PURPOSES)[number] | (typeof PLATFORM_PURPOSES)[number];

const MAY_GO_NEGATIVE: ReadonlySet<AccountPurpose> = new Set(PLATFORM_PURPOSES);

export interface AccountRef {
  purpose: AccountPurpose;
  currency: string;
  /** Defaults to the journal's merchant. */
  merchantId?: string;
}

export interface LockedAccount {
  id: string;
  merchantId: string;
  currency: string;
  purpose: AccountPurpose;
  allowNegative: boolean;
  balance: bigint;
}

export const accountKey = (merchantId: string, currency: string, purpose: string) => `${merchantId}|${currency}|${purpose}`;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The lock order: merchant, currency, purpose, compared by code unit (the SQL side sorts with COLLATE "C"). */
const compareRefs = (a: { merchantId: string; currency: string; purpose: string }, b: typeof a) =>
  compareText(a.merchantId, b.merchantId) || compareText(a.currency, b.currency) || compareText(a.purpose, b.purpose);
const byteOrder = (column: unknown) => sql`${column} collate "C"`;

/**
 * Creates any missing accounts, then locks all of them (`FOR UPDATE`) in key order and returns them by key.
 * Creation also runs in key order before any lock is taken, so first use of an account cannot deadlock either.
 */
export async function lockAccounts(
  tx: Tx,
  clock: Clock,
  env: Environment,
  refs: ReadonlyArray<{ merchantId: string; currency: string; purpose: AccountPurpose }>,
): Promise<Map<string, LockedAccount>> {
  const unique = new Map<string, { merchantId: string; currency: string; purpose: AccountPurpose }>();
  for (const ref of refs) unique.set(accountKey(ref.merchantId, ref.currency, ref.purpose), ref);
  const sorted = [...unique.values()].sort(compareRefs);

  const now = clock.now();
  await tx
    .insert(ledgerAccounts)
    .values(
      sorted.map((ref) => ({
        id: newId(ID_PREFIXES.ledgerAccount, now),
        merchantId: ref.merchantId,
        env,
        currency: ref.currency,
        purpose: ref.purpose,
        allowNegative: MAY_GO_NEGATIVE.has(ref.purpose),
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoNothing({ target: [ledgerAccounts.merchantId, ledgerAccounts.env, ledgerAccounts.currency, ledgerAccounts.purpose] });

  const match = or(
    ...sorted.map((ref) =>
      and(eq(ledgerAccounts.merchantId, ref.merchantId), eq(ledgerAccounts.currency, ref.currency), eq(ledgerAccounts.purpose, ref.purpose)),
    ),
  ) as SQL;
  const rows = await tx
    .select({
      id: ledgerAccounts.id,
      merchantId: ledgerAccounts.merchantId,
      currency: ledgerAccounts.currency,
      purpose: ledgerAccounts.purpose,
      allowNegative: ledgerAccounts.allowNegative,
      balance: ledgerAccounts.balance,
    })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.env, env), match))
    .orderBy(byteOrder(ledgerAccounts.merchantId), byteOrder(ledgerAccounts.currency), byteOrder(ledgerAccounts.purpose))
    .for('update');

  const locked = new Map<string, LockedAccount>();
  for (const row of rows) {
    locked.set(accountKey(row.merchantId, row.currency, row.purpose), { ...row, purpose: row.purpose as AccountPurpose });
  }
  if (locked.size !== unique.size) throw new Error(`ledger: expected ${unique.size} accounts, locked ${locked.size}`);
  return locked;
}

/** Applies signed deltas to locked accounts in one statement. */
export async function applyBalanceDeltas(tx: Tx, clock: Clock, deltas: ReadonlyMap<string, bigint>): Promise<void> {
  const values = [...deltas.entries()]
    .filter(([, delta]) => delta !== 0n)
    .map(([id, delta]) => sql`(${id}, ${delta.toString()}::bigint)`);
  if (values.length === 0) return;
  await tx.execute(sql`
    update ${ledgerAccounts} as a
    set balance = a.balance + v.delta, updated_at = ${clock.now()}
    from (values ${sql.join(values, sql`, `)}) as v(id, delta)
    where a.id = v.id`);
}
