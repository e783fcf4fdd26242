// A merchant environment's balances per currency, read from the ledger (which owns the balance tables).
import type { TenantContext } from '../../core/context.js';
import type { Db } from '../../db/client.js';
import { errors } from '../../core/errors.js';
import { normalizeCurrency } from '../../core/iso.js';
import { getBalanceHistory, getBalances } from '../../ledger/index.js';

/** The balance operations the routes call, built once by the composition root. */
export function createBalanceService(deps: { db: Db }) {
  return Object.freeze({
    /** Available and pending balances, every currency the tenant holds. */
    get: (ctx: TenantContext) => getBalances(deps.db, ctx.tenant),
    /** The available, pending and held balances in one currency after each of its last journals, oldest first. */
    history: async (ctx: TenantContext, query: { currency: string; limit?: number | undefined }) => {
      const currency = normalizeCurrency(query.currency);
      if (!currency) throw errors.validation('Currency must be a valid ISO 4217 currency code (e.g., USD)');
      return { currency, points: await getBalanceHistory(deps.db, ctx.tenant, currency, query.limit) };
    },
  });
}

export type BalanceService = ReturnType<typeof createBalanceService>;
