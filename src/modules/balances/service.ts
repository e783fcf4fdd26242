// A merchant environment's balances per currency, read from the ledger (which owns the balance tables).
import type { TenantContext } from '../../core/context.js';
import type { Db } from '../../db/client.js';
import { getBalances } from '../../ledger/index.js';

/** The balance operations the routes call, built once by the composition root. */
export function createBalanceService(deps: { db: Db }) {
  return Object.freeze({
    /** Available and pending balances, every currency the tenant holds. */
    get: (ctx: TenantContext) => getBalances(deps.db, ctx.tenant),
  });
}

export type BalanceService = ReturnType<typeof createBalanceService>;
