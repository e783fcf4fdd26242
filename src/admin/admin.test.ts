import { createCustomerId } from '../../test/support/fixtures.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { loadConfig, ConfigError } from '../config.js';
import { resolvePublishableKey } from '../core/auth/api-keys.js';
import { ManualClock, systemClock } from '../core/clock.js';
import { randomBase62 } from '../core/ids.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant } from '../../test/support/app.js';
import { testEnv } from '../../test/support/env.js';

interface CreatedMerchant {
  id: string;
  name: string;
  email?: string;
  status: string;
  created_at: string;
  updated_at: string;
  secret_key: string;
  public_key: string;
  production_secret_key: string;
  production_public_key: string;
  settlement_schedule: unknown;
}

interface KeysResult {
  merchant_id: string;
  revoked: number;
  keys?: Record<string, { secret_key: string; public_key: string }>;
}

const MERCHANT_ID = /^merch_[0-9a-f]{8}[0-9A-Za-z]{5}$/;
const admin = bearer(ADMIN_TOKEN);

const merchantBody = (overrides: Record<string, unknown> = {}) => ({
  name: `Acme Exports ${randomBase62(6)}`,
  email: `ops.${randomBase62(8).toLowerCase()}@example.com`,
  ...overrides,
});

async function createMerchant(app: App, body: Record<string, unknown> = merchantBody()): Promise<CreatedMerchant> {
  const response = await app.inject({ method: 'POST', url: '/admin/v1/merchants', headers: admin, payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as CreatedMerchant;
}

/** GET /api/v1/customer with a key: 200 (with the customers it sees) or 401. */
async function customersSeenBy(app: App, key: string): Promise<{ status: number; ids: string[] }> {
  const response = await app.inject({ method: 'GET', url: '/api/v1/customer?per_page=100', headers: bearer(key) });
  if (response.statusCode !== 200) return { status: response.statusCode, ids: [] };
  return { status: 200, ids: (response.json().data as Array<{ id: string }>).map((c) => c.id) };
}

async function publishableWorks(key: string): Promise<boolean> {
  const { database } = await testEnv();
  return (await resolvePublishableKey(database.db, systemClock, key)) !== undefined;
}

describe('POST /admin/v1/merchants', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  const post = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/admin/v1/merchants', headers: admin, payload: payload as Record<string, unknown> });

  it('creates a merchant (201) with sandbox and production keys', async () => {
    const body = merchantBody({ name: '  Acme Exports Pvt Ltd  ' });
    const created = await createMerchant(app, body);
    expect(created.id).toMatch(MERCHANT_ID);
    expect(created).toMatchObject({ name: 'Acme Exports Pvt Ltd', email: body.email, status: 'active' });
    expect(created.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(created.updated_at).toBe(created.created_at);
    expect(parseInt(created.id.slice(6, 14), 16)).toBe(Date.parse(created.created_at) / 1000);
    expect(created.public_key).toMatch(/^test_[0-9a-f]{8}[0-9A-Za-z]{16}$/);
    expect(created.production_public_key).toMatch(/^live_[0-9a-f]{8}[0-9A-Za-z]{16}$/);
    for (const secret of [created.secret_key, created.production_secret_key]) expect(secret.split('.')).toHaveLength(3);
    expect(created.secret_key).not.toBe(created.production_secret_key);
    expect(Object.keys(created).sort()).toEqual([
      'beneficiary_required_notes', 'beneficiary_review', 'created_at', 'email', 'id', 'is_platform', 'maker_checker', 'name', 'partial_refunds',
      'payin_fee_bearer', 'payout_queueing', 'production_public_key', 'production_secret_key', 'public_key', 'secret_key', 'settlement_schedule', 'status',
      'updated_at',
    ]);
    expect(created.settlement_schedule).toBeNull();
  });

  it('issues keys that work, one environment each, on the merchant API', async () => {
    const created = await createMerchant(app);
    expect(await customersSeenBy(app, created.secret_key)).toEqual({ status: 200, ids: [] });
    expect(await customersSeenBy(app, created.production_secret_key)).toEqual({ status: 200, ids: [] });
    const sandboxCustomer = await createCustomerId(app, created.secret_key);
    const productionCustomer = await createCustomerId(app, created.production_secret_key);
    expect(await customersSeenBy(app, created.secret_key)).toEqual({ status: 200, ids: [sandboxCustomer] });
    expect(await customersSeenBy(app, created.production_secret_key)).toEqual({ status: 200, ids: [productionCustomer] });
    expect(await publishableWorks(created.public_key)).toBe(true);
    expect(await publishableWorks(created.production_public_key)).toBe(true);
    // Publishable keys are never valid on a server route.
    expect((await customersSeenBy(app, created.public_key)).status).toBe(401);
  });

  it('omits the email when none was sent', async () => {
    const created = await createMerchant(app, { name: 'No Email Ltd' });
    expect(created).not.toHaveProperty('email');
    const read = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${created.id}`, headers: admin });
    expect(read.json()).not.toHaveProperty('email');
  });

  it.each([
    [{ email: 'ops@example.com' }, "Validation failed: Name can't be blank"],
    [{ name: '' }, "Validation failed: Name can't be blank"],
    [{ name: '   ' }, "Validation failed: Name can't be blank"],
    [{ name: 'x'.repeat(201) }, 'Validation failed: Name is too long (maximum is 200 characters)'],
    [{ name: 42 }, 'Validation failed: Name must be a string'],
    [{ name: 'Acme', email: 'not-an-email' }, 'Validation failed: Email is invalid'],
    [{ name: 'Acme', email: '' }, 'Validation failed: Email is invalid'],
  ])('rejects %o with 400', async (payload, message) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message, code: 'VALIDATION_FAILED' });
  });

  it('answers 400 for a non-object or malformed body', async () => {
    const array = await app.inject({ method: 'POST', url: '/admin/v1/merchants', headers: { ...admin, 'content-type': 'application/json' }, payload: '[1]' });
    expect(array.statusCode).toBe(400);
    expect(array.json()).toMatchObject({ error: 'Bad Request', message: 'Validation failed: Request body must be a JSON object' });
    const malformed = await app.inject({ method: 'POST', url: '/admin/v1/merchants', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'Bad Request', message: 'Malformed JSON in request body' });
  });
});

describe('GET /admin/v1/merchants and /admin/v1/merchants/{id}', () => {
  let app: App;
  // Merchants are shared by every test of the database, so these are created at a random time long ago and
  // listed through a before/after window that holds only them.
  const start = new Date(Date.UTC(1980, 0, 1) + Math.floor(Math.random() * 20 * 365 * 86_400) * 1000);
  const clock = new ManualClock(start);
  const created: CreatedMerchant[] = [];
  let window: string;

  beforeAll(async () => {
    ({ app } = await buildTestApp({ clock }));
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      created.push(await createMerchant(app, merchantBody({ name: `Listed merchant ${i}` })));
    }
    clock.advance(1000);
    window = `after=${start.toISOString().replace(/\.\d{3}Z$/, 'Z')}&before=${clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  });

  const list = (query: string) => app.inject({ method: 'GET', url: `/admin/v1/merchants?${query}`, headers: admin });
  const newestFirst = () => [...created].reverse().map((m) => m.id);

  it('lists newest first with page_meta, without any key', async () => {
    const response = await list(window);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(newestFirst());
    expect(body.page_meta).toEqual({ current: 1, previous: null, next: null, per_page: 20, pages: 1, count: 5 });
    const last = created[4]!;
    expect(body.data[0]).toEqual({
      id: last.id, name: last.name, email: last.email, status: 'active', payin_fee_bearer: 'merchant',
      beneficiary_review: false, beneficiary_required_notes: [], payout_queueing: false, maker_checker: false, is_platform: false, partial_refunds: false, settlement_schedule: null, created_at: last.created_at, updated_at: last.updated_at,
    });
    expect(JSON.stringify(body)).not.toMatch(/secret_key|public_key/);
  });

  it('pages with page and per_page', async () => {
    const second = (await list(`${window}&page=2&per_page=2`)).json();
    expect(second.data.map((m: { id: string }) => m.id)).toEqual(newestFirst().slice(2, 4));
    expect(second.page_meta).toEqual({ current: 2, previous: 1, next: 3, per_page: 2, pages: 3, count: 5 });
    const third = (await list(`${window}&page=3&per_page=2`)).json();
    expect(third.data.map((m: { id: string }) => m.id)).toEqual(newestFirst().slice(4));
    expect(third.page_meta).toMatchObject({ next: null, pages: 3 });
  });

  it('lists everyone without a window, newest first', async () => {
    const body = (await app.inject({ method: 'GET', url: '/admin/v1/merchants?per_page=100', headers: admin })).json();
    const stamps = (body.data as Array<{ created_at: string }>).map((m) => Date.parse(m.created_at));
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
    expect(body.page_meta.count).toBeGreaterThanOrEqual(5);
  });

  it('answers 400 for invalid pagination', async () => {
    const response = await list('page=0');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: 'Validation failed: Page must be greater than or equal to 1' });
  });

  it('retrieves one merchant, 404 for an unknown id and 400 for another prefix', async () => {
    const merchant = created[2]!;
    const read = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({
      id: merchant.id, name: merchant.name, email: merchant.email, status: 'active', payin_fee_bearer: 'merchant',
      beneficiary_review: false, beneficiary_required_notes: [], payout_queueing: false, maker_checker: false, is_platform: false, partial_refunds: false, settlement_schedule: null, created_at: merchant.created_at, updated_at: merchant.updated_at,
    });
    const unknown = await app.inject({ method: 'GET', url: '/admin/v1/merchants/merch_00000001aaaaa', headers: admin });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    const wrong = await app.inject({ method: 'GET', url: '/admin/v1/merchants/cust_6819d7d0lrLvP', headers: admin });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

describe('PATCH /admin/v1/merchants/{id}: beneficiary settings', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });
  const patch = (id: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${id}`, headers: admin, payload });

  it('switches beneficiary review and replaces the required notes keys, leaving other settings alone', async () => {
    const merchant = await createTestMerchant();
    const on = await patch(merchant.id, { beneficiary_review: true, beneficiary_required_notes: ['tax_identification_number', 'project'] });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({
      payin_fee_bearer: 'merchant', beneficiary_review: true, beneficiary_required_notes: ['tax_identification_number', 'project'],
    });
    const partly = await patch(merchant.id, { beneficiary_required_notes: [] });
    expect(partly.json()).toMatchObject({ beneficiary_review: true, beneficiary_required_notes: [] });
    const read = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin });
    expect(read.json()).toMatchObject({ beneficiary_review: true, beneficiary_required_notes: [] });
  });

  it.each([
    [{ beneficiary_review: 'yes' }, 'Validation failed: Beneficiary review must be true or false'],
    [{ beneficiary_required_notes: 'tax_id' }, 'Validation failed: Beneficiary required notes must be an array'],
    [{ beneficiary_required_notes: [''] }, "Validation failed: Beneficiary required notes 0 can't be blank"],
    [{ beneficiary_required_notes: ['a b'] }, 'Validation failed: Beneficiary required notes 0 is invalid'],
    [{ beneficiary_required_notes: ['a', 'a'] }, 'Validation failed: Beneficiary required notes is invalid'],
  ])('refuses %o', async (payload, message) => {
    const merchant = await createTestMerchant();
    const response = await patch(merchant.id, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
  });
});

describe('PATCH /admin/v1/merchants/{id}: is_platform', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });
  const patch = (id: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${id}`, headers: admin, payload });

  it('makes a merchant a platform and back (without child merchants), shown on GET, other settings untouched', async () => {
    const merchant = await createTestMerchant();
    const on = await patch(merchant.id, { is_platform: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ id: merchant.id, is_platform: true, payin_fee_bearer: 'merchant', settlement_schedule: null });
    expect(on.json().owner_merchant_id).toBeUndefined();
    const read = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin });
    expect(read.json().is_platform).toBe(true);
    const off = await patch(merchant.id, { is_platform: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().is_platform).toBe(false);
  });

  it('refuses a value that is not a boolean, changing nothing', async () => {
    const merchant = await createTestMerchant();
    const response = await patch(merchant.id, { is_platform: 'yes' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: 'Validation failed: Is platform must be true or false' });
    const read = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchant.id}`, headers: admin });
    expect(read.json().is_platform).toBe(false);
  });
});

describe('PATCH /admin/v1/merchants/{id}: partial_refunds', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });
  const patch = (id: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${id}`, headers: admin, payload });
  const read = async (id: string) => (await app.inject({ method: 'GET', url: `/admin/v1/merchants/${id}`, headers: admin })).json();

  it('is off by default; the operator switches it on and off, shown on GET, other settings untouched', async () => {
    const merchant = await createTestMerchant();
    expect((await read(merchant.id)).partial_refunds).toBe(false);
    const on = await patch(merchant.id, { partial_refunds: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ id: merchant.id, partial_refunds: true, is_platform: false, payin_fee_bearer: 'merchant', settlement_schedule: null });
    expect((await read(merchant.id)).partial_refunds).toBe(true);
    // Another setting leaves it as it was.
    const other = await patch(merchant.id, { maker_checker: true });
    expect(other.json()).toMatchObject({ partial_refunds: true, maker_checker: true });
    const off = await patch(merchant.id, { partial_refunds: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ partial_refunds: false, maker_checker: true });
    expect((await read(merchant.id)).partial_refunds).toBe(false);
  });

  it('refuses a value that is not a boolean, changing nothing', async () => {
    const merchant = await createTestMerchant();
    const response = await patch(merchant.id, { partial_refunds: 'yes' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: 'Validation failed: Partial refunds must be true or false' });
    expect((await read(merchant.id)).partial_refunds).toBe(false);
  });
});

describe('POST /admin/v1/merchants/{id}/keys/reissue and /keys/revoke', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  const keys = (id: string, action: 'reissue' | 'revoke', payload?: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/admin/v1/merchants/${id}/keys/${action}`, headers: admin, ...(payload ? { payload } : {}) });

  it('reissues the sandbox keys: the old ones stop working, the new ones work, production is untouched', async () => {
    const merchant = await createMerchant(app);
    const customer = await createCustomerId(app, merchant.secret_key);
    const response = await keys(merchant.id, 'reissue', { env: 'sandbox' });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json() as KeysResult;
    expect(result).toMatchObject({ merchant_id: merchant.id, revoked: 2 });
    expect(Object.keys(result.keys ?? {})).toEqual(['sandbox']);
    const fresh = result.keys!.sandbox!;
    expect(fresh.public_key).toMatch(/^test_/);
    expect(fresh.secret_key).not.toBe(merchant.secret_key);
    expect(fresh.public_key).not.toBe(merchant.public_key);

    const old = await app.inject({ method: 'GET', url: '/api/v1/customer', headers: bearer(merchant.secret_key) });
    expect(old.statusCode).toBe(401);
    expect(old.json()).toMatchObject({ error: 'Unauthorized', message: 'Auth token expired or invalid' });
    expect(await publishableWorks(merchant.public_key)).toBe(false);
    // The new key is the same merchant and environment: it sees the data the old one created.
    expect(await customersSeenBy(app, fresh.secret_key)).toEqual({ status: 200, ids: [customer] });
    expect(await publishableWorks(fresh.public_key)).toBe(true);
    expect((await customersSeenBy(app, merchant.production_secret_key)).status).toBe(200);
    expect(await publishableWorks(merchant.production_public_key)).toBe(true);
  });

  it('reissues both environments by default', async () => {
    const merchant = await createMerchant(app);
    const result = (await keys(merchant.id, 'reissue')).json() as KeysResult;
    expect(result.revoked).toBe(4);
    expect(Object.keys(result.keys ?? {}).sort()).toEqual(['production', 'sandbox']);
    expect(result.keys!.production!.public_key).toMatch(/^live_/);
    for (const old of [merchant.secret_key, merchant.production_secret_key]) expect((await customersSeenBy(app, old)).status).toBe(401);
    for (const pair of Object.values(result.keys!)) {
      expect((await customersSeenBy(app, pair.secret_key)).status).toBe(200);
      expect(await publishableWorks(pair.public_key)).toBe(true);
    }
  });

  it('revokes the production keys: production answers 401, sandbox still works', async () => {
    const merchant = await createMerchant(app);
    const response = await keys(merchant.id, 'revoke', { env: 'production' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ merchant_id: merchant.id, revoked: 2 });
    const production = await app.inject({ method: 'GET', url: '/api/v1/customer', headers: bearer(merchant.production_secret_key) });
    expect(production.statusCode).toBe(401);
    expect(production.json()).toMatchObject({ error: 'Unauthorized', message: 'Auth token expired or invalid' });
    expect(await publishableWorks(merchant.production_public_key)).toBe(false);
    expect((await customersSeenBy(app, merchant.secret_key)).status).toBe(200);
    expect(await publishableWorks(merchant.public_key)).toBe(true);
    // Revoking again finds nothing left to revoke.
    expect((await keys(merchant.id, 'revoke', { env: 'production' })).json()).toEqual({ merchant_id: merchant.id, revoked: 0 });
  });

  it.each([
    ['without a body', undefined],
    ['with an empty body', {}],
    ["with env 'all'", { env: 'all' }],
  ])('revokes both environments %s', async (_label, payload) => {
    const merchant = await createMerchant(app);
    const response = await keys(merchant.id, 'revoke', payload);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ merchant_id: merchant.id, revoked: 4 });
    for (const secret of [merchant.secret_key, merchant.production_secret_key]) expect((await customersSeenBy(app, secret)).status).toBe(401);
    for (const key of [merchant.public_key, merchant.production_public_key]) expect(await publishableWorks(key)).toBe(false);
  });

  it('revokes the keys of one merchant only', async () => {
    const merchant = await createMerchant(app);
    const bystander = await createMerchant(app);
    await keys(merchant.id, 'revoke');
    expect((await customersSeenBy(app, bystander.secret_key)).status).toBe(200);
    expect((await customersSeenBy(app, bystander.production_secret_key)).status).toBe(200);
  });

  it('answers 400 for an unknown env, 404 for an unknown merchant and 400 for another prefix', async () => {
    const merchant = await createMerchant(app);
    for (const action of ['reissue', 'revoke'] as const) {
      const badEnv = await keys(merchant.id, action, { env: 'staging' });
      expect(badEnv.statusCode).toBe(400);
      expect(badEnv.json()).toMatchObject({ message: 'Validation failed: Env must be one of: sandbox, production, all' });
      const unknown = await keys('merch_00000001aaaaa', action, { env: 'sandbox' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ error: 'Not Found', message: 'Merchant not found' });
      const wrong = await keys('cust_6819d7d0lrLvP', action);
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ message: "Id must start with 'merch_'" });
    }
    // Nothing was revoked by the rejected calls.
    expect((await customersSeenBy(app, merchant.secret_key)).status).toBe(200);
  });
});

describe('/admin/v1: security', () => {
  let app: App;
  let merchantId: string;
  let merchantSecret: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    const merchant = await createTestMerchant();
    merchantId = merchant.id;
    merchantSecret = merchant.sandboxSecret;
  });

  const routes = () => [
    { method: 'POST' as const, url: '/admin/v1/merchants', payload: merchantBody() },
    { method: 'GET' as const, url: '/admin/v1/merchants' },
    { method: 'GET' as const, url: `/admin/v1/merchants/${merchantId}` },
    { method: 'PATCH' as const, url: `/admin/v1/merchants/${merchantId}`, payload: { payin_fee_bearer: 'customer' } },
    { method: 'PATCH' as const, url: `/admin/v1/merchants/${merchantId}`, payload: { beneficiary_review: true, beneficiary_required_notes: ['tax_id'] } },
    { method: 'POST' as const, url: `/admin/v1/merchants/${merchantId}/keys/reissue`, payload: { env: 'sandbox' } },
    { method: 'POST' as const, url: `/admin/v1/merchants/${merchantId}/keys/revoke`, payload: { env: 'sandbox' } },
  ];

  const sendAll = (headers: Record<string, string>) =>
    Promise.all(routes().map(async (route) => ({ route: `${route.method} ${route.url}`, response: await app.inject({ ...route, headers }) })));

  it('answers 401 Missing token without a token', async () => {
    for (const headers of [{}, { authorization: 'Bearer ' }] as Array<Record<string, string>>) {
      for (const { route, response } of await sendAll(headers)) {
        expect(response.statusCode, route).toBe(401);
        expect(response.json(), route).toEqual({ error: 'Unauthorized', message: 'Missing token', code: 'UNAUTHORIZED' });
      }
    }
  });

  it("answers 401 for a wrong token, another scheme and a merchant's secret key", async () => {
    const wrong = [
      bearer(`${ADMIN_TOKEN}x`),
      bearer(ADMIN_TOKEN.toUpperCase()),
      bearer(ADMIN_TOKEN.slice(0, -1)),
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
      { authorization: ADMIN_TOKEN },
      bearer(merchantSecret),
    ];
    for (const headers of wrong) {
      for (const { route, response } of await sendAll(headers)) {
        expect(response.statusCode, `${route} ${headers.authorization}`).toBe(401);
        expect(response.json(), route).toEqual({ error: 'Unauthorized', message: 'Auth token expired or invalid', code: 'UNAUTHORIZED' });
      }
    }
    // None of the rejected calls changed anything.
    expect((await customersSeenBy(app, merchantSecret)).status).toBe(200);
    const merchant = await app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchantId}`, headers: admin });
    expect(merchant.json()).toMatchObject({ payin_fee_bearer: 'merchant', beneficiary_review: false, beneficiary_required_notes: [] });
  });

  it('does not accept the admin token on the merchant API', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/customer', headers: admin });
    expect(response.statusCode).toBe(401);
  });

  it.each([[''], ['   ']])('is not mounted when ADMIN_TOKEN is %o (404 for every route, token or not)', async (token) => {
    const { app: bare, config } = await buildTestApp({ env: { ADMIN_TOKEN: token } });
    expect(config.adminToken).toBeUndefined();
    for (const headers of [{}, admin]) {
      for (const route of routes()) {
        const response = await bare.inject({ ...route, headers });
        expect(response.statusCode, route.url).toBe(404);
        expect(response.json()).toMatchObject({ error: 'Not Found', message: `Route ${route.method} ${route.url} not found` });
      }
    }
    // The merchant API is unaffected.
    expect((await customersSeenBy(bare, merchantSecret)).status).toBe(200);
  });

  it('refuses a short ADMIN_TOKEN at configuration time', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(ConfigError);
    expect(loadConfig({ ADMIN_TOKEN: ` ${ADMIN_TOKEN} ` }).adminToken).toBe(ADMIN_TOKEN);
  });
});
