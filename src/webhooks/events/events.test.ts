import { and, eq, sql } from 'drizzle-orm';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { loadConfig, type Config } from '../../config.js';
import { isoSeconds, ManualClock, type Clock } from '../../core/clock.js';
import { WEBHOOK_DISPATCH_QUEUE } from '../../core/events.js';
import { jobs, webhookDeliveries } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import { WEBHOOK_DELIVER_QUEUE, webhookJobHandlers } from '../delivery/handlers.js';
import { startReceiver, type Receiver } from '../../../test/support/webhook-receiver.js';
import { Event, EventList, Redelivery } from './schemas.js';

// A public address as an IP literal: production endpoints need one, and the tests resolve no names. Nothing is sent.
const PUBLIC_URL = 'https://1.1.1.1/hooks';

// No job runner here (the delivery tests have theirs): jobs are run by calling the handlers, so nothing of
// another test file's is ever claimed.

async function createEvent(app: App, key: string): Promise<string> {
  const created = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(created.statusCode, created.body).toBe(201);
  const list = await app.inject({ method: 'GET', url: `/api/v1/events?entity_id=${created.json().id}`, headers: bearer(key) });
  return list.json().data[0].id as string;
}

async function createEndpoint(app: App, key: string, url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/webhook_endpoints', headers: bearer(key), payload: { url, ...extra } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** Runs the event's dispatch job and then each new delivery's job once, as the runner would. */
async function runJobsOf(clock: Clock, config: Config, eventId: string): Promise<void> {
  const { database } = await testEnv();
  const handlers = webhookJobHandlers({ db: database.db, config });
  const job = (queue: string, payload: Record<string, unknown>) => ({ id: 0n, queue, payload, attempt: 1, maxAttempts: 10, tenant: undefined, clock });
  await handlers[WEBHOOK_DISPATCH_QUEUE]!(job(WEBHOOK_DISPATCH_QUEUE, { eventId }));
  const deliveries = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));
  for (const delivery of deliveries) await handlers[WEBHOOK_DELIVER_QUEUE]!(job(WEBHOOK_DELIVER_QUEUE, { deliveryId: delivery.id }));
}

async function manualJobsFor(deliveryId: string) {
  const { database } = await testEnv();
  return database.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.queue, WEBHOOK_DELIVER_QUEUE), sql`${jobs.payload} = ${JSON.stringify({ deliveryId, manual: true })}::jsonb`));
}

describeListConventions('GET /api/v1/events', {
  url: '/api/v1/events',
  checkPage: (body) => expect(Value.Check(EventList, body)).toBe(true),
  create: (app, key) => createEvent(app, key),
});

describe('GET /api/v1/events and /events/{id}', () => {
  const clock = new ManualClock('2026-02-01T00:00:00Z');
  let app: App;
  let config: Config;
  let merchant: TestMerchant;
  let hooks: Receiver;
  let eventId: string;
  let endpointId: string;

  beforeAll(async () => {
    ({ app, config } = await buildTestApp({ clock }));
    merchant = await createTestMerchant(clock);
    hooks = await startReceiver(clock, (_request, index) => (index === 0 ? { status: 500, body: 'down for maintenance' } : { status: 200, body: 'ok' }));
    endpointId = (await createEndpoint(app, merchant.sandboxSecret, hooks.url)).id;
    eventId = await createEvent(app, merchant.sandboxSecret);
    await runJobsOf(clock, config, eventId);
  });
  afterAll(async () => {
    await hooks.close();
  });

  const get = (url: string, key = merchant.sandboxSecret) => app.inject({ method: 'GET', url, headers: bearer(key) });

  it('answers an event with its deliveries and every attempt', async () => {
    const response = await get(`/api/v1/events/${eventId}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Value.Check(Event, body)).toBe(true);
    expect(Object.keys(body).sort()).toEqual(['created_at', 'data', 'deliveries', 'entity_id', 'entity_type', 'event_type', 'id']);
    expect(body).toMatchObject({ id: eventId, entity_type: 'customer', event_type: 'created', created_at: '2026-02-01T00:00:00Z' });
    expect(body.entity_id).toMatch(/^cust_/);
    expect(body.data).toMatchObject({ id: body.entity_id, customer_type: 'individual', status: 'active' });
    expect(body.deliveries).toEqual([{
      id: expect.stringMatching(/^whdel_/),
      endpoint_id: endpointId,
      status: 'pending',
      attempts: 1,
      next_attempt_at: '2026-02-01T00:01:00Z',
      last_attempt_at: '2026-02-01T00:00:00Z',
      last_status_code: 500,
      last_error: null,
      attempt_log: [{
        attempted_at: '2026-02-01T00:00:00Z', trigger: 'scheduled', status_code: 500, latency_ms: expect.any(Number),
        response_snippet: 'down for maintenance', error: null,
      }],
    }]);
  });

  it('lists events newest first with their deliveries (no attempt log)', async () => {
    clock.advance(1000);
    const newer = await createEvent(app, merchant.sandboxSecret);
    const body = (await get('/api/v1/events')).json();
    expect(Value.Check(EventList, body)).toBe(true);
    expect(body.data.map((e: { id: string }) => e.id)).toEqual([newer, eventId]);
    expect(body.data[1].deliveries).toEqual([expect.objectContaining({ endpoint_id: endpointId, status: 'pending', attempts: 1 })]);
    expect(body.data[1].deliveries[0]).not.toHaveProperty('attempt_log');
    // Not dispatched yet: no delivery.
    expect(body.data[0].deliveries).toEqual([]);
  });

  it('filters by entity_type, event_type and entity_id', async () => {
    const testEvent = await app.inject({ method: 'POST', url: `/api/v1/webhook_endpoints/${endpointId}/test`, headers: bearer(merchant.sandboxSecret) });
    expect(testEvent.statusCode).toBe(202);
    const ids = async (query: string) => (await get(`/api/v1/events${query}`)).json().data.map((e: { id: string }) => e.id) as string[];
    const customer = (await get(`/api/v1/events/${eventId}`)).json().entity_id as string;
    expect(await ids('?entity_type=webhook_test')).toEqual([testEvent.json().id]);
    expect(await ids('?event_type=test')).toEqual([testEvent.json().id]);
    expect(await ids(`?entity_id=${customer}`)).toEqual([eventId]);
    expect(await ids(`?entity_id=${endpointId}&entity_type=webhook_test&event_type=test`)).toEqual([testEvent.json().id]);
    expect(await ids('?entity_type=customer&event_type=created')).toHaveLength(2);
    expect(await ids('?entity_type=payout')).toEqual([]);
    const meta = (await get('/api/v1/events?entity_type=customer&per_page=1')).json().page_meta;
    expect(meta).toEqual({ current: 1, previous: null, next: 2, per_page: 1, pages: 2, count: 2 });
  });
});

describe('POST /api/v1/events/{id}/redeliver', () => {
  const clock = new ManualClock('2026-02-01T00:00:00Z');
  let app: App;
  let config: Config;
  let merchant: TestMerchant;
  const url = 'http://127.0.0.1:9/hooks';

  beforeAll(async () => {
    ({ app, config } = await buildTestApp({ clock }));
    merchant = await createTestMerchant(clock);
  });

  const redeliver = (id: string, payload?: Record<string, unknown> | string, key = merchant.sandboxSecret) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/events/${id}/redeliver`,
      headers: { ...bearer(key), ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}) },
      ...(payload !== undefined ? { payload } : {}),
    });

  it('enqueues one manual attempt per delivery to an enabled endpoint, with or without a body, and answers 202', async () => {
    const first = await createEndpoint(app, merchant.sandboxSecret, url);
    const second = await createEndpoint(app, merchant.sandboxSecret, url);
    const eventId = await createEvent(app, merchant.sandboxSecret);
    await runJobsOf(clock, config, eventId);
    await app.inject({ method: 'PATCH', url: `/api/v1/webhook_endpoints/${second.id}`, headers: bearer(merchant.sandboxSecret), payload: { status: 'disabled' } });

    const response = await redeliver(eventId);
    expect(response.statusCode, response.body).toBe(202);
    const body = response.json();
    expect(Value.Check(Redelivery, body)).toBe(true);
    expect(body.id).toBe(eventId);
    expect(body.deliveries).toHaveLength(1);
    expect(body.deliveries[0]).toMatchObject({ endpoint_id: first.id, status: 'pending', attempts: 1 });
    expect(await manualJobsFor(body.deliveries[0].id)).toHaveLength(1);
    // An empty JSON object and an explicit endpoint_id do the same.
    expect((await redeliver(eventId, {})).statusCode).toBe(202);
    expect((await redeliver(eventId, { endpoint_id: first.id })).statusCode).toBe(202);
    expect(await manualJobsFor(body.deliveries[0].id)).toHaveLength(3);
    // The disabled endpoint's delivery gets nothing, even when named.
    const disabled = await redeliver(eventId, { endpoint_id: second.id });
    expect(disabled.statusCode).toBe(400);
    expect(disabled.json()).toMatchObject({ error: 'Bad Request', message: 'Validation failed: Webhook endpoint is disabled' });
  });

  it.each([
    [{ endpointId: 'we_x' }, "Validation failed: Unknown field 'endpointId'"],
    [{ endpoint_id: 42 }, 'Validation failed: Endpoint id must be a string'],
    ['[1]', 'Validation failed: Request body must be a JSON object'],
    ['{"endpoint_id": ', 'Malformed JSON in request body'],
  ])('answers 400 for the body %o', async (payload, message) => {
    const eventId = await createEvent(app, merchant.sandboxSecret);
    const response = await redeliver(eventId, payload as Record<string, unknown> | string);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });

  it('answers 400 when there is nothing to redeliver, and 404 for an endpoint that is unknown, deleted or foreign', async () => {
    const lonely = await createTestMerchant(clock);
    const eventId = await createEvent(app, lonely.sandboxSecret);
    const nothing = await redeliver(eventId, undefined, lonely.sandboxSecret);
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json().message).toBe('Validation failed: Event has no delivery to an enabled endpoint (send endpoint_id to deliver it to one)');
    const deleted = await createEndpoint(app, lonely.sandboxSecret, url);
    await app.inject({ method: 'DELETE', url: `/api/v1/webhook_endpoints/${deleted.id}`, headers: bearer(lonely.sandboxSecret) });
    const foreign = await createEndpoint(app, merchant.sandboxSecret, url);
    const production = await createEndpoint(app, lonely.productionSecret, PUBLIC_URL);
    for (const endpointId of ['we_6819d804aaaaa', deleted.id, foreign.id, production.id]) {
      const response = await redeliver(eventId, { endpoint_id: endpointId }, lonely.sandboxSecret);
      expect(response.statusCode, endpointId).toBe(404);
      expect(response.json()).toEqual({ error: 'Not Found', message: 'Webhook endpoint not found', code: 'NOT_FOUND' });
    }
  });
});

describe('POST /api/v1/webhook_endpoints/{id}/test', () => {
  let app: App;
  let merchant: TestMerchant;
  const clock = new ManualClock('2026-02-01T00:00:00Z');

  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
    merchant = await createTestMerchant(clock);
  });

  const test = (id: string, key = merchant.sandboxSecret) =>
    app.inject({ method: 'POST', url: `/api/v1/webhook_endpoints/${id}/test`, headers: bearer(key) });

  it('records a webhook_test event aimed at the endpoint and answers it (202)', async () => {
    const endpoint = await createEndpoint(app, merchant.sandboxSecret, 'http://127.0.0.1:9/hooks', { enabled_events: ['payout.success'] });
    const response = await test(endpoint.id);
    expect(response.statusCode, response.body).toBe(202);
    const body = response.json();
    expect(Value.Check(Event, body)).toBe(true);
    expect(body).toEqual({
      id: expect.stringMatching(/^evt_/),
      entity_type: 'webhook_test',
      event_type: 'test',
      entity_id: endpoint.id,
      data: { id: endpoint.id, message: 'Test webhook from glomo-server', created_at: isoSeconds(clock.now()) },
      created_at: isoSeconds(clock.now()),
      deliveries: [],
    });
    const { database } = await testEnv();
    const [job] = await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `dispatch:${body.id}`));
    expect(job!.payload).toEqual({ eventId: body.id, endpointId: endpoint.id });
    expect((await app.inject({ method: 'GET', url: `/api/v1/events/${body.id}`, headers: bearer(merchant.sandboxSecret) })).statusCode).toBe(200);
  });

  it('answers 404 with a production key (sandbox only), 404 for a deleted endpoint and 400 for a disabled one', async () => {
    const live = await createEndpoint(app, merchant.productionSecret, PUBLIC_URL);
    const production = await test(live.id, merchant.productionSecret);
    expect(production.statusCode).toBe(404);
    expect(production.json()).toEqual({ error: 'Not Found', message: 'Webhook endpoint not found', code: 'NOT_FOUND' });

    const deleted = await createEndpoint(app, merchant.sandboxSecret, 'http://127.0.0.1:9/hooks');
    await app.inject({ method: 'DELETE', url: `/api/v1/webhook_endpoints/${deleted.id}`, headers: bearer(merchant.sandboxSecret) });
    expect((await test(deleted.id)).statusCode).toBe(404);

    const disabled = await createEndpoint(app, merchant.sandboxSecret, 'http://127.0.0.1:9/hooks');
    await app.inject({ method: 'PATCH', url: `/api/v1/webhook_endpoints/${disabled.id}`, headers: bearer(merchant.sandboxSecret), payload: { status: 'disabled' } });
    const refused = await test(disabled.id);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('Validation failed: Webhook endpoint is disabled');
  });
});

describeSecurity('GET /api/v1/events', {
  method: 'GET',
  url: () => '/api/v1/events?per_page=100',
  listedObject: (app, owner) => createEvent(app, owner.sandboxSecret),
});
describeSecurity('GET /api/v1/events/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/events/${id}`,
  notFoundMessage: 'Event not found',
  idPrefix: 'evt',
  createObject: (app, owner) => createEvent(app, owner.sandboxSecret),
});
describeSecurity('POST /api/v1/events/{id}/redeliver', {
  method: 'POST',
  url: (id) => `/api/v1/events/${id}/redeliver`,
  payload: () => ({}),
  notFoundMessage: 'Event not found',
  idPrefix: 'evt',
  successStatus: 202,
  createObject: async (app, owner) => {
    await createEndpoint(app, owner.sandboxSecret, 'http://127.0.0.1:9/hooks');
    const eventId = await createEvent(app, owner.sandboxSecret);
    await runJobsOf(new ManualClock('2026-02-01T00:00:00Z'), loadConfig({ WEBHOOK_TIMEOUT_MS: '1000' }), eventId);
    return eventId;
  },
});
describeSecurity('POST /api/v1/webhook_endpoints/{id}/test', {
  method: 'POST',
  url: (id) => `/api/v1/webhook_endpoints/${id}/test`,
  notFoundMessage: 'Webhook endpoint not found',
  idPrefix: 'we',
  successStatus: 202,
  createObject: async (app, owner) => (await createEndpoint(app, owner.sandboxSecret, 'http://127.0.0.1:9/hooks')).id,
});
