// Bank transfers received on a virtual account: the sandbox's mock-transfer and the operator API's inbound transfers
// (a bank connector's delivery, idempotent on its connector key). Matching, holds, returns and nothing written on errors.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ensureSigningKey } from '../../core/auth/signing-keys.js';
import { systemClock } from '../../core/clock.js';
import { openDatabase, type Database, type Db } from '../../db/client.js';
import { inboundTransfers, ledgerHolds, ledgerJournals, payments } from '../../db/schema/index.js';
import { verifyLedger } from '../../ledger/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectAdminAuthRefused } from '../../../test/support/admin.js';
import { expectSchema } from '../../../test/support/contract.js';
import { createFreshPostgresDatabase, onPostgres, testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent } from '../../../test/support/ledger.js';
import { balances, createOrder as createPayinOrder, eventsOf, expectHeld, orderStatus, type Payin } from '../../../test/support/payins.js';
import { describeSecurity } from '../../../test/support/security.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API, and what the database holds.

interface Account { account_id: string; currency: string; account_number: string }

const admin = bearer(ADMIN_TOKEN);
const UNKNOWN_MERCHANT = 'merch_00000001aaaaa';
const REMITTER = { remitter_name: 'Vaibhav LRS', remitter_account_number: '5454545454' };

async function openAccount(app: App, key: string, payment_type = 'local', currency = 'USD'): Promise<Account> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/virtual-accounts', headers: bearer(key), payload: { payment_type, currency } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Account;
}

async function closeAccount(app: App, key: string, payment_type: string, currency: string): Promise<void> {
  const response = await app.inject({ method: 'DELETE', url: `/api/v1/virtual-accounts?payment_type=${payment_type}&currency=${currency}`, headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().status).toBe('inactive');
}

/** An order of USD 100.00 accepting bank transfers only, unless `overrides` say otherwise. */
const createOrder = (app: App, key: string, overrides: Record<string, unknown> = {}): Promise<Payin> =>
  createPayinOrder(app, key, { payment_methods: ['bank_transfer'], ...overrides });

const transferBody = (account: Account, overrides: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ account_number: account.account_number, amount: 10_000, currency: account.currency, ...REMITTER, ...overrides });

const mockTransfer = (app: App, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/virtual-accounts/mock-transfer', headers: bearer(key), payload });

const recordTransfer = (app: App, merchantId: string, payload: Record<string, unknown>, headers: Record<string, string> = admin) =>
  app.inject({ method: 'POST', url: `/admin/v1/merchants/${merchantId}/inbound_transfers`, headers, payload });

/** Every available and pending amount, currency by currency (a currency the ledger never touched counts 0). */
async function balanceOf(app: App, key: string, currency: string) {
  const { available, pending } = await balances(app, key);
  return {
    available: available.find((line) => line.currency === currency)?.amount ?? 0,
    pending: pending.find((line) => line.currency === currency)?.amount ?? 0,
  };
}

/** The worker's shared test database, or `own` (a database of the test's own). */
const dbOf = async (own?: Database): Promise<Db> => (own ?? (await testEnv()).database).db;

async function transfersOf(merchantId: string, env: 'sandbox' | 'production' = 'sandbox', own?: Database) {
  return (await dbOf(own)).select().from(inboundTransfers)
    .where(and(eq(inboundTransfers.merchantId, merchantId), eq(inboundTransfers.env, env))).orderBy(inboundTransfers.createdAt);
}

async function paymentsOf(merchantId: string, own?: Database) {
  return (await dbOf(own)).select().from(payments).where(eq(payments.merchantId, merchantId));
}

async function journalsOf(merchantId: string) {
  const { database } = await testEnv();
  return database.db.select().from(ledgerJournals).where(eq(ledgerJournals.merchantId, merchantId));
}

async function holdOf(paymentId: string) {
  const { database } = await testEnv();
  const rows = await database.db.select().from(ledgerHolds).where(eq(ledgerHolds.causeId, paymentId));
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function eventTypesOf(entityId: string) {
  return (await eventsOf(entityId)).map((event) => event.eventType);
}

/** Nothing at all was recorded for the merchant: no transfer (either environment), payment or journal. */
async function expectNothingWritten(merchantId: string): Promise<void> {
  expect(await transfersOf(merchantId, 'sandbox')).toEqual([]);
  expect(await transfersOf(merchantId, 'production')).toEqual([]);
  expect(await paymentsOf(merchantId)).toEqual([]);
  expect(await journalsOf(merchantId)).toEqual([]);
}

/** The one transfer row the merchant's sandbox holds, credited with this payment. */
async function expectCredited(merchantId: string, account: Account, paymentId: string, expected: Record<string, unknown> = {}) {
  const rows = await transfersOf(merchantId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    id: expect.stringMatching(/^itr_[0-9a-f]{8}[0-9A-Za-z]{5}$/), merchantId, env: 'sandbox', virtualAccountId: account.account_id,
    status: 'credited', paymentId, returnReason: null, connectorKey: null, ...expected,
  });
  return rows[0]!;
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/virtual-accounts/mock-transfer: credited transfers', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it("pays the order its reference names, even with another order at the same amount, showing the bank's details", async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key, 'swift', 'USD');
    const other = await createOrder(app, key);
    const named = await createOrder(app, key);
    const reference = `Invoice 42 ${named.id} thanks`;

    const response = await mockTransfer(app, key, transferBody(account, { reference }));
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({
      id: expect.stringMatching(/^payt_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      payin_id: named.id, payin_type: 'orders', customer_id: named.customer_id, merchant_id: merchant.id,
      status: 'success', payment_currency: 'USD', payment_amount: 10_000, requested_currency: 'USD', requested_amount: 10_000,
      paid_at: payment.created_at, funds_available: false,
    });
    expect(payment.error_code ?? null).toBeNull();
    const row = await expectCredited(merchant.id, account, payment.id, {
      currency: 'USD', amount: 10_000n, remitterName: 'Vaibhav LRS', remitterAccountNumber: '5454545454', reference,
    });
    expect(payment.payment_method).toEqual({
      type: 'bank_transfer',
      details: {
        sender_name: 'Vaibhav LRS', sender_account_number: '5454545454', receiver_account_number: account.account_number,
        remittance_information: reference, transfer_type: 'swift', external_reference: row.id,
      },
    });
    expect(await orderStatus(app, key, named.id)).toBe('paid');
    expect(await orderStatus(app, key, other.id)).toBe('active');
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 10_000 }] });
    expect(await eventTypesOf(payment.id)).toEqual(['success']);
    // The stored payment reads back as answered.
    const read = await app.inject({ method: 'GET', url: `/api/v1/payment/${payment.id}`, headers: bearer(key) });
    expect(read.json()).toEqual(payment);
    await expectLedgerConsistent(merchant.id);
  });

  it('pays the one active order at the amount when the reference names none (local transfer type, no remittance information)', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key, 'local', 'USD');
    const smaller = await createOrder(app, key, { amount: 10_000 });
    const matching = await createOrder(app, key, { amount: 20_000 });

    const response = await mockTransfer(app, key, transferBody(account, { amount: 20_000, remitter_account_number: undefined, reference: '  ' }));
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({ status: 'success', payin_id: matching.id, payment_amount: 20_000 });
    const row = await expectCredited(merchant.id, account, payment.id, { amount: 20_000n, reference: null, remitterAccountNumber: null });
    // Unknown sender account and remittance information are left out, not null.
    expect(payment.payment_method).toEqual({
      type: 'bank_transfer',
      details: { sender_name: 'Vaibhav LRS', receiver_account_number: account.account_number, transfer_type: 'local', external_reference: row.id },
    });
    expect(await orderStatus(app, key, matching.id)).toBe('paid');
    expect(await orderStatus(app, key, smaller.id)).toBe('active');
    expect(await balanceOf(app, key, 'USD')).toEqual({ available: 0, pending: 20_000 });
    await expectLedgerConsistent(merchant.id);
  });

  it('holds a transfer that matches no order as action_required PAYIN_NOT_FOUND, its funds in neither balance', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key);
    const order = await createOrder(app, key);

    const response = await mockTransfer(app, key, transferBody(account, { amount: 12_345, reference: 'no payin named here' }));
    expectHeld(response, 'PAYIN_NOT_FOUND', { payment_currency: 'USD', payment_amount: 12_345 });
    const payment = response.json();
    expect(payment.payin_id ?? null).toBeNull();
    await expectCredited(merchant.id, account, payment.id, { amount: 12_345n, reference: 'no payin named here' });
    expect(await holdOf(payment.id)).toMatchObject({ status: 'pending', amount: 12_345n, currency: 'USD', causeType: 'payment' });
    expect(await orderStatus(app, key, order.id)).toBe('active');
    expect(await balanceOf(app, key, 'USD')).toEqual({ available: 0, pending: 0 });
    expect(await eventTypesOf(payment.id)).toEqual(['action_required']);
    await expectLedgerConsistent(merchant.id);
  });

  it('holds a transfer as PAYIN_NOT_FOUND when two orders are at its amount and its reference names neither', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key);
    const first = await createOrder(app, key);
    const second = await createOrder(app, key);

    const response = await mockTransfer(app, key, transferBody(account));
    expectHeld(response, 'PAYIN_NOT_FOUND');
    await expectCredited(merchant.id, account, response.json().id);
    expect([await orderStatus(app, key, first.id), await orderStatus(app, key, second.id)]).toEqual(['active', 'active']);
    expect(await balanceOf(app, key, 'USD')).toEqual({ available: 0, pending: 0 });
    await expectLedgerConsistent(merchant.id);
  });

  it('holds a transfer whose reference names an order at another amount as PAYIN_AMOUNT_MISMATCH', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key);
    const named = await createOrder(app, key, { amount: 10_000 });
    // An order at the transfer's amount is not a fallback for a named one.
    const atAmount = await createOrder(app, key, { amount: 9_000 });

    const response = await mockTransfer(app, key, transferBody(account, { amount: 9_000, reference: named.id }));
    expectHeld(response, 'PAYIN_AMOUNT_MISMATCH', { payin_id: named.id, payment_amount: 9_000 });
    const payment = response.json();
    await expectCredited(merchant.id, account, payment.id, { amount: 9_000n, reference: named.id });
    expect(await holdOf(payment.id)).toMatchObject({ status: 'pending', amount: 9_000n });
    expect(await orderStatus(app, key, named.id)).toBe('active');
    expect(await orderStatus(app, key, atAmount.id)).toBe('active');
    expect(await balanceOf(app, key, 'USD')).toEqual({ available: 0, pending: 0 });
    await expectLedgerConsistent(merchant.id);
  });

  it("holds a sanctioned remitter's transfer as SANCTION_HIT even when it names its order at the right amount", async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key);
    const order = await createOrder(app, key);

    const response = await mockTransfer(app, key, transferBody(account, { remitter_name: 'Sanctioned_Entity', reference: order.id }));
    expectHeld(response, 'SANCTION_HIT');
    const payment = response.json();
    expect(payment.payment_method.details).toMatchObject({ sender_name: 'Sanctioned_Entity' });
    await expectCredited(merchant.id, account, payment.id, { remitterName: 'Sanctioned_Entity' });
    expect(await holdOf(payment.id)).toMatchObject({ status: 'pending', amount: 10_000n });
    expect(await orderStatus(app, key, order.id)).toBe('active');
    expect(await balanceOf(app, key, 'USD')).toEqual({ available: 0, pending: 0 });
    await expectLedgerConsistent(merchant.id);
  });
});

describe('POST /api/v1/virtual-accounts/mock-transfer: returned transfers', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('returns a transfer to a closed account: 422 TRANSFER_RETURNED, the return recorded, no payment and no journal', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key, 'local', 'USD');
    const order = await createOrder(app, key);
    await closeAccount(app, key, 'local', 'usd');

    const response = await mockTransfer(app, key, transferBody(account, { reference: order.id }));
    expect(response.statusCode, response.body).toBe(422);
    const reason = `virtual account ${account.account_number} is inactive`;
    expect(response.json()).toEqual({ error: 'Unprocessable Entity', message: `Transfer returned: ${reason}`, code: 'TRANSFER_RETURNED' });
    const rows = await transfersOf(merchant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: expect.stringMatching(/^itr_/), virtualAccountId: account.account_id, status: 'returned', returnReason: reason,
      paymentId: null, amount: 10_000n, currency: 'USD', reference: order.id,
    });
    expect(await paymentsOf(merchant.id)).toEqual([]);
    expect(await journalsOf(merchant.id)).toEqual([]);
    expect(await orderStatus(app, key, order.id)).toBe('active');
    await expectLedgerConsistent(merchant.id);
  });

  it("returns a transfer in another currency than the account's: 422, recorded, nothing paid", async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key, 'local', 'USD');
    const order = await createOrder(app, key, { currency: 'EUR' });

    const response = await mockTransfer(app, key, transferBody(account, { currency: 'eur', reference: order.id }));
    expect(response.statusCode, response.body).toBe(422);
    const reason = `virtual account ${account.account_number} receives USD, not EUR`;
    expect(response.json()).toEqual({ error: 'Unprocessable Entity', message: `Transfer returned: ${reason}`, code: 'TRANSFER_RETURNED' });
    const rows = await transfersOf(merchant.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'returned', returnReason: reason, paymentId: null, currency: 'EUR', virtualAccountId: account.account_id });
    expect(await paymentsOf(merchant.id)).toEqual([]);
    expect(await journalsOf(merchant.id)).toEqual([]);
    expect(await orderStatus(app, key, order.id)).toBe('active');
    await expectLedgerConsistent(merchant.id);
  });
});

describe('POST /api/v1/virtual-accounts/mock-transfer: refused, with nothing written', () => {
  let app: App;
  let merchant: TestMerchant;
  let account: Account;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    account = await openAccount(app, merchant.sandboxSecret);
    await createOrder(app, merchant.sandboxSecret);
  });

  it('answers 404 Virtual Account not found for a number the environment does not have', async () => {
    const response = await mockTransfer(app, merchant.sandboxSecret, transferBody(account, { account_number: '000000000000' }));
    expect(response.statusCode, response.body).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: 'Virtual Account not found', code: 'NOT_FOUND' });
    await expectNothingWritten(merchant.id);
  });

  it("answers 404 for another merchant's account number, writing nothing for either merchant", async () => {
    const other = await createTestMerchant();
    const response = await mockTransfer(app, other.sandboxSecret, transferBody(account));
    expect(response.statusCode, response.body).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: 'Virtual Account not found', code: 'NOT_FOUND' });
    await expectNothingWritten(other.id);
    await expectNothingWritten(merchant.id);
  });

  it('answers a production key 404 as an unknown route (sandbox only), before validating the body', async () => {
    for (const payload of [transferBody(account), {}]) {
      const response = await mockTransfer(app, merchant.productionSecret, payload);
      expect(response.statusCode, response.body).toBe(404);
      expect(response.json()).toEqual({ error: 'Not Found', message: 'Route POST /api/v1/virtual-accounts/mock-transfer not found', code: 'ROUTE_NOT_FOUND' });
    }
    await expectNothingWritten(merchant.id);
  });

  it.each([
    ['no account_number', { account_number: undefined }],
    ['an empty account_number', { account_number: '' }],
    ['amount 0', { amount: 0 }],
    ['a negative amount', { amount: -100 }],
    ['a fractional amount', { amount: 10.5 }],
    ['a currency that is not one', { currency: 'XYZ1' }],
    ['no remitter_name', { remitter_name: undefined }],
    ['an unknown field', { payin_id: 'order_6819d804aaaaa' }],
  ])('answers 400 in the error shape for %s', async (_name, overrides) => {
    const response = await mockTransfer(app, merchant.sandboxSecret, transferBody(account, overrides));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message: expect.stringMatching(/^Validation failed: /), code: 'VALIDATION_FAILED' });
    await expectNothingWritten(merchant.id);
  });

  it('leaves the account open and the balances empty', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/v1/virtual-accounts', headers: bearer(merchant.sandboxSecret) })).json();
    expect(list.data.map((a: Account & { status: string }) => [a.account_id, a.status])).toEqual([[account.account_id, 'active']]);
    expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: [], pending: [] });
    await expectLedgerConsistent(merchant.id);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const delivery = (account: Account, connector_key: string, overrides: Record<string, unknown> = {}) =>
  ({ env: 'sandbox', ...transferBody(account), connector_key, ...overrides });

/** How long a request of the replay tests may take before it counts as hung (a safety bound, not a wait). */
const ANSWER_WAIT_MS = 10_000;

async function within<T>(promise: Promise<T>, what: string, ms = ANSWER_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a replay test on a database of its own (a fresh PGlite, or a fresh PostgreSQL database next to DATABASE_URL's).
 * A replay that waits for a second connection inside its transaction waits forever on PGlite's single connection and
 * runs a PostgreSQL pool dry under concurrent deliveries; here it fails its test within ANSWER_WAIT_MS instead of
 * wedging the database every other test of the worker shares.
 */
async function withOwnDatabase(fn: (own: { app: App; database: Database }) => Promise<void>): Promise<void> {
  const fresh = onPostgres ? await createFreshPostgresDatabase('inbound') : undefined;
  const database = await openDatabase({ databaseUrl: fresh?.url, pgliteDataDir: 'memory', poolMax: 5 });
  try {
    await database.withStartupLock(async () => {
      await database.migrate();
      await ensureSigningKey(database.db, systemClock);
    });
    const { app } = await buildTestApp({ database });
    try {
      await fn({ app, database });
    } finally {
      await within(app.close(), 'closing the app', 2_000).catch(() => undefined);
    }
  } finally {
    await within(database.close(), 'closing the database', 2_000).catch(() => undefined);
    await fresh?.drop();
  }
}

describe('POST /admin/v1/merchants/{id}/inbound_transfers: a connector key credits once', () => {
  it("records a connector's transfer (201) and answers its repeated delivery (200) with the same transfer, credited once", async () => {
    await withOwnDatabase(async ({ app, database }) => {
      const merchant = await createTestMerchant(systemClock, database);
      const key = merchant.sandboxSecret;
      const account = await openAccount(app, key);
      const order = await createOrder(app, key);
      const connectorKey = 'bank-20261203-000123';

      const response = await within(recordTransfer(app, merchant.id, delivery(account, connectorKey, { reference: order.id })), 'the first delivery');
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      expect(body).toEqual({
        id: expect.stringMatching(/^itr_[0-9a-f]{8}[0-9A-Za-z]{5}$/), merchant_id: merchant.id, env: 'sandbox', virtual_account_id: account.account_id,
        status: 'credited', amount: 10_000, currency: 'USD', remitter_name: 'Vaibhav LRS', reference: order.id,
        connector_key: connectorKey, return_reason: null, payment: expect.any(Object),
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      expectSchema('Payment', body.payment, '2026');
      expect(body.payment).toMatchObject({ status: 'success', payin_id: order.id, payment_amount: 10_000 });
      expect(body.payment.payment_method.details).toMatchObject({ external_reference: body.id, receiver_account_number: account.account_number });
      expect(await orderStatus(app, key, order.id)).toBe('paid');

      // A second delivery, even one that says something else, answers the first and credits nothing.
      for (const again of [delivery(account, connectorKey, { reference: order.id }), delivery(account, ` ${connectorKey} `, { amount: 777 })]) {
        const replay = await within(recordTransfer(app, merchant.id, again), 'a repeated delivery');
        expect(replay.statusCode, replay.body).toBe(200);
        expect(replay.json()).toEqual(body);
      }
      const rows = await transfersOf(merchant.id, 'sandbox', database);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: body.id, status: 'credited', paymentId: body.payment.id, connectorKey });
      expect((await paymentsOf(merchant.id, database)).map((payment) => payment.id)).toEqual([body.payment.id]);
      expect(await balanceOf(app, key, 'USD')).toEqual({ available: 0, pending: 10_000 });
      expect((await verifyLedger(database.db, { merchantId: merchant.id })).problems).toEqual([]);
    });
  });

  it('credits 10 concurrent deliveries of one connector key once; every answer carries the same transfer and payment', async () => {
    await withOwnDatabase(async ({ app, database }) => {
      const merchant = await createTestMerchant(systemClock, database);
      const key = merchant.sandboxSecret;
      const account = await openAccount(app, key);
      const order = await createOrder(app, key);

      const responses = await within(Promise.all(Array.from({ length: 10 }, () =>
        recordTransfer(app, merchant.id, delivery(account, 'bank-concurrent-1', { reference: order.id })))), '10 concurrent deliveries');
      expect(responses.map((r) => r.statusCode).sort(), responses.map((r) => r.body).join('\n')).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      const bodies = responses.map((r) => r.json());
      expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
      expect(new Set(bodies.map((b) => b.payment?.id)).size).toBe(1);
      expect(bodies[0].payment).toMatchObject({ status: 'success', payin_id: order.id });
      const rows = await transfersOf(merchant.id, 'sandbox', database);
      expect(rows.map((row) => [row.id, row.paymentId])).toEqual([[bodies[0].id, bodies[0].payment.id]]);
      expect(await paymentsOf(merchant.id, database)).toHaveLength(1);
      expect(await balanceOf(app, key, 'USD')).toEqual({ available: 0, pending: 10_000 });
      expect((await verifyLedger(database.db, { merchantId: merchant.id })).problems).toEqual([]);
    });
  });
});

describe('POST /admin/v1/merchants/{id}/inbound_transfers', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('records a transfer to a closed account as returned (201), with no payment', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const account = await openAccount(app, key, 'swift', 'GBP');
    await closeAccount(app, key, 'swift', 'GBP');

    const response = await recordTransfer(app, merchant.id, delivery(account, 'bank-returned-1'));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({
      id: expect.stringMatching(/^itr_/), status: 'returned', payment: null, currency: 'GBP',
      return_reason: `virtual account ${account.account_number} is inactive`,
    });
    const replay = await recordTransfer(app, merchant.id, delivery(account, 'bank-returned-1'));
    expect(replay.statusCode, replay.body).toBe(200);
    expect(replay.json()).toEqual(response.json());
    expect(await transfersOf(merchant.id)).toHaveLength(1);
    expect(await paymentsOf(merchant.id)).toEqual([]);
    expect(await journalsOf(merchant.id)).toEqual([]);
  });

  it('answers 404 for a production delivery to a number production does not have, and claims nothing', async () => {
    const merchant = await createTestMerchant();
    const account = await openAccount(app, merchant.sandboxSecret);
    const response = await recordTransfer(app, merchant.id, delivery(account, 'bank-prod-1', { env: 'production' }));
    expect(response.statusCode, response.body).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: 'Virtual Account not found', code: 'NOT_FOUND' });
    await expectNothingWritten(merchant.id);
    // The key was not claimed by the refused delivery: the sandbox one with it is new.
    const sandbox = await recordTransfer(app, merchant.id, delivery(account, 'bank-prod-1'));
    expect(sandbox.statusCode, sandbox.body).toBe(201);
  });

  it('answers 404 for an unknown merchant', async () => {
    const merchant = await createTestMerchant();
    const account = await openAccount(app, merchant.sandboxSecret);
    const response = await recordTransfer(app, UNKNOWN_MERCHANT, delivery(account, 'bank-unknown-1'));
    expect(response.statusCode, response.body).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: 'Merchant not found', code: 'NOT_FOUND' });
    await expectNothingWritten(merchant.id);
  });

  it('answers 400 for a missing connector_key or env, writing nothing', async () => {
    const merchant = await createTestMerchant();
    const account = await openAccount(app, merchant.sandboxSecret);
    for (const overrides of [{ connector_key: undefined }, { connector_key: '   ' }, { env: undefined }, { env: 'staging' }]) {
      const response = await recordTransfer(app, merchant.id, delivery(account, 'bank-bad-1', overrides));
      expect(response.statusCode, `${JSON.stringify(overrides)} ${response.body}`).toBe(400);
      expect(response.json()).toMatchObject({ error: 'Bad Request', code: 'VALIDATION_FAILED' });
    }
    await expectNothingWritten(merchant.id);
  });

  it("refuses a missing or wrong admin token and a merchant's key (401), writing nothing", async () => {
    const merchant = await createTestMerchant();
    const account = await openAccount(app, merchant.sandboxSecret);
    const route = { method: 'POST' as const, url: `/admin/v1/merchants/${merchant.id}/inbound_transfers`, payload: delivery(account, 'bank-auth-1') };
    const missing = await app.inject({ ...route });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ error: 'Unauthorized', message: 'Missing token', code: 'UNAUTHORIZED' });
    const merchantKey = await app.inject({ ...route, headers: bearer(merchant.sandboxSecret) });
    expect(merchantKey.statusCode).toBe(401);
    expect(merchantKey.json()).toEqual({ error: 'Unauthorized', message: 'Auth token expired or invalid', code: 'UNAUTHORIZED' });
    await expectAdminAuthRefused(app, [route], merchant.sandboxSecret);
    await expectNothingWritten(merchant.id);
  });
});

describeSecurity('POST /api/v1/virtual-accounts/mock-transfer', {
  method: 'POST',
  url: () => '/api/v1/virtual-accounts/mock-transfer',
  payload: () => ({ account_number: '000000000000', amount: 10_000, currency: 'USD', remitter_name: 'Vaibhav LRS' }),
});
