// Webhook endpoints (per merchant environment), one delivery per event and endpoint, and every attempt.
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { events } from './core.js';
import { envCheck, tenantColumns } from './tenant.js';

export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  url: text('url').notNull(),
  /** The HMAC key; kept because every delivery is signed with it. */
  secret: text('secret').notNull(),
  /** `entity_type.event_type` names (`payment.success`); null means every event. */
  enabledEvents: jsonb('enabled_events').$type<string[] | null>(),
  description: text('description'),
  status: text('status').$type<'enabled' | 'disabled'>().notNull(),
  /** Deleted endpoints are kept (their delivery log refers to them) but never listed nor delivered to. */
  deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('webhook_endpoints_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  check('webhook_endpoints_status_ck', sql`${t.status} in ('enabled', 'disabled')`),
  envCheck('webhook_endpoints', t.env),
]);

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  eventId: text('event_id').notNull().references(() => events.id),
  endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id),
  status: text('status').$type<DeliveryStatus>().notNull(),
  /** Scheduled attempts made so far (manual redeliveries are counted apart). */
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
  lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date' }),
  lastStatusCode: integer('last_status_code'),
  lastError: text('last_error'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('webhook_deliveries_event_endpoint_uq').on(t.eventId, t.endpointId),
  index('webhook_deliveries_tenant_event_idx').on(t.merchantId, t.env, t.eventId),
  check('webhook_deliveries_status_ck', sql`${t.status} in ('pending', 'succeeded', 'failed', 'cancelled')`),
  envCheck('webhook_deliveries', t.env),
]);

export const webhookAttempts = pgTable('webhook_attempts', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  deliveryId: text('delivery_id').notNull().references(() => webhookDeliveries.id),
  /** `scheduled` (the retry schedule) or `manual` (POST /events/{id}/redeliver). */
  trigger: text('trigger').$type<'scheduled' | 'manual'>().notNull(),
  attemptedAt: timestamp('attempted_at', { withTimezone: true, mode: 'date' }).notNull(),
  statusCode: integer('status_code'),
  latencyMs: integer('latency_ms').notNull(),
  /** The first bytes of the response body, as text. */
  responseSnippet: text('response_snippet'),
  error: text('error'),
  createdAt: createdAt(),
}, (t) => [
  index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attemptedAt),
  check('webhook_attempts_trigger_ck', sql`${t.trigger} in ('scheduled', 'manual')`),
  envCheck('webhook_attempts', t.env),
]);
