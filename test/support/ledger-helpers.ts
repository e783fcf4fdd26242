// Shared pieces of the ledger tests: fresh tenants, seeding money, reading stored rows, rolled-back transactions.
import { and, count, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Tx } from '../../src/db/client.js';
import { ledgerAccounts, ledgerEntries, ledgerJournals } from '../../src/db/schema/index.js';
import { createTestMerchant } from './app.js';
import { testEnv } from './env.js';
import { systemClock } from '../../src/core/clock.js';
import { randomBase62 } from '../../src/core/ids.js';
import type { Tenant } from '../../src/core/tenancy.js';
import { adjustBalance } from '../../src/ledger/adjustments.js';
import { getBalances } from '../../src/ledger/balances.js';
import type { AccountPurpose } from '../../src/ledger/accounts.js';

export const clock = systemClock;

export async function database() {
  return (await testEnv()).database;
}

/** A new merchant's sandbox tenant: no test shares its merchants, so balances start at nothing. */
export async function newTenant(env: Tenant['env'] = 'sandbox'): Promise<Tenant> {
  const merchant = await createTestMerchant();
  return { merchantId: merchant.id, env };
}

export async function inTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return (await database()).db.transaction(fn);
}

class Rollback extends Error {
  constructor(readonly value: unknown) {
    super('rolled back on purpose');
  }
}

/**
 * Runs fn in a transaction that is always rolled back, and returns what fn returned. The test database is shared
 * by every test file (and on PostgreSQL by both workers), so corrupt rows must never be committed.
 */
export async function inRolledBackTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    await inTx(async (tx) => {
      throw new Rollback(await fn(tx));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: the transaction always throws');
}

/** Credits `available` through an adjustment, committed in its own transaction. */
export async function seed(tenant: Tenant, currency: string, amount: bigint): Promise<void> {
  const result = await inTx((tx) => adjustBalance({ tx, clock, tenant }, { direction: 'credit', currency, amount, reason: 'test seed' }));
  expect(result.ok).toBe(true);
}

/** getBalances as plain maps, `currency -> amount`. */
export async function balanceMaps(tenant: Tenant, tx?: Tx) {
  const balances = await getBalances(tx ?? (await database()).db, tenant);
  return {
    available: Object.fromEntries(balances.available.map((b) => [b.currency, b.amount])),
    pending: Object.fromEntries(balances.pending.map((b) => [b.currency, b.amount])),
  };
}

const accountMatch = (tenant: Tenant, currency: string, purpose: AccountPurpose) =>
  and(
    eq(ledgerAccounts.merchantId, tenant.merchantId),
    eq(ledgerAccounts.env, tenant.env),
    eq(ledgerAccounts.currency, currency),
    eq(ledgerAccounts.purpose, purpose),
  );

/** The stored `ledger_accounts.balance` of one account, undefined when the account does not exist. */
export async function storedBalance(tenant: Tenant, currency: string, purpose: AccountPurpose, tx?: Tx): Promise<bigint | undefined> {
  const db = tx ?? (await database()).db;
  const [row] = await db
    .select({ balance: ledgerAccounts.balance })
    .from(ledgerAccounts)
    .where(accountMatch(tenant, currency, purpose));
  return row?.balance;
}

export async function accountId(tenant: Tenant, currency: string, purpose: AccountPurpose, tx?: Tx): Promise<string> {
  const db = tx ?? (await database()).db;
  const [row] = await db
    .select({ id: ledgerAccounts.id })
    .from(ledgerAccounts)
    .where(accountMatch(tenant, currency, purpose));
  if (!row) throw new Error(`no ${purpose} ${currency} account for ${tenant.merchantId}`);
  return row.id;
}

/** How many journals (and their entries) carry this cause id. */
export async function journalsForCause(causeId: string): Promise<{ journals: number; entries: number }> {
  const { db } = await database();
  const [journals] = await db.select({ n: count() }).from(ledgerJournals).where(eq(ledgerJournals.causeId, causeId));
  const [entries] = await db
    .select({ n: count() })
    .from(ledgerEntries)
    .innerJoin(ledgerJournals, eq(ledgerJournals.id, ledgerEntries.journalId))
    .where(eq(ledgerJournals.causeId, causeId));
  return { journals: Number(journals!.n), entries: Number(entries!.n) };
}

/** The SQLSTATE and constraint of a database error, found under Drizzle's wrapper. */
export function dbError(error: unknown): { code?: string; constraint?: string; message: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; constraint?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return {
        code: candidate.code,
        ...(typeof candidate.constraint === 'string' ? { constraint: candidate.constraint } : {}),
        message: String(candidate.message),
      };
    }
    current = candidate.cause;
  }
  return { message: String(error) };
}

/** Awaits a promise that must reject, and returns its database error. */
export async function refusal(promise: Promise<unknown>): Promise<{ code?: string; constraint?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return dbError(error);
  }
  throw new Error('expected the database to refuse the statement');
}

/** Keeps a transaction open a moment so that concurrent transactions really overlap on PostgreSQL. */
export const linger = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

export const uniqueCause = (type = 'test') => ({ type, id: `${type}_${randomBase62(12)}` });
