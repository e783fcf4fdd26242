// Ledger accounts: one per merchant, environment, currency and purpose, created on first use and locked in one
// fixed order (merchant, currency, purpose) by every journal, so two journals never wait on each other in a cycle.
import { sql } from 'drizzle-orm';
import { selectRows, type Tx } from '../db/client.js';
import type { Environment } from '../db/schema/columns.js';
import { ledgerAccounts } from '../db/schema/index.js';
import type { Clock } from '../core/clock.js';
import type { UnitOfWork } from '../core/context.js';
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

type AccountKeyParts = { merchantId: string; currency: string; purpose: AccountPurpose };

/**
 * Accounts this process has seen exist, so that a journal on known accounts skips the create step (one round
 * trip fewer on every journal). Accounts are never deleted; an entry can still be stale when the transaction
 * that created the account rolled back, which the locking step detects and repairs. Bounded: cleared when full.
 */
const knownAccounts = new Set<string>();
const KNOWN_ACCOUNTS_LIMIT = 100_000;
const knownKey = (env: Environment, ref: AccountKeyParts) => `${env}|${accountKey(ref.merchantId, ref.currency, ref.purpose)}`;

/**
 * Creates any missing accounts, then locks all of them (`FOR UPDATE`) in key order and returns them by key.
 * Creation also runs in key order before any lock is taken, so first use of an account cannot deadlock either.
 */
export async function lockAccounts(
  uow: UnitOfWork,
  refs: ReadonlyArray<AccountKeyParts>,
): Promise<Map<string, LockedAccount>> {
  const { tx, clock } = uow;
  const env = uow.tenant.env;
  const unique = new Map<string, AccountKeyParts>();
  for (const ref of refs) unique.set(accountKey(ref.merchantId, ref.currency, ref.purpose), ref);
  const sorted = [...unique.values()].sort(compareRefs);

  let created = new Set<string>();
  const allKnown = sorted.every((ref) => knownAccounts.has(knownKey(env, ref)));
  if (!allKnown) created = await createAccounts(tx, clock, env, sorted);
  let locked = await selectForUpdate(tx, env, sorted);
  if (locked.size !== unique.size) {
    // A remembered account is missing: the transaction that first used it posted twice, then rolled back.
    // Create it now. Unlike the normal path this creates after taking other locks, so a transaction creating
    // the same account at this very moment could deadlock with this one (PostgreSQL would abort one of them);
    // that needs a stale entry and a concurrent first use of the same account at once.
    created = await createAccounts(tx, clock, env, sorted);
    locked = await selectForUpdate(tx, env, sorted);
    if (locked.size !== unique.size) throw new Error(`ledger: expected ${unique.size} accounts, locked ${locked.size}`);
  }
  if (knownAccounts.size > KNOWN_ACCOUNTS_LIMIT) knownAccounts.clear();
  // Only accounts this call did not create are known to exist beyond this transaction.
  for (const [key, ref] of unique) if (!created.has(key)) knownAccounts.add(knownKey(env, ref));
  return locked;
}

/** Inserts the missing accounts in key order; answers the keys it created. */
async function createAccounts(tx: Tx, clock: Clock, env: Environment, sorted: readonly AccountKeyParts[]): Promise<Set<string>> {
  const now = clock.now();
  const inserted = await tx
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
    .onConflictDoNothing({ target: [ledgerAccounts.merchantId, ledgerAccounts.env, ledgerAccounts.currency, ledgerAccounts.purpose] })
    .returning({ merchantId: ledgerAccounts.merchantId, currency: ledgerAccounts.currency, purpose: ledgerAccounts.purpose });
  return new Set(inserted.map((row) => accountKey(row.merchantId, row.currency, row.purpose)));
}

async function selectForUpdate(tx: Tx, env: Environment, sorted: readonly AccountKeyParts[]): Promise<Map<string, LockedAccount>> {
  // Hand-written: this runs on every journal, and building it with the query builder cost more CPU than the
  // database spent on it. The balance comes back as text so that both drivers give an exact bigint.
  const keys = sorted.map((ref) => sql`(${ref.merchantId}, ${ref.currency}, ${ref.purpose})`);
  const rows = await selectRows<{ id: string; merchant_id: string; currency: string; purpose: string; allow_negative: boolean; balance: string }>(tx, sql`
    select id, merchant_id, currency, purpose, allow_negative, balance::text as balance
    from ${ledgerAccounts}
    where env = ${env} and (merchant_id, currency, purpose) in (${sql.join(keys, sql`, `)})
    order by merchant_id collate "C", currency collate "C", purpose collate "C"
    for update`);
  const locked = new Map<string, LockedAccount>();
  for (const row of rows) {
    locked.set(accountKey(row.merchant_id, row.currency, row.purpose), {
      id: row.id,
      merchantId: row.merchant_id,
      currency: row.currency,
      purpose: row.purpose as AccountPurpose,
      allowNegative: row.allow_negative,
      balance: BigInt(row.balance),
    });
  }
  return locked;
}
