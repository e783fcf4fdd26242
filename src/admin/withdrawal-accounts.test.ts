import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { withdrawalAccounts } from '../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../test/support/app.js';
import { expectAdminAbsentWithoutToken, expectAdminAuthRefused } from '../../test/support/admin.js';
import { testEnv } from '../../test/support/env.js';

const admin = bearer(ADMIN_TOKEN);
const UNKNOWN_MERCHANT = 'merch_00000001aaaaa';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ACCOUNT = { env: 'sandbox', holder_name: 'Acme Ltd', account_number: '12345678', bank_name: 'Barclays', currency: 'GBP', country: 'GBR' };
const invalid = (message: string) => ({ error: 'Bad Request', message: `Validation failed: ${message}`, code: 'VALIDATION_FAILED' });

const create = (app: App, merchantId: string, payload: unknown, headers: Record<string, string> = admin) =>
  app.inject({ method: 'POST', url: `/admin/v1/merchants/${merchantId}/withdrawal_accounts`, headers, payload: payload as Record<string, unknown> });
const list = (app: App, merchantId: string, query = '') =>
  app.inject({ method: 'GET', url: `/admin/v1/merchants/${merchantId}/withdrawal_accounts${query}`, headers: admin });

async function created(app: App, merchantId: string, payload: Record<string, unknown> = ACCOUNT): Promise<{ id: string; env: string }> {
  const response = await create(app, merchantId, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function storedCount(merchantId: string): Promise<number> {
  const { database } = await testEnv();
  return (await database.db.select().from(withdrawalAccounts).where(eq(withdrawalAccounts.merchantId, merchantId))).length;
}

describe('POST /admin/v1/merchants/{id}/withdrawal_accounts', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('registers an account for one environment, normalised, with its owner; the merchant reads it in that environment only', async () => {
    const account = await created(app, merchant.id, {
      ...ACCOUNT, holder_name: ' Acme Ltd ', account_number: '1234 5678', bic_primary: 'barcgb22', bic_secondary: '20-00-00',
      currency: 'gbp', country: 'gbr', email: 'ops@acme.example', address_line1: '1 High St', address_line2: ' ', city: 'London',
      state: 'Greater London', pincode: 'EC1A 1BB',
    });
    expect(account).toEqual({
      id: expect.stringMatching(/^accwith_[0-9a-f]{8}[0-9A-Za-z]{5}$/), merchant_id: merchant.id, env: 'sandbox',
      holder_name: 'Acme Ltd', account_number: '12345678', bank_name: 'Barclays', bic_primary: 'BARCGB22', bic_secondary: '20-00-00',
      currency: 'GBP', email: 'ops@acme.example', address_line1: '1 High St', city: 'London', state: 'Greater London',
      country: 'GBR', pincode: 'EC1A 1BB', created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO),
    });
    const own = await app.inject({ method: 'GET', url: `/api/v1/withdrawal_accounts/${account.id}`, headers: bearer(merchant.sandboxSecret) });
    expect(own.statusCode).toBe(200);
    const { merchant_id: _merchant, env: _env, ...visible } = account as Record<string, unknown>;
    expect(own.json()).toEqual(visible);
    const production = await app.inject({ method: 'GET', url: `/api/v1/withdrawal_accounts/${account.id}`, headers: bearer(merchant.productionSecret) });
    expect(production.statusCode).toBe(404);
    expect(production.json()).toEqual({ error: 'Not Found', message: 'Withdrawal account not found', code: 'NOT_FOUND' });

    const live = await created(app, merchant.id, { ...ACCOUNT, env: 'production' });
    expect(live.env).toBe('production');
    expect((await app.inject({ method: 'GET', url: `/api/v1/withdrawal_accounts/${live.id}`, headers: bearer(merchant.productionSecret) })).statusCode).toBe(200);
  });

  it.each([
    [{ ...ACCOUNT, env: undefined }, "Env can't be blank"],
    [{ ...ACCOUNT, env: 'staging' }, 'Env must be one of: sandbox, production'],
    [{ ...ACCOUNT, holder_name: '  ' }, "Holder name can't be blank"],
    [{ ...ACCOUNT, account_number: '' }, "Account number can't be blank"],
    [{ ...ACCOUNT, bank_name: ' ' }, "Bank name can't be blank"],
    [{ ...ACCOUNT, currency: 'ABC' }, 'Currency must be a valid ISO 4217 currency code (e.g., USD)'],
    [{ ...ACCOUNT, currency: 'INR' }, 'Currency must be one of: USD, EUR, GBP, AED, SGD, AUD'],
    [{ ...ACCOUNT, currency: undefined }, "Currency can't be blank"],
    [{ ...ACCOUNT, country: 'GB' }, 'Country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ ...ACCOUNT, country: 'XXX' }, 'Country must be a valid 3-letter ISO code (e.g., IND, USA)'],
    [{ ...ACCOUNT, bic_primary: 'BARCGB2' }, 'Bic primary is not a valid BIC (8 or 11 characters, letters 5-6 a country code)'],
    [{ ...ACCOUNT, bic_primary: 'BARCZZ22' }, 'Bic primary is not a valid BIC (8 or 11 characters, letters 5-6 a country code)'],
    [{ ...ACCOUNT, email: 'not-an-email' }, 'Email is invalid'],
    [{ ...ACCOUNT, merchant_id: 'merch_00000001aaaaa' }, "Unknown field 'merchant_id'"],
  ])('answers 400 for %o, storing nothing', async (body, message) => {
    const fresh = await createTestMerchant();
    const response = await create(app, fresh.id, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', code: 'VALIDATION_FAILED' });
    expect(response.json().message).toBe(invalid(message).message);
    expect(await storedCount(fresh.id)).toBe(0);
  });

  it('answers 404 for an unknown merchant and 400 for another id prefix', async () => {
    const unknown = await create(app, UNKNOWN_MERCHANT, ACCOUNT);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    const wrong = await create(app, 'cust_6819d7d0lrLvP', ACCOUNT);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

describe('GET /admin/v1/merchants/{id}/withdrawal_accounts', () => {
  let app: App;
  let merchant: TestMerchant;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    ids.sandboxOld = (await created(app, merchant.id)).id;
    ids.production = (await created(app, merchant.id, { ...ACCOUNT, env: 'production' })).id;
    ids.sandboxNew = (await created(app, merchant.id, { ...ACCOUNT, currency: 'USD' })).id;
    await created(app, (await createTestMerchant()).id);
  });

  it('lists both environments newest first, with the owner; filters by env and pages', async () => {
    const response = await list(app, merchant.id);
    expect(response.statusCode).toBe(200);
    const body = response.json() as { data: { id: string; env: string; merchant_id: string }[]; page_meta: unknown };
    expect(body.data.map((a) => [a.id, a.env, a.merchant_id])).toEqual([
      [ids.sandboxNew, 'sandbox', merchant.id], [ids.production, 'production', merchant.id], [ids.sandboxOld, 'sandbox', merchant.id],
    ]);
    expect(body.page_meta).toEqual({ current: 1, previous: null, next: null, per_page: 20, pages: 1, count: 3 });
    expect((await list(app, merchant.id, '?env=production')).json().data.map((a: { id: string }) => a.id)).toEqual([ids.production]);
    const second = (await list(app, merchant.id, '?per_page=2&page=2')).json();
    expect(second.data.map((a: { id: string }) => a.id)).toEqual([ids.sandboxOld]);
    expect(second.page_meta).toEqual({ current: 2, previous: 1, next: null, per_page: 2, pages: 2, count: 3 });
  });

  it('answers 400 for a bad env or page, 404 for an unknown merchant, 400 for another prefix', async () => {
    expect((await list(app, merchant.id, '?env=staging')).json()).toEqual(invalid('Env must be one of: sandbox, production'));
    expect((await list(app, merchant.id, '?page=0')).json()).toEqual(invalid('Page must be greater than or equal to 1'));
    expect((await list(app, UNKNOWN_MERCHANT)).json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    expect((await list(app, 'accwith_6819d804aaaaa')).json()).toEqual({ error: 'Bad Request', message: "Id must start with 'merch_'", code: 'INVALID_ID' });
  });
});

describe('/admin/v1 withdrawal account routes: security', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  const routes = () => [
    { method: 'POST' as const, url: `/admin/v1/merchants/${merchant.id}/withdrawal_accounts`, payload: ACCOUNT },
    { method: 'GET' as const, url: `/admin/v1/merchants/${merchant.id}/withdrawal_accounts` },
  ];

  it('answers 401 Missing token without a token, and 401 for a wrong token or a merchant key', async () => {
    await expectAdminAuthRefused(app, routes(), merchant.sandboxSecret);
    expect(await storedCount(merchant.id)).toBe(0);
  });

  it('is not mounted without ADMIN_TOKEN', async () => {
    await expectAdminAbsentWithoutToken(routes());
    expect(await storedCount(merchant.id)).toBe(0);
  });
});
