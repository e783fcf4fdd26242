import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { payments } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent } from '../../../test/support/ledger.js';
import { describeListConventions } from '../../../test/support/lists.js';
import {
  balances, createOrder, createPrice, eventsOf, expectHeld, fundsAvailable, mockPayment, orderStatus,
} from '../../../test/support/payins.js';
import { describeSecurity } from '../../../test/support/security.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API.

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';

/** The mock payment body paying `order` in full (mockPayment makes it a BankTransfer unless `overrides` say otherwise). */
const mockBody = (order: { id: string; amount: number; currency: string }, overrides: Record<string, unknown> = {}) =>
  ({ payin_id: order.id, amount: order.amount, currency: order.currency, ...overrides });

async function payOrder(app: App, key: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const order = await createOrder(app, key);
  const response = await mockPayment(app, key, mockBody(order, overrides));
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/payment/mock', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('pays an order end to end: pending net of the fee, then available; events written', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'percentage', bps: 250 });
    const order = await createOrder(app, key);

    const response = await mockPayment(app, key, mockBody(order));
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json();
    // The 2026 Payment wins over the 2025 one that the mock operations reference.
    expectSchema('Payment', payment, '2026');
    expect(payment).toEqual({
      id: expect.stringMatching(/^payt_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      payin_id: order.id,
      payin_type: 'orders',
      subscription_id: null,
      status: 'success',
      payment_currency: 'USD', payment_amount: 10_000,
      converted_currency: 'USD', converted_amount: 10_000,
      requested_currency: 'USD', requested_amount: 10_000,
      paid_at: payment.created_at,
      fee_bearer: 'merchant',
      fee_collection_mode: 'immediate',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updated_at: payment.created_at,
      customer_id: order.customer_id,
      merchant_id: merchant.id,
      fees: { txn_fee: { currency: 'USD', amount: 250 } },
      fee_breakdown: {
        fx_fee: [], referral_fee: [],
        txn_fee: [{ amount: 250, currency: 'USD', bearer: 'merchant', collection_mode: 'immediate', taxes: [] }],
      },
      documents: [],
      funds_available: false,
      payment_method: { type: 'bank_transfer' },
    });
    expect(await orderStatus(app, key, order.id)).toBe('paid');
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 9_750 }] });
    await expectLedgerConsistent(merchant.id);

    const released = await fundsAvailable(app, key, payment.id);
    expect(released.statusCode, released.body).toBe(200);
    expectSchema('Payment', released.json().data, '2026');
    expect(released.json()).toEqual({
      data: { ...payment, funds_available: true, updated_at: expect.any(String) },
      message: 'Payment funds available status updated successfully',
    });
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 9_750 }], pending: [{ currency: 'USD', amount: 0 }] });
    await expectLedgerConsistent(merchant.id);

    const again = await fundsAvailable(app, key, payment.id);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ error: 'Bad Request', message: 'Transaction already has funds available', code: 'INVALID_STATE' });
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 9_750 }], pending: [{ currency: 'USD', amount: 0 }] });

    const paymentEvents = await eventsOf(payment.id);
    expect(paymentEvents.map((e) => [e.entityType, e.eventType])).toEqual([['payment', 'success'], ['payment', 'funds_available']]);
    expect(paymentEvents[0]!.data).toEqual(payment);
    expect(paymentEvents[1]!.data).toEqual(released.json().data);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);

    const read = await app.inject({ method: 'GET', url: `/api/v1/payment/${payment.id}`, headers: bearer(key) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(released.json().data);
  });

  it("takes a fixed fee from the order's own price over the default", async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    await createPrice(app, key, { pricing_type: 'percentage', bps: 1000 });
    const fixed = await createPrice(app, key, { pricing_type: 'fixed', fees_amount: 300, fees_currency: 'USD' });
    const order = await createOrder(app, key, { price_id: fixed });
    const response = await mockPayment(app, key, mockBody(order));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().fees).toEqual({ txn_fee: { currency: 'USD', amount: 300 } });
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 9_700 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it('credits the whole amount without any price, and converts a fixed fee in another currency at the mid rate, rounded up', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const paid = await mockPayment(app, key, mockBody(await createOrder(app, key)));
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ fees: {}, fee_breakdown: { txn_fee: [], fx_fee: [], referral_fee: [] } });
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);

    // The test rates (test/support/app.ts) are USD 1 = EUR 0.92: EUR 3.00 is USD 3.2608…, rounded up to 3.27.
    const euroFee = await createPrice(app, key, { pricing_type: 'fixed', fees_amount: 300, fees_currency: 'EUR' });
    const order = await createOrder(app, key, { price_id: euroFee });
    const converted = await mockPayment(app, key, mockBody(order));
    expect(converted.statusCode, converted.body).toBe(201);
    expect(converted.json().fees).toEqual({ txn_fee: { currency: 'USD', amount: 327 } });
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 + 9_673 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it('pays by test card, keeping only the network and last four', async () => {
    const merchant = await createTestMerchant();
    const response = await mockPayment(app, merchant.sandboxSecret,
      mockBody(await createOrder(app, merchant.sandboxSecret), { payment_method: 'Card', card_number: VISA_SUCCESS }));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ status: 'success', payment_method: { type: 'card' } });
    const { database } = await testEnv();
    const [row] = await database.db.select().from(payments).where(eq(payments.id, response.json().id));
    expect(row).toMatchObject({ cardNetwork: 'Visa', cardLast4: '1111' });
    expect(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).not.toContain('45324911');
    await expectLedgerConsistent(merchant.id);
  });

  it('records a failed payment for a declining test card; no money moves and the order stays active', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const order = await createOrder(app, key);
    const response = await mockPayment(app, key, mockBody(order, { payment_method: 'Card', card_number: VISA_FAILURE }));
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json();
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({ status: 'failed', error_code: 'PAYMENT_DECLINED', funds_available: false });
    expect(payment.error_description).toEqual(expect.any(String));
    expect(payment.paid_at).toBeUndefined();
    expect(await orderStatus(app, key, order.id)).toBe('active');
    expect(await balances(app, key)).toEqual({ available: [], pending: [] });
    expect((await eventsOf(payment.id)).map((e) => [e.entityType, e.eventType])).toEqual([['payment', 'failed']]);

    const release = await fundsAvailable(app, key, payment.id);
    expect(release.statusCode).toBe(400);
    expect(release.json().message).toBe('Payment must be in success status');

    // A later attempt can still pay the order.
    const retry = await mockPayment(app, key, mockBody(order, { payment_method: 'Card', card_number: VISA_SUCCESS }));
    expect(retry.statusCode, retry.body).toBe(201);
    expect(await orderStatus(app, key, order.id)).toBe('paid');
    await expectLedgerConsistent(merchant.id);
  });

  it('holds a second transfer to a paid order as PAYIN_NOT_FOUND, off the balances', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const order = await createOrder(app, key);
    expect((await mockPayment(app, key, mockBody(order))).statusCode).toBe(201);
    expectHeld(await mockPayment(app, key, mockBody(order)), 'PAYIN_NOT_FOUND', { payin_id: order.id, payment_amount: 10_000 });
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    await expectLedgerConsistent(merchant.id);
  });

  it('lets exactly one of concurrent payments of one order succeed; the others are held', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const order = await createOrder(app, key);
    const responses = await Promise.all(Array.from({ length: 5 }, () => mockPayment(app, key, mockBody(order))));
    expect(responses.map((r) => r.statusCode), responses.map((r) => r.body).join('\n')).toEqual([201, 201, 201, 201, 201]);
    const outcomes = responses.map((r) => `${r.json().status}/${r.json().error_code ?? ''}`).sort();
    expect(outcomes).toEqual(['action_required/PAYIN_NOT_FOUND', 'action_required/PAYIN_NOT_FOUND', 'action_required/PAYIN_NOT_FOUND', 'action_required/PAYIN_NOT_FOUND', 'success/']);
    expect((await balances(app, key)).pending).toEqual([{ currency: 'USD', amount: 10_000 }]);
    expect((await eventsOf(order.id)).map((e) => e.eventType)).toEqual(['active', 'paid']);
    await expectLedgerConsistent(merchant.id);
  });

  it('releases funds once under concurrent calls', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const id = await payOrder(app, key);
    const responses = await Promise.all(Array.from({ length: 4 }, () => fundsAvailable(app, key, id)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 400, 400, 400]);
    expect(await balances(app, key)).toEqual({ available: [{ currency: 'USD', amount: 10_000 }], pending: [{ currency: 'USD', amount: 0 }] });
    await expectLedgerConsistent(merchant.id);
  });

  it('answers the production key 404 as an unknown route, before validating the body', async () => {
    const merchant = await createTestMerchant();
    // An empty body, not mockPayment's (which names a payment_method).
    const create = await app.inject({ method: 'POST', url: '/api/v1/payment/mock', headers: bearer(merchant.productionSecret), payload: {} });
    expect(create.statusCode).toBe(404);
    expect(create.json()).toEqual({ error: 'Not Found', message: 'Route POST /api/v1/payment/mock not found', code: 'ROUTE_NOT_FOUND' });
    const id = await payOrder(app, merchant.sandboxSecret);
    const release = await fundsAvailable(app, merchant.productionSecret, id);
    expect(release.statusCode).toBe(404);
    expect(release.json()).toMatchObject({ error: 'Not Found', code: 'ROUTE_NOT_FOUND' });
  });

  describe('refuses invalid requests, with nothing written', () => {
    let merchant: TestMerchant;
    let order: { id: string; amount: number; currency: string; customer_id: string };
    beforeAll(async () => {
      merchant = await createTestMerchant();
      order = await createOrder(app, merchant.sandboxSecret, { payment_methods: ['bank_transfer'] });
    });

    it.each([
      [{ payin_id: 'cust_6819d8046mpKt' }, 400, 'Validation failed: Payin ID must start with order_, plink_ or payin_ and be valid.'],
      [{ payin_id: 'order_6819d804aaaaa' }, 404, 'Order not found'],
      [{ payin_id: 'payin_6819d804aaaaa' }, 404, 'Payment link not found'],
      [{ currency: 'XYZ' }, 400, 'Validation failed: Currency must be a valid ISO 4217 currency code (e.g., USD)'],
      [{ currency: 'BRL' }, 400, 'Currency BRL is not supported for payments'],
      [{ amount: 99 }, 400, 'Validation failed: Amount must be between 100 and 9007199254740991'],
      [{ payment_method: 'Card', card_number: VISA_SUCCESS }, 400, 'Order does not accept card payments'],
      [{ payment_method: 'Card', card_number: '4111 1111 1111 1111' }, 400, 'Card is not a valid test card'],
      [{ payment_method: 'Card' }, 400, "Validation failed: Card number can't be blank"],
      [{ payment_method: 'Card', payin_id: undefined, card_number: VISA_SUCCESS }, 400, "Validation failed: Payin id can't be blank"],
      [{ card_number: VISA_SUCCESS }, 400, 'card_number can only be sent with payment_method Card'],
    ])('%j answers %i', async (overrides, status, message) => {
      const response = await mockPayment(app, merchant.sandboxSecret, mockBody(order, overrides));
      expect(response.statusCode, response.body).toBe(status);
      expect(response.json().message).toBe(message);
    });

    it('leaves the order active and the ledger empty', async () => {
      expect(await orderStatus(app, merchant.sandboxSecret, order.id)).toBe('active');
      expect(await balances(app, merchant.sandboxSecret)).toEqual({ available: [], pending: [] });
      await expectLedgerConsistent(merchant.id);
    });
  });
});

describe('GET /api/v1/payment', () => {
  let app: App;
  let merchant: TestMerchant;
  let paidId: string;
  let failedId: string;
  let orderId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await createTestMerchant();
    const order = await createOrder(app, merchant.sandboxSecret, { currency: 'EUR' });
    orderId = order.id;
    const failed = await mockPayment(app, merchant.sandboxSecret, mockBody(order, { payment_method: 'Card', card_number: VISA_FAILURE }));
    failedId = failed.json().id;
    const paid = await mockPayment(app, merchant.sandboxSecret, mockBody(order));
    paidId = paid.json().id;
    await payOrder(app, merchant.sandboxSecret);
  });

  const list = async (query = '') => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/payment${query}`, headers: bearer(merchant.sandboxSecret) });
    return response;
  };
  const ids = async (query: string) => {
    const response = await list(query);
    expect(response.statusCode, response.body).toBe(200);
    expectResponse('get', '/payment', 200, response.json(), '2026');
    return (response.json().data as { id: string }[]).map((p) => p.id);
  };

  it('lists newest first in the contract shape', async () => {
    const all = await ids('');
    expect(all).toHaveLength(3);
    expect(all.slice(1)).toEqual([paidId, failedId]);
  });

  it('filters on payin_id, status, currency (case-insensitive) and payment_type', async () => {
    expect(await ids(`?payin_id=${orderId}`)).toEqual([paidId, failedId]);
    expect(await ids(`?payin_id=${orderId}&status=failed`)).toEqual([failedId]);
    expect(await ids('?currency=eur')).toEqual([paidId, failedId]);
    expect(await ids('?payment_type=orders')).toHaveLength(3);
    expect(await ids('?payment_type=add_funds')).toEqual([]);
    expect(await ids('?compliance_status=approved')).toEqual([]);
  });

  it('refuses payin_id with subscription_id, and statuses outside the filter set', async () => {
    expect((await list(`?payin_id=${orderId}&subscription_id=sub_68877570b5zeE`)).statusCode).toBe(400);
    expect((await list('?status=under_review')).statusCode).toBe(400);
  });

  it('refuses a payin_id that is neither an order nor a payment link (plink_, or the older payin_)', async () => {
    for (const id of ['cust_6819d8046mpKt', 'sub_68877570b5zeE', 'anything']) {
      const response = await list(`?payin_id=${id}`);
      expect(response.statusCode, id).toBe(400);
      expect(response.json()).toEqual({
        error: 'Bad Request', message: 'Validation failed: Payin ID must start with order_, plink_ or payin_ and be valid.', code: 'VALIDATION_FAILED',
      });
    }
    for (const id of ['plink_6819d804aaaaa', 'payin_6819d804aaaaa']) expect(await ids(`?payin_id=${id}`)).toEqual([]);
  });
});

describeListConventions('GET /api/v1/payment', {
  url: '/api/v1/payment',
  // The 2026 contract's shape wins for payments (the helper's contractPath checks against 2025).
  checkPage: (body) => expectResponse('get', '/payment', 200, body, '2026'),
  create: async (app, key) => payOrder(app, key),
});

describeSecurity('POST /api/v1/payment/mock', {
  method: 'POST',
  url: () => '/api/v1/payment/mock',
  payload: () => ({ payin_id: 'order_6819d804aaaaa', amount: 10_000, currency: 'USD' }),
});

describeSecurity('GET /api/v1/payment', {
  method: 'GET',
  url: () => '/api/v1/payment',
  listedObject: (app, owner) => payOrder(app, owner.sandboxSecret),
});

describeSecurity('GET /api/v1/payment/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/payment/${id}`,
  createObject: (app, owner) => payOrder(app, owner.sandboxSecret),
  notFoundMessage: 'Payment not found',
  idPrefix: 'payt',
});

// The production key gets the unknown-route 404 (tested above), so this suite has no createObject: the
// object cases follow here by hand.
describeSecurity('PATCH /api/v1/payment/{id}/mock-funds-available', {
  method: 'PATCH',
  url: () => '/api/v1/payment/payt_6819d804aaaaa/mock-funds-available',
});

describe('PATCH /api/v1/payment/{id}/mock-funds-available: object cases', () => {
  let app: App;
  let owner: TestMerchant;
  let paymentId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    owner = await createTestMerchant();
    paymentId = await payOrder(app, owner.sandboxSecret);
  });

  it("answers 404 Payment not found for another merchant's payment and for an unknown id", async () => {
    const other = await createTestMerchant();
    for (const [key, id] of [[other.sandboxSecret, paymentId], [owner.sandboxSecret, 'payt_6819d804aaaaa']] as const) {
      const response = await fundsAvailable(app, key, id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'Not Found', message: 'Payment not found', code: 'NOT_FOUND' });
    }
  });

  it("answers 400 Id must start with 'payt_' for another prefix", async () => {
    const response = await fundsAvailable(app, owner.sandboxSecret, 'order_6819d8046mpKt');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'payt_'", code: 'INVALID_ID' });
  });
});
