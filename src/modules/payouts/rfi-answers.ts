// A payout's RFI answered, by the legacy `update_rfi` or through `PATCH /rfis/{id}/respond` (decision 0017).
import { errors } from '../../core/errors.js';
import { findDocument } from '../documents/service.js';
import { lockRfiToAnswer, recordRfiAnswer, resolveAttachedDocuments, type RfiRow, type UpdateRfiBody } from '../rfis/service.js';
import type { PayoutDeps } from './deps.js';
import { lockPayout, PAYOUT_ENTITY_TYPE, writeStatus } from './lifecycle.js';
import type { Payout } from './schemas.js';
import type { UnitOfWork, TenantContext } from '../../core/context.js';

/**
 * `PATCH /payouts/{id}/update_rfi` (legacy RFI answer): documents for an `action_required` payout, which goes back
 * under review (`in_progress`, nothing held, still cancellable) until the sandbox mock or compliance moves it on.
 */
export async function updatePayoutRfi(deps: Pick<PayoutDeps, 'db'>, ctx: TenantContext, id: string, body: UpdateRfiBody): Promise<Payout> {
  return deps.db.transaction(async (tx) => (await answerPayoutRfi({ tx, ...ctx }, id, body)).payout);
}

/**
 * An RFI answer, from `update_rfi` or from `PATCH /rfis/{id}/respond` (`rfiId`, which must answer every requirement):
 * under the payout's row lock, then the RFI's, the payout's open RFI goes `under_review` with the answer and the
 * payout back under review with the documents attached.
 */
export async function answerPayoutRfi(
  uow: UnitOfWork, id: string, body: UpdateRfiBody, rfiId?: string,
): Promise<{ payout: Payout; rfi: RfiRow | undefined }> {
  const { tx, tenant } = uow;
  const row = await lockPayout(tx, tenant, id);
  const open = await lockRfiToAnswer(tx, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, rfiId);
  if (row.status !== 'action_required') throw errors.noPendingRfi('Payout', row.status);
  const rfi = open && await recordRfiAnswer(uow, open, body, { complete: rfiId !== undefined });
  const documents = await resolveAttachedDocuments(tx, tenant, body, row.documents, findDocument);
  const payout = await writeStatus(uow, row, { status: 'in_progress', sentToRail: false, documents });
  return { payout, rfi };
}
