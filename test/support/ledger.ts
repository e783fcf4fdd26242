// Money for API tests: fund a merchant through an operator adjustment, and assert the whole ledger still holds.
import { expect } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Environment } from '../../src/db/schema/index.js';
import { adjustBalance, verifyLedger } from '../../src/ledger/index.js';
import { testEnv } from './env.js';

export async function fundMerchant(merchantId: string, currency: string, amount: bigint, env: Environment = 'sandbox'): Promise<void> {
  const { database } = await testEnv();
  const result = await database.db.transaction((tx) =>
    adjustBalance({ tx, clock: systemClock, tenant: { merchantId, env } }, { direction: 'credit', currency, amount, reason: 'test funding' }));
  expect(result.ok).toBe(true);
}

/** The whole ledger (every tenant) and this merchant's part of it pass every invariant. */
export async function expectLedgerConsistent(merchantId?: string): Promise<void> {
  const { database } = await testEnv();
  const report = await verifyLedger(database.db, merchantId ? { merchantId } : {});
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}
