// Documents for a payment held for compliance (`PATCH /payment/{id}/update_rfi`, notes-payins §8.5): an
// `action_required` payment goes `under_review` with the documents; one `under_review` takes more.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { payments } from '../../db/schema/index.js';
import type { TenantContext } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { assertIdPrefix, ID_PREFIXES } from '../../core/ids.js';
import { resolveAttachedDocuments, type UpdateRfiBody } from '../rfis/service.js';
import { tenantFilter } from '../../core/tenancy.js';
import { findDocument } from '../documents/service.js';
import type { Payment } from './schemas.js';
import { lockPayment, PAYMENT_ENTITY_TYPE, presentPayment } from './service.js';

/** Statuses in which a payment waits for (more) documents. */
const RFI_STATUSES = ['action_required', 'under_review'] as const;

/**
 * `PATCH /payment/{id}/update_rfi`: under the payment's row lock, attaches the tenant's documents. An
 * `action_required` payment moves to `under_review` and records the `payment`/`under_review` event; one already
 * `under_review` keeps its status and records nothing (the catalogue has no event for more documents).
 */
export async function updatePaymentRfi(
  deps: { db: Db },
  ctx: TenantContext,
  id: string,
  body: UpdateRfiBody,
): Promise<Payment> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.payment, id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const current = await lockPayment(tx, tenant, id);
    if (!current) throw errors.notFound('Payment');
    if (!(RFI_STATUSES as readonly string[]).includes(current.status)) throw errors.noPendingRfi('Payment', current.status);
    const documents = await resolveAttachedDocuments(tx, tenant, body, current.documents, findDocument);
    const [row] = await tx
      .update(payments)
      .set({ status: 'under_review', documents, updatedAt: clock.now() })
      .where(and(tenantFilter(payments, tenant), eq(payments.id, current.id)))
      .returning();
    const payment = presentPayment(row!);
    if (current.status === 'action_required') {
      await recordEvent(uow, { entityType: PAYMENT_ENTITY_TYPE, eventType: 'under_review', entityId: row!.id, data: payment });
    }
    return payment;
  });
}

/** The payment RFI operation of its route, built once by the composition root. */
export function createPaymentRfiService(deps: { db: Db }) {
  return Object.freeze({
    update: (ctx: TenantContext, id: string, body: UpdateRfiBody) => updatePaymentRfi(deps, ctx, id, body),
  });
}

export type PaymentRfiService = ReturnType<typeof createPaymentRfiService>;
