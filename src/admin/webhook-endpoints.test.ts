import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { webhookEndpoints } from '../db/schema/index.js';
import { MAX_ENDPOINTS_PER_ENVIRONMENT } from '../webhooks/endpoints/service.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../test/support/app.js';
import { expectAdminAbsentWithoutToken, expectAdminAuthRefused } from '../../test/support/admin.js';
import { testEnv } from '../../test/support/env.js';

interface AdminEndpointJson {
  id: string;
  merchant_id: string;
  env: 'sandbox' | 'production';
  url: string;
  enabled_events: string[] | null;
  description?: string;
  status: string;
  secret_hint: string;
  secret?: string;
  created_at: string;
  updated_at: string;
}

const admin = bearer(ADMIN_TOKEN);
const LOCAL_URL = 'http://127.0.0.1:4567/glomo/webhooks';
// IPv6: url-guard refuses public IPv4 literals today (see src/webhooks/endpoints/endpoints.test.ts).
const PUBLIC_URL = 'https://[2606:4700:4700::1111]/glomo/webhooks';
const UNKNOWN_MERCHANT = 'merch_00000001aaaaa';
const SECRET = /^whsec_[0-9A-Za-z]{32}$/;
const invalid = (message: string) => ({ error: 'Bad Request', message: `Validation failed: ${message}`, code: 'VALIDATION_FAILED' });

const create = (app: App, merchantId: string, payload: unknown, headers: Record<string, string> = admin) =>
  app.inject({ method: 'POST', url: `/admin/v1/merchants/${merchantId}/webhook_endpoints`, headers, payload: payload as Record<string, unknown> });
const list = (app: App, merchantId: string, query = '', headers: Record<string, string> = admin) =>
  app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchantId}/webhook_endpoints${query}`, headers });

async function created(app: App, merchantId: string, payload: Record<string, unknown> = { url: LOCAL_URL }): Promise<AdminEndpointJson> {
  const response = await create(app, merchantId, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as AdminEndpointJson;
}

describe('POST /admin/v1/merchants/{id}/webhook_endpoints', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('registers a sandbox endpoint by default and answers its secret once, with the owner', async () => {
    const endpoint = await created(app, merchant.id, { url: LOCAL_URL, enabled_events: ['payout.success'], description: 'Set up by support' });
    expect(endpoint).toMatchObject({
      merchant_id: merchant.id, env: 'sandbox', url: LOCAL_URL, enabled_events: ['payout.success'], description: 'Set up by support', status: 'enabled',
    });
    expect(endpoint.secret).toMatch(SECRET);
    expect(endpoint.secret_hint).toBe(endpoint.secret!.slice(-4));
    // The merchant's own API sees it (without the secret) with the sandbox key only.
    const own = await app.inject({ method: 'GET', url: `/api/v1/webhook_endpoints/${endpoint.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(own.statusCode).toBe(200);
    const { secret: _secret, merchant_id: _merchant, env: _env, ...visible } = endpoint;
    expect(own.json()).toEqual(visible);
    const production = await app.inject({ method: 'GET', url: `/api/v1/webhook_endpoints/${endpoint.id}`, headers: bearer(merchant.productionSecret) });
    expect(production.statusCode).toBe(404);
  });

  it('registers a production endpoint under the production rules', async () => {
    const endpoint = await created(app, merchant.id, { url: PUBLIC_URL, env: 'production' });
    expect(endpoint).toMatchObject({ env: 'production', url: PUBLIC_URL, enabled_events: null });
    const { database } = await testEnv();
    const [row] = await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(row).toMatchObject({ merchantId: merchant.id, env: 'production', secret: endpoint.secret });
    for (const [url, message] of [
      ['http://[2606:4700:4700::1111]/x', 'Url must use https for production endpoints'],
      ['https://10.0.0.1/x', 'Url must not target a private, loopback or link-local address for production endpoints'],
    ]) {
      const response = await create(app, merchant.id, { url, env: 'production' });
      expect(response.json()).toEqual(invalid(message!));
    }
  });

  it.each([
    [{}, "Url can't be blank"],
    [{ url: 'nope' }, 'Url is not a valid URL'],
    [{ url: LOCAL_URL, env: 'staging' }, 'Env must be one of: sandbox, production'],
    [{ url: LOCAL_URL, enabled_events: ['payment.succeeded'] }, "Enabled events contains an unknown event 'payment.succeeded'"],
    [{ url: LOCAL_URL, enabled_events: [] }, 'Enabled events must list at least 1 event (omit it for every event)'],
    [{ url: LOCAL_URL, merchant_id: 'merch_00000001aaaaa' }, "Unknown field 'merchant_id'"],
  ])('answers 400 for %o', async (body, message) => {
    const response = await create(app, merchant.id, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(invalid(message));
  });

  it('shares the per-environment limit with the merchant API', async () => {
    const full = await createTestMerchant();
    for (let i = 0; i < MAX_ENDPOINTS_PER_ENVIRONMENT; i++) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/webhook_endpoints', headers: bearer(full.sandboxSecret), payload: { url: LOCAL_URL } });
      expect(response.statusCode).toBe(201);
    }
    const refused = await create(app, full.id, { url: LOCAL_URL });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain(`at most ${MAX_ENDPOINTS_PER_ENVIRONMENT} webhook endpoints per environment`);
    expect((await create(app, full.id, { url: PUBLIC_URL, env: 'production' })).statusCode).toBe(201);
  });

  it('answers 404 for an unknown merchant and 400 for another id prefix', async () => {
    const unknown = await create(app, UNKNOWN_MERCHANT, { url: LOCAL_URL });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    const wrong = await create(app, 'cust_6819d7d0lrLvP', { url: LOCAL_URL });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

describe('GET /admin/v1/merchants/{id}/webhook_endpoints', () => {
  let app: App;
  let merchant: TestMerchant;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    ids.sandboxOld = (await created(app, merchant.id)).id;
    ids.production = (await created(app, merchant.id, { url: PUBLIC_URL, env: 'production' })).id;
    ids.sandboxDeleted = (await created(app, merchant.id)).id;
    ids.sandboxNew = (await created(app, merchant.id, { url: LOCAL_URL, description: 'newest' })).id;
    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/webhook_endpoints/${ids.sandboxDeleted}`, headers: bearer(merchant.sandboxSecret) });
    expect(removed.statusCode).toBe(200);
    // Another merchant's endpoint never shows up.
    const other = await createTestMerchant();
    await created(app, other.id);
  });

  it('lists both environments newest first, without deleted endpoints or secrets', async () => {
    const response = await list(app, merchant.id);
    expect(response.statusCode).toBe(200);
    const body = response.json() as { data: AdminEndpointJson[]; page_meta: Record<string, unknown> };
    expect(body.data.map((e) => e.id)).toEqual([ids.sandboxNew, ids.production, ids.sandboxOld]);
    expect(body.page_meta).toEqual({ current: 1, previous: null, next: null, per_page: 20, pages: 1, count: 3 });
    expect(body.data.map((e) => e.env)).toEqual(['sandbox', 'production', 'sandbox']);
    for (const endpoint of body.data) {
      expect(endpoint.merchant_id).toBe(merchant.id);
      expect(endpoint).not.toHaveProperty('secret');
      expect(endpoint.secret_hint).toHaveLength(4);
    }
  });

  it('filters by env and pages', async () => {
    expect((await list(app, merchant.id, '?env=production')).json().data.map((e: AdminEndpointJson) => e.id)).toEqual([ids.production]);
    expect((await list(app, merchant.id, '?env=sandbox')).json().data.map((e: AdminEndpointJson) => e.id)).toEqual([ids.sandboxNew, ids.sandboxOld]);
    const second = (await list(app, merchant.id, '?per_page=2&page=2')).json();
    expect(second.data.map((e: AdminEndpointJson) => e.id)).toEqual([ids.sandboxOld]);
    expect(second.page_meta).toEqual({ current: 2, previous: 1, next: null, per_page: 2, pages: 2, count: 3 });
  });

  it('answers 400 for a bad env or page, 404 for an unknown merchant, 400 for another prefix', async () => {
    expect((await list(app, merchant.id, '?env=staging')).json()).toEqual(invalid('Env must be one of: sandbox, production'));
    expect((await list(app, merchant.id, '?page=0')).json()).toEqual(invalid('Page must be greater than or equal to 1'));
    expect((await list(app, UNKNOWN_MERCHANT)).json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    expect((await list(app, 'we_6819d804aaaaaaaaaaaaaaaa')).json()).toEqual({ error: 'Bad Request', message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

describe('/admin/v1 webhook endpoint routes: security', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const routes = () => [
    { method: 'POST' as const, url: `/admin/v1/merchants/${merchant.id}/webhook_endpoints`, payload: { url: LOCAL_URL } },
    { method: 'GET' as const, url: `/admin/v1/merchants/${merchant.id}/webhook_endpoints` },
  ];

  const storedCount = async () => {
    const { database } = await testEnv();
    return (await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.merchantId, merchant.id))).length;
  };

  it('answers 401 Missing token without a token, and 401 for a wrong token or a merchant key', async () => {
    await expectAdminAuthRefused(app, routes(), merchant.sandboxSecret);
    expect(await storedCount()).toBe(0);
  });

  it('is not mounted without ADMIN_TOKEN', async () => {
    await expectAdminAbsentWithoutToken(routes());
    expect(await storedCount()).toBe(0);
  });
});
