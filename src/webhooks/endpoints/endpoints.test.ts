import { and, eq, isNull } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock, systemClock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import type { Tenant } from '../../core/tenancy.js';
import { webhookEndpoints, type Environment } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { testEnv } from '../../../test/support/env.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import { resolveTarget, type Lookup } from '../url-guard.js';
import { WebhookEndpoint, WebhookEndpointList } from './schemas.js';
import {
  createWebhookEndpoint,
  EVENT_CATALOGUE,
  EXTENSION_EVENTS,
  findDeliverableEndpoints,
  findEndpoint,
  GLOMO_EVENTS,
  MAX_ENDPOINTS_PER_ENVIRONMENT,
  newWebhookSecret,
} from './service.js';

interface EndpointJson {
  id: string;
  url: string;
  enabled_events: string[] | null;
  description?: string;
  status: 'enabled' | 'disabled';
  secret_hint: string;
  secret?: string;
  created_at: string;
  updated_at: string;
}

/** A sandbox target on this machine: sandbox endpoints may be local (no DNS involved). */
const LOCAL_URL = 'http://127.0.0.1:4567/glomo/webhooks';
/** A public address literal, so production tests need no DNS either (IPv4 is covered below). */
const PUBLIC_IPV6 = '2606:4700:4700::1111';
const PUBLIC_URL = `https://[${PUBLIC_IPV6}]/glomo/webhooks`;
const ENDPOINT_ID = /^we_[0-9a-f]{8}[0-9A-Za-z]{16}$/;
const SECRET = /^whsec_[0-9A-Za-z]{32}$/;
const PUBLIC_FIELDS = ['created_at', 'enabled_events', 'id', 'secret_hint', 'status', 'updated_at', 'url'];
const PRIVATE_TARGET = 'Validation failed: Url must not target a private, loopback or link-local address for production endpoints';
const LIMIT = `Validation failed: A merchant can have at most ${MAX_ENDPOINTS_PER_ENVIRONMENT} webhook endpoints per environment; delete one first`;
const NOT_FOUND = { error: 'Not Found', message: 'Webhook endpoint not found', code: 'NOT_FOUND' };
const invalid = (message: string) => ({ error: 'Bad Request', message: `Validation failed: ${message}`, code: 'VALIDATION_FAILED' });

const post = (app: App, key: string, payload: unknown) =>
  app.inject({ method: 'POST', url: '/api/v1/webhook_endpoints', headers: bearer(key), payload: payload as Record<string, unknown> });
const get = (app: App, key: string, id: string) =>
  app.inject({ method: 'GET', url: `/api/v1/webhook_endpoints/${id}`, headers: bearer(key) });
const patch = (app: App, key: string, id: string, payload: unknown) =>
  app.inject({ method: 'PATCH', url: `/api/v1/webhook_endpoints/${id}`, headers: bearer(key), payload: payload as Record<string, unknown> });
const remove = (app: App, key: string, id: string) =>
  app.inject({ method: 'DELETE', url: `/api/v1/webhook_endpoints/${id}`, headers: bearer(key) });
const rotate = (app: App, key: string, id: string) =>
  app.inject({ method: 'POST', url: `/api/v1/webhook_endpoints/${id}/rotate_secret`, headers: bearer(key) });
const listAll = async (app: App, key: string) => {
  const response = await app.inject({ method: 'GET', url: '/api/v1/webhook_endpoints?per_page=100', headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { data: EndpointJson[]; page_meta: { count: number } };
};

async function createEndpoint(app: App, key: string, body: Record<string, unknown> = { url: LOCAL_URL }): Promise<EndpointJson> {
  const response = await post(app, key, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as EndpointJson;
}

const withoutSecret = ({ secret: _secret, ...rest }: EndpointJson) => rest;

async function storedRow(id: string) {
  const { database } = await testEnv();
  const [row] = await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row!;
}

describe('POST /api/v1/webhook_endpoints', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('registers an endpoint for every event (201) and answers its secret once', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret);
    expect(Object.keys(created).sort()).toEqual([...PUBLIC_FIELDS, 'secret'].sort());
    expect(created).toMatchObject({ url: LOCAL_URL, enabled_events: null, status: 'enabled' });
    expect(created.id).toMatch(ENDPOINT_ID);
    expect(created.secret).toMatch(SECRET);
    expect(created.secret_hint).toBe(created.secret!.slice(-4));
    expect(created.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(created.updated_at).toBe(created.created_at);
    expect(parseInt(created.id.slice(3, 11), 16)).toBe(Date.parse(created.created_at) / 1000);
    expect(Value.Check(WebhookEndpoint, withoutSecret(created))).toBe(true);
    const row = await storedRow(created.id);
    expect(row).toMatchObject({ merchantId: merchant.id, env: 'sandbox', secret: created.secret, enabledEvents: null, deletedAt: null });
  });

  it('keeps the events it is given (multi-part names and extension events too) and a trimmed description', async () => {
    const enabled = ['payment.success', 'refund.utr.updated', 'balance.balance.funded_balance.credited', 'customer.created'];
    const created = await createEndpoint(app, merchant.sandboxSecret, { url: `  ${LOCAL_URL}  `, enabled_events: enabled, description: '  Fulfilment  ' });
    expect(created).toMatchObject({ url: LOCAL_URL, enabled_events: enabled, description: 'Fulfilment' });
    expect((await storedRow(created.id)).enabledEvents).toEqual(enabled);
  });

  it('takes ["*"] as every event, reads it back as sent, and omits a blank description', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret, { url: LOCAL_URL, enabled_events: ['*'], description: '   ' });
    expect(created.enabled_events).toEqual(['*']);
    expect(created).not.toHaveProperty('description');
    expect((await storedRow(created.id)).enabledEvents).toEqual(['*']);
    const read = await app.inject({ method: 'GET', url: `/api/v1/webhook_endpoints/${created.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(read.json().enabled_events).toEqual(['*']);
  });

  it('accepts the limits exactly: a 2048-character url, a 500-character description, 100 events', async () => {
    const url = `${LOCAL_URL}?q=${'a'.repeat(2048 - LOCAL_URL.length - 3)}`;
    expect(url).toHaveLength(2048);
    const created = await createEndpoint(app, merchant.sandboxSecret, { url, description: 'd'.repeat(500) });
    expect(created.url).toBe(url);
    expect(created.description).toHaveLength(500);
    expect(EVENT_CATALOGUE.length).toBeLessThan(100);
    const all = await createEndpoint(app, merchant.sandboxSecret, { url: LOCAL_URL, enabled_events: [...EVENT_CATALOGUE] });
    expect(all.enabled_events).toEqual([...EVENT_CATALOGUE]);
  });

  it('draws a different secret for every endpoint', async () => {
    const a = await createEndpoint(app, merchant.sandboxSecret);
    const b = await createEndpoint(app, merchant.sandboxSecret);
    expect(a.secret).not.toBe(b.secret);
  });

  describe('validation', () => {
    let fresh: TestMerchant;
    beforeAll(async () => {
      fresh = await createTestMerchant();
    });

    it.each([
      [{}, "Url can't be blank"],
      [{ url: '' }, "Url can't be blank"],
      [{ url: '   ' }, "Url can't be blank"],
      [{ url: 42 }, 'Url must be a string'],
      [{ url: null }, 'Url must be a string'],
      [{ url: `https://1.1.1.1/${'a'.repeat(2048)}` }, 'Url is too long (maximum is 2048 characters)'],
      [{ url: 'not a url' }, 'Url is not a valid URL'],
      [{ url: '/relative/path' }, 'Url is not a valid URL'],
      [{ url: 'ftp://127.0.0.1/hooks' }, 'Url must use http or https'],
      [{ url: 'javascript:alert(1)' }, 'Url must use http or https'],
      [{ url: 'http://user:pass@127.0.0.1/hooks' }, 'Url must not contain credentials'],
      [{ url: 'http://127.0.0.1/hooks#section' }, 'Url must not contain a fragment'],
      [{ url: LOCAL_URL, enabled_events: [] }, 'Enabled events must list at least 1 event (omit it for every event)'],
      [{ url: LOCAL_URL, enabled_events: Array(101).fill('payment.success') }, 'Enabled events must list at most 100 events'],
      [{ url: LOCAL_URL, enabled_events: ['payment.success', 'refund.failed', 'payment.success'] }, "Enabled events lists 'payment.success' more than once"],
      [{ url: LOCAL_URL, enabled_events: ['*', '*'] }, "Enabled events lists '*' more than once"],
      [{ url: LOCAL_URL, enabled_events: ['payment.success', 'payment.sucess'] }, "Enabled events contains an unknown event 'payment.sucess'"],
      [{ url: LOCAL_URL, enabled_events: ['payment'] }, "Enabled events contains an unknown event 'payment'"],
      [{ url: LOCAL_URL, enabled_events: ['Payment.Success'] }, "Enabled events contains an unknown event 'Payment.Success'"],
      [{ url: LOCAL_URL, enabled_events: ['order.paid'] }, "Enabled events contains an unknown event 'order.paid'"],
      [{ url: LOCAL_URL, enabled_events: ['payment.*'] }, "Enabled events contains an unknown event 'payment.*'"],
      [{ url: LOCAL_URL, enabled_events: ['*', 'payment.success'] }, 'Enabled events must be ["*"] alone or a list of events without "*"'],
      [{ url: LOCAL_URL, enabled_events: 'payment.success' }, 'Enabled events must be an array'],
      [{ url: LOCAL_URL, enabled_events: null }, 'Enabled events must be an array'],
      [{ url: LOCAL_URL, enabled_events: [42] }, 'Enabled events 0 must be a string'],
      [{ url: LOCAL_URL, enabled_events: ['x'.repeat(101)] }, 'Enabled events 0 is too long (maximum is 100 characters)'],
      [{ url: LOCAL_URL, description: 'd'.repeat(501) }, 'Description is too long (maximum is 500 characters)'],
      [{ url: LOCAL_URL, description: 7 }, 'Description must be a string'],
      [{ url: LOCAL_URL, status: 'disabled' }, "Unknown field 'status'"],
      [{ url: LOCAL_URL, secret: 'whsec_chosen_by_the_client_0000000' }, "Unknown field 'secret'"],
    ])('answers 400 for %o', async (body, message) => {
      const response = await post(app, fresh.sandboxSecret, body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toEqual(invalid(message));
    });

    it('answers 400 for a body that is not a JSON object', async () => {
      const response = await app.inject({
        method: 'POST', url: '/api/v1/webhook_endpoints',
        headers: { ...bearer(fresh.sandboxSecret), 'content-type': 'application/json' }, payload: '["https://1.1.1.1"]',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(invalid('Request body must be a JSON object'));
    });

    it('stored none of the refused endpoints', async () => {
      const { database } = await testEnv();
      const rows = await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.merchantId, fresh.id));
      expect(rows).toEqual([]);
    });
  });
});

describe('webhook targets: sandbox may be local, production must be https and public', () => {
  let app: App;
  let permissive: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    ({ app: permissive } = await buildTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } }));
    merchant = await createTestMerchant();
  });

  it.each([LOCAL_URL, 'http://localhost:3000/hooks', 'http://10.0.0.1/hooks', 'http://192.168.1.20:8080/hooks', 'http://[::1]:8080/hooks', PUBLIC_URL])(
    'sandbox accepts %s',
    async (url) => {
      expect((await createEndpoint(app, merchant.sandboxSecret, { url })).url).toBe(url);
    },
  );

  it.each([
    ['http://1.1.1.1/hooks', 'Validation failed: Url must use https for production endpoints'],
    [LOCAL_URL, 'Validation failed: Url must use https for production endpoints'],
    ['https://127.0.0.1/hooks', PRIVATE_TARGET],
    ['https://127.0.0.1:8443/hooks', PRIVATE_TARGET],
    ['https://10.0.0.1/hooks', PRIVATE_TARGET],
    ['https://172.16.5.4/hooks', PRIVATE_TARGET],
    ['https://192.168.1.20/hooks', PRIVATE_TARGET],
    ['https://169.254.169.254/latest/meta-data', PRIVATE_TARGET],
    ['https://100.64.0.1/hooks', PRIVATE_TARGET],
    ['https://[::1]/hooks', PRIVATE_TARGET],
    ['https://[fd00::1]/hooks', PRIVATE_TARGET],
    ['https://[::ffff:10.0.0.1]/hooks', PRIVATE_TARGET],
    ['https://0.0.0.0/hooks', PRIVATE_TARGET],
    ['https://localhost/hooks', PRIVATE_TARGET],
  ])('production refuses %s', async (url, message) => {
    const response = await post(app, merchant.productionSecret, { url });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message, code: 'VALIDATION_FAILED' });
  });

  it('production accepts a public https target', async () => {
    const created = await createEndpoint(app, merchant.productionSecret, { url: PUBLIC_URL });
    expect(created.url).toBe(PUBLIC_URL);
    expect(await storedRow(created.id)).toMatchObject({ env: 'production' });
  });

  // A regression test: one BlockList for both families matched every IPv4 address against ::ffff:0:0/96.
  it('production accepts a public IPv4 https target', async () => {
    await createEndpoint(app, merchant.productionSecret, { url: 'https://1.1.1.1/glomo/webhooks' });
  });

  it('production accepts private and plain-http targets when WEBHOOK_ALLOW_PRIVATE_TARGETS=true', async () => {
    for (const url of [LOCAL_URL, 'https://127.0.0.1/hooks', 'https://10.0.0.1/hooks']) {
      expect((await createEndpoint(permissive, merchant.productionSecret, { url })).url).toBe(url);
    }
    // The flag relaxes the address rules only: a URL still has to be a URL.
    const response = await post(permissive, merchant.productionSecret, { url: 'ftp://10.0.0.1/x' });
    expect(response.json()).toEqual(invalid('Url must use http or https'));
  });

  it('applies the same rules on update', async () => {
    const created = await createEndpoint(app, merchant.productionSecret, { url: PUBLIC_URL });
    for (const [url, message] of [['https://10.0.0.1/hooks', PRIVATE_TARGET], ['http://1.1.1.1/hooks', 'Validation failed: Url must use https for production endpoints']]) {
      const response = await patch(app, merchant.productionSecret, created.id, { url });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toBe(message);
    }
    expect((await get(app, merchant.productionSecret, created.id)).json().url).toBe(PUBLIC_URL);
    const allowed = await patch(permissive, merchant.productionSecret, created.id, { url: 'https://10.0.0.1/hooks' });
    expect(allowed.statusCode).toBe(200);
  });

  describe('a host name is judged by the addresses it resolves to', () => {
    const resolvesTo = (...addresses: string[]): Lookup => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    const production = { env: 'production' as const, allowPrivateTargets: false };

    it('refuses a name that resolves to a private address in production, accepts it in sandbox or with the flag', async () => {
      const url = 'https://hooks.merchant.example/glomo';
      for (const address of ['10.0.0.5', '127.0.0.1', '169.254.169.254', 'fd12::1']) {
        expect(await resolveTarget(url, production, resolvesTo(address))).toEqual({ ok: false, problem: PRIVATE_TARGET.replace('Validation failed: ', '') });
        expect(await resolveTarget(url, { env: 'sandbox', allowPrivateTargets: false }, resolvesTo(address))).toMatchObject({ ok: true, address });
        expect(await resolveTarget(url, { env: 'production', allowPrivateTargets: true }, resolvesTo(address))).toMatchObject({ ok: true, address });
      }
    });

    it('refuses a name with one public and one private address, and accepts one with public addresses only', async () => {
      const url = 'https://hooks.merchant.example/glomo';
      expect(await resolveTarget(url, production, resolvesTo(PUBLIC_IPV6, '10.0.0.5'))).toMatchObject({ ok: false });
      expect(await resolveTarget(url, production, resolvesTo(PUBLIC_IPV6, '2606:4700:4700::1001'))).toEqual({ ok: true, address: PUBLIC_IPV6, family: 6 });
    });

    it('refuses a name that does not resolve', async () => {
      const failing: Lookup = async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      };
      expect(await resolveTarget('https://nowhere.invalid/x', production, failing)).toEqual({ ok: false, problem: 'Url host nowhere.invalid does not resolve' });
      expect(await resolveTarget('https://nowhere.invalid/x', production, resolvesTo())).toEqual({ ok: false, problem: 'Url host nowhere.invalid does not resolve' });
    });

    it('is what the service checks when it registers an endpoint', async () => {
      const { database } = await testEnv();
      const tenant: Tenant = { merchantId: merchant.id, env: 'production' };
      const deps = (lookup: Lookup) => ({ db: database.db, allowPrivateTargets: false, lookup });
      const url = 'https://hooks.merchant.example/glomo';
      const refused = createWebhookEndpoint(deps(resolvesTo('10.1.2.3')), { tenant, clock: systemClock }, { url });
      await expect(refused).rejects.toBeInstanceOf(ApiError);
      await expect(refused).rejects.toMatchObject({ statusCode: 400, message: PRIVATE_TARGET });
      await expect(createWebhookEndpoint(deps(async () => { throw new Error('SERVFAIL'); }), { tenant: { ...tenant, env: 'sandbox' }, clock: systemClock }, { url }))
        .rejects.toMatchObject({ statusCode: 400, message: 'Validation failed: Url host hooks.merchant.example does not resolve' });
      const created = await createWebhookEndpoint(deps(resolvesTo(PUBLIC_IPV6)), { tenant, clock: systemClock }, { url });
      // The name is kept, not the address: the sender resolves and checks it again at every delivery.
      expect(created.url).toBe(url);
    });
  });
});

describe(`at most ${MAX_ENDPOINTS_PER_ENVIRONMENT} endpoints per merchant environment`, () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('refuses the 17th, counts each environment apart and frees a place on delete', async () => {
    const merchant = await createTestMerchant();
    const created: EndpointJson[] = [];
    for (let i = 0; i < MAX_ENDPOINTS_PER_ENVIRONMENT; i++) created.push(await createEndpoint(app, merchant.sandboxSecret));
    const refused = await post(app, merchant.sandboxSecret, { url: LOCAL_URL });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ error: 'Bad Request', message: LIMIT, code: 'VALIDATION_FAILED' });
    expect((await listAll(app, merchant.sandboxSecret)).page_meta.count).toBe(MAX_ENDPOINTS_PER_ENVIRONMENT);
    // Disabled endpoints still count; production is another environment.
    expect((await patch(app, merchant.sandboxSecret, created[0]!.id, { status: 'disabled' })).statusCode).toBe(200);
    expect((await post(app, merchant.sandboxSecret, { url: LOCAL_URL })).statusCode).toBe(400);
    await createEndpoint(app, merchant.productionSecret, { url: PUBLIC_URL });
    expect((await remove(app, merchant.sandboxSecret, created[5]!.id)).statusCode).toBe(200);
    await createEndpoint(app, merchant.sandboxSecret);
    expect((await post(app, merchant.sandboxSecret, { url: LOCAL_URL })).json().message).toBe(LIMIT);
  });

  it('holds under concurrent creates', async () => {
    const merchant = await createTestMerchant();
    const responses = await Promise.all(Array.from({ length: 24 }, () => post(app, merchant.sandboxSecret, { url: LOCAL_URL })));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_ENDPOINTS_PER_ENVIRONMENT);
    expect(statuses.filter((s) => s === 400)).toHaveLength(24 - MAX_ENDPOINTS_PER_ENVIRONMENT);
    expect((await listAll(app, merchant.sandboxSecret)).page_meta.count).toBe(MAX_ENDPOINTS_PER_ENVIRONMENT);
  });
});

describe('GET /api/v1/webhook_endpoints and /{id}: the secret is never shown again', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('retrieves what it created, with secret_hint instead of the secret', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret, { url: LOCAL_URL, enabled_events: ['payout.success'], description: 'Payouts' });
    const response = await get(app, merchant.sandboxSecret, created.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(withoutSecret(created));
    expect(response.body).not.toContain(created.secret);
    expect(Object.keys(response.json()).sort()).toEqual([...PUBLIC_FIELDS, 'description'].sort());
  });

  it('lists without secrets, newest first', async () => {
    const first = await createEndpoint(app, merchant.sandboxSecret);
    const second = await createEndpoint(app, merchant.sandboxSecret);
    const response = await app.inject({ method: 'GET', url: '/api/v1/webhook_endpoints?per_page=100', headers: bearer(merchant.sandboxSecret) });
    expect(response.body).not.toContain(first.secret);
    expect(response.body).not.toContain(second.secret);
    const list = response.json() as { data: EndpointJson[] };
    expect(Value.Check(WebhookEndpointList, list)).toBe(true);
    for (const item of list.data) expect(item).not.toHaveProperty('secret');
    const ids = list.data.map((e) => e.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
  });
});

describe('PATCH /api/v1/webhook_endpoints/{id}', () => {
  const clock = new ManualClock('2026-04-01T08:00:00Z');
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
    merchant = await createTestMerchant(clock);
  });

  it('changes only the fields sent and moves updated_at', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret, { url: LOCAL_URL, description: 'Before' });
    clock.advance(90_000);
    const response = await patch(app, merchant.sandboxSecret, created.id, {
      url: 'http://127.0.0.1:9999/new', enabled_events: ['orders.paid', 'refund.success'], status: 'disabled',
    });
    expect(response.statusCode, response.body).toBe(200);
    const updated = response.json() as EndpointJson;
    expect(updated).toEqual({
      ...withoutSecret(created),
      url: 'http://127.0.0.1:9999/new',
      enabled_events: ['orders.paid', 'refund.success'],
      status: 'disabled',
      updated_at: '2026-04-01T08:01:30Z',
    });
    expect((await get(app, merchant.sandboxSecret, created.id)).json()).toEqual(updated);
    expect((await storedRow(created.id)).secret).toBe(created.secret);
  });

  it('resets enabled_events to every event with null, and removes the description with null or ""', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret, { url: LOCAL_URL, enabled_events: ['payment.failed'], description: 'x' });
    const reset = (await patch(app, merchant.sandboxSecret, created.id, { enabled_events: null, description: null })).json();
    expect(reset.enabled_events).toBeNull();
    expect(reset).not.toHaveProperty('description');
    expect((await storedRow(created.id)).enabledEvents).toBeNull();
    await patch(app, merchant.sandboxSecret, created.id, { description: 'again', enabled_events: ['*'] });
    const cleared = (await patch(app, merchant.sandboxSecret, created.id, { description: '' })).json();
    expect(cleared).not.toHaveProperty('description');
    expect(cleared.enabled_events).toEqual(['*']);
  });

  it('enables a disabled endpoint again', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret);
    await patch(app, merchant.sandboxSecret, created.id, { status: 'disabled' });
    expect((await patch(app, merchant.sandboxSecret, created.id, { status: 'enabled' })).json().status).toBe('enabled');
  });

  it('answers the endpoint unchanged for an empty body', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret);
    clock.advance(60_000);
    const response = await patch(app, merchant.sandboxSecret, created.id, {});
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(withoutSecret(created));
  });

  it.each([
    [{ status: 'paused' }, 'Status must be one of: enabled, disabled'],
    [{ status: null }, 'Status must be one of: enabled, disabled'],
    [{ url: '' }, "Url can't be blank"],
    [{ url: ' ' }, "Url can't be blank"],
    [{ url: null }, 'Url must be a string'],
    [{ url: 'nope' }, 'Url is not a valid URL'],
    [{ enabled_events: [] }, 'Enabled events must list at least 1 event (omit it for every event)'],
    [{ enabled_events: ['payment.success', 'payment.success'] }, "Enabled events lists 'payment.success' more than once"],
    [{ enabled_events: ['payout.sent'] }, "Enabled events contains an unknown event 'payout.sent'"],
    [{ enabled_events: 'payment.success' }, 'Enabled events must be an array'],
    [{ description: 'd'.repeat(501) }, 'Description is too long (maximum is 500 characters)'],
    [{ description: 5 }, 'Description must be a string'],
    [{ secret: 'whsec_mine' }, "Unknown field 'secret'"],
    [{ id: 'we_other' }, "Unknown field 'id'"],
  ])('answers 400 for %o and changes nothing', async (body, message) => {
    const owner = await createTestMerchant(clock);
    const created = await createEndpoint(app, owner.sandboxSecret, { url: LOCAL_URL, enabled_events: ['payment.success'], description: 'Keep' });
    const response = await patch(app, owner.sandboxSecret, created.id, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual(invalid(message));
    expect((await get(app, owner.sandboxSecret, created.id)).json()).toEqual(withoutSecret(created));
  });

  it("answers 404 for an unknown or another tenant's id before the service judges events or url", async () => {
    // The body schema runs first (it does not depend on the object); the service looks the endpoint up next.
    expect((await patch(app, merchant.sandboxSecret, 'we_6819d804aaaaaaaaaaaaaaaa', { status: 'paused' })).statusCode).toBe(400);
    const created = await createEndpoint(app, merchant.sandboxSecret);
    for (const [key, id] of [[merchant.sandboxSecret, 'we_6819d804aaaaaaaaaaaaaaaa'], [merchant.productionSecret, created.id]] as const) {
      for (const body of [{ enabled_events: ['nope.nope'] }, { url: 'http://10.0.0.1/x' }]) {
        const response = await patch(app, key, id, body);
        expect(response.statusCode).toBe(404);
        expect(response.json()).toEqual(NOT_FOUND);
      }
    }
  });
});

describe('DELETE /api/v1/webhook_endpoints/{id}', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('soft-deletes: 200 {id, deleted}, then 404 everywhere, gone from the list, the row kept', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret);
    const kept = await createEndpoint(app, merchant.sandboxSecret);
    const response = await remove(app, merchant.sandboxSecret, created.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: created.id, deleted: true });
    for (const again of [
      await get(app, merchant.sandboxSecret, created.id),
      await remove(app, merchant.sandboxSecret, created.id),
      await patch(app, merchant.sandboxSecret, created.id, { status: 'enabled' }),
      await rotate(app, merchant.sandboxSecret, created.id),
    ]) {
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual(NOT_FOUND);
    }
    const ids = (await listAll(app, merchant.sandboxSecret)).data.map((e) => e.id);
    expect(ids).toContain(kept.id);
    expect(ids).not.toContain(created.id);
    const row = await storedRow(created.id);
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(row.secret).toBe(created.secret);
  });
});

describe('POST /api/v1/webhook_endpoints/{id}/rotate_secret', () => {
  const clock = new ManualClock('2026-05-01T12:00:00Z');
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
    merchant = await createTestMerchant(clock);
  });

  it('answers a new secret once; the old one is gone, reads show only the new hint', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret, { url: LOCAL_URL, enabled_events: ['refund.failed'] });
    clock.advance(5_000);
    const response = await rotate(app, merchant.sandboxSecret, created.id);
    expect(response.statusCode).toBe(200);
    const rotated = response.json() as EndpointJson;
    expect(rotated.secret).toMatch(SECRET);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated).toEqual({ ...created, secret: rotated.secret, secret_hint: rotated.secret!.slice(-4), updated_at: '2026-05-01T12:00:05Z' });
    // The stored key is the new one: deliveries are signed with it from now on, and nothing keeps the old one.
    expect((await storedRow(created.id)).secret).toBe(rotated.secret);
    const read = await get(app, merchant.sandboxSecret, created.id);
    expect(read.json()).toEqual(withoutSecret(rotated));
    expect(read.body).not.toContain(rotated.secret);
    const list = await app.inject({ method: 'GET', url: '/api/v1/webhook_endpoints', headers: bearer(merchant.sandboxSecret) });
    expect(list.body).not.toContain(rotated.secret);
    // A second rotation replaces it again.
    const again = (await rotate(app, merchant.sandboxSecret, created.id)).json() as EndpointJson;
    expect(again.secret).not.toBe(rotated.secret);
  });

  it('rotates a disabled endpoint too (it stays disabled)', async () => {
    const created = await createEndpoint(app, merchant.sandboxSecret);
    await patch(app, merchant.sandboxSecret, created.id, { status: 'disabled' });
    const rotated = (await rotate(app, merchant.sandboxSecret, created.id)).json() as EndpointJson;
    expect(rotated.status).toBe('disabled');
  });
});

describe('findDeliverableEndpoints and findEndpoint (for the delivery worker)', () => {
  let app: App;
  let merchant: TestMerchant;
  let other: TestMerchant;
  let sandbox: Tenant;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    other = await createTestMerchant();
    sandbox = { merchantId: merchant.id, env: 'sandbox' };
    const make = async (name: string, body: Record<string, unknown> = { url: LOCAL_URL }, key = merchant.sandboxSecret) => {
      ids[name] = (await createEndpoint(app, key, body)).id;
    };
    await make('all');
    await make('specific', { url: LOCAL_URL, enabled_events: ['payment.success', 'refund.utr.updated'] });
    await make('otherEvents', { url: LOCAL_URL, enabled_events: ['refund.failed'] });
    await make('star');
    await make('disabled');
    await make('deleted');
    await make('production', { url: PUBLIC_URL }, merchant.productionSecret);
    await make('otherMerchant', { url: LOCAL_URL }, other.sandboxSecret);
    await patch(app, merchant.sandboxSecret, ids.disabled!, { status: 'disabled' });
    await remove(app, merchant.sandboxSecret, ids.deleted!);
    // ["*"] is stored as sent (older versions stored null): both mean every event.
    const { database } = await testEnv();
    await database.db.update(webhookEndpoints).set({ enabledEvents: ['*'] }).where(eq(webhookEndpoints.id, ids.star!));
  });

  const deliverable = async (tenant: Tenant, event: string) => {
    const { database } = await testEnv();
    return findDeliverableEndpoints(database.db, tenant, event);
  };

  it('answers the enabled, live endpoints that want the event, oldest first, with url, secret and env', async () => {
    const rows = await deliverable(sandbox, 'payment.success');
    expect(rows.map((r) => r.id)).toEqual([ids.all, ids.specific, ids.star]);
    const specific = rows[1]!;
    expect(specific).toMatchObject({ id: ids.specific, url: LOCAL_URL, env: 'sandbox', merchantId: merchant.id, status: 'enabled' });
    expect(specific.secret).toMatch(SECRET);
    expect(specific.secret).toBe((await storedRow(ids.specific!)).secret);
  });

  it('matches names exactly, multi-part names included', async () => {
    expect((await deliverable(sandbox, 'refund.utr.updated')).map((r) => r.id)).toEqual([ids.all, ids.specific, ids.star]);
    expect((await deliverable(sandbox, 'refund.failed')).map((r) => r.id)).toEqual([ids.all, ids.otherEvents, ids.star]);
    expect((await deliverable(sandbox, 'refund.utr')).map((r) => r.id)).toEqual([ids.all, ids.star]);
    expect((await deliverable(sandbox, 'customer.created')).map((r) => r.id)).toEqual([ids.all, ids.star]);
  });

  it('keeps tenants and environments apart', async () => {
    expect((await deliverable({ merchantId: merchant.id, env: 'production' }, 'payment.success')).map((r) => r.id)).toEqual([ids.production]);
    expect((await deliverable({ merchantId: other.id, env: 'sandbox' }, 'payment.success')).map((r) => r.id)).toEqual([ids.otherMerchant]);
    expect(await deliverable({ merchantId: other.id, env: 'production' }, 'payment.success')).toEqual([]);
  });

  it('includes a disabled endpoint once it is enabled again, never a deleted one', async () => {
    const fresh = await createTestMerchant();
    const a = await createEndpoint(app, fresh.sandboxSecret);
    const tenant: Tenant = { merchantId: fresh.id, env: 'sandbox' };
    await patch(app, fresh.sandboxSecret, a.id, { status: 'disabled' });
    expect(await deliverable(tenant, 'payment.success')).toEqual([]);
    await patch(app, fresh.sandboxSecret, a.id, { status: 'enabled' });
    expect((await deliverable(tenant, 'payment.success')).map((r) => r.id)).toEqual([a.id]);
    await patch(app, fresh.sandboxSecret, a.id, { enabled_events: ['payment.failed'] });
    expect(await deliverable(tenant, 'payment.success')).toEqual([]);
    await patch(app, fresh.sandboxSecret, a.id, { enabled_events: null });
    expect((await deliverable(tenant, 'payment.success')).map((r) => r.id)).toEqual([a.id]);
    await remove(app, fresh.sandboxSecret, a.id);
    expect(await deliverable(tenant, 'payment.success')).toEqual([]);
  });

  it('stores "every event" as SQL NULL, not JSON null', async () => {
    const { database } = await testEnv();
    const rows = await database.db.select({ id: webhookEndpoints.id }).from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, ids.all!), isNull(webhookEndpoints.enabledEvents)));
    expect(rows).toHaveLength(1);
  });

  it('findEndpoint finds deleted and disabled endpoints of the tenant, and nothing of another tenant', async () => {
    const { database } = await testEnv();
    expect(await findEndpoint(database.db, sandbox, ids.deleted!)).toMatchObject({ id: ids.deleted, deletedAt: expect.any(Date) });
    expect(await findEndpoint(database.db, sandbox, ids.disabled!)).toMatchObject({ id: ids.disabled, status: 'disabled', deletedAt: null });
    expect(await findEndpoint(database.db, sandbox, ids.production!)).toBeUndefined();
    expect(await findEndpoint(database.db, sandbox, ids.otherMerchant!)).toBeUndefined();
    expect(await findEndpoint(database.db, sandbox, 'we_6819d804aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await findEndpoint(database.db, sandbox, 'not-an-id')).toBeUndefined();
  });
});

describe('EVENT_CATALOGUE', () => {
  it("is Glomo's catalogue and our extension events, each once, as entity_type.event_type", () => {
    expect(EVENT_CATALOGUE).toEqual([...GLOMO_EVENTS, ...EXTENSION_EVENTS]);
    expect(new Set(EVENT_CATALOGUE).size).toBe(EVENT_CATALOGUE.length);
    expect(GLOMO_EVENTS).toHaveLength(70);
    expect(EXTENSION_EVENTS).toEqual([
      'customer.created', 'document.uploaded', 'balance_conversion.success', 'balance.adjusted', 'beneficiary.pending',
      'bank_account_validation.success', 'bank_account_validation.failed', 'withdrawal.in_progress', 'withdrawal.success', 'withdrawal.failed',
    ]);
    for (const name of EVENT_CATALOGUE) expect(name).toMatch(/^[a-z_]+\.[a-z_]+(\.[a-z_]+)*$/);
    expect(GLOMO_EVENTS).toEqual(expect.arrayContaining([
      'orders.paid', 'orders.partially_paid', 'payment.credited_to_beneficiary', 'payment_link.under_review', 'refund.utr.updated',
      'subscription.payment_method.updated', 'virtual_account.disabled', 'balance.balance.funded_balance.credited',
      'payout.pending_approval', 'settlement.cancelled', 'beneficiary.rejected', 'internal_transfer.success',
      'merchant.offboarded', 'webhook_test.test',
    ]));
    expect(Object.isFrozen(EVENT_CATALOGUE)).toBe(true);
  });

  it('draws secrets as whsec_ and 32 base-62 characters', () => {
    expect(newWebhookSecret()).toMatch(SECRET);
  });
});

describeListConventions('GET /api/v1/webhook_endpoints', {
  url: '/api/v1/webhook_endpoints',
  checkPage: (body) => {
    expect(Value.Check(WebhookEndpointList, body)).toBe(true);
    for (const item of (body as { data: object[] }).data) expect(Object.keys(item).sort()).toEqual(PUBLIC_FIELDS);
  },
  create: async (app, key, index, clock) => {
    if (index < MAX_ENDPOINTS_PER_ENVIRONMENT) return (await createEndpoint(app, key)).id;
    // The suite lists 23 objects, more than a tenant may register: the rest are inserted as the service would.
    const claims = decodeJwt(key);
    const { database } = await testEnv();
    const now = clock.now();
    const id = newId(ID_PREFIXES.webhookEndpoint, now);
    await database.db.insert(webhookEndpoints).values({
      id, merchantId: claims.sub!, env: claims.env as Environment, url: LOCAL_URL, secret: newWebhookSecret(),
      enabledEvents: null, description: null, status: 'enabled', createdAt: now, updatedAt: now,
    });
    return id;
  },
});

const endpointOf = async (app: App, owner: TestMerchant) => (await createEndpoint(app, owner.sandboxSecret)).id;
const objectRoute = { notFoundMessage: 'Webhook endpoint not found', idPrefix: 'we', createObject: endpointOf };

describeSecurity('POST /api/v1/webhook_endpoints', {
  method: 'POST', url: () => '/api/v1/webhook_endpoints', payload: () => ({ url: LOCAL_URL }),
});
describeSecurity('GET /api/v1/webhook_endpoints', {
  method: 'GET', url: () => '/api/v1/webhook_endpoints?per_page=100', listedObject: endpointOf,
});
describeSecurity('GET /api/v1/webhook_endpoints/{id}', {
  method: 'GET', url: (id) => `/api/v1/webhook_endpoints/${id}`, ...objectRoute,
});
describeSecurity('PATCH /api/v1/webhook_endpoints/{id}', {
  method: 'PATCH', url: (id) => `/api/v1/webhook_endpoints/${id}`, payload: () => ({ description: 'Renamed' }), ...objectRoute,
});
describeSecurity('DELETE /api/v1/webhook_endpoints/{id}', {
  method: 'DELETE', url: (id) => `/api/v1/webhook_endpoints/${id}`, ...objectRoute,
});
describeSecurity('POST /api/v1/webhook_endpoints/{id}/rotate_secret', {
  method: 'POST', url: (id) => `/api/v1/webhook_endpoints/${id}/rotate_secret`, ...objectRoute,
});
