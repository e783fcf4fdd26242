// Balances as the API shows them: the merchant's available and pending accounts, per currency.
import { and, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { ledgerAccounts } from '../db/schema/index.js';
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
