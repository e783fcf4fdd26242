// An RFI's changes inside the transaction of the object it holds, under that object's row lock (taken first, then
// the RFI's): raised or reopened when a payout goes action_required, answered when the merchant sends documents.
// The payouts module calls these; the RFI routes go through the payouts module (./service.ts), never the reverse.
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { rfis, type RfiDocumentRequirement, type RfiEntityType, type RfiResponse } from '../../db/schema/index.js';
import { errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import { MAX_DOCUMENTS_PER_REQUEST, type UpdateRfiBody } from './documents.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { UnitOfWork } from '../../core/context.js';

export type RfiRow = typeof rfis.$inferSelect;

/** The object an RFI holds. */
export interface RfiEntity {
  type: RfiEntityType;
  id: string;
}

const OPEN_STATUSES = ['action_required', 'under_review'] as const;

export const RFI_REASON_CODE = 'COMPLIANCE_REVIEW';
const RFI_REASON_DESCRIPTION = 'Compliance needs supporting documents before the transaction can proceed.';

/**
 * What the sandbox mock asks for: one requirement per id of the legacy `rfi_document_ids` (each an `rfidoc_…` id,
 * once), else one invoice under a new id. One document answers one requirement (the respond body pairs them).
 */
function mockRequirements(requested: readonly string[] | undefined, now: Date): RfiDocumentRequirement[] {
  const requirement = (rfiDocId: string, description: string): RfiDocumentRequirement =>
    ({ rfi_doc_id: rfiDocId, description, multiple_allowed: false, max_count: 1 });
  if (requested === undefined || requested.length === 0) return [requirement(newId(ID_PREFIXES.rfiDocument, now), 'Invoice')];
  if (requested.length > MAX_DOCUMENTS_PER_REQUEST) {
    throw errors.validation(`rfi_document_ids can list at most ${MAX_DOCUMENTS_PER_REQUEST} documents`);
  }
  const ids = requested.map((id) => id.trim());
  for (const [at, id] of ids.entries()) {
    if (!id.startsWith(`${ID_PREFIXES.rfiDocument}_`)) throw errors.validation('RFI document ID must start with rfidoc_ and be valid.');
    if (ids.indexOf(id) !== at) throw errors.validation(`rfi_document_ids repeat ${id}`);
  }
  return ids.map((id) => requirement(id, 'Supporting document'));
}

async function lockOpenRfiOf(tx: Tx, tenant: Tenant, entity: RfiEntity): Promise<RfiRow | undefined> {
  const [row] = await tx.select().from(rfis).where(and(
    tenantFilter(rfis, tenant), eq(rfis.entityType, entity.type), eq(rfis.entityId, entity.id), inArray(rfis.status, [...OPEN_STATUSES]),
  )).for('update');
  return row;
}

/**
 * The entity went `action_required` (its row locked by the caller): an RFI under review is reopened, the same one
 * answered again (notes-payouts §13.8), with new requirements only when some are sent; otherwise a new RFI is raised.
 */
export async function raiseRfi(uow: UnitOfWork, entity: RfiEntity, requested?: readonly string[]): Promise<RfiRow> {
  const { tx, clock, tenant } = uow;
  const now = clock.now();
  const open = await lockOpenRfiOf(tx, tenant, entity);
  if (open) {
    const [row] = await tx.update(rfis).set({
      status: 'action_required',
      ...(requested !== undefined && requested.length > 0 ? { documentsRequired: mockRequirements(requested, now) } : {}),
      updatedAt: now,
    }).where(and(tenantFilter(rfis, tenant), eq(rfis.id, open.id))).returning();
    return row!;
  }
  return insertWithFreshId(tx, rfis, () => newId(ID_PREFIXES.rfi, now), {
    ...tenant,
    entityType: entity.type,
    entityId: entity.id,
    status: 'action_required',
    reasonCode: RFI_REASON_CODE,
    reasonCodeDescription: RFI_REASON_DESCRIPTION,
    // The notes give no deadline, and the sandbox cannot expire RFIs (notes-payouts §12): none is set.
    responseDeadline: null,
    documentsRequired: mockRequirements(requested, now),
    responses: [],
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * The RFI an answer is for, locked (after the entity's row): `rfiId` names it (the respond operation: it must be
 * `action_required`), else the entity's open RFI if it has one (the legacy `update_rfi`, whose payout state decides).
 */
export async function lockRfiToAnswer(tx: Tx, tenant: Tenant, entity: RfiEntity, rfiId?: string): Promise<RfiRow | undefined> {
  if (rfiId === undefined) return lockOpenRfiOf(tx, tenant, entity);
  const [row] = await tx.select().from(rfis).where(and(tenantFilter(rfis, tenant), eq(rfis.id, rfiId))).for('update');
  if (!row) throw errors.notFound('RFI');
  if (row.entityType !== entity.type || row.entityId !== entity.id) throw new Error(`rfi ${rfiId} does not hold ${entity.type} ${entity.id}`);
  if (row.status !== 'action_required') throw errors.rfiNotAnswerable(row.status);
  return row;
}

/** The respond operation's rule: one document for each requirement, none other, none twice (notes-payouts §13.8). */
function checkCompleteAnswer(rfi: RfiRow, answers: readonly RfiResponse[]): void {
  const required = new Set(rfi.documentsRequired.map((requirement) => requirement.rfi_doc_id));
  const answered = new Set<string>();
  for (const { rfi_doc_id: rfiDocId } of answers) {
    if (!required.has(rfiDocId)) throw errors.validation(`RFI ${rfi.id} does not require ${rfiDocId}`);
    if (answered.has(rfiDocId)) throw errors.validation(`Documents repeat rfi_doc_id ${rfiDocId}`);
    answered.add(rfiDocId);
  }
  const missing = [...required].filter((id) => !answered.has(id));
  if (missing.length > 0) throw errors.validation(`Documents must answer every required document: missing ${missing.join(', ')}`);
}

/**
 * Records an answer and puts the RFI `under_review`. `complete`: the respond operation, which must answer every
 * requirement exactly once; the legacy `update_rfi` records the documents sent with an `rfi_doc_id`, as given.
 */
export async function recordRfiAnswer(
  uow: UnitOfWork, rfi: RfiRow, body: UpdateRfiBody, options: { complete: boolean },
): Promise<RfiRow> {
  const { tx, clock, tenant } = uow;
  const answers: RfiResponse[] = body.documents.flatMap((document) => {
    const rfiDocId = document.rfi_doc_id?.trim();
    return rfiDocId ? [{ rfi_doc_id: rfiDocId, doc_id: document.id.trim() }] : [];
  });
  if (options.complete) checkCompleteAnswer(rfi, answers);
  const [row] = await tx.update(rfis)
    .set({ status: 'under_review', responses: answers, updatedAt: clock.now() })
    .where(and(tenantFilter(rfis, tenant), eq(rfis.id, rfi.id)))
    .returning();
  return row!;
}

/**
 * The entity left compliance review (its row locked by the caller): its open RFI, if any, is closed `approved`
 * (the entity resumed) or `rejected` (it failed or was cancelled while the RFI was open).
 */
export async function closeRfi(uow: UnitOfWork, entity: RfiEntity, outcome: 'approved' | 'rejected'): Promise<void> {
  const { tx, clock, tenant } = uow;
  const open = await lockOpenRfiOf(tx, tenant, entity);
  if (!open) return;
  await tx.update(rfis).set({ status: outcome, updatedAt: clock.now() }).where(and(tenantFilter(rfis, tenant), eq(rfis.id, open.id)));
}
