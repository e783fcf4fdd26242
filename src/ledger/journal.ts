// Posting a journal: validate that it balances, lock its accounts, check funds, then write the journal, its
// entries and the new balances, all with the caller's transaction handle.
import type { Tx } from '../db/client.js';
import { ledgerEntries, ledgerJournals } from '../db/schema/index.js';
import type { Clock } from '../core/clock.js';
import { ID_PREFIXES, newId } from '../core/ids.js';
import { normalizeCurrency } from '../core/iso.js';
import type { Tenant } from '../core/tenancy.js';
import { accountKey, applyBalanceDeltas, lockAccounts, type AccountPurpose, type AccountRef, type LockedAccount } from './accounts.js';

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

/** Writes a journal whose accounts the caller has already locked and checked. */
export async function writeJournal(
  tx: Tx,
  clock: Clock,
  tenant: Tenant,
  input: JournalInput,
  entries: readonly ResolvedEntry[],
  accounts: ReadonlyMap<string, LockedAccount>,
): Promise<Journal> {
  const deltas = deltasFor(entries, accounts);
  const now = clock.now();
  const id = newId(ID_PREFIXES.journal, now);
  await tx.insert(ledgerJournals).values({
    id,
    merchantId: tenant.merchantId,
    env: tenant.env,
    kind: input.kind,
    causeType: input.cause.type,
    causeId: input.cause.id,
    holdId: input.holdId ?? null,
    memo: input.memo ?? null,
    createdAt: now,
  });
  await tx.insert(ledgerEntries).values(
    entries.map((entry) => ({
      journalId: id,
      accountId: accounts.get(accountKey(entry.merchantId, entry.currency, entry.purpose))!.id,
      merchantId: entry.merchantId,
      env: tenant.env,
      currency: entry.currency,
      amount: entry.amount,
      createdAt: now,
    })),
  );
  await applyBalanceDeltas(tx, clock, deltas);
  return { id, kind: input.kind, createdAt: now };
}

/**
 * Posts a balanced journal. Locks every account it touches (fixed order), and answers `insufficient_funds`
 * without writing the journal when a merchant-side account would go negative (accounts used for the first time
 * exist from then on, at zero; callers normally roll back on a refusal anyway). Use the caller's transaction:
 * the journal commits with the business change and its event, or not at all.
 */
export async function postJournal(
  tx: Tx,
  clock: Clock,
  tenant: Tenant,
  input: JournalInput,
): Promise<{ ok: true; journal: Journal } | InsufficientFunds> {
  // The held account must always equal the pending holds: only holds.ts moves money in or out of it.
  if (input.entries.some((entry) => entry.account.purpose === 'held')) {
    throw new LedgerInvariantError(`journal ${input.kind}: held funds move only through holdFunds, postHold and voidHold`);
  }
  return postJournalTouchingHeld(tx, clock, tenant, input);
}

/** postJournal without the guard on `held`: for holds.ts only (not exported from the ledger's index). */
export async function postJournalTouchingHeld(
  tx: Tx,
  clock: Clock,
  tenant: Tenant,
  input: JournalInput,
): Promise<{ ok: true; journal: Journal } | InsufficientFunds> {
  const entries = resolveEntries(tenant, input);
  const accounts = await lockAccounts(tx, clock, tenant.env, entries);
  const shortfall = findShortfall(accounts, deltasFor(entries, accounts));
  if (shortfall) return shortfall;
  return { ok: true, journal: await writeJournal(tx, clock, tenant, input, entries, accounts) };
}
