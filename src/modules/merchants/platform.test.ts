import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { events, merchants } from '../../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectChildMerchant, expectResponse } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { createTestChild, createTestPlatform } from '../../../test/support/platform.js';
import { describeSecurity } from '../../../test/support/security.js';
import { MERCHANT_CATEGORIES } from './categories.js';

const BUSINESS = {
  name: 'Child Business Name', address_line1: '456 Commerce Street', address_line2: 'Suite 101', city: 'Mumbai',
  state: 'Maharashtra', pincode: '400001', registration_number: 'REG123456', registration_country: 'ind',
  entity_type: 'business', category: 'Agricultural Services', sub_category: 'Veterinary Services', operation_countries: ['IND', 'usa'],
};
const INDIVIDUAL = { ...BUSINESS, name: 'John Doe', entity_type: 'individual', date_of_birth: '2001-08-04', gender: 'male' };

const onboard = (app: App, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/platform/merchants', headers: bearer(key), payload });
const read = (app: App, key: string, id: string) =>
  app.inject({ method: 'GET', url: `/api/v1/platform/merchants/${id}`, headers: bearer(key) });
const review = (app: App, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'PATCH', url: '/api/v1/platform/merchants/status-update', headers: bearer(key), payload });

async function childCount(platformId: string): Promise<number> {
  const { database } = await testEnv();
  return (await database.db.select().from(merchants).where(eq(merchants.ownerMerchantId, platformId))).length;
}

async function merchantEvents(platformId: string, childId: string) {
  const { database } = await testEnv();
  const rows = await database.db.select().from(events)
    .where(and(eq(events.merchantId, platformId), eq(events.entityId, childId))).orderBy(events.seq);
  return rows.map((row) => ({ type: `${row.entityType}.${row.eventType}`, env: row.env, data: row.data as Record<string, unknown> }));
}

describe('POST /api/v1/platform/merchants', () => {
  let app: App;
  let platform: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    platform = await createTestPlatform();
  });

  it('onboards a business child, pending, with its own working sandbox keys and a merchant.pending event for the platform', async () => {
    const response = await onboard(app, platform.sandboxSecret, BUSINESS);
    expect(response.statusCode, response.body).toBe(201);
    expectResponse('post', '/platform/merchants', 201, response.json());
    const { message, data } = response.json();
    expect(message).toBe('Merchant created successfully!');
    expect(data).toMatchObject({
      owner_merchant_id: platform.id, status: 'pending', name: 'Child Business Name', entity_type: 'business',
      category: 'Agricultural Services', sub_category: 'Veterinary Services', registration_number: 'REG123456', registration_country: 'IND',
      address: { address_line1: '456 Commerce Street', address_line2: 'Suite 101', city: 'Mumbai', state: 'Maharashtra', pincode: '400001', country: 'IND' },
      operation_countries: ['IND', 'USA'],
    });
    expect(data.merchant_id).toMatch(/^merch_/);
    expect(data.public_key).toMatch(/^test_/);
    expect(data).not.toHaveProperty('gender');

    // The child's key is a full merchant's, with its own data.
    const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(data.jwt_token), payload: customerBody() });
    expect(customer.statusCode, customer.body).toBe(201);
    expect(customer.json().merchant_id ?? data.merchant_id).toBe(data.merchant_id);
    const platformCustomers = await app.inject({ method: 'GET', url: '/api/v1/customer', headers: bearer(platform.sandboxSecret) });
    expect(platformCustomers.json().data.map((c: { id: string }) => c.id)).not.toContain(customer.json().id);

    const recorded = await merchantEvents(platform.id, data.merchant_id);
    expect(recorded.map((e) => [e.type, e.env])).toEqual([['merchant.pending', 'sandbox']]);
    // The event carries the child, never its keys.
    expect(JSON.stringify(recorded[0]!.data)).not.toMatch(/jwt_token|public_key|eyJ/);
  });

  it('onboards an individual with date_of_birth and gender', async () => {
    const response = await onboard(app, platform.sandboxSecret, INDIVIDUAL);
    expect(response.statusCode, response.body).toBe(201);
    expectResponse('post', '/platform/merchants', 201, response.json());
    expect(response.json().data).toMatchObject({ entity_type: 'individual', date_of_birth: '2001-08-04', gender: 'male' });
  });

  it('onboards in production with a production key only: the child has no sandbox', async () => {
    const response = await onboard(app, platform.productionSecret, BUSINESS);
    expect(response.statusCode, response.body).toBe(201);
    const { data } = response.json();
    expect(data.public_key).toMatch(/^live_/);
    const { database } = await testEnv();
    const [child] = await database.db.select().from(merchants).where(eq(merchants.id, data.merchant_id));
    expect(child).toMatchObject({ ownerMerchantId: platform.id, ownerEnv: 'production', onboardingStatus: 'pending' });
    // Not the sandbox platform's child.
    expect((await read(app, platform.sandboxSecret, data.merchant_id)).statusCode).toBe(404);
    expect((await read(app, platform.productionSecret, data.merchant_id)).statusCode).toBe(200);
  });

  it.each([
    [{ name: undefined }, "Validation failed: Name can't be blank"],
    [{ address_line1: '' }, undefined],
    [{ city: undefined }, undefined],
    [{ pincode: undefined }, undefined],
    [{ registration_number: undefined }, undefined],
    [{ registration_country: 'XX1' }, undefined],
    [{ registration_country: 'ZZZ' }, 'Validation failed: Registration country must be an ISO 3166-1 alpha-3 country code (e.g., IND)'],
    [{ operation_countries: [] }, undefined],
    [{ operation_countries: ['IND', 'ZZZ'] }, 'Validation failed: Operation countries must be an ISO 3166-1 alpha-3 country code (e.g., IND)'],
    [{ entity_type: 'trust' }, undefined],
    [{ category: 'Space Travel' }, undefined],
    [{ sub_category: 'Space Travel' }, undefined],
    [{ sub_category: 'Hospitals' }, 'Validation failed: Sub category Hospitals does not belong to category Agricultural Services'],
    [{ gender: 'male' }, 'Validation failed: Date of birth and gender apply to individuals only'],
    [{ surname: 'x' }, undefined],
  ])('refuses a business body with %j (400, nothing created)', async (overrides, message) => {
    const fresh = await createTestPlatform();
    const response = await onboard(app, fresh.sandboxSecret, { ...BUSINESS, ...overrides });
    expect(response.statusCode, response.body).toBe(400);
    expect(Object.keys(response.json()).sort()).toEqual(['code', 'error', 'message']);
    if (message) expect(response.json().message).toBe(message);
    expect(await childCount(fresh.id)).toBe(0);
  });

  it.each([
    [{ date_of_birth: undefined }, "Validation failed: Date of birth can't be blank"],
    [{ gender: undefined }, "Validation failed: Gender can't be blank"],
    [{ gender: 'other' }, undefined],
    [{ date_of_birth: '2001-02-30' }, 'Validation failed: Date of birth must be a past date in the format YYYY-MM-DD'],
    [{ date_of_birth: '2999-01-01' }, 'Validation failed: Date of birth must be a past date in the format YYYY-MM-DD'],
  ])('refuses an individual body with %j (400, nothing created)', async (overrides, message) => {
    const fresh = await createTestPlatform();
    const response = await onboard(app, fresh.sandboxSecret, { ...INDIVIDUAL, ...overrides });
    expect(response.statusCode, response.body).toBe(400);
    if (message) expect(response.json().message).toBe(message);
    expect(await childCount(fresh.id)).toBe(0);
  });

  it('pairs every sub-category with exactly one category, and all of the contract\'s are paired', () => {
    const all = Object.values(MERCHANT_CATEGORIES).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(294);
    expect(MERCHANT_CATEGORIES['Agricultural Services']).toContain('Veterinary Services');
    expect(MERCHANT_CATEGORIES['Professional Services']).toContain('Hospitals');
  });

  it("answers the contract's 401 to a merchant that is not a platform, and to a child, creating nothing", async () => {
    const plain = await createTestMerchant();
    const child = await createTestChild(platform);
    for (const key of [plain.sandboxSecret, child.secret]) {
      const response = await onboard(app, key, BUSINESS);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: 'Unauthorized', message: 'Invalid or missing authentication token', code: 'UNAUTHORIZED' });
    }
    expect(await childCount(plain.id)).toBe(0);
    expect(await childCount(child.id)).toBe(0);
  });

  it('stops onboarding once the operator switches the platform off, and refuses the switch while it has children', async () => {
    const switching = await createTestPlatform();
    const off = await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${switching.id}`, headers: bearer(ADMIN_TOKEN), payload: { is_platform: false } });
    expect(off.statusCode, off.body).toBe(200);
    expect((await onboard(app, switching.sandboxSecret, BUSINESS)).statusCode).toBe(401);
    await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${switching.id}`, headers: bearer(ADMIN_TOKEN), payload: { is_platform: true } });
    expect((await onboard(app, switching.sandboxSecret, BUSINESS)).statusCode).toBe(201);
    const refused = await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${switching.id}`, headers: bearer(ADMIN_TOKEN), payload: { is_platform: false } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('A platform with child merchants stays a platform');
    const [child] = (await app.inject({ method: 'GET', url: '/api/v1/platform/merchants', headers: bearer(switching.sandboxSecret) })).json().data;
    const childPlatform = await app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${child.merchant_id}`, headers: bearer(ADMIN_TOKEN), payload: { is_platform: true } });
    expect(childPlatform.statusCode).toBe(400);
    expect(childPlatform.json().message).toBe('A child merchant cannot be a platform');
  });
});

describe('GET /api/v1/platform/merchants/{merchant_id} and the list', () => {
  let app: App;
  let platform: TestMerchant;
  let other: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    platform = await createTestPlatform();
    other = await createTestPlatform();
  });

  it("finds only the caller's own children of its environment; no keys are shown", async () => {
    const created = (await onboard(app, platform.sandboxSecret, BUSINESS)).json().data;
    const response = await read(app, platform.sandboxSecret, created.merchant_id);
    expect(response.statusCode, response.body).toBe(200);
    expectChildMerchant(response.json());
    const { jwt_token: _secret, public_key: _public, ...shown } = created;
    expect(response.json()).toEqual(shown);

    const foreign = await read(app, other.sandboxSecret, created.merchant_id);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ error: 'Not Found', message: 'Merchant with the specified ID was not found', code: 'NOT_FOUND' });
    expect((await read(app, platform.productionSecret, created.merchant_id)).statusCode).toBe(404);
    expect((await read(app, platform.sandboxSecret, platform.id)).statusCode).toBe(404);
    expect((await read(app, platform.sandboxSecret, 'merch_00000001aaaaa')).statusCode).toBe(404);
    const format = await read(app, platform.sandboxSecret, 'cust_00000001aaaaa');
    expect(format.statusCode).toBe(400);
    expect(format.json()).toEqual({ error: 'Bad Request', message: 'Invalid merchant ID format', code: 'INVALID_ID' });
  });

  it('lists the children newest first, filtered by status, never another platform\'s', async () => {
    const fresh = await createTestPlatform();
    const first = (await onboard(app, fresh.sandboxSecret, BUSINESS)).json().data;
    const second = (await onboard(app, fresh.sandboxSecret, INDIVIDUAL)).json().data;
    await onboard(app, other.sandboxSecret, BUSINESS);
    await review(app, fresh.sandboxSecret, { merchant_id: first.merchant_id, target_status: 'success' });
    const list = await app.inject({ method: 'GET', url: '/api/v1/platform/merchants', headers: bearer(fresh.sandboxSecret) });
    expect(list.statusCode, list.body).toBe(200);
    for (const item of list.json().data) expectChildMerchant(item);
    expect(list.json().data.map((m: { merchant_id: string }) => m.merchant_id)).toEqual([second.merchant_id, first.merchant_id]);
    expect(list.json().page_meta).toMatchObject({ count: 2 });
    const pending = await app.inject({ method: 'GET', url: '/api/v1/platform/merchants?status=pending', headers: bearer(fresh.sandboxSecret) });
    expect(pending.json().data.map((m: { merchant_id: string }) => m.merchant_id)).toEqual([second.merchant_id]);
    const plain = await createTestMerchant();
    expect((await app.inject({ method: 'GET', url: '/api/v1/platform/merchants', headers: bearer(plain.sandboxSecret) })).statusCode).toBe(401);
  });
});

describe('PATCH /api/v1/platform/merchants/status-update (sandbox)', () => {
  let app: App;
  let platform: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    platform = await createTestPlatform();
  });

  it('moves a pending child to success or failed once, with the merchant event for the platform', async () => {
    const approved = await createTestChild(platform);
    const response = await review(app, platform.sandboxSecret, { merchant_id: approved.id, target_status: 'success' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().message).toBe('Merchant status updated successfully');
    expectChildMerchant(response.json().data);
    expect(response.json().data).toMatchObject({ merchant_id: approved.id, status: 'success' });
    expect((await read(app, platform.sandboxSecret, approved.id)).json().status).toBe('success');
    expect((await merchantEvents(platform.id, approved.id)).map((e) => e.type)).toEqual(['merchant.success']);

    const again = await review(app, platform.sandboxSecret, { merchant_id: approved.id, target_status: 'failed' });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ message: 'Merchant onboarding is success: only a pending merchant can be moved', code: 'INVALID_STATE' });

    const rejected = await createTestChild(platform);
    const failed = await review(app, platform.sandboxSecret, { merchant_id: rejected.id, target_status: 'failed' });
    expect(failed.json().data.status).toBe('failed');
    expect((await merchantEvents(platform.id, rejected.id)).map((e) => e.type)).toEqual(['merchant.failed']);
  });

  it('moves a child once under concurrent reviews', async () => {
    const child = await createTestChild(platform);
    const answers = await Promise.all(['success', 'failed', 'success', 'failed'].map((target) =>
      review(app, platform.sandboxSecret, { merchant_id: child.id, target_status: target })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 400, 400, 400]);
    expect(await merchantEvents(platform.id, child.id)).toHaveLength(1);
  });

  it('refuses another platform\'s child (404), a bad id (400), a bad target (400) and production keys (404 route)', async () => {
    const other = await createTestPlatform();
    const child = await createTestChild(platform);
    expect((await review(app, other.sandboxSecret, { merchant_id: child.id, target_status: 'success' })).statusCode).toBe(404);
    expect((await review(app, platform.sandboxSecret, { merchant_id: 'cust_00000001aaaaa', target_status: 'success' })).json().message).toBe('Invalid merchant ID format');
    expect((await review(app, platform.sandboxSecret, { merchant_id: child.id, target_status: 'pending' })).statusCode).toBe(400);
    const production = await review(app, platform.productionSecret, { merchant_id: child.id, target_status: 'success' });
    expect(production.statusCode).toBe(404);
    expect(production.json().code).toBe('ROUTE_NOT_FOUND');
    expect((await read(app, platform.sandboxSecret, child.id)).json().status).toBe('pending');
  });
});

describeSecurity('POST /api/v1/platform/merchants', {
  method: 'POST', url: () => '/api/v1/platform/merchants', payload: () => BUSINESS, successStatus: 201,
});
describeSecurity('GET /api/v1/platform/merchants', { method: 'GET', url: () => '/api/v1/platform/merchants' });
