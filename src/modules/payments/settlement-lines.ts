// What settlements read and write of payments (the payments module owns the table): which payments can be settled,
// claiming them for a settlement under their row locks, and the lines of a settlement. A payment is settleable when
// it succeeded, its funds are available and no settlement has it yet; its line is its net credit
// (`amount − fee_amount`, in the currency it settled to the merchant in).
import { and, asc, eq, inArray, isNull, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { payments } from '../../db/schema/index.js';
import { listPage, type PageMeta, type PageRequest } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';

export type SettlementLineRow = typeof payments.$inferSelect;

const settleable = (): SQL[] => [eq(payments.status, 'success'), eq(payments.fundsAvailable, true), isNull(payments.settlementId)];

/** The net amount a payment contributes to its settlement. */
export const netOf = (row: Pick<SettlementLineRow, 'amount' | 'feeAmount'>): bigint => row.amount - row.feeAmount;

/**
 * The tenant's payments with these ids, locked for the rest of the transaction in id order (so two settlements of
 * overlapping sets queue behind each other instead of deadlocking). Ids that are not the tenant's are absent.
 */
export async function lockPaymentsForSettlement(tx: Tx, tenant: Tenant, ids: readonly string[]): Promise<SettlementLineRow[]> {
  if (ids.length === 0) return [];
  return tx.select().from(payments)
    .where(and(tenantFilter(payments, tenant), inArray(payments.id, [...ids])))
    .orderBy(asc(payments.id))
    .for('update');
}

/** Whether a locked payment can be settled now. */
export function isSettleable(row: SettlementLineRow): boolean {
  return row.status === 'success' && row.fundsAvailable && row.settlementId === null;
}

/**
 * Every settleable payment of the tenant in `currency` (only those paid before `paidBefore` when given: a settlement
 * schedule's delay), locked in id order; `SKIP LOCKED` leaves those another settlement is claiming to it (they are
 * not settleable once it commits).
 */
export async function lockSettleablePayments(tx: Tx, tenant: Tenant, currency: string, paidBefore?: Date): Promise<SettlementLineRow[]> {
  const paid = paidBefore === undefined ? [] : [lt(payments.paidAt, paidBefore)];
  return tx.select().from(payments)
    .where(and(tenantFilter(payments, tenant), eq(payments.currency, currency), ...settleable(), ...paid))
    .orderBy(asc(payments.id))
    .for('update', { skipLocked: true });
}

/** The currencies the tenant has settleable payments in. */
export async function settleableCurrencies(db: DbOrTx, tenant: Tenant): Promise<string[]> {
  const rows = await db.selectDistinct({ currency: payments.currency }).from(payments)
    .where(and(tenantFilter(payments, tenant), ...settleable()))
    .orderBy(asc(payments.currency));
  return rows.map((row) => row.currency);
}

/** Claims locked, settleable payments for a settlement. */
export async function markSettled(tx: Tx, tenant: Tenant, ids: readonly string[], settlementId: string, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.update(payments)
    .set({ settlementId, updatedAt: now })
    .where(and(tenantFilter(payments, tenant), inArray(payments.id, [...ids]), ...settleable()));
}

/** A failed settlement gives its payments back: they can be settled again. */
export async function releaseSettled(tx: Tx, tenant: Tenant, settlementId: string, now: Date): Promise<void> {
  await tx.update(payments)
    .set({ settlementId: null, updatedAt: now })
    .where(and(tenantFilter(payments, tenant), eq(payments.settlementId, settlementId)));
}

/** One page of a settlement's payments, newest first. */
export async function settlementLines(
  db: DbOrTx, tenant: Tenant, settlementId: string, page: PageRequest,
): Promise<{ rows: SettlementLineRow[]; meta: PageMeta }> {
  return listPage(db, payments, [tenantFilter(payments, tenant), eq(payments.settlementId, settlementId)], page);
}
