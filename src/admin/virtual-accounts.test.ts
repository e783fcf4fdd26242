import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.js';
import { events, virtualAccounts } from '../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../test/support/app.js';
import { expectAdminAbsentWithoutToken, expectAdminAuthRefused } from '../../test/support/admin.js';
import { expectResponse, expectSchema } from '../../test/support/contract.js';
import { testEnv } from '../../test/support/env.js';
import { ibanCheckDigits } from '../core/iban.js';
import { randomDigits } from '../core/ids.js';
import { expectLedgerConsistent } from '../../test/support/ledger.js';

const admin = bearer(ADMIN_TOKEN);
const UNKNOWN_MERCHANT = 'merch_00000001aaaaa';
/** A valid GB IBAN no other test has (numbers are unique across every merchant). */
function freshIban(): string {
  const bban = `BUKB202015${randomDigits(8)}`;
  return `GB${ibanCheckDigits('GB', bban)}${bban}`;
}

/** A bank-issued GBP account. */
const GBP_ACCOUNT = {
  env: 'production', payment_type: 'local', currency: 'GBP', account_number: freshIban(),
  bank_name: 'Barclays Bank UK PLC', bank_country: 'GBR', bic: 'BUKBGB22', local_bank_code: '202015',
};

const register = (app: App, merchantId: string, payload: Record<string, unknown>, headers: Record<string, string> = admin) =>
  app.inject({ method: 'POST', url: `/admin/v1/merchants/${merchantId}/virtual_accounts`, headers, payload });

async function accountsOf(merchantId: string) {
  const { database } = await testEnv();
  return database.db.select().from(virtualAccounts).where(eq(virtualAccounts.merchantId, merchantId));
}

describe('POST /admin/v1/merchants/{id}/virtual_accounts', () => {
  let app: App;
  let merchant: TestMerchant;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
  });

  it('registers a bank-issued account in production, which the merchant lists and a connector credits', async () => {
    const response = await register(app, merchant.id, GBP_ACCOUNT);
    expect(response.statusCode, response.body).toBe(201);
    const account = response.json();
    expect(account).toMatchObject({
      merchant_id: merchant.id, env: 'production', payment_type: 'local', currency: 'GBP', status: 'active',
      account_number: GBP_ACCOUNT.account_number, bank_name: 'Barclays Bank UK PLC', bank_country: 'GBR', bic: 'BUKBGB22', local_bank_code: '202015',
    });
    expect(account.account_id).toMatch(/^va_/);
    const { database } = await testEnv();
    const recorded = await database.db.select().from(events).where(and(eq(events.entityId, account.account_id), eq(events.env, 'production')));
    expect(recorded.map((e) => `${e.entityType}.${e.eventType}`)).toEqual(['virtual_account.active']);

    const listed = await app.inject({ method: 'GET', url: '/api/v1/virtual-accounts', headers: bearer(merchant.productionSecret) });
    expect(listed.statusCode).toBe(200);
    expectResponse('get', '/virtual-accounts', 200, listed.json());
    expect(listed.json().data.map((a: { account_id: string }) => a.account_id)).toEqual([account.account_id]);
    const sandbox = await app.inject({ method: 'GET', url: '/api/v1/virtual-accounts', headers: bearer(merchant.sandboxSecret) });
    expect(sandbox.json().data).toEqual([]);

    // A production order paid by a transfer the bank connector delivers, its reference naming the order.
    const key = merchant.productionSecret;
    const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
    expect(customer.statusCode, customer.body).toBe(201);
    const order = await app.inject({
      method: 'POST', url: '/api/v1/orders', headers: bearer(key),
      payload: { customer_id: customer.json().id, currency: 'GBP', amount: 25_000, payment_methods: ['bank_transfer'], purpose_code: 'P1401' },
    });
    expect(order.statusCode, order.body).toBe(201);
    const delivered = await app.inject({
      method: 'POST', url: `/admin/v1/merchants/${merchant.id}/inbound_transfers`, headers: admin,
      payload: {
        env: 'production', account_number: GBP_ACCOUNT.account_number, amount: 25_000, currency: 'GBP',
        remitter_name: 'Jane Payer', reference: `Invoice ${order.json().id}`, connector_key: 'barclays-000001',
      },
    });
    expect(delivered.statusCode, delivered.body).toBe(201);
    expect(delivered.json()).toMatchObject({ env: 'production', status: 'credited', payment: { status: 'success', payin_id: order.json().id } });
    expectSchema('Payment', delivered.json().payment, '2026');
    const paid = await app.inject({ method: 'GET', url: `/api/v1/orders/${order.json().id}`, headers: bearer(key) });
    expect(paid.json().status).toBe('paid');
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses a second active account of the kind and a number another account has (409), writing nothing', async () => {
    const other = await createTestMerchant();
    const number = freshIban();
    const first = await register(app, other.id, { ...GBP_ACCOUNT, account_number: number });
    expect(first.statusCode, first.body).toBe(201);
    const sameKind = await register(app, other.id, { ...GBP_ACCOUNT, account_number: freshIban() });
    expect(sameKind.statusCode).toBe(409);
    expect(sameKind.json()).toEqual({ error: 'Duplicate record', message: 'Virtual Account already exists', code: 'DUPLICATE_RECORD' });
    const taken = await register(app, other.id, { ...GBP_ACCOUNT, env: 'sandbox', account_number: number });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ error: 'Duplicate record', message: 'Account number already belongs to a virtual account', code: 'DUPLICATE_RECORD' });
    expect(await accountsOf(other.id)).toHaveLength(1);
  });

  it.each([
    [{ account_number: 'GB00BUKB20201512345678' }, 'Validation failed: Account number is not a valid IBAN'],
    [{ bic: 'BUKB' }, 'Validation failed: BIC must be 8 or 11 characters: bank, country, location and optional branch'],
    [{ currency: 'INR' }, undefined],
    [{ payment_type: 'ach' }, undefined],
    [{ env: 'staging' }, undefined],
    [{ account_number: 'GB33 BUKB' }, undefined],
  ])('answers 400 for %j, writing nothing', async (overrides, message) => {
    const fresh = await createTestMerchant();
    const response = await register(app, fresh.id, { ...GBP_ACCOUNT, ...overrides });
    expect(response.statusCode, response.body).toBe(400);
    expect(Object.keys(response.json()).sort()).toEqual(['code', 'error', 'message']);
    if (message) expect(response.json().message).toBe(message);
    expect(await accountsOf(fresh.id)).toEqual([]);
  });

  it('answers 404 for an unknown merchant and 400 for an id of another kind', async () => {
    expect((await register(app, UNKNOWN_MERCHANT, GBP_ACCOUNT)).statusCode).toBe(404);
    expect((await register(app, 'cust_00000001aaaaa', GBP_ACCOUNT)).statusCode).toBe(400);
  });

  it('refuses every request without the operator token, and is absent without ADMIN_TOKEN', async () => {
    const routes = [
      { method: 'POST' as const, url: `/admin/v1/merchants/${merchant.id}/virtual_accounts`, payload: GBP_ACCOUNT },
      { method: 'POST' as const, url: `/admin/v1/merchants/${merchant.id}/inbound_transfers`, payload: {} },
    ];
    await expectAdminAuthRefused(app, routes, merchant.sandboxSecret);
    await expectAdminAbsentWithoutToken(routes);
  });
});
