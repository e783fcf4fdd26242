// Operator adjustments: a manual credit or debit of a merchant's available balance, recorded with its reason
// as an audit row next to the journal that moves the money.
import { and, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { ledgerAdjustments, type Environment } from '../db/schema/index.js';
import { jsonAmount } from '../core/amount.js';
import { isoSeconds } from '../core/clock.js';
import type { UnitOfWork } from '../core/context.js';
import { recordEvent } from '../core/events.js';
import { ID_PREFIXES, newId } from '../core/ids.js';
import { listPage, type PageRequest } from '../core/pagination.js';
import { tenantFilter, type Tenant } from '../core/tenancy.js';
import { LedgerInvariantError, postJournal, type InsufficientFunds } from './journal.js';

export interface AdjustmentInput {
  direction: 'credit' | 'debit';
  currency: string;
  amount: bigint;
  reason: string;
}

export type Adjustment = typeof ledgerAdjustments.$inferSelect;

export async function adjustBalance(
  uow: UnitOfWork,
  input: AdjustmentInput,
): Promise<{ ok: true; adjustment: Adjustment } | InsufficientFunds> {
  if (input.amount <= 0n) throw new LedgerInvariantError('an adjustment must be for a positive amount');
  const { tx, tenant } = uow;
  const now = uow.clock.now();
  const id = newId(ID_PREFIXES.adjustment, now);
  const signed = input.direction === 'credit' ? input.amount : -input.amount;
  const posted = await postJournal(uow, {
    kind: 'adjustment',
    cause: { type: 'adjustment', id },
    memo: input.reason,
    entries: [
      { account: { purpose: 'available', currency: input.currency }, amount: signed },
      { account: { purpose: 'adjustments', currency: input.currency }, amount: -signed },
    ],
  });
  if (!posted.ok) return posted;
  const [adjustment] = await tx
    .insert(ledgerAdjustments)
    .values({ id, ...tenant, ...input, journalId: posted.journal.id, createdAt: now })
    .returning();
  // The merchant's balance changed: tell them, without the operator's internal reason.
  await recordEvent(uow, {
    entityType: 'balance',
    eventType: 'adjusted',
    entityId: id,
    data: {
      id,
      direction: input.direction,
      currency: input.currency,
      amount: jsonAmount(input.amount),
      created_at: isoSeconds(now),
    },
  });
  return { ok: true, adjustment: adjustment! };
}

export async function findAdjustment(db: DbOrTx, tenant: Tenant, id: string): Promise<Adjustment | undefined> {
  const [row] = await db.select().from(ledgerAdjustments).where(and(tenantFilter(ledgerAdjustments, tenant), eq(ledgerAdjustments.id, id)));
  return row;
}

/** One page of a merchant's adjustments, newest first: both environments, or the one given. */
export async function listAdjustments(db: DbOrTx, merchantId: string, filter: { env?: Environment | undefined }, page: PageRequest) {
  const where: SQL[] = [eq(ledgerAdjustments.merchantId, merchantId)];
  if (filter.env) where.push(eq(ledgerAdjustments.env, filter.env));
  return listPage(db, ledgerAdjustments, where, page);
}
