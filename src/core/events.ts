// The outbox: a state change records its event with the same transaction handle, so both commit or neither.
import { events, jobs } from '../db/schema/index.js';
import type { UnitOfWork } from './context.js';
import { ID_PREFIXES, newId } from './ids.js';
import { tenantJobRow } from './jobs.js';

/** The queue whose handler fans an event out to the endpoints that want it (src/webhooks). */
export const WEBHOOK_DISPATCH_QUEUE = 'webhooks.dispatch';

export interface EventInput {
  /** As the webhook catalogue names it (`payment`, `orders`, `customer`, ...). */
  entityType: string;
  eventType: string;
  entityId?: string;
  /** The snapshot a GET of the entity would answer. */
  data: Record<string, unknown>;
  /** Delivers the event to this one endpoint only, whatever it subscribed to (the test event). */
  targetEndpointId?: string;
}

export async function recordEvent(uow: UnitOfWork, event: EventInput): Promise<string> {
  const { tx, tenant } = uow;
  const now = uow.clock.now();
  const id = newId(ID_PREFIXES.event, now);
  const recorded = tx.$with('recorded_event').as(tx.insert(events).values({
    id,
    merchantId: tenant.merchantId,
    env: tenant.env,
    entityType: event.entityType,
    eventType: event.eventType,
    entityId: event.entityId ?? null,
    data: event.data,
    createdAt: now,
  }).returning({ id: events.id }));
  // Delivery starts from a job committed with the event: no event is lost, none is sent for a rolled-back change.
  // One statement for both (issue 18): the event's insert is a data-modifying WITH, which PostgreSQL runs to
  // completion whether or not the job's insert reads it.
  const payload = event.targetEndpointId === undefined ? { eventId: id } : { eventId: id, endpointId: event.targetEndpointId };
  await tx.with(recorded).insert(jobs)
    .values(tenantJobRow(uow, { queue: WEBHOOK_DISPATCH_QUEUE, payload, uniqueKey: `dispatch:${id}`, runAt: now }))
    .onConflictDoNothing();
  return id;
}
