// Requests for information (`/rfis`): read them, and answer one, which moves the payout it holds back under review
// through the payouts module (the same path as the legacy `update_rfi`). Decision 0017.
import { and, eq, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { rfis } from '../../db/schema/index.js';
import { isoSeconds } from '../../core/clock.js';
import type { TenantContext, UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { assertIdPrefix, ID_PREFIXES } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { RfiRow } from './lifecycle.js';
import type { ListRfisQuery, RespondRfiBody, Rfi } from './schemas.js';

// The documents of update_rfi and of a payin's compliance review, for the modules that take them.
export { answerRfiRequirements, newRfiRequirements, presentAttachedDocuments, resolveAttachedDocuments, UpdateRfiBody, type AttachedDocument, type DocumentFinder, type PayinRfiRequirement } from './documents.js';

// The RFI lifecycle, for the modules whose objects raise RFIs (payouts).
export { closeRfi, lockRfiToAnswer, raiseRfi, recordRfiAnswer, type RfiEntity, type RfiRow } from './lifecycle.js';

/**
 * How the module that owns an RFI's object answers it (`POST /rfis/{id}/respond`): under its own object's lock, then
 * the RFI's, in the caller's transaction. Given by the composition root, so that rfis imports no module above it.
 */
export type RfiAnswerer = (
  uow: UnitOfWork, entityId: string, body: { documents: Array<{ id: string; rfi_doc_id: string }> }, rfiId: string,
) => Promise<{ rfi: RfiRow | undefined }>;

export interface RfiDeps {
  db: Db;
  /** The answerer of each kind of object with RFIs (today: payouts). */
  answerers: Readonly<Partial<Record<RfiRow['entityType'], RfiAnswerer>>>;
}

export function presentRfi(row: RfiRow): Rfi {
  return {
    id: row.id,
    status: row.status,
    entity_type: row.entityType,
    entity_id: row.entityId,
    reason_code: row.reasonCode,
    reason_code_description: row.reasonCodeDescription,
    response_deadline: row.responseDeadline && isoSeconds(row.responseDeadline),
    documents_required: row.documentsRequired,
    responses: row.responses,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  };
}

async function findRfi(db: DbOrTx, tenant: Tenant, id: string): Promise<RfiRow | undefined> {
  const [row] = await db.select().from(rfis).where(and(tenantFilter(rfis, tenant), eq(rfis.id, id)));
  return row;
}

export async function getRfi(deps: Pick<RfiDeps, 'db'>, tenant: Tenant, id: string): Promise<Rfi> {
  assertIdPrefix(ID_PREFIXES.rfi, id);
  const row = await findRfi(deps.db, tenant, id);
  if (!row) throw errors.notFound('RFI');
  return presentRfi(row);
}

export async function listRfis(deps: Pick<RfiDeps, 'db'>, tenant: Tenant, query: ListRfisQuery): Promise<{ data: Rfi[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(rfis, tenant)];
  if (query.status !== undefined) where.push(eq(rfis.status, query.status));
  if (query.entity_id !== undefined) where.push(eq(rfis.entityId, query.entity_id.trim()));
  const page = await listPage(deps.db, rfis, where, pageRequest(query));
  return { data: page.rows.map(presentRfi), page_meta: page.meta };
}

/**
 * `PATCH /rfis/{id}/respond`: one document per requirement, all at once. In one transaction, under the payout's row
 * lock and then the RFI's: the RFI goes `under_review` with the answer, the payout back under review (`in_progress`,
 * nothing held) with the documents attached. Only an `action_required` RFI can be answered (400 INVALID_STATE).
 */
export async function respondRfi(deps: RfiDeps, ctx: TenantContext, id: string, body: RespondRfiBody): Promise<Rfi> {
  const { tenant } = ctx;
  assertIdPrefix(ID_PREFIXES.rfi, id);
  const found = await findRfi(deps.db, tenant, id);
  if (!found) throw errors.notFound('RFI');
  const answer = deps.answerers[found.entityType];
  if (!answer) throw new Error(`rfi ${found.id}: ${found.entityType} RFIs cannot be answered`);
  const documents = body.documents.map((pair) => ({ id: pair.doc_id.trim(), rfi_doc_id: pair.rfi_doc_id.trim() }));
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const { rfi } = await answer(uow, found.entityId, { documents }, found.id);
    return presentRfi(rfi!);
  });
}

/** The RFI operations the routes call, built once by the composition root (which hands in the answerers). */
export function createRfiService(deps: RfiDeps) {
  return Object.freeze({
    list: (ctx: TenantContext, query: ListRfisQuery) => listRfis(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getRfi(deps, ctx.tenant, id),
    respond: (ctx: TenantContext, id: string, body: RespondRfiBody) => respondRfi(deps, ctx, id, body),
  });
}

export type RfiService = ReturnType<typeof createRfiService>;
