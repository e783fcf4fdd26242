// Refunds of successful payments. Creation holds the amount on the merchant's available balance; the sandbox mock
// resolves it: `success` posts the hold to clearing (the money leaves the platform), `failed` voids it back to
// available. Each step commits with its ledger journal and its event in one transaction.
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { refunds, type RefundStatus } from '../../db/schema/index.js';
import { jsonAmount } from '../../core/amount.js';
import type { TenantContext } from '../../core/context.js';
import { duplicateRequest, errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { claimRequestId } from '../../core/idempotency.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { presentAttachedDocuments, resolveAttachedDocuments, type UpdateRfiBody } from '../rfis/service.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { holdFunds, postHold, voidHold } from '../../ledger/index.js';
import { findDocument } from '../documents/service.js';
import { partialRefundsOf } from '../merchants/service.js';
import { lockPayment } from '../payments/service.js';
import type { CreateRefundBody, ListRefundsQuery, MockUpdateRefundBody, Refund } from './schemas.js';

export interface RefundDeps {
  db: Db;
}

export type RefundRow = typeof refunds.$inferSelect;

/** The webhook catalogue's entity type for refunds. */
export const REFUND_ENTITY_TYPE = 'refund';
/** Refunds are accepted up to this long after the payment (notes-payins §9.2). */
export const REFUND_WINDOW_DAYS = 180;
const REFUND_WINDOW_MS = REFUND_WINDOW_DAYS * 24 * 60 * 60 * 1000;

/** Refunds that count against the payment: resolved-successful and still-unresolved ones. */
const OUTSTANDING: RefundStatus[] = ['in_progress', 'success'];

/**
 * The statuses a refund may have when its create answers (notes-payins §9.2, §9.6): the ones stored today and the
 * live API's RFI and cancellation statuses, which no refund reaches here yet.
 */
export type RefundCreationStatus = RefundStatus | 'action_required' | 'under_review' | 'cancelled';

const CREATED_STATUS_CODES: Record<RefundCreationStatus, 201 | 202 | 422> = {
  success: 201,
  in_progress: 202,
  action_required: 202,
  under_review: 202,
  failed: 422,
  cancelled: 422,
};

/**
 * The status code of `POST /refunds` for the refund it created (notes-payins §9.2): 201 when it is already `success`,
 * 202 while it is still on its way, 422 (with the refund as the body) when it failed or was cancelled at creation.
 */
export function createdRefundStatusCode(status: RefundCreationStatus): 201 | 202 | 422 {
  return CREATED_STATUS_CODES[status];
}

export function presentRefund(row: RefundRow): Refund {
  return {
    id: row.id,
    customer_id: row.customerId,
    payment_id: row.paymentId,
    reason: row.reason,
    documents: presentAttachedDocuments(row.documents),
    status: row.status,
    currency: row.currency,
    amount: jsonAmount(row.amount),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** What the payment's outstanding refunds already take from it. */
async function refundedAmount(tx: Tx, tenant: Tenant, paymentId: string): Promise<bigint> {
  const [row] = await tx
    .select({ total: sql<string>`coalesce(sum(${refunds.amount}), 0)` })
    .from(refunds)
    .where(and(tenantFilter(refunds, tenant), eq(refunds.paymentId, paymentId), inArray(refunds.status, OUTSTANDING)));
  return BigInt(row?.total ?? 0);
}

/**
 * `POST /refunds`: in one transaction, lock the payment, check the amount fits in what remains refundable (less than
 * all of it only for a card payment of a merchant with partial refunds enabled), insert the `in_progress` refund, claim its request_id and hold its amount on the available balance. Any refusal rolls the
 * whole transaction back, so nothing is stored. No event is recorded: the catalogue has no `refund.in_progress`.
 */
export async function createRefund(deps: RefundDeps, ctx: TenantContext, body: CreateRefundBody): Promise<Refund> {
  const { tenant, clock } = ctx;
  const paymentId = body.payment_id.trim();
  if (paymentId === '') throw errors.blank('payment_id');
  assertIdPrefix(ID_PREFIXES.payment, paymentId);
  if (body.document_id !== undefined || body.document_url !== undefined || body.file_name !== undefined) {
    throw errors.refundDocumentsNotSupported();
  }
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const now = clock.now();
    const payment = await lockPayment(tx, tenant, paymentId);
    if (!payment) throw errors.notFound('Payment');
    if (payment.status !== 'success') throw errors.refundPaymentNotSuccess(payment.status);
    if (payment.methodType === 'pay_via_bank') throw errors.refundMethodNotRefundable();
    const paidAt = payment.paidAt ?? payment.createdAt;
    if (now.getTime() - paidAt.getTime() > REFUND_WINDOW_MS) throw errors.refundPaymentTooOld(REFUND_WINDOW_DAYS);

    const requestId = body.request_id?.trim();
    const remaining = payment.amount - await refundedAmount(tx, tenant, payment.id);
    const amount = body.amount !== undefined ? BigInt(body.amount) : remaining;
    const refusal = remaining <= 0n ? errors.refundPaymentFullyRefunded()
      : amount > remaining ? errors.refundExceedsRemaining(remaining)
      // Partial refunds are for cards only, and only where the operator enabled them (notes-payins §9.2).
      : amount < remaining && (payment.methodType !== 'card' || !await partialRefundsOf(tx, tenant.merchantId))
        ? errors.partialRefundsDisabled()
        : undefined;
    if (refusal) {
      // A repeat of a request that went through must answer the duplicate, not "nothing left to refund": probe
      // the claim (the refusal rolls it back). The payment lock makes the first request's claim visible here.
      if (requestId) {
        const probe = await claimRequestId(uow, 'refunds', requestId, payment.id);
        if (!probe.claimed) throw duplicateRequest('refund');
      }
      throw refusal;
    }

    const inserted = await insertWithFreshId(tx, refunds, () => newId(ID_PREFIXES.refund, now), {
      ...tenant,
      paymentId: payment.id,
      // A successful payment always names its customer (payments_customer_ck: only unmatched transfers have none).
      customerId: payment.customerId!,
      paymentMethodType: payment.methodType,
      status: 'in_progress',
      reason: body.reason,
      currency: payment.currency,
      amount,
      holdId: null,
      requestId: requestId || null,
      createdAt: now,
      updatedAt: now,
    });
    if (requestId) {
      const claim = await claimRequestId(uow, 'refunds', requestId, inserted.id);
      if (!claim.claimed) throw duplicateRequest('refund');
    }
    const held = await holdFunds(uow, {
      currency: payment.currency,
      amount,
      cause: { type: REFUND_ENTITY_TYPE, id: inserted.id },
    });
    if (!held.ok) throw errors.insufficientBalance(held.shortfall);
    const [row] = await tx.update(refunds).set({ holdId: held.hold.id })
      .where(and(tenantFilter(refunds, tenant), eq(refunds.id, inserted.id))).returning();
    return presentRefund(row!);
  });
}

/**
 * `PATCH /refunds/{id}/mock_update_status` (sandbox): resolves an `in_progress` refund once. The conditional update
 * decides between concurrent calls; `success` posts the hold to clearing, `failed` voids it back to available.
 */
export async function mockUpdateRefundStatus(
  deps: RefundDeps,
  ctx: TenantContext,
  id: string,
  body: MockUpdateRefundBody,
): Promise<Refund> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.refund, id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const [row] = await tx
      .update(refunds)
      .set({ status: body.status, updatedAt: clock.now() })
      .where(and(tenantFilter(refunds, tenant), eq(refunds.id, id), eq(refunds.status, 'in_progress')))
      .returning();
    if (!row) {
      const current = await findRefund(tx, tenant, id);
      if (!current) throw errors.notFound('Refund');
      throw errors.refundNotInProgress(current.status);
    }
    if (row.holdId === null) throw new Error(`refund ${row.id} is in_progress without a hold`);
    const resolved = body.status === 'success'
      ? await postHold(uow, row.holdId)
      : await voidHold(uow, row.holdId);
    // The refund row's status guards its hold: a hold resolved behind an in_progress refund is a bug.
    if (!resolved.ok) throw new Error(`refund ${row.id}: hold ${row.holdId} could not be resolved: ${resolved.reason}`);
    const refund = presentRefund(row);
    await recordEvent(uow, { entityType: REFUND_ENTITY_TYPE, eventType: row.status, entityId: row.id, data: refund });
    return refund;
  });
}

/**
 * `PATCH /refunds/{id}/update_rfi`: attaches the tenant's documents to an `in_progress` refund, under its row lock.
 * The status does not change and no event is recorded: the catalogue has no refund event for attached documents.
 */
export async function updateRefundRfi(deps: RefundDeps, ctx: TenantContext, id: string, body: UpdateRfiBody): Promise<Refund> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.refund, id);
  return deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(refunds).where(and(tenantFilter(refunds, tenant), eq(refunds.id, id))).for('update');
    if (!current) throw errors.notFound('Refund');
    if (current.status !== 'in_progress') throw errors.refundDocumentsAfterFinal(current.status);
    const documents = await resolveAttachedDocuments(tx, tenant, body, current.documents, findDocument);
    const [row] = await tx
      .update(refunds)
      .set({ documents, updatedAt: clock.now() })
      .where(and(tenantFilter(refunds, tenant), eq(refunds.id, current.id)))
      .returning();
    return presentRefund(row!);
  });
}

/** The tenant's refund row, or undefined. */
export async function findRefund(db: DbOrTx, tenant: Tenant, id: string): Promise<RefundRow | undefined> {
  const [row] = await db.select().from(refunds).where(and(tenantFilter(refunds, tenant), eq(refunds.id, id)));
  return row;
}

export async function getRefund(deps: Pick<RefundDeps, 'db'>, tenant: Tenant, id: string): Promise<Refund> {
  assertIdPrefix(ID_PREFIXES.refund, id);
  const row = await findRefund(deps.db, tenant, id);
  if (!row) throw errors.notFound('Refund');
  return presentRefund(row);
}

export async function listRefunds(
  deps: Pick<RefundDeps, 'db'>,
  tenant: Tenant,
  query: ListRefundsQuery,
): Promise<{ data: Refund[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(refunds, tenant)];
  if (query.customer_id !== undefined) where.push(eq(refunds.customerId, query.customer_id.trim()));
  if (query.payment_id !== undefined) where.push(eq(refunds.paymentId, query.payment_id.trim()));
  if (query.payment_method !== undefined) where.push(eq(refunds.paymentMethodType, query.payment_method));
  if (query.request_id !== undefined) where.push(eq(refunds.requestId, query.request_id.trim()));
  if (query.status !== undefined) {
    const status = query.status === 'pending' ? 'in_progress' : query.status;
    // No refund reaches the RFI statuses yet: filtering on them matches nothing.
    if (status === 'action_required' || status === 'under_review') where.push(sql`false`);
    else where.push(eq(refunds.status, status));
  }
  const page = await listPage(deps.db, refunds, where, pageRequest(query));
  return { data: page.rows.map(presentRefund), page_meta: page.meta };
}

/** The refund operations the routes call, built once by the composition root; each runs on the caller's context. */
export function createRefundService(deps: RefundDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateRefundBody) => createRefund(deps, ctx, body),
    list: (ctx: TenantContext, query: ListRefundsQuery) => listRefunds(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getRefund(deps, ctx.tenant, id),
    updateRfi: (ctx: TenantContext, id: string, body: UpdateRfiBody) => updateRefundRfi(deps, ctx, id, body),
    mockUpdateStatus: (ctx: TenantContext, id: string, body: MockUpdateRefundBody) =>
      mockUpdateRefundStatus(deps, ctx, id, body),
  });
}

export type RefundService = ReturnType<typeof createRefundService>;
