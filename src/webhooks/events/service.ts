// The event log of a merchant environment with the delivery state of each event, redelivery, and the test event.
import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { events, webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.js';
import type { TenantContext } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { assertIdPrefix, ID_PREFIXES } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { createDelivery, enqueueManualDelivery } from '../delivery/handlers.js';
import { eventName, isDeliverable, isSubscribed } from '../delivery/targets.js';
import { findEndpoint } from '../endpoints/service.js';
import type { Delivery, DeliveryAttempt, DeliverySummary, Event, EventListItem, ListEventsQuery, RedeliverBody, Redelivery } from './schemas.js';

export interface EventDeps {
  db: Db;
}

type EventRow = typeof events.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type AttemptRow = typeof webhookAttempts.$inferSelect;

export const TEST_EVENT = { entityType: 'webhook_test', eventType: 'test', message: 'Test webhook from glomo-server' } as const;

const isoOrNull = (date: Date | null) => (date === null ? null : isoSeconds(date));

function presentDeliverySummary(row: DeliveryRow): DeliverySummary {
  return {
    id: row.id,
    endpoint_id: row.endpointId,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: isoOrNull(row.nextAttemptAt),
    last_attempt_at: isoOrNull(row.lastAttemptAt),
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
  };
}

function presentAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    attempted_at: isoSeconds(row.attemptedAt),
    trigger: row.trigger,
    status_code: row.statusCode,
    latency_ms: row.latencyMs,
    response_snippet: row.responseSnippet,
    error: row.error,
  };
}

function presentEventFields(row: EventRow) {
  return {
    id: row.id,
    entity_type: row.entityType,
    event_type: row.eventType,
    entity_id: row.entityId,
    data: row.data,
    created_at: isoSeconds(row.createdAt),
  };
}

/**
 * The tenant's deliveries of these events to its own endpoints, oldest first. A child's events delivered to its
 * platform's endpoints are left out: their attempts (status, response, errors) are the platform's endpoint's.
 */
async function deliveriesOf(db: DbOrTx, tenant: Tenant, eventIds: string[]): Promise<DeliveryRow[]> {
  if (eventIds.length === 0) return [];
  const rows = await db
    .select({ delivery: webhookDeliveries })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, and(eq(webhookEndpoints.id, webhookDeliveries.endpointId), tenantFilter(webhookEndpoints, tenant)))
    .where(and(tenantFilter(webhookDeliveries, tenant), inArray(webhookDeliveries.eventId, eventIds)))
    .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id));
  return rows.map((row) => row.delivery);
}

async function findEvent(db: DbOrTx, tenant: Tenant, id: string): Promise<EventRow> {
  assertIdPrefix(ID_PREFIXES.event, id);
  const [row] = await db.select().from(events).where(and(tenantFilter(events, tenant), eq(events.id, id)));
  if (!row) throw errors.notFound('Event');
  return row;
}

async function presentEvent(db: DbOrTx, tenant: Tenant, row: EventRow): Promise<Event> {
  const deliveries = await deliveriesOf(db, tenant, [row.id]);
  const attempts = deliveries.length === 0
    ? []
    : await db
      .select()
      .from(webhookAttempts)
      .where(and(tenantFilter(webhookAttempts, tenant), inArray(webhookAttempts.deliveryId, deliveries.map((d) => d.id))))
      .orderBy(asc(webhookAttempts.attemptedAt), asc(webhookAttempts.createdAt), asc(webhookAttempts.id));
  return {
    ...presentEventFields(row),
    deliveries: deliveries.map((delivery): Delivery => ({
      ...presentDeliverySummary(delivery),
      attempt_log: attempts.filter((attempt) => attempt.deliveryId === delivery.id).map(presentAttempt),
    })),
  };
}

export async function getEvent(deps: EventDeps, tenant: Tenant, id: string): Promise<Event> {
  return presentEvent(deps.db, tenant, await findEvent(deps.db, tenant, id));
}

export async function listEvents(
  deps: EventDeps,
  tenant: Tenant,
  query: ListEventsQuery,
): Promise<{ data: EventListItem[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(events, tenant)];
  if (query.entity_type !== undefined) where.push(eq(events.entityType, query.entity_type));
  if (query.event_type !== undefined) where.push(eq(events.eventType, query.event_type));
  if (query.entity_id !== undefined) where.push(eq(events.entityId, query.entity_id));
  const page = await listPage(deps.db, events, where, pageRequest(query));
  const deliveries = await deliveriesOf(deps.db, tenant, page.rows.map((row) => row.id));
  return {
    data: page.rows.map((row) => ({
      ...presentEventFields(row),
      deliveries: deliveries.filter((delivery) => delivery.eventId === row.id).map(presentDeliverySummary),
    })),
    page_meta: page.meta,
  };
}

/**
 * Another attempt now, outside the schedule. With `endpoint_id`: that endpoint's delivery, or a new delivery (with
 * the full schedule) if it never had one and is subscribed to the event. Without: every delivery of the event
 * whose endpoint is still enabled.
 */
export async function redeliverEvent(deps: EventDeps, ctx: TenantContext, id: string, body: RedeliverBody): Promise<Redelivery> {
  const { tenant } = ctx;
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const event = await findEvent(tx, tenant, id);
    const existing = await deliveriesOf(tx, tenant, [event.id]);
    const queued: string[] = [];
    if (body?.endpoint_id !== undefined) {
      const endpoint = await findEndpoint(tx, tenant, body.endpoint_id);
      if (!endpoint || endpoint.deletedAt !== null) throw errors.notFound('Webhook endpoint');
      if (!isDeliverable(endpoint)) throw errors.validation('Webhook endpoint is disabled');
      const had = existing.find((delivery) => delivery.endpointId === endpoint.id);
      if (had) {
        await enqueueManualDelivery(uow, had.id);
        queued.push(had.id);
      } else {
        if (!isSubscribed(endpoint, eventName(event))) {
          throw errors.validation(`Webhook endpoint is not subscribed to ${eventName(event)}`);
        }
        // A new delivery starts its schedule now. undefined: the event's dispatch created one a moment ago, whose
        // first attempt is due now as well.
        const created = await createDelivery(uow, event.id, endpoint.id);
        queued.push(created ?? (await deliveriesOf(tx, tenant, [event.id])).find((d) => d.endpointId === endpoint.id)!.id);
      }
    } else {
      // An event has a delivery per endpoint that wanted it: a handful of look-ups.
      const deliverable = new Set<string>();
      for (const endpointId of new Set(existing.map((delivery) => delivery.endpointId))) {
        const endpoint = await findEndpoint(tx, tenant, endpointId);
        if (endpoint && isDeliverable(endpoint)) deliverable.add(endpoint.id);
      }
      for (const delivery of existing) {
        if (!deliverable.has(delivery.endpointId)) continue;
        await enqueueManualDelivery(uow, delivery.id);
        queued.push(delivery.id);
      }
      if (queued.length === 0) {
        throw errors.validation('Event has no delivery to an enabled endpoint (send endpoint_id to deliver it to one)');
      }
    }
    const rows = await deliveriesOf(tx, tenant, [event.id]);
    return { id: event.id, deliveries: rows.filter((row) => queued.includes(row.id)).map(presentDeliverySummary) };
  });
}

/**
 * Sandbox only (production answers 404, like Glomo's other sandbox helpers): records a `webhook_test.test` event
 * that goes to this endpoint alone, whatever it subscribed to.
 */
export async function sendTestEvent(deps: EventDeps, ctx: TenantContext, endpointId: string): Promise<Event> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.webhookEndpoint, endpointId);
  if (tenant.env !== 'sandbox') throw errors.notFound('Webhook endpoint');
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const endpoint = await findEndpoint(tx, tenant, endpointId);
    if (!endpoint || endpoint.deletedAt !== null) throw errors.notFound('Webhook endpoint');
    if (!isDeliverable(endpoint)) throw errors.validation('Webhook endpoint is disabled');
    const now = clock.now();
    const id = await recordEvent(uow, {
      entityType: TEST_EVENT.entityType,
      eventType: TEST_EVENT.eventType,
      entityId: endpoint.id,
      data: { id: endpoint.id, message: TEST_EVENT.message, created_at: isoSeconds(now) },
      targetEndpointId: endpoint.id,
    });
    return presentEvent(tx, tenant, await findEvent(tx, tenant, id));
  });
}

/** The event operations the routes call, built once by the composition root; each runs on the caller's context. */
export function createWebhookEventService(deps: EventDeps) {
  return Object.freeze({
    list: (ctx: TenantContext, query: ListEventsQuery) => listEvents(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getEvent(deps, ctx.tenant, id),
    redeliver: (ctx: TenantContext, id: string, body: RedeliverBody) => redeliverEvent(deps, ctx, id, body),
    sendTest: (ctx: TenantContext, endpointId: string) => sendTestEvent(deps, ctx, endpointId),
  });
}

export type WebhookEventService = ReturnType<typeof createWebhookEventService>;
