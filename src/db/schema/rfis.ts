// Requests for information: compliance holds a payout until the merchant sends the documents it asks for.
import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

/**
 * `action_required` (waiting for the merchant) → `under_review` (answered) → `action_required` again when compliance
 * asks once more. `approved` and `rejected` close an RFI when compliance decides (not reached yet: decision 0017).
 */
export const RFI_STATUSES = ['action_required', 'under_review', 'approved', 'rejected'] as const;
export type RfiStatus = (typeof RFI_STATUSES)[number];
/** Only payouts raise RFIs for now; payments' holds are sanctions hits, which raise none (decision 0017). */
export const RFI_ENTITY_TYPES = ['payout', 'payment'] as const;
export type RfiEntityType = (typeof RFI_ENTITY_TYPES)[number];

export interface RfiDocumentRequirement {
  rfi_doc_id: string;
  description: string;
  multiple_allowed: boolean;
  max_count: number;
}

/** One document sent for one requirement. */
export interface RfiResponse {
  rfi_doc_id: string;
  doc_id: string;
}

export const rfis = pgTable('rfis', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  entityType: text('entity_type').$type<RfiEntityType>().notNull(),
  entityId: text('entity_id').notNull(),
  status: text('status').$type<RfiStatus>().notNull(),
  reasonCode: text('reason_code').notNull(),
  reasonCodeDescription: text('reason_code_description').notNull(),
  responseDeadline: timestamp('response_deadline', { withTimezone: true, mode: 'date' }),
  documentsRequired: jsonb('documents_required').$type<RfiDocumentRequirement[]>().notNull(),
  /** The last answer, replaced by the next one. */
  responses: jsonb('responses').$type<RfiResponse[]>().notNull().default(sql`'[]'::jsonb`),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('rfis_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('rfis_tenant_status_created_idx').on(t.merchantId, t.env, t.status, t.createdAt.desc(), t.id.desc()),
  index('rfis_tenant_entity_created_idx').on(t.merchantId, t.env, t.entityId, t.createdAt.desc(), t.id.desc()),
  // One open RFI per held object: the backstop of the row locks that serialize its changes.
  uniqueIndex('rfis_open_entity_uq').on(t.merchantId, t.env, t.entityType, t.entityId)
    .where(sql`${t.status} in ('action_required', 'under_review')`),
  envCheck('rfis', t.env),
  check('rfis_status_ck', sql`${t.status} in ('action_required', 'under_review', 'approved', 'rejected')`),
  check('rfis_entity_type_ck', sql`${t.entityType} in ('payout', 'payment')`),
]);
