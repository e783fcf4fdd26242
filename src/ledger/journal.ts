// Posting a journal: validate that it balances, lock its accounts, check funds, then write the journal, its
// entries and the new balances, all with the caller's transaction handle.
import { sql } from 'drizzle-orm';
import { ledgerAccounts, ledgerEntries, ledgerJournals } from '../db/schema/index.js';
import type { UnitOfWork } from '../core/context.js';
import { ID_PREFIXES, newId } from '../core/ids.js';
import { normalizeCurrency } from '../core/iso.js';
import type { Tenant } from '../core/tenancy.js';
import { journalsWritten } from '../core/metrics.js';
import { accountKey, lockAccounts, type AccountPurpose, type AccountRef, type LockedAccount } from './accounts.js';

export interface Cause {
  /** The resource that caused the movement, e.g. `balance_conversion`. */
  type: string;
  id: string;
}

export interface EntryInput {
  account: AccountRef;
  /** Signed minor units: positive credits the account, negative debits it. */
  amount: bigint;
}

export interface JournalInput {
  kind: string;
  cause: Cause;
  entries: readonly EntryInput[];
  memo?: string;
  holdId?: string;
}

export interface Journal {
  id: string;
  kind: string;
  createdAt: Date;
}

/** An expected business failure, returned as a value: the account that cannot cover its debit. */
export interface InsufficientFunds {
  ok: false;
  reason: 'insufficient_funds';
  accountId: string;
  purpose: AccountPurpose;
  currency: string;
  balance: bigint;
  /** How much more the account would need for the journal to go through. */
  shortfall: bigint;
}

/** A journal that cannot be valid whatever the balances: a programming error, never a client's. */
export class LedgerInvariantError extends Error {
  override name = 'LedgerInvariantError';
}

export interface ResolvedEntry {
  merchantId: string;
  currency: string;
  purpose: AccountPurpose;
  amount: bigint;
}

export function resolveEntries(tenant: Tenant, input: JournalInput): ResolvedEntry[] {
  if (input.entries.length < 2) throw new LedgerInvariantError(`journal ${input.kind} needs at least two entries`);
  const totals = new Map<string, bigint>();
  const resolved = input.entries.map((entry) => {
    if (typeof entry.amount !== 'bigint' || entry.amount === 0n) {
      throw new LedgerInvariantError(`journal ${input.kind}: entry amounts must be non-zero bigints`);
    }
    const currency = entry.account.currency;
    if (normalizeCurrency(currency) !== currency) throw new LedgerInvariantError(`journal ${input.kind}: unknown currency ${currency}`);
    totals.set(currency, (totals.get(currency) ?? 0n) + entry.amount);
    return { merchantId: entry.account.merchantId ?? tenant.merchantId, currency, purpose: entry.account.purpose, amount: entry.amount };
  });
  for (const [currency, total] of totals) {
    if (total !== 0n) throw new LedgerInvariantError(`journal ${input.kind} does not balance in ${currency}: off by ${total}`);
  }
  return resolved;
}

/** Per locked account, the net change a set of entries makes. */
export function deltasFor(entries: readonly ResolvedEntry[], accounts: ReadonlyMap<string, LockedAccount>): Map<string, bigint> {
  const deltas = new Map<string, bigint>();
  for (const entry of entries) {
    const account = accounts.get(accountKey(entry.merchantId, entry.currency, entry.purpose));
    if (!account) throw new LedgerInvariantError(`account ${entry.purpose} ${entry.currency} was not locked`);
    deltas.set(account.id, (deltas.get(account.id) ?? 0n) + entry.amount);
  }
  return deltas;
}

/** The first account (in lock order) that the deltas would take below zero, if any. */
export function findShortfall(
  accounts: ReadonlyMap<string, LockedAccount>,
  deltas: ReadonlyMap<string, bigint>,
): InsufficientFunds | undefined {
  for (const account of accounts.values()) {
    const after = account.balance + (deltas.get(account.id) ?? 0n);
    if (!account.allowNegative && after < 0n) {
      return {
        ok: false,
        reason: 'insufficient_funds',
        accountId: account.id,
        purpose: account.purpose,
        currency: account.currency,
        balance: account.balance,
        shortfall: -after,
      };
    }
  }
  return undefined;
}

/**
 * Writes a journal whose accounts the caller has already locked and checked: the journal row, its entries and the
 * new balances in ONE statement (data-modifying CTEs), so the account locks are held for one round trip less
 * than three separate statements would take. Foreign keys are checked at the end of the statement, when the
 * journal row exists.
 */
export async function writeJournal(
  uow: UnitOfWork,
  input: JournalInput,
  entries: readonly ResolvedEntry[],
  accounts: ReadonlyMap<string, LockedAccount>,
): Promise<Journal> {
  const { tx, tenant } = uow;
  const deltas = deltasFor(entries, accounts);
  const now = uow.clock.now();
  const id = newId(ID_PREFIXES.journal, now);
  const entryRows = entries.map((entry) => {
    const accountId = accounts.get(accountKey(entry.merchantId, entry.currency, entry.purpose))!.id;
    return sql`(${id}, ${accountId}, ${entry.merchantId}, ${tenant.env}, ${entry.currency}, ${entry.amount.toString()}::bigint, ${now})`;
  });
  const deltaRows = [...deltas.entries()]
    .filter(([, delta]) => delta !== 0n)
    .map(([accountId, delta]) => sql`(${accountId}, ${delta.toString()}::bigint)`);
  // A journal whose entries cancel out on every account changes no balance (the VALUES list would be empty).
  const balanceUpdate = deltaRows.length === 0
    ? sql`select 1`
    : sql`update ${ledgerAccounts} as a set balance = a.balance + v.delta, updated_at = ${now}
          from (values ${sql.join(deltaRows, sql`, `)}) as v(id, delta) where a.id = v.id`;
  await tx.execute(sql`
    with journal as (
      insert into ${ledgerJournals} (id, merchant_id, env, kind, cause_type, cause_id, hold_id, memo, created_at)
      values (${id}, ${tenant.merchantId}, ${tenant.env}, ${input.kind}, ${input.cause.type}, ${input.cause.id},
              ${input.holdId ?? null}, ${input.memo ?? null}, ${now})
    ), entries as (
      insert into ${ledgerEntries} (journal_id, account_id, merchant_id, env, currency, amount, created_at)
      values ${sql.join(entryRows, sql`, `)}
    )
    ${balanceUpdate}`);
  journalsWritten.inc({ kind: input.kind });
  return { id, kind: input.kind, createdAt: now };
}

/**
 * Posts a balanced journal. Locks every account it touches (fixed order), and answers `insufficient_funds`
 * without writing the journal when a merchant-side account would go negative (accounts used for the first time
 * exist from then on, at zero; callers normally roll back on a refusal anyway). Use the caller's transaction:
 * the journal commits with the business change and its event, or not at all.
 */
export async function postJournal(
  uow: UnitOfWork,
  input: JournalInput,
): Promise<{ ok: true; journal: Journal } | InsufficientFunds> {
  // The held account must always equal the pending holds: only holds.ts moves money in or out of it.
  if (input.entries.some((entry) => entry.account.purpose === 'held')) {
    throw new LedgerInvariantError(`journal ${input.kind}: held funds move only through holdFunds, postHold and voidHold`);
  }
  return postJournalTouchingHeld(uow, input);
}

/** postJournal without the guard on `held`: for holds.ts only (not exported from the ledger's index). */
export async function postJournalTouchingHeld(
  uow: UnitOfWork,
  input: JournalInput,
): Promise<{ ok: true; journal: Journal } | InsufficientFunds> {
  const entries = resolveEntries(uow.tenant, input);
  const accounts = await lockAccounts(uow, entries);
  const shortfall = findShortfall(accounts, deltasFor(entries, accounts));
  if (shortfall) return shortfall;
  return { ok: true, journal: await writeJournal(uow, input, entries, accounts) };
}
