// A child merchant's webhooks (issue 15, notes-payins §1.11): without an enabled endpoint of its own in its
// environment, its events go to its platform's endpoints there, signed with their secrets, the body unchanged.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { loadKeyRing } from '../core/auth/signing-keys.js';
import { webhookDeliveries, type Environment } from '../db/schema/index.js';
import { createChildMerchant, updateMerchantSettings } from '../modules/merchants/service.js';
import { bearer, type TestMerchant } from '../../test/support/app.js';
import { CHILD_PROFILE } from '../../test/support/platform.js';
import { useWebhookHarness } from '../../test/support/webhook-receiver.js';
import { canonicalJson } from './delivery/canonical-json.js';
import { verifySignature } from './delivery/signature.js';

const MINUTE = 60 * 1000;

const clock = new ManualClock('2025-06-01T00:00:00Z');
const kit = useWebhookHarness(clock);
const { api, receiver, createEndpoint, customerEvent, eventDetail } = kit;

/** A merchant of the harness's database the operator made a platform. */
async function newPlatform(): Promise<TestMerchant> {
  const platform = await kit.harness().newMerchant();
  await updateMerchantSettings({ db: kit.harness().db, clock }, platform.id, { isPlatform: true });
  return platform;
}

/** A child onboarded under the platform in `env` (createChildMerchant, what POST /api/v1/platform/merchants does). */
async function newChild(platform: TestMerchant, env: Environment = 'sandbox'): Promise<{ id: string; secret: string }> {
  const keyRing = await loadKeyRing(kit.harness().db);
  const created = await createChildMerchant({ db: kit.harness().db, keyRing, clock }, { tenant: { merchantId: platform.id, env }, clock }, {
    name: 'Child merchant', profile: CHILD_PROFILE,
  });
  if (!created) throw new Error(`${platform.id} is not a platform`);
  return { id: created.merchant.id, secret: created.keys.secretKey };
}

const signature = (request: { headers: Record<string, unknown> }) => String(request.headers['x-glomopay-signature']);

describe('webhook delivery of a child merchant', () => {
  it("sends a child's event, without endpoints of its own, to its platform's subscribed endpoints in its environment, signed with theirs", async () => {
    const platform = await newPlatform();
    const child = await newChild(platform);
    const [hooks, second, unsubscribed, disabled, production] = await Promise.all([receiver(), receiver(), receiver(), receiver(), receiver()]);
    const endpoint = await createEndpoint(platform.sandboxSecret, hooks.url);
    const other = await createEndpoint(platform.sandboxSecret, second.url, { enabled_events: ['customer.created'] });
    await createEndpoint(platform.sandboxSecret, unsubscribed.url, { enabled_events: ['payment.success'] });
    const off = await createEndpoint(platform.sandboxSecret, disabled.url);
    expect((await api('PATCH', `/api/v1/webhook_endpoints/${off.id}`, platform.sandboxSecret, { status: 'disabled' })).statusCode).toBe(200);
    await createEndpoint(platform.productionSecret, production.url);

    const { eventId, customer } = await customerEvent(child.secret);
    await kit.harness().runner().runDue();

    expect(hooks.received).toHaveLength(1);
    expect(second.received).toHaveLength(1);
    expect([unsubscribed, disabled, production].map((r) => r.received.length)).toEqual([0, 0, 0]);
    const [request] = hooks.received;
    // The event as the child's own endpoint would have had it: the child's customer, nothing rewritten.
    expect(request!.body.toString('utf8')).toBe(canonicalJson({ entity_type: 'customer', event_type: 'created', data: customer }));
    expect(verifySignature(endpoint.secret, request!.body, signature(request!))).toBe(true);
    expect(verifySignature(other.secret, second.received[0]!.body, signature(second.received[0]!))).toBe(true);
    expect(request!.headers).toMatchObject({ 'x-glomopay-event-id': eventId, 'x-glomopay-merchant-id': child.id });
    expect(request!.rawHeaderNames).toContain('X-Glomopay-Merchant-Id');

    // The deliveries are the child's event's (its tenant, its clock), to the platform's endpoints, and succeeded.
    const deliveries = await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, eventId));
    expect(deliveries.map((d) => ({ merchantId: d.merchantId, env: d.env, endpointId: d.endpointId, status: d.status })))
      .toEqual(expect.arrayContaining([endpoint.id, other.id].map((endpointId) => ({ merchantId: child.id, env: 'sandbox', endpointId, status: 'succeeded' }))));
    expect(deliveries).toHaveLength(2);
    expect(request!.headers['x-glomopay-delivery-id']).toBe(deliveries.find((d) => d.endpointId === endpoint.id)!.id);
    // The child's event log does not show the platform's endpoints' attempts, nor can it redeliver to them.
    expect((await eventDetail(child.secret, eventId)).deliveries).toEqual([]);
    const redeliver = await api('POST', `/api/v1/events/${eventId}/redeliver`, child.secret, { endpoint_id: endpoint.id });
    expect(redeliver.statusCode, redeliver.body).toBe(404);
  });

  it("sends a child's event to its own endpoint only, once it has one, and never to the platform's", async () => {
    const platform = await newPlatform();
    const child = await newChild(platform);
    const [own, platformHooks] = await Promise.all([receiver(), receiver()]);
    // Subscribed to something else: the child has an endpoint of its own, so its other events go nowhere.
    const mine = await createEndpoint(child.secret, own.url, { enabled_events: ['customer.created'] });
    await createEndpoint(platform.sandboxSecret, platformHooks.url);

    const { eventId } = await customerEvent(child.secret);
    const document = await kit.harness().app.inject({
      method: 'POST', url: '/api/v1/document', headers: { ...bearer(child.secret), 'content-type': 'multipart/form-data; boundary=b' },
      payload: '--b\r\nContent-Disposition: form-data; name="document_name"\r\n\r\ninvoice\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--b--\r\n',
    });
    expect(document.statusCode, document.body).toBe(201);
    await kit.harness().runner().runDue();

    expect(own.received).toHaveLength(1);
    expect(platformHooks.received).toHaveLength(0);
    expect(verifySignature(mine.secret, own.received[0]!.body, signature(own.received[0]!))).toBe(true);
    expect(own.received[0]!.headers['x-glomopay-merchant-id']).toBeUndefined();
    expect((await eventDetail(child.secret, eventId)).deliveries).toMatchObject([{ endpoint_id: mine.id, status: 'succeeded' }]);
  });

  it('falls back to the platform while the child has only disabled or deleted endpoints', async () => {
    const platform = await newPlatform();
    const child = await newChild(platform);
    const [own, platformHooks] = await Promise.all([receiver(), receiver()]);
    const paused = await createEndpoint(child.secret, own.url);
    const gone = await createEndpoint(child.secret, own.url);
    expect((await api('PATCH', `/api/v1/webhook_endpoints/${paused.id}`, child.secret, { status: 'disabled' })).statusCode).toBe(200);
    expect((await api('DELETE', `/api/v1/webhook_endpoints/${gone.id}`, child.secret)).statusCode).toBe(200);
    await createEndpoint(platform.sandboxSecret, platformHooks.url);

    await customerEvent(child.secret);
    await kit.harness().runner().runDue();
    expect(own.received).toHaveLength(0);
    expect(platformHooks.received).toHaveLength(1);

    // Enabled again, the child's endpoint takes its events from now on.
    expect((await api('PATCH', `/api/v1/webhook_endpoints/${paused.id}`, child.secret, { status: 'enabled' })).statusCode).toBe(200);
    await customerEvent(child.secret);
    await kit.harness().runner().runDue();
    expect(own.received).toHaveLength(1);
    expect(platformHooks.received).toHaveLength(1);
  });

  it("sends a production child's events to its platform's production endpoints only", async () => {
    const platform = await newPlatform();
    const child = await newChild(platform, 'production');
    const [sandboxHooks, productionHooks] = await Promise.all([receiver(), receiver()]);
    await createEndpoint(platform.sandboxSecret, sandboxHooks.url);
    const endpoint = await createEndpoint(platform.productionSecret, productionHooks.url);

    await customerEvent(child.secret);
    await kit.harness().runner().runDue();
    expect(sandboxHooks.received).toHaveLength(0);
    expect(productionHooks.received).toHaveLength(1);
    expect(verifySignature(endpoint.secret, productionHooks.received[0]!.body, signature(productionHooks.received[0]!))).toBe(true);
  });

  it("retries a child's delivery on its schedule, signed with the platform endpoint's secret as it is then", async () => {
    const platform = await newPlatform();
    const child = await newChild(platform);
    const hooks = await receiver((index) => (index === 0 ? { status: 500 } : { status: 200 }));
    const endpoint = await createEndpoint(platform.sandboxSecret, hooks.url);
    const runner = kit.harness().runner();
    const { eventId } = await customerEvent(child.secret);
    await runner.runDue();
    const rotated = await api('POST', `/api/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, platform.sandboxSecret);
    expect(rotated.statusCode, rotated.body).toBe(200);
    clock.advance(MINUTE);
    await runner.runDue();

    const [first, second] = hooks.received;
    expect(second, 'the retry was made').toBeDefined();
    expect(verifySignature(endpoint.secret, first!.body, signature(first!))).toBe(true);
    expect(verifySignature(rotated.json().secret as string, second!.body, signature(second!))).toBe(true);
    expect(second!.headers['x-glomopay-merchant-id']).toBe(child.id);
    const [delivery] = await kit.harness().db.select().from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.endpointId, endpoint.id)));
    expect(delivery).toMatchObject({ merchantId: child.id, status: 'succeeded', attempts: 2 });
  });

  it("leaves a merchant without a platform as it was: a platform's own events go to its endpoints, a sibling's nowhere else", async () => {
    const platform = await newPlatform();
    const [childA, childB] = [await newChild(platform), await newChild(platform)];
    const standalone = await kit.harness().newMerchant();
    const [platformHooks, siblingHooks] = await Promise.all([receiver(), receiver()]);
    await createEndpoint(platform.sandboxSecret, platformHooks.url);
    await createEndpoint(childB.secret, siblingHooks.url);

    const own = await customerEvent(platform.sandboxSecret);
    const ofChild = await customerEvent(childA.secret);
    // A merchant without endpoints (and without a platform) has its events delivered nowhere.
    const alone = await customerEvent(standalone.sandboxSecret);
    await kit.harness().runner().runDue();

    expect(platformHooks.received.map((r) => r.headers['x-glomopay-event-id'])).toEqual(expect.arrayContaining([own.eventId, ofChild.eventId]));
    expect(platformHooks.received).toHaveLength(2);
    expect(platformHooks.received.find((r) => r.headers['x-glomopay-event-id'] === own.eventId)!.headers['x-glomopay-merchant-id']).toBeUndefined();
    expect(siblingHooks.received).toHaveLength(0);
    expect(await kit.harness().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, alone.eventId))).toEqual([]);
  });
});
