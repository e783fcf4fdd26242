// The webhook jobs. `webhooks.dispatch` (one per event, enqueued by recordEvent) creates one delivery per endpoint
// that wants the event and enqueues its `webhooks.deliver` job in the same transaction. `webhooks.deliver` makes
// one attempt and, on failure, answers the job runner with the time of the next one (Glomo's schedule), so one
// job carries a delivery through all its scheduled attempts. A manual job (redelivery) makes exactly one attempt.
// Each process makes at most `webhookEndpointConcurrency` attempts to one endpoint at a time; a job whose endpoint
// is at its limit is deferred (queued again for about as long as its attempts take, not an attempt), so a slow
// endpoint holds no more of the job slots than its limit.
import { and, eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Clock } from '../../core/clock.js';
import { WEBHOOK_DISPATCH_QUEUE } from '../../core/events.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import { enqueueJob, settleQueuedJob, type JobHandler, type JobOutcome, type SettledOutcome } from '../../core/jobs.js';
import { webhookAttemptsMade } from '../../core/metrics.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { Db, Tx } from '../../db/client.js';
import { events, webhookAttempts, webhookDeliveries, webhookEndpoints, type Environment } from '../../db/schema/index.js';
import type { Lookup } from '../url-guard.js';
import { canonicalJsonBytes } from './canonical-json.js';
import { isSuccess, sendWebhook, type SendResult } from './sender.js';
import { SIGNATURE_HEADER, signBody } from './signature.js';
import { findDeliverableEndpoints, findEndpoint, type WebhookEndpointRow } from '../endpoints/service.js';
import { eventName, isDeliverable } from './targets.js';
import type { UnitOfWork } from '../../core/context.js';

export const WEBHOOK_DELIVER_QUEUE = 'webhooks.deliver';

export const USER_AGENT = 'glomo-server-webhooks';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/**
 * The wait after each failed scheduled attempt before the next (Glomo's schedules): sandbox 6 attempts in about
 * 48 minutes, production 10 in about 4 days. After the last failure the delivery is `failed`.
 */
export const RETRY_DELAYS_MS: Record<Environment, readonly number[]> = {
  sandbox: [1, 2, 5, 10, 30].map((minutes) => minutes * MINUTE),
  production: [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 48 * HOUR],
};

/**
 * The runner counts every claim of a job (our own retries included) against maxAttempts when a handler throws:
 * room for the 10 scheduled attempts and as many unexpected failures (a database outage) on top.
 */
const DELIVER_JOB_MAX_ATTEMPTS = 20;

export interface WebhookDeps {
  db: Db;
  config: Pick<Config, 'webhookTimeoutMs' | 'webhookAllowPrivateTargets' | 'webhookEndpointConcurrency' | 'jobsLeaseMs'>;
  /** The resolver for endpoint hosts (the system's by default). */
  lookup?: Lookup;
}

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/**
 * The shortest wait of a job whose endpoint is at its limit before it is claimed again. Short, because a slot frees
 * as soon as one of the endpoint's attempts ends (a healthy endpoint's within milliseconds), and a deferred event
 * should not wait much longer than that; long enough that a busy healthy endpoint's deferred jobs are not claimed
 * over and over within one of its attempts (a claim costs the database a few milliseconds).
 */
export const ENDPOINT_BUSY_DEFER_MS = 250;

/** Weight of the latest finished attempt in an endpoint's typical attempt time. */
const TYPICAL_WEIGHT = 0.2;

/** An attempt in flight, from tryAcquire to release. */
export interface EndpointSlot {
  readonly endpointId: string;
  readonly startedAt: number;
}

interface EndpointState {
  inFlight: Set<EndpointSlot>;
  /** Moving average of this endpoint's finished attempts, in ms (undefined before the first). */
  typicalMs: number | undefined;
}

/**
 * The attempts this process has open to each endpoint, by endpoint id. Per process and in memory: each process
 * holds at most `limit` of its job slots for one endpoint, whatever the others do (no shared state to keep
 * consistent or to clean up after a crash).
 */
export class EndpointSlots {
  private readonly endpoints = new Map<string, EndpointState>();

  /**
   * `maxDeferMs` bounds a deferral (the attempt timeout: by then one of the endpoint's attempts has ended, so a slot
   * is free); `now` is a monotonic clock in ms (real time: attempts take real time, whatever the tenant's clock).
   */
  constructor(
    readonly limit: number,
    private readonly maxDeferMs = 30_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a slot for the endpoint, or answers undefined when it has `limit` attempts open already. */
  tryAcquire(endpointId: string): EndpointSlot | undefined {
    let state = this.endpoints.get(endpointId);
    if (state && state.inFlight.size >= this.limit) return undefined;
    state ??= { inFlight: new Set(), typicalMs: undefined };
    this.endpoints.set(endpointId, state);
    const slot = { endpointId, startedAt: this.now() };
    state.inFlight.add(slot);
    return slot;
  }

  release(slot: EndpointSlot): void {
    const state = this.endpoints.get(slot.endpointId);
    if (!state?.inFlight.delete(slot)) return;
    const took = this.now() - slot.startedAt;
    state.typicalMs = state.typicalMs === undefined ? took : state.typicalMs + TYPICAL_WEIGHT * (took - state.typicalMs);
    // What is kept of an idle endpoint is its typical time, a few bytes; a map of every endpoint ever seen is fine.
  }

  /** Attempts open to the endpoint now. */
  openTo(endpointId: string): number {
    return this.endpoints.get(endpointId)?.inFlight.size ?? 0;
  }

  /**
   * How long a job for an endpoint at its limit should wait: about as long as its attempts take, the longer of its
   * typical attempt and the youngest attempt in flight (an endpoint that just stopped answering has no slow finished
   * attempt yet, but its open ones grow older), from ENDPOINT_BUSY_DEFER_MS to maxDeferMs. A fixed short wait would
   * claim each waiting job of a dead endpoint four times a second while its attempts run into their 30 s timeout:
   * thousands of claims a second at a few hundred events a second, ahead of other endpoints' jobs in the queue.
   */
  busyDeferMs(endpointId: string): number {
    const state = this.endpoints.get(endpointId);
    let youngest = 0;
    const now = this.now();
    for (const slot of state?.inFlight ?? []) youngest = youngest === 0 ? now - slot.startedAt : Math.min(youngest, now - slot.startedAt);
    const estimate = Math.max(state?.typicalMs ?? 0, youngest);
    return Math.round(Math.min(this.maxDeferMs, Math.max(ENDPOINT_BUSY_DEFER_MS, estimate)));
  }
}

/**
 * Creates the delivery of an event to an endpoint, unless one exists, and enqueues its scheduled job with the
 * caller's transaction. Answers the new delivery's id, or undefined when the endpoint already had one.
 */
export async function createDelivery(
  uow: UnitOfWork,
  eventId: string,
  endpointId: string,
  /** When its job is due (default now): later when the caller makes the first attempt itself (see dispatchEvent). */
  jobRunAt?: Date,
): Promise<string | undefined> {
  const { tx, clock, tenant } = uow;
  const now = clock.now();
  const [row] = await tx
    .insert(webhookDeliveries)
    .values({
      id: newId(ID_PREFIXES.webhookDelivery, now),
      merchantId: tenant.merchantId,
      env: tenant.env,
      eventId,
      endpointId,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: [webhookDeliveries.eventId, webhookDeliveries.endpointId] })
    .returning({ id: webhookDeliveries.id });
  if (!row) return undefined;
  await enqueueJob(uow, {
    queue: WEBHOOK_DELIVER_QUEUE,
    payload: { deliveryId: row.id },
    uniqueKey: deliverJobKey(row.id),
    maxAttempts: DELIVER_JOB_MAX_ATTEMPTS,
    ...(jobRunAt === undefined ? {} : { runAt: jobRunAt }),
  });
  return row.id;
}

const deliverJobKey = (deliveryId: string) => `deliver:${deliveryId}:1`;

/** One more attempt of an existing delivery, now, outside its schedule (POST /events/{id}/redeliver). */
export async function enqueueManualDelivery(uow: UnitOfWork, deliveryId: string): Promise<void> {
  // A manual attempt is made once: a handler that throws is not retried into a second request.
  await enqueueJob(uow, { queue: WEBHOOK_DELIVER_QUEUE, payload: { deliveryId, manual: true }, maxAttempts: 1 });
}

/**
 * `clock` is the job's: the event's tenant's (its sandbox test clock). Creates the event's deliveries and makes each
 * one's first attempt itself, at once, where the endpoint has a free slot here: a second job (claimed, read, finished)
 * per event would cost about as much as the attempt. Each delivery's job is still committed with it, due only after
 * the longest an attempt can take plus a lease (so it never races the attempt made here); the attempt's outcome
 * settles that job (done, or due at the next scheduled attempt), and if this process dies first, the job makes the
 * attempt when it comes due. A delivery whose endpoint is at its limit gets its job due now, as before.
 */
async function dispatchEvent(deps: WebhookDeps, slots: EndpointSlots, clock: Clock, payload: Record<string, unknown>): Promise<JobOutcome> {
  const eventId = payload.eventId;
  if (typeof eventId !== 'string') return { status: 'dead', error: 'payload without eventId' };
  const [event] = await deps.db.select().from(events).where(eq(events.id, eventId));
  if (!event) return { status: 'dead', error: `event ${eventId} not found` };
  const tenant: Tenant = { merchantId: event.merchantId, env: event.env };
  const inline: Array<{ deliveryId: string; endpoint: WebhookEndpointRow; slot: EndpointSlot }> = [];
  try {
    await deps.db.transaction(async (tx) => {
      const uow = { tx, clock, tenant };
      let targets: WebhookEndpointRow[];
      if (typeof payload.endpointId === 'string') {
        // An event for one endpoint (the test event) goes to it whatever it subscribed to, if it takes deliveries.
        const endpoint = await findEndpoint(tx, tenant, payload.endpointId);
        targets = endpoint && isDeliverable(endpoint) ? [endpoint] : [];
      } else {
        targets = await findDeliverableEndpoints(tx, tenant, eventName(event));
      }
      // Past the attempt's longest and the dispatch's lease (its heartbeat holds it while the attempt runs): the job comes
      // due only when the dispatching process died and no re-run of the dispatch made the attempt.
      const fallbackAt = new Date(clock.now().getTime() + deps.config.webhookTimeoutMs + deps.config.jobsLeaseMs);
      for (const endpoint of targets) {
        const slot = slots.tryAcquire(endpoint.id);
        // A dispatch run again (its process stopped or died during the attempt) makes the first attempt of a delivery
        // that still has none, rather than leave it to the job's fallback time.
        const deliveryId = (await createDelivery(uow, event.id, endpoint.id, slot ? fallbackAt : undefined))
          ?? (slot ? await unattemptedDelivery(tx, tenant, event.id, endpoint.id) : undefined);
        if (slot && deliveryId) inline.push({ deliveryId, endpoint, slot });
        else if (slot) slots.release(slot);
      }
    });
  } catch (error) {
    for (const { slot } of inline) slots.release(slot);
    throw error;
  }
  await Promise.all(inline.map(async ({ deliveryId, endpoint, slot }) => {
    const attemptedAt = clock.now();
    let result: SendResult;
    try {
      result = await send(deps, attemptedAt, event, endpoint, deliveryId);
    } finally {
      slots.release(slot);
    }
    await recordAttempt(deps, clock, deliveryId, attemptedAt, false, result, { tenant, uniqueKey: deliverJobKey(deliveryId) });
  }));
  return { status: 'done' };
}

/** The event's delivery to the endpoint if it is pending without any attempt yet. */
async function unattemptedDelivery(tx: Tx, tenant: Tenant, eventId: string, endpointId: string): Promise<string | undefined> {
  const [row] = await tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(and(
    tenantFilter(webhookDeliveries, tenant), eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.endpointId, endpointId),
    eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.attempts, 0),
  ));
  return row?.id;
}

/** A delivery whose endpoint was deleted or disabled before its attempt ends here (finished ones keep their state). */
async function cancelIfPending(deps: WebhookDeps, clock: Clock, delivery: DeliveryRow): Promise<void> {
  const now = clock.now();
  await deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery.id)).for('update');
    if (current?.status !== 'pending') return;
    await tx
      .update(webhookDeliveries)
      .set({ status: 'cancelled', nextAttemptAt: null, updatedAt: now })
      .where(eq(webhookDeliveries.id, delivery.id));
  });
}

/** Records the attempt and moves the delivery on; answers what the job runner should do next. */
async function recordAttempt(
  deps: WebhookDeps,
  clock: Clock,
  deliveryId: string,
  attemptedAt: Date,
  manual: boolean,
  result: SendResult,
  /** The delivery's job when this attempt was made without it (the dispatch's first attempt): settled with it. */
  settle?: { tenant: Tenant; uniqueKey: string },
): Promise<JobOutcome> {
  return deps.db.transaction(async (tx) => {
    const outcome = await recordAttemptIn(tx, clock, deliveryId, attemptedAt, manual, result);
    if (settle) await settleQueuedJob({ tx, clock, tenant: settle.tenant }, settle.uniqueKey, outcome);
    return outcome;
  });
}

async function recordAttemptIn(
  tx: Tx,
  clock: Clock,
  deliveryId: string,
  attemptedAt: Date,
  manual: boolean,
  result: SendResult,
): Promise<SettledOutcome> {
  // Locked: a manual and a scheduled attempt of one delivery may finish at the same time.
  const [current] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).for('update');
  if (!current) return { status: 'dead', error: `delivery ${deliveryId} not found` };
  const now = clock.now();
  const ok = isSuccess(result);
  webhookAttemptsMade.inc({ outcome: ok ? 'success' : 'failure', trigger: manual ? 'manual' : 'scheduled' });
  await tx.insert(webhookAttempts).values({
    id: newId(ID_PREFIXES.webhookAttempt, attemptedAt),
    merchantId: current.merchantId,
    env: current.env,
    deliveryId,
    trigger: manual ? 'manual' : 'scheduled',
    attemptedAt,
    statusCode: result.statusCode ?? null,
    latencyMs: result.latencyMs,
    responseSnippet: result.snippet ?? null,
    error: result.error ?? null,
    createdAt: now,
  });
  const last = {
    lastAttemptAt: attemptedAt,
    lastStatusCode: result.statusCode ?? null,
    lastError: result.error ?? null,
    updatedAt: now,
  };
  const update = (fields: Partial<DeliveryRow>) =>
    tx.update(webhookDeliveries).set({ ...last, ...fields }).where(eq(webhookDeliveries.id, deliveryId));

  if (manual) {
    // Outside the schedule: attempts and next_attempt_at are the schedule's. A success ends the delivery (its
    // scheduled job then stops at its next turn), a failure changes nothing but the last_* fields.
    await update(ok ? { status: 'succeeded', nextAttemptAt: null } : {});
    return { status: 'done' };
  }
  const attempts = current.attempts + 1;
  if (current.status !== 'pending') {
    // Finished meanwhile (a manual attempt succeeded): this attempt is logged, the delivery keeps its state.
    await update({ attempts, nextAttemptAt: null });
    return { status: 'done' };
  }
  if (ok) {
    await update({ attempts, status: 'succeeded', nextAttemptAt: null });
    return { status: 'done' };
  }
  const delay = RETRY_DELAYS_MS[current.env][attempts - 1];
  if (delay === undefined) {
    await update({ attempts, status: 'failed', nextAttemptAt: null });
    return { status: 'done' };
  }
  const at = new Date(now.getTime() + delay);
  await update({ attempts, nextAttemptAt: at });
  return { status: 'retry', at, error: result.error ?? `HTTP ${result.statusCode}` };
}

/** `clock` is the job's: the delivery's tenant's (its sandbox test clock). */
async function deliver(deps: WebhookDeps, slots: EndpointSlots, clock: Clock, payload: Record<string, unknown>): Promise<JobOutcome> {
  const deliveryId = payload.deliveryId;
  if (typeof deliveryId !== 'string') return { status: 'dead', error: 'payload without deliveryId' };
  const manual = payload.manual === true;
  const [found] = await deps.db
    .select({ delivery: webhookDeliveries, event: events, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId));
  if (!found) return { status: 'dead', error: `delivery ${deliveryId} not found` };
  const { delivery, event, endpoint } = found;
  // A job that runs again after its delivery finished (at-least-once) sends nothing.
  if (!manual && delivery.status !== 'pending') return { status: 'done' };
  // A job can run before its time: a worker that died after recording an attempt, but before telling the runner
  // when the next is due, leaves the job to be reclaimed when its lease lapses. The delivery row knows the time.
  if (!manual && delivery.nextAttemptAt !== null && delivery.nextAttemptAt > clock.now()) {
    return { status: 'retry', at: delivery.nextAttemptAt };
  }
  if (!isDeliverable(endpoint)) {
    await cancelIfPending(deps, clock, delivery);
    return { status: 'done' };
  }
  // At its limit, the endpoint takes no more of this process's job slots: not now, and not counted as an attempt
  // (the delivery's attempts and next_attempt_at stay as they are; the runner queues the job again for `at`).
  const slot = slots.tryAcquire(endpoint.id);
  if (!slot) return { status: 'defer', at: new Date(clock.now().getTime() + slots.busyDeferMs(endpoint.id)) };
  let result: SendResult;
  const attemptedAt = clock.now();
  try {
    result = await send(deps, attemptedAt, event, endpoint, delivery.id);
  } finally {
    slots.release(slot);
  }
  return recordAttempt(deps, clock, delivery.id, attemptedAt, manual, result);
}

/**
 * The attempt's request: the canonical body, signed with the endpoint's secret as it is now (a platform's endpoint's
 * own secret for a child's event it receives).
 */
function send(
  deps: WebhookDeps,
  attemptedAt: Date,
  event: typeof events.$inferSelect,
  endpoint: typeof webhookEndpoints.$inferSelect,
  deliveryId: string,
): Promise<SendResult> {
  const body = canonicalJsonBytes({ entity_type: event.entityType, event_type: event.eventType, data: event.data });
  return sendWebhook(
    {
      url: endpoint.url,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        // The endpoint's secret as it is now: a rotated secret signs every later attempt, retries included.
        [SIGNATURE_HEADER]: signBody(endpoint.secret, body),
        'X-Glomopay-Event-Id': event.id,
        'X-Glomopay-Timestamp': String(Math.floor(attemptedAt.getTime() / 1000)),
        'X-Glomopay-Delivery-Id': deliveryId,
        // A child's event at its platform's endpoint (the child has none): which of its merchants it is about.
        ...(endpoint.merchantId === event.merchantId ? {} : { 'X-Glomopay-Merchant-Id': event.merchantId }),
      },
    },
    {
      env: endpoint.env,
      allowPrivateTargets: deps.config.webhookAllowPrivateTargets,
      timeoutMs: deps.config.webhookTimeoutMs,
      lookup: deps.lookup,
    },
  );
}

/**
 * The handlers of both webhook queues, for the JobRunner: each reads time from its job's (the tenant's) clock. Built
 * once per process (the composition root): the per-endpoint limit counts the attempts of this set of handlers.
 */
export function webhookJobHandlers(
  deps: WebhookDeps,
  slots = new EndpointSlots(deps.config.webhookEndpointConcurrency, deps.config.webhookTimeoutMs),
): Record<string, JobHandler> {
  return {
    [WEBHOOK_DISPATCH_QUEUE]: (job) => dispatchEvent(deps, slots, job.clock, job.payload),
    [WEBHOOK_DELIVER_QUEUE]: (job) => deliver(deps, slots, job.clock, job.payload),
  };
}
