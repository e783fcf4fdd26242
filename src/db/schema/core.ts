// Tables of the kernel every module uses: the event outbox and request_id claims.
import { bigserial, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

/** The outbox: every state change writes one row here in its own transaction; webhooks deliver from it. */
export const events = pgTable('events', {
  id: text('id').primaryKey(),
  /**
   * Allocation order, not commit order: a transaction that took a lower seq can commit after one with a higher
   * seq. A reader that advances a cursor over seq must allow for such gaps filling in later.
   */
  seq: bigserial('seq', { mode: 'bigint' }).notNull().unique(),
  ...tenantColumns(),
  entityType: text('entity_type').notNull(),
  eventType: text('event_type').notNull(),
  entityId: text('entity_id'),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
}, (t) => [
  index('events_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('events_entity_idx').on(t.merchantId, t.env, t.entityId),
  envCheck('events', t.env),
]);

/** A `request_id` is claimed once per merchant, environment and resource kind (the primary key decides). */
export const requestIds = pgTable('request_ids', {
  ...tenantColumns(),
  scope: text('scope').notNull(),
  requestId: text('request_id').notNull(),
  resourceId: text('resource_id').notNull(),
  createdAt: createdAt(),
}, (t) => [
  primaryKey({ columns: [t.merchantId, t.env, t.scope, t.requestId] }),
  envCheck('request_ids', t.env),
]);
