// Delivery end to end: events recorded by the API, the job runner driven by a manual clock, real HTTP receivers.
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { isoSeconds, ManualClock } from '../../core/clock.js';
import { WEBHOOK_DISPATCH_QUEUE } from '../../core/events.js';
import { events, jobs, webhookAttempts, webhookDeliveries } from '../../db/schema/index.js';
import type { TestMerchant } from '../../../test/support/app.js';
import type { Event } from '../events/schemas.js';
import { canonicalJson } from './canonical-json.js';
import { JobRunner, type Job } from '../../core/jobs.js';
import { createDelivery, ENDPOINT_BUSY_DEFER_MS, EndpointSlots, RETRY_DELAYS_MS, USER_AGENT, WEBHOOK_DELIVER_QUEUE, webhookJobHandlers } from './handlers.js';
import { verifySignature } from './signature.js';
import { useWebhookHarness, type Receiver } from '../../../test/support/webhook-receiver.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const clock = new ManualClock('2025-06-01T00:00:00Z');
const kit = useWebhookHarness(clock);
const { api, receiver, createEndpoint, customerEvent, eventDetail } = kit;

describe('webhook delivery', () => {
  // A merchant per test: the endpoints of one test never hear another test's events.
  let merchant: TestMerchant;
  beforeEach(async () => {
    merchant = await kit.harness().newMerchant();
  });

  it('sends the canonical body, signed over the exact bytes, with every header, to each subscribed endpoint', async () => {
    const hooks = await receiver({ status: 200, body: 'ok' });
    const other = await receiver({ status: 200 });
    const unsubscribed = await receiver({ status: 200 });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const second = await createEndpoint(merchant.sandboxSecret, other.url, { enabled_events: ['customer.created'] });
    await createEndpoint(merchant.sandboxSecret, unsubscribed.url, { enabled_events: ['payment.success'] });
    // Another merchant's endpoint and this merchant's production endpoint hear nothing of it.
    const stranger = await kit.harness().newMerchant();
    const foreign = await receiver({ status: 200 });
    await createEndpoint(stranger.sandboxSecret, foreign.url);
    await createEndpoint(merchant.productionSecret, foreign.url);

    const { eventId, customer } = await customerEvent(merchant.sandboxSecret);
    const sentAt = clock.now();
    await kit.harness().runner().runDue();

    expect(hooks.received).toHaveLength(1);
    expect(other.received).toHaveLength(1);
    expect(unsubscribed.received).toHaveLength(0);
    expect(foreign.received).toHaveLength(0);
    const [request] = hooks.received;
    const expectedBody = canonicalJson({ entity_type: 'customer', event_type: 'created', data: customer });
    expect(request!.body.toString('utf8')).toBe(expectedBody);
    expect(JSON.parse(request!.body.toString('utf8'))).toEqual({ entity_type: 'customer', event_type: 'created', data: customer });
    const signature = String(request!.headers['x-glomopay-signature']);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySignature(endpoint.secret, request!.body, signature)).toBe(true);
    expect(verifySignature(second.secret, other.received[0]!.body, String(other.received[0]!.headers['x-glomopay-signature']))).toBe(true);
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'x-glomopay-event-id': eventId,
      'x-glomopay-timestamp': String(sentAt.getTime() / 1000),
    });
    expect(request!.rawHeaderNames).toEqual(expect.arrayContaining([
      'X-Glomopay-Signature', 'X-Glomopay-Event-Id', 'X-Glomopay-Timestamp', 'X-Glomopay-Delivery-Id',
    ]));

    const detail = await eventDetail(merchant.sandboxSecret, eventId);
    expect(detail.deliveries).toHaveLength(2);
    const delivery = detail.deliveries.find((d) => d.endpoint_id === endpoint.id)!;
    expect(request!.headers['x-glomopay-delivery-id']).toBe(delivery.id);
    expect(delivery).toMatchObject({
      status: 'succeeded', attempts: 1, next_attempt_at: null, last_attempt_at: isoSeconds(sentAt), last_status_code: 200, last_error: null,
    });
    expect(delivery.attempt_log).toEqual([{
      attempted_at: isoSeconds(sentAt), trigger: 'scheduled', status_code: 200, latency_ms: expect.any(Number), response_snippet: 'ok', error: null,
    }]);
    // Nothing more is sent later.
    clock.advance(HOUR);
    await kit.harness().runner().runDue();
    expect(hooks.received).toHaveLength(1);
  });

  it('retries a sandbox delivery exactly 1, 2, 5, 10 and 30 minutes after each failure, then marks it failed', async () => {
    const hooks = await receiver({ status: 500, body: 'boom' });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    const expected = [clock.now().getTime()];
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    let delivery = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500, next_attempt_at: isoSeconds(new Date(expected[0]! + MINUTE)) });

    for (const delay of [1, 2, 5, 10, 30].map((minutes) => minutes * MINUTE)) {
      clock.advance(delay - SECOND);
      await runner.runDue();
      expect(hooks.received, 'no attempt before its time').toHaveLength(expected.length);
      clock.advance(SECOND);
      await runner.runDue();
      expected.push(clock.now().getTime());
      expect(hooks.received).toHaveLength(expected.length);
    }
    expect(hooks.received.map((r) => r.at.getTime())).toEqual(expected);
    expect(expected.slice(1).map((at, i) => (at - expected[i]!) / MINUTE)).toEqual([1, 2, 5, 10, 30]);
    // Every attempt of one delivery has the same event and delivery ids, and its own timestamp.
    expect(new Set(hooks.received.map((r) => r.headers['x-glomopay-delivery-id'])).size).toBe(1);
    expect(hooks.received.map((r) => Number(r.headers['x-glomopay-timestamp']) * 1000)).toEqual(expected);

    const detail = await eventDetail(merchant.sandboxSecret, eventId);
    delivery = detail.deliveries[0]!;
    expect(delivery).toMatchObject({ endpoint_id: endpoint.id, status: 'failed', attempts: 6, next_attempt_at: null, last_status_code: 500 });
    expect(delivery.attempt_log.map((a) => [Date.parse(a.attempted_at), a.trigger, a.status_code, a.response_snippet])).toEqual(
      expected.map((at) => [at, 'scheduled', 500, 'boom']),
    );
    clock.advance(7 * 24 * HOUR);
    await runner.runDue();
    expect(hooks.received).toHaveLength(6);
  });

  it('delivers to a receiver that recovers, and stops there', async () => {
    const hooks = await receiver((index) => (index < 2 ? { status: 503 } : { status: 200, body: 'thanks' }));
    await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    clock.advance(MINUTE);
    await runner.runDue();
    clock.advance(2 * MINUTE);
    await runner.runDue();
    expect(hooks.received).toHaveLength(3);
    const delivery = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, next_attempt_at: null, last_status_code: 200, last_error: null });
    expect(delivery.attempt_log.map((a) => a.status_code)).toEqual([503, 503, 200]);
    clock.advance(HOUR);
    await runner.runDue();
    expect(hooks.received).toHaveLength(3);
  });

  it('follows the production schedule: 1 m, 5 m, 15 m, 1 h, 3 h, 6 h, 12 h, 24 h, 48 h, ten attempts in all', async () => {
    const hooks = await receiver({ status: 500 });
    await createEndpoint(merchant.productionSecret, hooks.url);
    const runner = kit.harness().runner({ webhookAllowPrivateTargets: true });
    const { eventId } = await customerEvent(merchant.productionSecret);
    await runner.runDue();
    const expected = [clock.now().getTime()];
    for (const delay of RETRY_DELAYS_MS.production) {
      clock.advance(delay - SECOND);
      await runner.runDue();
      expect(hooks.received).toHaveLength(expected.length);
      clock.advance(SECOND);
      await runner.runDue();
      expected.push(clock.now().getTime());
    }
    expect(hooks.received.map((r) => r.at.getTime())).toEqual(expected);
    expect(expected.slice(1).map((at, i) => (at - expected[i]!) / MINUTE)).toEqual([1, 5, 15, 60, 180, 360, 720, 1440, 2880]);
    const delivery = (await eventDetail(merchant.productionSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 10, next_attempt_at: null });
  });

  it('checks a production target again at send time: one that became private is refused without a request', async () => {
    // Registered while private targets were allowed; the runner's configuration no longer allows them.
    const hooks = await receiver({ status: 200 });
    await createEndpoint(merchant.productionSecret, hooks.url);
    const { eventId } = await customerEvent(merchant.productionSecret);
    await kit.harness().runner({ webhookAllowPrivateTargets: false }).runDue();
    expect(hooks.received).toHaveLength(0);
    const delivery = (await eventDetail(merchant.productionSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect(delivery.last_error).toMatch(/^Url must (use https|not target a private)/);
    await api('DELETE', `/api/v1/webhook_endpoints/${delivery.endpoint_id}`, merchant.productionSecret);
  });

  it('records a receiver that never answers as a timeout (WEBHOOK_TIMEOUT_MS) and schedules the retry', async () => {
    const hooks = await receiver('hang');
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    const started = Date.now();
    // 1 s, not less: on a loaded machine a shorter timeout can end the attempt before the request reaches the receiver.
    await kit.harness().runner({ webhookTimeoutMs: 1000 }).runDue();
    expect(Date.now() - started).toBeLessThan(8000);
    expect(hooks.received).toHaveLength(1);
    const delivery = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({
      status: 'pending', attempts: 1, last_status_code: null, last_error: 'Timed out after 1000 ms', next_attempt_at: isoSeconds(new Date(clock.now().getTime() + MINUTE)),
    });
    expect(delivery.attempt_log[0]!.latency_ms).toBeGreaterThanOrEqual(990);
    await api('DELETE', `/api/v1/webhook_endpoints/${endpoint.id}`, merchant.sandboxSecret);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    const elsewhere = await receiver({ status: 200 });
    const hooks = await receiver({ status: 301, headers: { location: elsewhere.url } });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await kit.harness().runner().runDue();
    expect(hooks.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
    const delivery = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 301, last_error: null });
    await api('DELETE', `/api/v1/webhook_endpoints/${endpoint.id}`, merchant.sandboxSecret);
  });

  it('signs each retry with the secret the endpoint has then (rotation)', async () => {
    const hooks = await receiver((index) => (index === 0 ? { status: 500 } : { status: 200 }));
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    const rotated = await api('POST', `/api/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, merchant.sandboxSecret);
    const secret = rotated.json().secret as string;
    clock.advance(MINUTE);
    await runner.runDue();
    const [first, second] = hooks.received;
    expect(verifySignature(endpoint.secret, first!.body, String(first!.headers['x-glomopay-signature']))).toBe(true);
    expect(verifySignature(secret, second!.body, String(second!.headers['x-glomopay-signature']))).toBe(true);
    expect(verifySignature(endpoint.secret, second!.body, String(second!.headers['x-glomopay-signature']))).toBe(false);
  });

  it.each([
    ['disabled', (id: string, key: string) => api('PATCH', `/api/v1/webhook_endpoints/${id}`, key, { status: 'disabled' })],
    ['deleted', (id: string, key: string) => api('DELETE', `/api/v1/webhook_endpoints/${id}`, key)],
  ])('cancels the delivery without a request when the endpoint is %s before the next attempt', async (_label, change) => {
    const hooks = await receiver({ status: 500 });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    expect((await change(endpoint.id, merchant.sandboxSecret)).statusCode).toBe(200);
    clock.advance(MINUTE);
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    const delivery = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'cancelled', attempts: 1, next_attempt_at: null, last_status_code: 500 });
    // Later events do not reach it at all.
    const later = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    expect((await eventDetail(merchant.sandboxSecret, later.eventId)).deliveries).toEqual([]);
  });

  it('sends nothing early when a delivery job runs before its next attempt (a worker died before rescheduling it)', async () => {
    const hooks = await receiver({ status: 500 });
    await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    const [delivery] = await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));
    // As if the attempt had been recorded but the runner never heard of the retry: the job is due again at once.
    await kit.harness().db.update(jobs).set({ runAt: clock.now() }).where(eq(jobs.uniqueKey, `deliver:${delivery!.id}:1`));
    clock.advance(SECOND);
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    const [job] = await kit.harness().db.select().from(jobs).where(eq(jobs.uniqueKey, `deliver:${delivery!.id}:1`));
    expect(job).toMatchObject({ status: 'queued', runAt: delivery!.nextAttemptAt });
    clock.advance(MINUTE - SECOND);
    await runner.runDue();
    expect(hooks.received).toHaveLength(2);
    await api('DELETE', `/api/v1/webhook_endpoints/${delivery!.endpointId}`, merchant.sandboxSecret);
  });

  it('dispatches an event once: a dispatch job that runs again creates no second delivery', async () => {
    const hooks = await receiver({ status: 200 });
    await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    const handlers = webhookJobHandlers({ db: kit.harness().db, config: kit.harness().config });
    const job = { id: 0n, queue: WEBHOOK_DISPATCH_QUEUE, payload: { eventId }, attempt: 2, maxAttempts: 10, tenant: undefined, clock };
    expect(await handlers[WEBHOOK_DISPATCH_QUEUE]!(job)).toEqual({ status: 'done' });
    await runner.runDue();
    expect(await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId))).toHaveLength(1);
    expect(hooks.received).toHaveLength(1);
    // An unknown event is given up, not retried.
    expect(await handlers[WEBHOOK_DISPATCH_QUEUE]!({ ...job, payload: { eventId: 'evt_missing' } })).toMatchObject({ status: 'dead' });
  });
});

describe('redelivery', () => {
  // A merchant per test: the endpoints of one test never hear another test's events.
  let merchant: TestMerchant;
  beforeEach(async () => {
    merchant = await kit.harness().newMerchant();
  });

  it('sends a delivered event again once, logged as manual, without touching the schedule', async () => {
    const hooks = await receiver({ status: 200 });
    await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    clock.advance(10 * MINUTE);
    const response = await api('POST', `/api/v1/events/${eventId}/redeliver`, merchant.sandboxSecret);
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toMatchObject({ id: eventId, deliveries: [{ status: 'succeeded', attempts: 1 }] });
    await runner.runDue();
    expect(hooks.received).toHaveLength(2);
    expect(hooks.received[1]!.body.equals(hooks.received[0]!.body)).toBe(true);
    expect(hooks.received[1]!.headers['x-glomopay-event-id']).toBe(eventId);
    expect(hooks.received[1]!.headers['x-glomopay-delivery-id']).toBe(hooks.received[0]!.headers['x-glomopay-delivery-id']);
    const delivery = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, next_attempt_at: null });
    expect(delivery.attempt_log.map((a) => a.trigger)).toEqual(['scheduled', 'manual']);
    clock.advance(HOUR);
    await runner.runDue();
    expect(hooks.received).toHaveLength(2);
  });

  it('a failed manual attempt leaves a pending delivery on its schedule; a successful one ends it', async () => {
    let healthy = false;
    const hooks = await receiver(() => (healthy ? { status: 200 } : { status: 500 }));
    await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    const before = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    clock.advance(30 * SECOND);
    expect((await api('POST', `/api/v1/events/${eventId}/redeliver`, merchant.sandboxSecret)).statusCode).toBe(202);
    await runner.runDue();
    expect(hooks.received).toHaveLength(2);
    const after = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(after).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: before.next_attempt_at, last_attempt_at: isoSeconds(clock.now()) });
    expect(after.attempt_log.map((a) => a.trigger)).toEqual(['scheduled', 'manual']);
    // The schedule goes on: attempt 2 at +1 minute after the first.
    clock.advance(30 * SECOND);
    await runner.runDue();
    expect(hooks.received).toHaveLength(3);
    expect((await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!).toMatchObject({ attempts: 2, status: 'pending' });
    // Now the receiver is fixed: a manual attempt succeeds and ends the delivery; its scheduled job sends nothing more.
    healthy = true;
    expect((await api('POST', `/api/v1/events/${eventId}/redeliver`, merchant.sandboxSecret)).statusCode).toBe(202);
    await runner.runDue();
    expect(hooks.received).toHaveLength(4);
    const done = (await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!;
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, next_attempt_at: null, last_status_code: 200 });
    clock.advance(HOUR);
    await runner.runDue();
    expect(hooks.received).toHaveLength(4);
  });

  it('revives a failed delivery', async () => {
    let healthy = false;
    const hooks = await receiver(() => (healthy ? { status: 200 } : { status: 500 }));
    await createEndpoint(merchant.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await runner.runDue();
    for (const delay of RETRY_DELAYS_MS.sandbox) {
      clock.advance(delay);
      await runner.runDue();
    }
    expect((await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!.status).toBe('failed');
    healthy = true;
    expect((await api('POST', `/api/v1/events/${eventId}/redeliver`, merchant.sandboxSecret)).statusCode).toBe(202);
    await runner.runDue();
    expect(hooks.received).toHaveLength(7);
    expect((await eventDetail(merchant.sandboxSecret, eventId)).deliveries[0]!).toMatchObject({ status: 'succeeded', attempts: 6 });
  });

  it('delivers an old event to an endpoint registered after it, when that endpoint is subscribed', async () => {
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    const runner = kit.harness().runner();
    await runner.runDue();
    const hooks = await receiver({ status: 200 });
    const late = await createEndpoint(merchant.sandboxSecret, hooks.url, { enabled_events: ['customer.created'] });
    const elsewhere = await createEndpoint(merchant.sandboxSecret, hooks.url, { enabled_events: ['payment.success'] });
    const refused = await api('POST', `/api/v1/events/${eventId}/redeliver`, merchant.sandboxSecret, { endpoint_id: elsewhere.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('Validation failed: Webhook endpoint is not subscribed to customer.created');
    const response = await api('POST', `/api/v1/events/${eventId}/redeliver`, merchant.sandboxSecret, { endpoint_id: late.id });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json().deliveries).toMatchObject([{ endpoint_id: late.id, status: 'pending', attempts: 0 }]);
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    expect(hooks.received[0]!.headers['x-glomopay-event-id']).toBe(eventId);
    expect((await eventDetail(merchant.sandboxSecret, eventId)).deliveries).toMatchObject([{ endpoint_id: late.id, status: 'succeeded', attempts: 1 }]);
    await api('DELETE', `/api/v1/webhook_endpoints/${late.id}`, merchant.sandboxSecret);
    await api('DELETE', `/api/v1/webhook_endpoints/${elsewhere.id}`, merchant.sandboxSecret);
  });

  it("another merchant can neither see nor redeliver the event", async () => {
    const hooks = await receiver({ status: 200 });
    await createEndpoint(merchant.sandboxSecret, hooks.url);
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    await kit.harness().runner().runDue();
    const stranger = await kit.harness().newMerchant();
    const strangerHooks = await receiver({ status: 200 });
    const strangerEndpoint = await createEndpoint(stranger.sandboxSecret, strangerHooks.url);
    for (const [method, url, payload] of [
      ['GET', `/api/v1/events/${eventId}`, undefined],
      ['POST', `/api/v1/events/${eventId}/redeliver`, undefined],
      ['POST', `/api/v1/events/${eventId}/redeliver`, { endpoint_id: strangerEndpoint.id }],
    ] as const) {
      const response = await api(method, url, stranger.sandboxSecret, payload);
      expect(response.statusCode, url).toBe(404);
      expect(response.json().message).toBe('Event not found');
    }
    expect((await api('GET', '/api/v1/events', stranger.sandboxSecret)).json().data).toEqual([]);
    // Nor can the owner send it to the stranger's endpoint.
    const crossed = await api('POST', `/api/v1/events/${eventId}/redeliver`, merchant.sandboxSecret, { endpoint_id: strangerEndpoint.id });
    expect(crossed.statusCode).toBe(404);
    expect(crossed.json().message).toBe('Webhook endpoint not found');
    await kit.harness().runner().runDue();
    expect(hooks.received).toHaveLength(1);
    expect(strangerHooks.received).toHaveLength(0);
  });
});

describe('test event', () => {
  it('sends webhook_test/test to that one endpoint, whatever it subscribed to', async () => {
    const merchant = await kit.harness().newMerchant();
    const hooks = await receiver({ status: 200 });
    const bystander = await receiver({ status: 200 });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url, { enabled_events: ['payment.success'] });
    await createEndpoint(merchant.sandboxSecret, bystander.url);
    const response = await api('POST', `/api/v1/webhook_endpoints/${endpoint.id}/test`, merchant.sandboxSecret);
    expect(response.statusCode, response.body).toBe(202);
    const event = response.json() as Event;
    const data = { id: endpoint.id, message: 'Test webhook from glomo-server', created_at: isoSeconds(clock.now()) };
    expect(event).toMatchObject({ entity_type: 'webhook_test', event_type: 'test', entity_id: endpoint.id, data, deliveries: [] });
    expect(event.id).toMatch(/^evt_/);
    const [row] = await kit.harness().db.select().from(events).where(eq(events.id, event.id));
    expect(row).toMatchObject({ merchantId: merchant.id, env: 'sandbox' });

    await kit.harness().runner().runDue();
    expect(bystander.received).toHaveLength(0);
    expect(hooks.received).toHaveLength(1);
    const [request] = hooks.received;
    expect(request!.body.toString('utf8')).toBe(
      `{"data":{"created_at":"${data.created_at}","id":"${endpoint.id}","message":"Test webhook from glomo-server"},"entity_type":"webhook_test","event_type":"test"}`,
    );
    expect(verifySignature(endpoint.secret, request!.body, String(request!.headers['x-glomopay-signature']))).toBe(true);
    expect(request!.headers['x-glomopay-event-id']).toBe(event.id);
    expect((await eventDetail(merchant.sandboxSecret, event.id)).deliveries).toMatchObject([{ endpoint_id: endpoint.id, status: 'succeeded' }]);
  });
});

describe('per-endpoint concurrency', () => {
  let merchant: TestMerchant;
  beforeEach(async () => {
    merchant = await kit.harness().newMerchant();
  });

  /** A receiver that holds every request open until release() (then answers 200), like a slow endpoint. */
  async function heldReceiver(): Promise<Receiver & { release(): void }> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started = await receiver(() => released.then(() => ({ status: 200 })));
    return Object.assign(started, { release });
  }

  const deliverJob = (deliveryId: string): Job => ({
    id: 0n, queue: WEBHOOK_DELIVER_QUEUE, payload: { deliveryId }, attempt: 1, maxAttempts: 20, tenant: undefined, clock,
  });

  const deliveriesTo = (endpointId: string) =>
    kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

  it('a slow endpoint with many pending deliveries holds at most its limit of attempts, and delays no other endpoint', async () => {
    const slow = await heldReceiver();
    const fast = await receiver({ status: 200 });
    const slowEndpoint = await createEndpoint(merchant.sandboxSecret, slow.url);
    const fastEndpoint = await createEndpoint(merchant.sandboxSecret, fast.url);
    const handlers = webhookJobHandlers({ db: kit.harness().db, config: { ...kit.harness().config, webhookEndpointConcurrency: 2 } });
    // Each event's two deliveries and their jobs, none attempted yet (as a dispatch leaves them when the endpoints'
    // slots are taken, or a redelivery to a new endpoint does).
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    for (let i = 0; i < 6; i++) {
      const { eventId } = await customerEvent(merchant.sandboxSecret);
      await kit.harness().db.transaction(async (tx) => {
        for (const endpoint of [slowEndpoint, fastEndpoint]) await createDelivery({ tx, clock, tenant }, eventId, endpoint.id);
      });
    }
    const slowDeliveries = await deliveriesTo(slowEndpoint.id);
    const fastDeliveries = await deliveriesTo(fastEndpoint.id);
    expect(slowDeliveries).toHaveLength(6);
    expect(fastDeliveries).toHaveLength(6);

    // The slow endpoint's jobs all at once, as a runner with more slots than the endpoint's limit would run them:
    // its first two hold their slots, its other four are deferred at once; meanwhile the fast endpoint's jobs run in
    // the runner's other slots (one after another here) and all go through.
    const slowRuns = slowDeliveries.map((d) => handlers[WEBHOOK_DELIVER_QUEUE]!(deliverJob(d.id)));
    const fastOutcomes = [];
    for (const d of fastDeliveries) fastOutcomes.push(await handlers[WEBHOOK_DELIVER_QUEUE]!(deliverJob(d.id)));
    expect(fastOutcomes).toEqual(fastDeliveries.map(() => ({ status: 'done' })));
    expect(fast.received).toHaveLength(6);
    await expect.poll(() => slow.received.length).toBe(2);
    const settled: string[] = [];
    slowRuns.forEach((run, i) => void run.then(() => settled.push(slowDeliveries[i]!.id)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toHaveLength(4);
    expect((await deliveriesTo(fastEndpoint.id)).map((d) => d.status)).toEqual(fastDeliveries.map(() => 'succeeded'));

    slow.release();
    const slowOutcomes = await Promise.all(slowRuns);
    expect(slowOutcomes.filter((o) => o.status === 'done')).toHaveLength(2);
    // Deferred for about as long as the endpoint's attempts take: here its two open ones had just begun.
    const deferrals = slowOutcomes.filter((o) => o.status === 'defer');
    expect(deferrals).toHaveLength(4);
    for (const deferral of deferrals) expect(deferral.at.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(ENDPOINT_BUSY_DEFER_MS);
    expect(slow.received).toHaveLength(2);
    // The slots are free again: the deferred ones go through now.
    const rest = slowDeliveries.filter((_, i) => slowOutcomes[i]!.status === 'defer');
    for (const d of rest) expect(await handlers[WEBHOOK_DELIVER_QUEUE]!(deliverJob(d.id))).toEqual({ status: 'done' });
    expect(slow.received).toHaveLength(6);
    for (const id of [slowEndpoint.id, fastEndpoint.id]) await api('DELETE', `/api/v1/webhook_endpoints/${id}`, merchant.sandboxSecret);
  });

  it('with a job runner of more slots than the limit, a held endpoint delays no other endpoint\'s deliveries', async () => {
    const slow = await heldReceiver();
    const fast = await receiver({ status: 200 });
    const slowEndpoint = await createEndpoint(merchant.sandboxSecret, slow.url);
    await createEndpoint(merchant.sandboxSecret, fast.url);
    const handlers = webhookJobHandlers({ db: kit.harness().db, config: { ...kit.harness().config, webhookEndpointConcurrency: 2 } });
    // Three slots: the held endpoint may take two of them, never the third.
    const runner = new JobRunner({
      db: kit.harness().db, clock, handlers, concurrency: 3, pollMs: 20, onError: (error) => kit.harness().handlerErrors.push(error),
    });
    const eventIds: string[] = [];
    for (let i = 0; i < 6; i++) eventIds.push((await customerEvent(merchant.sandboxSecret)).eventId);
    runner.start();
    try {
      // Generous bounds: on a loaded machine (the whole suite on 2 cores) six deliveries can take seconds.
      await expect.poll(() => fast.received.length, { timeout: 20_000, interval: 20 }).toBe(6);
      expect(new Set(fast.received.map((r) => r.headers['x-glomopay-event-id']))).toEqual(new Set(eventIds));
      expect(slow.received).toHaveLength(2);
      // Once it answers, the deferred ones follow at their time.
      slow.release();
      await expect.poll(async () => {
        clock.advance(ENDPOINT_BUSY_DEFER_MS);
        return slow.received.length;
      }, { timeout: 20_000, interval: 50 }).toBe(6);
    } finally {
      // Released first, so a failed poll ends in its own assertion, not in a stop that waits for held attempts.
      slow.release();
      await runner.stop();
    }
    const deliveries = await deliveriesTo(slowEndpoint.id);
    await expect.poll(async () => (await deliveriesTo(slowEndpoint.id)).filter((d) => d.status === 'succeeded').length).toBe(deliveries.length);
    expect(deliveries.map((d) => d.attempts).filter((n) => n > 1)).toEqual([]);
  }, 60_000);

  it('a deferral is not an attempt: the job is queued again shortly and the delivery keeps its attempts and schedule', async () => {
    const hooks = await receiver({ status: 500 });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const slots = new EndpointSlots(1);
    const runner = new JobRunner({
      db: kit.harness().db, clock, handlers: webhookJobHandlers({ db: kit.harness().db, config: kit.harness().config }, slots),
      onError: (error) => kit.harness().handlerErrors.push(error),
    });
    // The endpoint's one slot is taken, as by an attempt in flight.
    const taken = slots.tryAcquire(endpoint.id)!;
    expect(taken).toBeDefined();
    expect(slots.tryAcquire(endpoint.id)).toBeUndefined();
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    const createdAt = clock.now();
    await runner.runDue();
    expect(hooks.received).toHaveLength(0);
    const [delivery] = await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: createdAt, lastAttemptAt: null });
    expect(await kit.harness().db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, delivery!.id))).toEqual([]);
    const jobOf = async () => (await kit.harness().db.select().from(jobs).where(eq(jobs.uniqueKey, `deliver:${delivery!.id}:1`)))[0]!;
    const deferred = await jobOf();
    expect(deferred).toMatchObject({ status: 'queued', attempts: 0 });
    // ENDPOINT_BUSY_DEFER_MS, unless this machine took longer than that since the slot was taken (the wait follows the
    // age of the attempt in flight).
    expect(deferred.runAt.getTime() - createdAt.getTime()).toBeGreaterThanOrEqual(ENDPOINT_BUSY_DEFER_MS);
    expect(deferred.runAt.getTime() - createdAt.getTime()).toBeLessThan(kit.harness().config.webhookTimeoutMs);

    // Deferred again while the slot stays taken: still no attempt, on the job or the delivery.
    clock.set(deferred.runAt);
    await runner.runDue();
    expect(hooks.received).toHaveLength(0);
    const again = await jobOf();
    expect(again).toMatchObject({ status: 'queued', attempts: 0 });

    // Once the slot is free the first attempt is made; its failure follows the schedule from the attempt's own time.
    slots.release(taken);
    clock.set(again.runAt);
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    const attemptedAt = clock.now();
    expect(slots.openTo(endpoint.id)).toBe(0);
    const [after] = await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
    expect(after).toMatchObject({ status: 'pending', attempts: 1, lastAttemptAt: attemptedAt, nextAttemptAt: new Date(attemptedAt.getTime() + RETRY_DELAYS_MS.sandbox[0]!) });
    expect(await jobOf()).toMatchObject({ status: 'queued', attempts: 1, runAt: after!.nextAttemptAt });
    await api('DELETE', `/api/v1/webhook_endpoints/${endpoint.id}`, merchant.sandboxSecret);
  });

  it('defers for about as long as the endpoint\'s attempts take, from ENDPOINT_BUSY_DEFER_MS to the attempt timeout', () => {
    let now = 0;
    const slots = new EndpointSlots(2, 30 * SECOND, () => now);
    const first = slots.tryAcquire('we_a')!;
    const second = slots.tryAcquire('we_a')!;
    expect(slots.tryAcquire('we_a')).toBeUndefined();
    // Other endpoints have slots of their own.
    expect(slots.tryAcquire('we_b')).toBeDefined();
    now = 10;
    expect(slots.busyDeferMs('we_a')).toBe(ENDPOINT_BUSY_DEFER_MS);
    // Open attempts that grow older: an endpoint that stopped answering.
    now = 4 * SECOND;
    expect(slots.busyDeferMs('we_a')).toBe(4 * SECOND);
    now = 45 * SECOND;
    expect(slots.busyDeferMs('we_a')).toBe(30 * SECOND);
    // A finished slow attempt keeps the wait long while a new one is young.
    slots.release(first);
    expect(slots.openTo('we_a')).toBe(1);
    const next = slots.tryAcquire('we_a')!;
    now += 10;
    expect(slots.busyDeferMs('we_a')).toBe(30 * SECOND);
    // Fast attempts bring it down again.
    slots.release(second);
    slots.release(next);
    for (let i = 0; i < 40; i++) {
      const slot = slots.tryAcquire('we_a')!;
      now += 5;
      slots.release(slot);
    }
    expect(slots.openTo('we_a')).toBe(0);
    expect(slots.busyDeferMs('we_a')).toBe(ENDPOINT_BUSY_DEFER_MS);
  });

  it('the slot is released whatever the attempt ends with: a timeout', async () => {
    const hooks = await receiver('hang');
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const slots = new EndpointSlots(1);
    const handlers = webhookJobHandlers({ db: kit.harness().db, config: { ...kit.harness().config, webhookTimeoutMs: 200 } }, slots);
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    const runner = new JobRunner({ db: kit.harness().db, clock, handlers: { [WEBHOOK_DISPATCH_QUEUE]: handlers[WEBHOOK_DISPATCH_QUEUE]! } });
    // The dispatch's own first attempt times out: its slot is free again.
    await runner.runDue();
    const [delivery] = await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));
    expect(delivery).toMatchObject({ attempts: 1, lastError: 'Timed out after 200 ms' });
    expect(slots.openTo(endpoint.id)).toBe(0);
    // And the deliver job's attempt, at the next scheduled time.
    clock.advance(RETRY_DELAYS_MS.sandbox[0]!);
    const outcome = await handlers[WEBHOOK_DELIVER_QUEUE]!(deliverJob(delivery!.id));
    expect(outcome).toMatchObject({ status: 'retry', error: 'Timed out after 200 ms' });
    expect(slots.openTo(endpoint.id)).toBe(0);
    await api('DELETE', `/api/v1/webhook_endpoints/${endpoint.id}`, merchant.sandboxSecret);
  });
});

describe("the dispatch's own first attempt", () => {
  let merchant: TestMerchant;
  beforeEach(async () => {
    merchant = await kit.harness().newMerchant();
  });

  const deliverJobOf = async (deliveryId: string) => {
    const [job] = await kit.harness().db.select().from(jobs).where(eq(jobs.uniqueKey, `deliver:${deliveryId}:1`));
    return job!;
  };
  const deliveryOf = async (eventId: string) => {
    const [delivery] = await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));
    return delivery!;
  };

  it('a first attempt that succeeds ends the delivery and its job: nothing is sent again, not even after the fallback time', async () => {
    const hooks = await receiver({ status: 200 });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    const runner = kit.harness().runner();
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    const delivery = await deliveryOf(eventId);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await deliverJobOf(delivery.id)).toMatchObject({ status: 'done', attempts: 0 });
    clock.advance(2 * HOUR);
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    await api('DELETE', `/api/v1/webhook_endpoints/${endpoint.id}`, merchant.sandboxSecret);
  });

  it("a first attempt that fails leaves the delivery's job due at the schedule's next attempt", async () => {
    const hooks = await receiver((index) => ({ status: index === 0 ? 503 : 200 }));
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    const runner = kit.harness().runner();
    await runner.runDue();
    const delivery = await deliveryOf(eventId);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503 });
    const job = await deliverJobOf(delivery.id);
    expect(job).toMatchObject({ status: 'queued', attempts: 0 });
    expect(job.runAt.getTime()).toBe(delivery.nextAttemptAt!.getTime());
    expect(delivery.nextAttemptAt!.getTime() - delivery.lastAttemptAt!.getTime()).toBe(RETRY_DELAYS_MS.sandbox[0]);
    clock.advance(RETRY_DELAYS_MS.sandbox[0]!);
    await runner.runDue();
    expect(hooks.received).toHaveLength(2);
    expect(await deliveryOf(eventId)).toMatchObject({ status: 'succeeded', attempts: 2 });
    await api('DELETE', `/api/v1/webhook_endpoints/${endpoint.id}`, merchant.sandboxSecret);
  });

  it('a dispatch that died before its attempt leaves a job that makes it once the attempt timeout and a lease have passed', async () => {
    const hooks = await receiver({ status: 200 });
    const endpoint = await createEndpoint(merchant.sandboxSecret, hooks.url);
    const { eventId } = await customerEvent(merchant.sandboxSecret);
    // What the dispatch commits before its attempt, for a delivery it would attempt itself; then nothing (it died).
    await kit.harness().db.update(jobs).set({ status: 'done' }).where(eq(jobs.uniqueKey, `dispatch:${eventId}`));
    const fallbackAt = new Date(clock.now().getTime() + kit.harness().config.webhookTimeoutMs + kit.harness().config.jobsLeaseMs);
    await kit.harness().db.transaction((tx) =>
      createDelivery({ tx, clock, tenant: { merchantId: merchant.id, env: 'sandbox' } }, eventId, endpoint.id, fallbackAt));
    const runner = kit.harness().runner();
    clock.advance(kit.harness().config.webhookTimeoutMs);
    await runner.runDue();
    expect(hooks.received).toHaveLength(0);
    clock.advance(kit.harness().config.jobsLeaseMs);
    await runner.runDue();
    expect(hooks.received).toHaveLength(1);
    expect(await deliveryOf(eventId)).toMatchObject({ status: 'succeeded', attempts: 1 });
    await api('DELETE', `/api/v1/webhook_endpoints/${endpoint.id}`, merchant.sandboxSecret);
  });
});
