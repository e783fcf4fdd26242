// Inbound bank transfers through the sandbox's mock: a transfer naming no payin pays the one payable payin priced at
// its amount, else it is held (`action_required`, clearing -> held); eligible-payins lists what a held transfer can
// pay, and connect-payin posts its hold to where a payment of that payin goes, in one journal.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { ledgerHolds, ledgerJournals, payments } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent } from '../../../test/support/ledger.js';
import { storedBalance } from '../../../test/support/ledger-helpers.js';
import {
  balances, cancelLink, createCustomer, createLink, createOrder, createPrice, eventsOf, expectHeld, fundsAvailable, mockPayment, orderStatus,
  quotedOrder, setFeeBearer, type Payin,
} from '../../../test/support/payins.js';
import { describeSecurity } from '../../../test/support/security.js';
import { payinIdsIn } from './transfers.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API.

/** A mock bank transfer naming no payin. */
const transfer = (app: App, key: string, currency: string, amount: number, extra: Record<string, unknown> = {}) =>
  mockPayment(app, key, { currency, amount, ...extra });

/** A transfer that must be held PAYIN_NOT_FOUND; answers its payment id. */
async function heldTransfer(app: App, key: string, currency = 'USD', amount = 10_000): Promise<string> {
  const response = await transfer(app, key, currency, amount);
  expectHeld(response, 'PAYIN_NOT_FOUND');
  return response.json().id;
}

const eligible = (app: App, key: string, id: string) =>
  app.inject({ method: 'GET', url: `/api/v1/payment/${id}/eligible-payins`, headers: bearer(key) });

const connect = (app: App, key: string, id: string, payload: Record<string, unknown> | string) =>
  app.inject({ method: 'POST', url: `/api/v1/payment/${id}/connect-payin`, headers: bearer(key), payload: typeof payload === 'string' ? { payin_id: payload } : payload });

const read = async (app: App, key: string, url: string) => {
  const response = await app.inject({ method: 'GET', url, headers: bearer(key) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const getPayment = (app: App, key: string, id: string) => read(app, key, `/api/v1/payment/${id}`);
const linkStatus = async (app: App, key: string, id: string) => (await read(app, key, `/api/v1/payin/${id}`)).status;

/** The ledger hold of a payment, as stored (undefined when the payment has none). */
async function holdOf(paymentId: string) {
  const { database } = await testEnv();
  const [row] = await database.db.select({ holdId: payments.holdId }).from(payments).where(eq(payments.id, paymentId));
  if (!row?.holdId) return undefined;
  const [hold] = await database.db.select().from(ledgerHolds).where(eq(ledgerHolds.id, row.holdId));
  return hold && { status: hold.status, currency: hold.currency, amount: hold.amount, causeType: hold.causeType, causeId: hold.causeId };
}

/** The kinds of the journals a payment caused, oldest first. */
async function journalKindsOf(paymentId: string): Promise<string[]> {
  const { database } = await testEnv();
  const rows = await database.db.select({ kind: ledgerJournals.kind }).from(ledgerJournals)
    .where(eq(ledgerJournals.causeId, paymentId)).orderBy(ledgerJournals.createdAt, ledgerJournals.id);
  return rows.map((row) => row.kind);
}

const sandbox = (merchant: TestMerchant) => ({ merchantId: merchant.id, env: 'sandbox' as const });

const NOT_CONNECTABLE = (state: string) => ({
  error: 'Bad Request',
  message: `Payment is ${state}: only an action_required bank transfer with PAYIN_NOT_FOUND or PAYIN_AMOUNT_MISMATCH can be connected to a payin`,
  code: 'INVALID_STATE',
});

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/payment/mock: a BankTransfer naming no payin', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('pays the one active order priced at its amount in its currency: success, the order paid, pending credited net of the fee', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'percentage', bps: 250 });
    const other = await createTestMerchant();
    // What does not fit: another amount, another currency, another merchant's order of the same amount.
    const bigger = await createOrder(app, key, { amount: 12_000 });
    const euro = await createOrder(app, key, { currency: 'EUR' });
    const foreign = await createOrder(app, other.sandboxSecret);
    const order = await createOrder(app, key);

    const response = await transfer(app, key, 'USD', 10_000);
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({
      status: 'success', payin_id: order.id, payin_type: 'orders', customer_id: order.customer_id, merchant_id: merchant.id,
      payment_currency: 'USD', payment_amount: 10_000, converted_amount: 10_000, requested_amount: 10_000,
      paid_at: payment.created_at, fee_bearer: 'merchant', fees: { txn_fee: { currency: 'USD', amount: 250 } },
      funds_available: false, payment_method: { type: 'bank_transfer' },
    });
    expect(payment.error_code).toBeUndefined();
    expect(await orderStatus(app, key, order.id)).toBe('paid');
    for (const id of [bigger.id, euro.id]) expect(await orderStatus(app, key, id)).toBe('active');
    expect(await orderStatus(app, other.sandboxSecret, foreign.id)).toBe('active');
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 9_750 }] });
    // Paid straight away: one payment journal, no hold.
    expect(await holdOf(payment.id)).toBeUndefined();
    expect(await journalKindsOf(payment.id)).toEqual(['payment']);
    expect((await eventsOf(payment.id)).map((e) => [e.entityType, e.eventType])).toEqual([['payment', 'success']]);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    await expectLedgerConsistent(merchant.id);
  });

  it('matches on the amount due, not the order amount: a customer-borne fee raises what the transfer must be', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'percentage', bps: 200 });
    await setFeeBearer(app, merchant, 'customer');
    const order = await createOrder(app, key);

    const short = await transfer(app, key, 'USD', 10_000);
    expectHeld(short, 'PAYIN_NOT_FOUND', { payin_id: null });
    expect(await orderStatus(app, key, order.id)).toBe('active');

    const response = await transfer(app, key, 'USD', 10_200);
    expect(response.statusCode, response.body).toBe(201);
    expectSchema('Payment', response.json(), '2026');
    expect(response.json()).toMatchObject({
      status: 'success', payin_id: order.id, fee_bearer: 'customer', payment_amount: 10_200, requested_amount: 10_000,
      fees: { txn_fee: { currency: 'USD', amount: 200 } },
    });
    expect(await orderStatus(app, key, order.id)).toBe('paid');
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it('holds a transfer no payin fits as PAYIN_NOT_FOUND: no payin, no customer, funds clearing -> held, balances untouched', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const paid = await transfer(app, key, 'USD', 5_000, { payin_id: (await createOrder(app, key, { amount: 5_000 })).id });
    expect(paid.json().status).toBe('success');
    const before = await balances(app, key);
    expect(before).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 5_000 }] });

    const response = await transfer(app, key, 'USD', 10_000);
    expectHeld(response, 'PAYIN_NOT_FOUND', {
      payin_id: null, subscription_id: null, merchant_id: merchant.id,
      payment_currency: 'USD', payment_amount: 10_000, converted_currency: 'USD', converted_amount: 10_000,
      requested_currency: 'USD', requested_amount: 10_000, fees: {}, fee_bearer: 'merchant',
      payment_method: { type: 'bank_transfer' },
    });
    const payment = response.json();
    expect(payment.error_description).toMatch(/did not match an active order or payment link/);
    expect('customer_id' in payment).toBe(false);
    expect('payin_type' in payment).toBe(false);

    // The held funds are in neither list of the balances.
    expect(await balances(app, key)).toEqual(before);
    expect(await holdOf(payment.id)).toEqual({ status: 'pending', currency: 'USD', amount: 10_000n, causeType: 'payment', causeId: payment.id });
    expect(await storedBalance(sandbox(merchant), 'USD', 'held')).toBe(10_000n);
    expect(await storedBalance(sandbox(merchant), 'USD', 'clearing')).toBe(-15_000n);
    expect(await journalKindsOf(payment.id)).toEqual(['hold']);
    const recorded = await eventsOf(payment.id);
    expect(recorded.map((e) => [e.entityType, e.eventType])).toEqual([['payment', 'action_required']]);
    expect(recorded[0]!.data).toEqual(payment);
    expect(await getPayment(app, key, payment.id)).toEqual(payment);
    await expectLedgerConsistent(merchant.id);
  });

  it('holds a transfer two payins fit (ambiguous) as PAYIN_NOT_FOUND; both stay active', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const first = await createOrder(app, key);
    const second = await createOrder(app, key);
    expectHeld(await transfer(app, key, 'USD', 10_000), 'PAYIN_NOT_FOUND', { payin_id: null });
    expect(await orderStatus(app, key, first.id)).toBe('active');
    expect(await orderStatus(app, key, second.id)).toBe('active');

    // An order and a payment link of one amount are as ambiguous as two orders.
    const link = await createLink(app, key, { currency: 'EUR', amount: 7_000 });
    const euroOrder = await createOrder(app, key, { currency: 'EUR', amount: 7_000 });
    expectHeld(await transfer(app, key, 'EUR', 7_000), 'PAYIN_NOT_FOUND', { payin_id: null });
    expect(await linkStatus(app, key, link.id)).toBe('active');
    expect(await orderStatus(app, key, euroOrder.id)).toBe('active');
    expect(await balances(app, key)).toEqual({ available: [], pending: [] });
    await expectLedgerConsistent(merchant.id);
  });

  it('never matches an order that does not accept bank_transfer', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const cardOnly = await createOrder(app, key, { payment_methods: ['card'] });
    expectHeld(await transfer(app, key, 'USD', 10_000), 'PAYIN_NOT_FOUND', { payin_id: null });
    expect(await orderStatus(app, key, cardOnly.id)).toBe('active');

    // Nor does it make a bank-transfer order of the same amount ambiguous.
    const order = await createOrder(app, key, { payment_methods: ['bank_transfer'] });
    const response = await transfer(app, key, 'USD', 10_000);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ status: 'success', payin_id: order.id });
    expect(await orderStatus(app, key, cardOnly.id)).toBe('active');
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it('lets exactly one of concurrent transfers matching one order pay it; the others are held', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const order = await createOrder(app, key);
    const responses = await Promise.all(Array.from({ length: 5 }, () => transfer(app, key, 'USD', 10_000)));
    expect(responses.map((r) => r.statusCode), responses.map((r) => r.body).join('\n')).toEqual([201, 201, 201, 201, 201]);
    for (const response of responses) expectSchema('Payment', response.json(), '2026');
    const outcomes = responses.map((r) => `${r.json().status}/${r.json().error_code ?? ''}`).sort();
    expect(outcomes).toEqual([...Array.from({ length: 4 }, () => 'action_required/PAYIN_NOT_FOUND'), 'success/']);
    expect(responses.find((r) => r.json().status === 'success')!.json().payin_id).toBe(order.id);
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    expect(await storedBalance(sandbox(merchant), 'USD', 'held')).toBe(40_000n);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    await expectLedgerConsistent(merchant.id);
  });

  // The amount match must see every fitting payin: 50 newer cheaper orders must not hide an older one that fits.
  it('holds a transfer as ambiguous when a second fitting order is older than 50 cheaper ones', async () => {
    const clock = new ManualClock('2026-01-10T10:00:00Z');
    const { app: clocked } = await buildTestApp({ clock });
    const merchant = await createTestMerchant(clock);
    const key = merchant.sandboxSecret;
    const customerId = await createCustomer(clocked, key);
    const order = async (amount: number) => {
      clock.advance(1_000);
      return createOrder(clocked, key, { customer_id: customerId, amount, payment_methods: ['bank_transfer'] });
    };
    const older = await order(10_000);
    for (let i = 0; i < 49; i++) await order(5_000);
    const newer = await order(10_000);
    const response = await transfer(clocked, key, 'USD', 10_000);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ status: 'action_required', error_code: 'PAYIN_NOT_FOUND', payin_id: null });
    expect(await orderStatus(clocked, key, older.id)).toBe('active');
    expect(await orderStatus(clocked, key, newer.id)).toBe('active');
  });

  it('pays a payment link matched by its amount', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const link = await createLink(app, key, { currency: 'EUR', amount: 5_000 });
    const response = await transfer(app, key, 'EUR', 5_000);
    expect(response.statusCode, response.body).toBe(201);
    expectSchema('Payment', response.json(), '2026');
    expect(response.json()).toMatchObject({
      status: 'success', payin_id: link.id, payin_type: 'payment_link', customer_id: link.customer_id, purpose_code: 'P1401',
      payment_currency: 'EUR', payment_amount: 5_000,
    });
    expect(await linkStatus(app, key, link.id)).toBe('paid');
    expect((await eventsOf(link.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    expect((await balances(app, key)).pending).toEqual([{ currency: 'EUR', amount: 5_000 }]);
    await expectLedgerConsistent(merchant.id);
  });
});

describe('GET /api/v1/payment/{id}/eligible-payins', () => {
  it('lists the active payins accepting bank transfers priced at the held amount, newest first; not expired, paid, cancelled or foreign ones', async () => {
    const clock = new ManualClock('2026-01-10T10:00:00Z');
    const { app } = await buildTestApp({ clock });
    const merchant = await createTestMerchant(clock);
    const other = await createTestMerchant(clock);
    const key = merchant.sandboxSecret;
    const tick = () => clock.advance(1_000);

    const stale = await createOrder(app, key);
    clock.advance(92 * 86_400_000); // past the order's three months; the expiry job has not run
    expect(await orderStatus(app, key, stale.id)).toBe('active');
    const held = await heldTransfer(app, key);

    tick();
    const older = await createOrder(app, key);
    tick();
    const link = await createLink(app, key, {}, clock);
    tick();
    await createOrder(app, key, { payment_methods: ['card'] });
    tick();
    await createOrder(app, key, { amount: 12_000 });
    tick();
    await createOrder(app, key, { currency: 'EUR' });
    tick();
    const paid = await createOrder(app, key);
    expect((await mockPayment(app, key, { payin_id: paid.id, currency: 'USD', amount: 10_000 })).json().status).toBe('success');
    tick();
    const cancelled = await createLink(app, key, {}, clock);
    await cancelLink(app, key, cancelled.id);
    tick();
    await createOrder(app, other.sandboxSecret);
    tick();
    const newest = await createOrder(app, key);

    const response = await eligible(app, key, held);
    expect(response.statusCode, response.body).toBe(200);
    const row = (payin: Payin, payinType: string) => ({
      payin_id: payin.id, payin_type: payinType, customer_id: payin.customer_id,
      requested_currency: 'USD', requested_amount: 10_000, payment_currency: 'USD', payment_amount: 10_000,
      created_at: payin.created_at, expires_at: payin.expires_at,
    });
    expect(response.json()).toEqual({ data: [row(newest, 'orders'), row(link, 'payment_link'), row(older, 'orders')] });

    // Listing changes nothing: the payment stays held, every listed payin active.
    expect(await getPayment(app, key, held)).toMatchObject({ status: 'action_required', error_code: 'PAYIN_NOT_FOUND' });
    expect(await orderStatus(app, key, newest.id)).toBe('active');
    await expectLedgerConsistent(merchant.id);
  });

  it("lists an order made from a payin quote whose source currency and amount are the transfer's (not an expired one, not an unquoted order in another currency)", async () => {
    const clock = new ManualClock('2026-01-10T10:00:00Z');
    const { app } = await buildTestApp({ clock });
    const merchant = await createTestMerchant(clock);
    const key = merchant.sandboxSecret;

    const expired = await quotedOrder(app, key);
    clock.advance(31 * 60_000); // past the quote's 30 minutes, which the order's expires_at follows
    const { order: quoted, sourceAmount } = await quotedOrder(app, key);
    expect(sourceAmount).toBe(expired.sourceAmount);
    const held = await heldTransfer(app, key, 'EUR', sourceAmount);
    clock.advance(1_000);
    await createOrder(app, key); // USD 100.00 with no quote: a EUR transfer cannot be priced at its rate
    clock.advance(1_000);
    const euro = await createOrder(app, key, { currency: 'EUR', amount: sourceAmount });

    const response = await eligible(app, key, held);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      data: [
        {
          payin_id: euro.id, payin_type: 'orders', customer_id: euro.customer_id, requested_currency: 'EUR', requested_amount: sourceAmount,
          payment_currency: 'EUR', payment_amount: sourceAmount, created_at: euro.created_at, expires_at: euro.expires_at,
        },
        {
          payin_id: quoted.id, payin_type: 'orders', customer_id: quoted.customer_id, requested_currency: 'USD', requested_amount: 10_000,
          payment_currency: 'EUR', payment_amount: sourceAmount, created_at: quoted.created_at, expires_at: quoted.expires_at,
        },
      ],
    });
    expect(response.json().data.map((p: { payin_id: string }) => p.payin_id)).not.toContain(expired.order.id);
  });

  it('lists the payins of the received amount for a PAYIN_AMOUNT_MISMATCH transfer, not the payin it named', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const named = await createOrder(app, key);
    const response = await mockPayment(app, key, { payin_id: named.id, currency: 'USD', amount: 12_000 });
    expectHeld(response, 'PAYIN_AMOUNT_MISMATCH', { payin_id: named.id, payment_amount: 12_000 });
    const fits = await createOrder(app, key, { amount: 12_000 });
    const list = await eligible(app, key, response.json().id);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().data.map((p: { payin_id: string }) => p.payin_id)).toEqual([fits.id]);
  });

  describe('refuses', () => {
    let app: App;
    let merchant: TestMerchant;
    beforeAll(async () => {
      ({ app } = await buildTestApp());
      merchant = await createTestMerchant();
    });

    it('a success payment with 400 INVALID_STATE', async () => {
      const order = await createOrder(app, merchant.sandboxSecret);
      const paid = await mockPayment(app, merchant.sandboxSecret, { payin_id: order.id, currency: 'USD', amount: 10_000 });
      expect(paid.json().status).toBe('success');
      const response = await eligible(app, merchant.sandboxSecret, paid.json().id);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(NOT_CONNECTABLE('success'));
    });

    it.each([
      ['a sanctioned remitter', { remitter_name: 'Sanctioned_Entity' }, 10_000],
      ['the magic amount 6623', {}, 6_623],
    ])('a SANCTION_HIT transfer (%s) with 400 INVALID_STATE', async (_name, extra, amount) => {
      const sanctioned = await transfer(app, merchant.sandboxSecret, 'USD', amount, extra);
      expectHeld(sanctioned, 'SANCTION_HIT');
      const response = await eligible(app, merchant.sandboxSecret, sanctioned.json().id);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(NOT_CONNECTABLE('SANCTION_HIT'));
      await expectLedgerConsistent(merchant.id);
    });

    it('a declined card payment with 400 INVALID_STATE', async () => {
      const order = await createOrder(app, merchant.sandboxSecret);
      const failed = await mockPayment(app, merchant.sandboxSecret, { payin_id: order.id, currency: 'USD', amount: 10_000, payment_method: 'Card', card_number: '4556 8911 1111 1112' });
      expect(failed.json().status).toBe('failed');
      const response = await eligible(app, merchant.sandboxSecret, failed.json().id);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(NOT_CONNECTABLE('failed'));
    });

    it("another merchant's held payment with 404, and an id without the payt_ prefix with 400", async () => {
      // An amount no payin of this merchant's is priced at (the declined card above left an order active).
      const held = await heldTransfer(app, merchant.sandboxSecret, 'USD', 4_321);
      const other = await createTestMerchant();
      const foreign = await eligible(app, other.sandboxSecret, held);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toEqual({ error: 'Not Found', message: 'Payment not found', code: 'NOT_FOUND' });
      const prefix = await eligible(app, merchant.sandboxSecret, 'order_6819d8046mpKt');
      expect(prefix.statusCode).toBe(400);
      expect(prefix.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'payt_'", code: 'INVALID_ID' });
    });
  });
});

describe('POST /api/v1/payment/{id}/connect-payin', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('pays an order of the held amount: success with its pricing (merchant-borne fee netted), the order paid, the hold posted in one journal', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'percentage', bps: 250 });
    const held = await heldTransfer(app, key);
    const heldPayment = await getPayment(app, key, held);
    const order = await createOrder(app, key, { purpose_code: 'P0103', product: { name: 'Lamp', description: 'A brass lamp' } });

    const response = await connect(app, key, held, order.id);
    expect(response.statusCode, response.body).toBe(200);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toEqual({
      ...heldPayment,
      status: 'success',
      payin_id: order.id,
      payin_type: 'orders',
      customer_id: order.customer_id,
      purpose_code: 'P0103',
      product_name: 'Lamp',
      product_description: 'A brass lamp',
      error_code: undefined,
      error_description: undefined,
      payment_currency: 'USD', payment_amount: 10_000,
      converted_currency: 'USD', converted_amount: 10_000,
      requested_currency: 'USD', requested_amount: 10_000,
      fee_bearer: 'merchant',
      fees: { txn_fee: { currency: 'USD', amount: 250 } },
      fee_breakdown: {
        fx_fee: [], referral_fee: [],
        txn_fee: [{ amount: 250, currency: 'USD', bearer: 'merchant', collection_mode: 'immediate', taxes: [] }],
      },
      paid_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      created_at: heldPayment.created_at,
    });
    expect('error_code' in payment).toBe(false);
    expect(await getPayment(app, key, held)).toEqual(payment);
    expect(await orderStatus(app, key, order.id)).toBe('paid');

    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 9_750 }] });
    expect(await holdOf(held)).toMatchObject({ status: 'posted', amount: 10_000n });
    const tenant = sandbox(merchant);
    expect(await storedBalance(tenant, 'USD', 'held')).toBe(0n);
    expect(await storedBalance(tenant, 'USD', 'fees')).toBe(250n);
    expect(await storedBalance(tenant, 'USD', 'clearing')).toBe(-10_000n);
    // The hold is posted to pending and fees: no second payment journal on clearing.
    expect(await journalKindsOf(held)).toEqual(['hold', 'hold_post']);

    const recorded = await eventsOf(held);
    expect(recorded.map((e) => [e.entityType, e.eventType])).toEqual([['payment', 'action_required'], ['payment', 'success']]);
    expect(recorded[1]!.data).toEqual(payment);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    await expectLedgerConsistent(merchant.id);

    // The connected payment is like any other: its pending funds can be released.
    const released = await fundsAvailable(app, key, held);
    expect(released.statusCode, released.body).toBe(200);
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 9_750 }], pending: [{ currency: 'USD', amount: 0 }] });
    await expectLedgerConsistent(merchant.id);
  });

  it('pays a payment link too', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const held = await heldTransfer(app, key, 'EUR', 5_000);
    const link = await createLink(app, key, { currency: 'EUR', amount: 5_000 });
    const response = await connect(app, key, held, link.id);
    expect(response.statusCode, response.body).toBe(200);
    expectSchema('Payment', response.json(), '2026');
    expect(response.json()).toMatchObject({ status: 'success', payin_id: link.id, payin_type: 'payment_link', customer_id: link.customer_id });
    expect(await linkStatus(app, key, link.id)).toBe('paid');
    expect((await balances(app, key)).pending).toEqual([{ currency: 'EUR', amount: 5_000 }]);
    expect(await holdOf(held)).toMatchObject({ status: 'posted' });
    await expectLedgerConsistent(merchant.id);
  });

  it('resolves a PAYIN_AMOUNT_MISMATCH transfer to another order of the received amount; the named order stays active', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const named = await createOrder(app, key);
    const mismatched = await mockPayment(app, key, { payin_id: named.id, currency: 'USD', amount: 12_000 });
    expectHeld(mismatched, 'PAYIN_AMOUNT_MISMATCH', { payin_id: named.id, customer_id: named.customer_id, payment_amount: 12_000 });
    const id = mismatched.json().id;

    const toNamed = await connect(app, key, id, named.id);
    expect(toNamed.statusCode).toBe(400);
    expect(toNamed.json()).toEqual({ error: 'Bad Request', message: 'Amount must equal the amount due in USD: 10000', code: 'INVALID_PARAMETER' });

    const fits = await createOrder(app, key, { amount: 12_000 });
    const response = await connect(app, key, id, fits.id);
    expect(response.statusCode, response.body).toBe(200);
    expectSchema('Payment', response.json(), '2026');
    expect(response.json()).toMatchObject({
      status: 'success', payin_id: fits.id, customer_id: fits.customer_id, payment_amount: 12_000, requested_amount: 12_000,
    });
    expect(await orderStatus(app, key, fits.id)).toBe('paid');
    expect(await orderStatus(app, key, named.id)).toBe('active');
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 12_000 }] });
    expect(await holdOf(id)).toMatchObject({ status: 'posted', amount: 12_000n });
    await expectLedgerConsistent(merchant.id);
  });

  it("converts a held EUR transfer into a USD order made from a EUR -> USD payin quote: pending USD credited at the quote's rate", async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const { order, sourceAmount, fxFee } = await quotedOrder(app, key);
    expect(fxFee).toBeGreaterThan(0);
    // A EUR transfer is matched only against EUR payins: the USD order made from the quote waits for connect-payin.
    const held = await heldTransfer(app, key, 'EUR', sourceAmount);
    expect(await orderStatus(app, key, order.id)).toBe('active');

    const response = await connect(app, key, held, order.id);
    expect(response.statusCode, response.body).toBe(200);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({
      status: 'success', payin_id: order.id,
      payment_currency: 'EUR', payment_amount: sourceAmount,
      converted_currency: 'USD', converted_amount: 10_000,
      requested_currency: 'USD', requested_amount: 10_000,
      fees: { fx_fee: { currency: 'EUR', amount: fxFee } },
      fee_breakdown: { fx_fee: [{ amount: fxFee, currency: 'EUR', bearer: 'customer' }], txn_fee: [] },
    });
    expect(await orderStatus(app, key, order.id)).toBe('paid');
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 10_000 }] });
    const tenant = sandbox(merchant);
    expect(await storedBalance(tenant, 'EUR', 'held')).toBe(0n);
    expect(await storedBalance(tenant, 'EUR', 'clearing')).toBe(BigInt(-sourceAmount));
    expect(await storedBalance(tenant, 'EUR', 'fees')).toBe(BigInt(fxFee));
    expect(await storedBalance(tenant, 'EUR', 'fx')).toBe(BigInt(sourceAmount - fxFee));
    expect(await storedBalance(tenant, 'USD', 'fx')).toBe(-10_000n);
    expect(await holdOf(held)).toMatchObject({ status: 'posted', currency: 'EUR', amount: BigInt(sourceAmount) });
    expect(await journalKindsOf(held)).toEqual(['hold', 'hold_post']);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses what it cannot connect, changing nothing', async () => {
    const clock = new ManualClock('2026-01-10T10:00:00Z');
    const { app: clocked } = await buildTestApp({ clock });
    const merchant = await createTestMerchant(clock);
    const other = await createTestMerchant(clock);
    const key = merchant.sandboxSecret;
    const stale = await createOrder(clocked, key);
    clock.advance(92 * 86_400_000);

    const held = await heldTransfer(clocked, key);
    const sanctioned = await transfer(clocked, key, 'USD', 10_000, { remitter_name: 'Sanctioned_Entity' });
    expectHeld(sanctioned, 'SANCTION_HIT');
    const bigger = await createOrder(clocked, key, { amount: 12_000 });
    const cardOnly = await createOrder(clocked, key, { payment_methods: ['card'] });
    const paid = await createOrder(clocked, key);
    expect((await mockPayment(clocked, key, { payin_id: paid.id, currency: 'USD', amount: 10_000 })).json().status).toBe('success');
    const cancelled = await createLink(clocked, key, {}, clock);
    await cancelLink(clocked, key, cancelled.id);
    const foreign = await createOrder(clocked, other.sandboxSecret);
    const fits = await createOrder(clocked, key);

    const heldBefore = await getPayment(clocked, key, held);
    const sanctionedBefore = await getPayment(clocked, key, sanctioned.json().id);
    const balancesBefore = await balances(clocked, key);
    expect(balancesBefore).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 10_000 }] });

    const refusals: Array<[string, string, Record<string, unknown> | string, number, Record<string, unknown>]> = [
      ['another amount', held, bigger.id, 400, { message: 'Amount must equal the amount due in USD: 12000', code: 'INVALID_PARAMETER' }],
      ['a paid order', held, paid.id, 400, { message: 'Order is paid: a payment can only be made while it is active', code: 'INVALID_STATE' }],
      ['a cancelled link', held, cancelled.id, 400, { message: 'Payment link is cancelled: a payment can only be made while it is active', code: 'INVALID_STATE' }],
      ['an expired order', held, stale.id, 400, { message: 'Order is expired: a payment can only be made while it is active', code: 'INVALID_STATE' }],
      ['an order without bank_transfer', held, cardOnly.id, 400, { message: 'Order does not accept bank_transfer payments', code: 'INVALID_PARAMETER' }],
      ['an unknown order', held, 'order_6819d804aaaaa', 404, { message: 'Order not found', code: 'NOT_FOUND' }],
      ['an unknown link', held, 'payin_6819d804aaaaa', 404, { message: 'Payment link not found', code: 'NOT_FOUND' }],
      ["another merchant's order", held, foreign.id, 404, { message: 'Order not found', code: 'NOT_FOUND' }],
      ['a blank payin_id', held, '', 400, { message: "Validation failed: Payin id can't be blank", code: 'VALIDATION_FAILED' }],
      ['a whitespace payin_id', held, '   ', 400, { message: "Validation failed: Payin id can't be blank", code: 'VALIDATION_FAILED' }],
      ['an id that is no payin', held, 'cust_6819d8046mpKt', 400, { message: 'Validation failed: Payin ID must start with order_, plink_ or payin_ and be valid.' }],
      ['no payin_id', held, {}, 400, {}],
      ['a SANCTION_HIT payment', sanctioned.json().id, fits.id, 400, NOT_CONNECTABLE('SANCTION_HIT')],
      ['an unknown payment', 'payt_6819d804aaaaa', fits.id, 404, { message: 'Payment not found', code: 'NOT_FOUND' }],
      ['a payment id without payt_', 'order_6819d8046mpKt', fits.id, 400, { message: "Id must start with 'payt_'", code: 'INVALID_ID' }],
    ];
    for (const [name, paymentId, payload, status, body] of refusals) {
      const response = await connect(clocked, key, paymentId, payload);
      expect(response.statusCode, `${name}: ${response.body}`).toBe(status);
      expect(response.json(), name).toMatchObject(body);
    }
    const foreignConnect = await connect(clocked, other.sandboxSecret, held, foreign.id);
    expect(foreignConnect.statusCode).toBe(404);
    expect(foreignConnect.json()).toMatchObject({ message: 'Payment not found' });

    expect(await getPayment(clocked, key, held)).toEqual(heldBefore);
    expect(await getPayment(clocked, key, sanctioned.json().id)).toEqual(sanctionedBefore);
    expect(await balances(clocked, key)).toEqual(balancesBefore);
    expect(await holdOf(held)).toMatchObject({ status: 'pending' });
    expect(await holdOf(sanctioned.json().id)).toMatchObject({ status: 'pending' });
    expect(await storedBalance(sandbox(merchant), 'USD', 'held')).toBe(20_000n);
    for (const id of [bigger.id, cardOnly.id, fits.id, stale.id]) expect(await orderStatus(clocked, key, id)).toBe('active');
    expect(await orderStatus(clocked, other.sandboxSecret, foreign.id)).toBe('active');
    expect((await eventsOf(held)).map((e) => e.eventType)).toEqual(['action_required']);
    await expectLedgerConsistent(merchant.id);

    // The held payment still connects to what fits; a second connect finds it success.
    const connected = await connect(clocked, key, held, fits.id);
    expect(connected.statusCode, connected.body).toBe(200);
    const again = await connect(clocked, key, held, bigger.id);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual(NOT_CONNECTABLE('success'));
    expect(await getPayment(clocked, key, held)).toEqual(connected.json());
    expect((await balances(clocked, key)).pending).toEqual([{ currency: 'USD', amount: 20_000 }]);
    expect(await orderStatus(clocked, key, bigger.id)).toBe('active');
    await expectLedgerConsistent(merchant.id);
  });

  it('connects one held payment once under 5 concurrent connects', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const held = await heldTransfer(app, key);
    const order = await createOrder(app, key);
    const responses = await Promise.all(Array.from({ length: 5 }, () => connect(app, key, held, order.id)));
    expect(responses.map((r) => r.statusCode).sort(), responses.map((r) => r.body).join('\n')).toEqual([200, 400, 400, 400, 400]);
    for (const loser of responses.filter((r) => r.statusCode === 400)) expect(loser.json()).toEqual(NOT_CONNECTABLE('success'));
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    expect((await eventsOf(held)).map((e) => e.eventType)).toEqual(['action_required', 'success']);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    expect(await journalKindsOf(held)).toEqual(['hold', 'hold_post']);
    await expectLedgerConsistent(merchant.id);
  });

  it('lets one of two held payments connected at once to one order pay it; the other stays held', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const first = await heldTransfer(app, key);
    const second = await heldTransfer(app, key);
    const order = await createOrder(app, key);
    const responses = await Promise.all([first, second].map((id) => connect(app, key, id, order.id)));
    expect(responses.map((r) => r.statusCode).sort(), responses.map((r) => r.body).join('\n')).toEqual([200, 400]);
    const winner = responses.findIndex((r) => r.statusCode === 200);
    const loserId = [first, second][1 - winner]!;
    expect(responses[1 - winner]!.json()).toEqual({
      error: 'Bad Request', message: 'Order is paid: a payment can only be made while it is active', code: 'INVALID_STATE',
    });
    expect(await getPayment(app, key, loserId)).toMatchObject({ status: 'action_required', error_code: 'PAYIN_NOT_FOUND', payin_id: null });
    expect(await holdOf(loserId)).toMatchObject({ status: 'pending' });
    expect(await storedBalance(sandbox(merchant), 'USD', 'held')).toBe(10_000n);
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    await expectLedgerConsistent(merchant.id);
  });
});

describe('payinIdsIn', () => {
  it('finds the order and payment link ids a reference quotes, in order', () => {
    expect(payinIdsIn('Invoice 42, order_6819d8046mpKt; and payin_6819d804aaaaa.')).toEqual(['order_6819d8046mpKt', 'payin_6819d804aaaaa']);
    expect(payinIdsIn('payin_6819d804aaaaa order_6819d8046mpKt')).toEqual(['payin_6819d804aaaaa', 'order_6819d8046mpKt']);
  });

  it('finds nothing in no reference, other prefixes, ids too short or glued to a word', () => {
    expect(payinIdsIn(null)).toEqual([]);
    expect(payinIdsIn('')).toEqual([]);
    expect(payinIdsIn('payt_6819d8046mpKt cust_6819d8046mpKt')).toEqual([]);
    expect(payinIdsIn('order_6819d80')).toEqual([]);
    expect(payinIdsIn('reorder_6819d8046mpKt')).toEqual([]);
  });
});

describeSecurity('GET /api/v1/payment/{id}/eligible-payins', {
  method: 'GET',
  url: (id) => `/api/v1/payment/${id}/eligible-payins`,
  createObject: (app, owner) => heldTransfer(app, owner.sandboxSecret),
  notFoundMessage: 'Payment not found',
  idPrefix: 'payt',
});

// The owner's order is made with the held payment; the suite's last case (the owner's 200) connects the two.
let securityOrderId = 'order_6819d804aaaaa';
describeSecurity('POST /api/v1/payment/{id}/connect-payin', {
  method: 'POST',
  url: (id) => `/api/v1/payment/${id}/connect-payin`,
  payload: () => ({ payin_id: securityOrderId }),
  createObject: async (app, owner) => {
    const id = await heldTransfer(app, owner.sandboxSecret);
    securityOrderId = (await createOrder(app, owner.sandboxSecret)).id;
    return id;
  },
  notFoundMessage: 'Payment not found',
  idPrefix: 'payt',
});
