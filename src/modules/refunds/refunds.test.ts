import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { events, ledgerAccounts, refunds } from '../../db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent, fundMerchant } from '../../../test/support/ledger.js';
import { uploadDocumentId } from '../../../test/support/fixtures.js';
import { describeListConventions } from '../../../test/support/lists.js';
import { describeSecurity } from '../../../test/support/security.js';
import { expectRfiDocumentsRefused } from '../../../test/support/rfi-documents.js';
import { createdRefundStatusCode } from './service.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures through the API: an order of 100.00 USD paid by bank transfer or a test card (no price, so no fee), its
// funds made available unless asked otherwise. Refunds of part of a payment need a card payment of a merchant whose
// operator enabled partial refunds (withPartialRefunds).

const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_SUCCESS = '4532 4911 1111 1111';

/** Enables partial refunds for the merchant through the operator API. */
async function withPartialRefunds(app: App, merchant: TestMerchant, enabled = true): Promise<TestMerchant> {
  const response = await app.inject({
    method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: { partial_refunds: enabled },
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json().partial_refunds).toBe(enabled);
  return merchant;
}

async function payOrder(app: App, key: string, options: { available?: boolean; card?: string } = {}): Promise<string> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const order = await app.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(key),
    payload: { customer_id: customer.json().id, currency: 'USD', amount: 10_000, payment_methods: ['bank_transfer', 'card'] },
  });
  expect(order.statusCode, order.body).toBe(201);
  const payment = await app.inject({
    method: 'POST', url: '/api/v1/payment/mock', headers: bearer(key),
    payload: {
      payin_id: order.json().id, amount: 10_000, currency: 'USD',
      ...(options.card ? { payment_method: 'Card', card_number: options.card } : { payment_method: 'BankTransfer' }),
    },
  });
  expect(payment.statusCode, payment.body).toBe(201);
  if (options.available ?? payment.json().status === 'success') {
    const released = await app.inject({ method: 'PATCH', url: `/api/v1/payment/${payment.json().id}/mock-funds-available`, headers: bearer(key) });
    expect(released.statusCode, released.body).toBe(200);
  }
  return payment.json().id;
}

const createRefund = (app: App, key: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/refunds', headers: bearer(key), payload: { reason: 'Requested By Customer', ...payload } });

const mockStatus = (app: App, key: string, id: string, status: string) =>
  app.inject({ method: 'PATCH', url: `/api/v1/refunds/${id}/mock_update_status`, headers: bearer(key), payload: { status } });

async function refundOf(app: App, key: string, paymentId: string, amount?: number): Promise<string> {
  const response = await createRefund(app, key, { payment_id: paymentId, ...(amount !== undefined ? { amount } : {}) });
  expect(response.statusCode, response.body).toBe(202);
  return response.json().id;
}

/** The merchant's sandbox USD accounts: available and held (funds of refunds in flight). */
async function usd(merchantId: string): Promise<{ available: bigint; held: bigint }> {
  const { database } = await testEnv();
  const rows = await database.db.select().from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.merchantId, merchantId), eq(ledgerAccounts.env, 'sandbox'), eq(ledgerAccounts.currency, 'USD')));
  const of = (purpose: string) => rows.find((row) => row.purpose === purpose)?.balance ?? 0n;
  return { available: of('available'), held: of('held') };
}

async function eventsOf(entityId: string) {
  const { database } = await testEnv();
  return database.db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq);
}

async function storedRefunds(merchantId: string) {
  const { database } = await testEnv();
  return database.db.select().from(refunds).where(eq(refunds.merchantId, merchantId));
}

/** The contract's Refund enum lacks the live API's `in_progress` (notes-payins §9.6): check the rest of the shape. */
const expectRefundSchema = (body: { status: string }) =>
  expectSchema('Refund', body.status === 'in_progress' ? { ...body, status: 'pending' } : body);

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ---------------------------------------------------------------------------------------------------------------

describe('POST /api/v1/refunds', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  it('refunds a whole bank transfer: 202 in_progress, held at creation, gone on success; only the success event', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const paymentId = await payOrder(app, key);
    const payment = (await app.inject({ method: 'GET', url: `/api/v1/payment/${paymentId}`, headers: bearer(key) })).json();
    expect(await usd(merchant.id)).toEqual({ available: 10_000n, held: 0n });

    const response = await createRefund(app, key, { payment_id: paymentId, request_id: 'refund-1' });
    expect(response.statusCode, response.body).toBe(202);
    const refund = response.json();
    expectRefundSchema(refund);
    expect(refund).toEqual({
      id: expect.stringMatching(/^refund_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      customer_id: payment.customer_id,
      payment_id: paymentId,
      reason: 'Requested By Customer',
      documents: [],
      status: 'in_progress',
      currency: 'USD',
      amount: 10_000,
      created_at: expect.stringMatching(ISO_MS),
      updated_at: refund.created_at,
    });
    expect(await usd(merchant.id)).toEqual({ available: 0n, held: 10_000n });
    expect(await eventsOf(refund.id)).toEqual([]);
    await expectLedgerConsistent(merchant.id);

    const read = await app.inject({ method: 'GET', url: `/api/v1/refunds/${refund.id}`, headers: bearer(key) });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(refund);

    const done = await mockStatus(app, key, refund.id, 'success');
    expect(done.statusCode, done.body).toBe(200);
    expectSchema('Refund', done.json());
    expect(done.json()).toEqual({ ...refund, status: 'success', updated_at: expect.stringMatching(ISO_MS) });
    expect(await usd(merchant.id)).toEqual({ available: 0n, held: 0n });
    const refundEvents = await eventsOf(refund.id);
    expect(refundEvents.map((e) => [e.entityType, e.eventType])).toEqual([['refund', 'success']]);
    expect(refundEvents[0]!.data).toEqual(done.json());
    await expectLedgerConsistent(merchant.id);

    // Nothing is left to refund, and the same request_id answers the duplicate first.
    const again = await createRefund(app, key, { payment_id: paymentId });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ error: 'Bad Request', message: 'Payment is already fully refunded', code: 'INVALID_STATE' });
    const repeat = await createRefund(app, key, { payment_id: paymentId, request_id: 'refund-1' });
    expect(repeat.statusCode).toBe(400);
    expect(repeat.json()).toEqual({ error: 'Bad Request', message: 'Refund already exists for this request_id', code: 'DUPLICATE_REQUEST_ID' });
    expect(await storedRefunds(merchant.id)).toHaveLength(1);
  });

  it('refunds a card payment in parts up to the remainder; a failed refund frees its amount again', async () => {
    const merchant = await withPartialRefunds(app, await createTestMerchant());
    const key = merchant.sandboxSecret;
    const paymentId = await payOrder(app, key, { card: VISA_SUCCESS });

    const first = await refundOf(app, key, paymentId, 3_000);
    const second = await refundOf(app, key, paymentId, 2_000);
    expect(await usd(merchant.id)).toEqual({ available: 5_000n, held: 5_000n });

    const beyond = await createRefund(app, key, { payment_id: paymentId, amount: 5_001 });
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json()).toEqual({
      error: 'Bad Request',
      message: 'Amount exceeds the refundable amount of the payment: at most 5000 can be refunded',
      code: 'INVALID_PARAMETER',
    });

    const failed = await mockStatus(app, key, first, 'failed');
    expect(failed.statusCode, failed.body).toBe(200);
    expect(failed.json().status).toBe('failed');
    expect(await usd(merchant.id)).toEqual({ available: 8_000n, held: 2_000n });
    expect((await eventsOf(first)).map((e) => [e.entityType, e.eventType])).toEqual([['refund', 'failed']]);
    await expectLedgerConsistent(merchant.id);

    // The failed 3000 counts no more: 8000 remain, taken by default.
    const rest = await createRefund(app, key, { payment_id: paymentId, reason: 'Duplicate' });
    expect(rest.statusCode, rest.body).toBe(202);
    expect(rest.json()).toMatchObject({ amount: 8_000, reason: 'Duplicate', status: 'in_progress' });
    expect(await usd(merchant.id)).toEqual({ available: 0n, held: 10_000n });
    expect((await mockStatus(app, key, second, 'success')).statusCode).toBe(200);
    expect((await mockStatus(app, key, rest.json().id, 'success')).statusCode).toBe(200);
    expect(await usd(merchant.id)).toEqual({ available: 0n, held: 0n });
    await expectLedgerConsistent(merchant.id);
  });

  it('funds refunds from the available balance only: 400 with the shortfall, nothing stored', async () => {
    const merchant = await withPartialRefunds(app, await createTestMerchant());
    const key = merchant.sandboxSecret;
    const paymentId = await payOrder(app, key, { available: false, card: VISA_SUCCESS });
    await fundMerchant(merchant.id, 'USD', 2_500n);

    const response = await createRefund(app, key, { payment_id: paymentId, amount: 4_000, request_id: 'short' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request',
      message: 'Account has insufficient balance to process this transaction. Additional amount required: 1500.',
      code: 'INSUFFICIENT_BALANCE',
    });
    expect(await storedRefunds(merchant.id)).toEqual([]);
    expect(await usd(merchant.id)).toEqual({ available: 2_500n, held: 0n });
    await expectLedgerConsistent(merchant.id);

    // The request_id was not spent by the refusal.
    const retry = await createRefund(app, key, { payment_id: paymentId, amount: 2_500, request_id: 'short' });
    expect(retry.statusCode, retry.body).toBe(202);
    expect(await usd(merchant.id)).toEqual({ available: 0n, held: 2_500n });
    await expectLedgerConsistent(merchant.id);
  });

  it('serialises concurrent refunds of one payment: exactly the ones that fit succeed', async () => {
    const merchant = await withPartialRefunds(app, await createTestMerchant());
    const key = merchant.sandboxSecret;
    const paymentId = await payOrder(app, key, { card: VISA_SUCCESS });
    // Available (25 000) covers all ten, so only the payment's remainder can refuse them.
    await fundMerchant(merchant.id, 'USD', 15_000n);

    const responses = await Promise.all(Array.from({ length: 10 }, () => createRefund(app, key, { payment_id: paymentId, amount: 1_500 })));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 400, 400, 400, 400]);
    for (const refused of responses.filter((r) => r.statusCode === 400)) {
      // Refusals start once six are in: 1000 remain for each of them.
      expect(refused.json().message).toBe('Amount exceeds the refundable amount of the payment: at most 1000 can be refunded');
    }
    expect((await storedRefunds(merchant.id)).reduce((sum, row) => sum + row.amount, 0n)).toBe(9_000n);
    expect(await usd(merchant.id)).toEqual({ available: 16_000n, held: 9_000n });
    await expectLedgerConsistent(merchant.id);
  });

  it('creates one refund for concurrent requests with the same request_id', async () => {
    const merchant = await withPartialRefunds(app, await createTestMerchant());
    const key = merchant.sandboxSecret;
    const paymentId = await payOrder(app, key, { card: VISA_SUCCESS });

    const responses = await Promise.all(Array.from({ length: 5 }, () =>
      createRefund(app, key, { payment_id: paymentId, amount: 1_000, request_id: 'same' })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([202, 400, 400, 400, 400]);
    for (const refused of responses.filter((r) => r.statusCode === 400)) {
      expect(refused.json()).toEqual({ error: 'Bad Request', message: 'Refund already exists for this request_id', code: 'DUPLICATE_REQUEST_ID' });
    }
    expect(await storedRefunds(merchant.id)).toHaveLength(1);
    expect(await usd(merchant.id)).toEqual({ available: 9_000n, held: 1_000n });
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses payments that are not refundable', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const failedPayment = await payOrder(app, key, { card: VISA_FAILURE });
    const other = await createTestMerchant();
    const othersPayment = await payOrder(app, other.sandboxSecret);

    const cases: [Record<string, unknown>, number, string][] = [
      [{ payment_id: failedPayment }, 400, 'Payment is failed: only a success payment can be refunded'],
      [{ payment_id: othersPayment }, 404, 'Payment not found'],
      [{ payment_id: 'payt_6819d804aaaaa' }, 404, 'Payment not found'],
      [{ payment_id: 'order_6819d804aaaaa' }, 400, "Id must start with 'payt_'"],
      [{ payment_id: '  ' }, 400, "Validation failed: Payment id can't be blank"],
      [{ payment_id: othersPayment, document_id: 'doc_6819d804aaaaa' }, 400, 'Refund documents are not supported yet: send no document_id, document_url or file_name'],
    ];
    for (const [payload, status, message] of cases) {
      const response = await createRefund(app, key, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json().message, JSON.stringify(payload)).toBe(message);
    }
    for (const payload of [{ payment_id: othersPayment, amount: 0 }, { payment_id: othersPayment, reason: 'Because' }, { reason: 'Others' }]) {
      const response = await createRefund(app, key, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code, JSON.stringify(payload)).toBe('VALIDATION_FAILED');
    }
    expect(await storedRefunds(merchant.id)).toEqual([]);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses payments older than 180 days', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const { app: clocked } = await buildTestApp({ clock });
    const merchant = await withPartialRefunds(clocked, await createTestMerchant(clock));
    const paymentId = await payOrder(clocked, merchant.sandboxSecret, { card: VISA_SUCCESS });

    clock.advance(180 * 24 * 3600 * 1000);
    const last = await createRefund(clocked, merchant.sandboxSecret, { payment_id: paymentId, amount: 100 });
    expect(last.statusCode, last.body).toBe(202);
    clock.advance(1);
    const late = await createRefund(clocked, merchant.sandboxSecret, { payment_id: paymentId, amount: 100 });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toEqual({ error: 'Bad Request', message: 'Payment is older than 180 days and cannot be refunded', code: 'INVALID_STATE' });
    await expectLedgerConsistent(merchant.id);
  });
});

describe('POST /api/v1/refunds: partial refunds', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  const PARTIAL_DISABLED = { error: 'Bad Request', message: 'Partial refunds are not enabled for this business', code: 'INVALID_PARAMETER' };

  it('refuses less than the remainder of a card payment unless the operator enabled partial refunds; nothing stored', async () => {
    const merchant = await createTestMerchant();
    const key = merchant.sandboxSecret;
    const paymentId = await payOrder(app, key, { card: VISA_SUCCESS });

    const refused = await createRefund(app, key, { payment_id: paymentId, amount: 4_000, request_id: 'part' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual(PARTIAL_DISABLED);
    expect(await storedRefunds(merchant.id)).toEqual([]);
    expect(await usd(merchant.id)).toEqual({ available: 10_000n, held: 0n });
    await expectLedgerConsistent(merchant.id);

    // Enabled: the same request goes through (the refusal spent no request_id).
    await withPartialRefunds(app, merchant);
    const part = await createRefund(app, key, { payment_id: paymentId, amount: 4_000, request_id: 'part' });
    expect(part.statusCode, part.body).toBe(202);
    expect(part.json()).toMatchObject({ amount: 4_000, status: 'in_progress' });
    expect(await usd(merchant.id)).toEqual({ available: 6_000n, held: 4_000n });

    // Disabled again: a repeat answers the duplicate first; less than the 6000 left is refused, all of it is not.
    await withPartialRefunds(app, merchant, false);
    const repeat = await createRefund(app, key, { payment_id: paymentId, amount: 4_000, request_id: 'part' });
    expect(repeat.statusCode).toBe(400);
    expect(repeat.json()).toEqual({ error: 'Bad Request', message: 'Refund already exists for this request_id', code: 'DUPLICATE_REQUEST_ID' });
    const smaller = await createRefund(app, key, { payment_id: paymentId, amount: 5_999 });
    expect(smaller.statusCode).toBe(400);
    expect(smaller.json()).toEqual(PARTIAL_DISABLED);
    expect(await usd(merchant.id)).toEqual({ available: 6_000n, held: 4_000n });
    const rest = await createRefund(app, key, { payment_id: paymentId, amount: 6_000 });
    expect(rest.statusCode, rest.body).toBe(202);
    expect(rest.json()).toMatchObject({ amount: 6_000, status: 'in_progress' });
    expect((await storedRefunds(merchant.id)).map((row) => row.amount).sort()).toEqual([4_000n, 6_000n]);
    expect(await usd(merchant.id)).toEqual({ available: 0n, held: 10_000n });
    await expectLedgerConsistent(merchant.id);
  });

  it('refunds a bank transfer whole only, even with partial refunds enabled', async () => {
    const merchant = await withPartialRefunds(app, await createTestMerchant());
    const key = merchant.sandboxSecret;
    const paymentId = await payOrder(app, key);

    const refused = await createRefund(app, key, { payment_id: paymentId, amount: 5_000 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual(PARTIAL_DISABLED);
    expect(await storedRefunds(merchant.id)).toEqual([]);
    expect(await usd(merchant.id)).toEqual({ available: 10_000n, held: 0n });

    // The whole amount, by default or named, keeps working, also again after a refund that failed.
    const whole = await createRefund(app, key, { payment_id: paymentId });
    expect(whole.statusCode, whole.body).toBe(202);
    expect(whole.json()).toMatchObject({ amount: 10_000, status: 'in_progress' });
    expect((await mockStatus(app, key, whole.json().id, 'failed')).statusCode).toBe(200);
    const named = await createRefund(app, key, { payment_id: paymentId, amount: 10_000 });
    expect(named.statusCode, named.body).toBe(202);
    expect(named.json()).toMatchObject({ amount: 10_000, status: 'in_progress' });
    expect(await usd(merchant.id)).toEqual({ available: 0n, held: 10_000n });
    await expectLedgerConsistent(merchant.id);
  });
});

describe('the status code of a created refund (notes-payins §9.2)', () => {
  // Every refund starts in_progress here (202, tested through the API above); the others are the live API's answers
  // for refunds that resolve or stop at creation, which no refund reaches in this server yet.
  it('is 202 while on its way, 201 when already success, 422 when failed or cancelled at creation', () => {
    expect(createdRefundStatusCode('in_progress')).toBe(202);
    expect(createdRefundStatusCode('action_required')).toBe(202);
    expect(createdRefundStatusCode('under_review')).toBe(202);
    expect(createdRefundStatusCode('success')).toBe(201);
    expect(createdRefundStatusCode('failed')).toBe(422);
    expect(createdRefundStatusCode('cancelled')).toBe(422);
  });
});

describe('PATCH /api/v1/refunds/{id}/mock_update_status', () => {
  let app: App;
  let merchant: TestMerchant;
  let paymentId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await withPartialRefunds(app, await createTestMerchant());
    paymentId = await payOrder(app, merchant.sandboxSecret, { card: VISA_SUCCESS });
  });

  it('resolves a refund once: any second update answers 400, money untouched', async () => {
    const key = merchant.sandboxSecret;
    const succeeded = await refundOf(app, key, paymentId, 1_000);
    const failed = await refundOf(app, key, paymentId, 1_000);
    expect((await mockStatus(app, key, succeeded, 'success')).statusCode).toBe(200);
    expect((await mockStatus(app, key, failed, 'failed')).statusCode).toBe(200);
    const before = await usd(merchant.id);
    for (const [id, was] of [[succeeded, 'success'], [failed, 'failed']] as const) {
      for (const status of ['success', 'failed']) {
        const response = await mockStatus(app, key, id, status);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({ error: 'Bad Request', message: `Refund is ${was}: only an in_progress refund can be updated`, code: 'INVALID_STATE' });
      }
    }
    expect(await usd(merchant.id)).toEqual(before);
    expect((await eventsOf(succeeded)).map((e) => e.eventType)).toEqual(['success']);
    expect((await eventsOf(failed)).map((e) => e.eventType)).toEqual(['failed']);
    await expectLedgerConsistent(merchant.id);
  });

  it('lets one of concurrent updates win', async () => {
    const key = merchant.sandboxSecret;
    const id = await refundOf(app, key, paymentId, 500);
    const responses = await Promise.all(['success', 'failed', 'success', 'failed'].map((status) => mockStatus(app, key, id, status)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 400, 400, 400]);
    expect(await eventsOf(id)).toHaveLength(1);
    await expectLedgerConsistent(merchant.id);
  });

  it('refuses other statuses, unknown refunds and wrong prefixes', async () => {
    const key = merchant.sandboxSecret;
    const id = await refundOf(app, key, paymentId, 100);
    for (const status of ['in_progress', 'pending', 'SUCCESS']) {
      const response = await mockStatus(app, key, id, status);
      expect(response.statusCode, status).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
    }
    const other = await createTestMerchant();
    for (const [k, target] of [[other.sandboxSecret, id], [key, 'refund_6819d804aaaaa']] as const) {
      const response = await mockStatus(app, k, target, 'success');
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'Not Found', message: 'Refund not found', code: 'NOT_FOUND' });
    }
    const wrong = await mockStatus(app, key, 'payt_6819d804aaaaa', 'success');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ error: 'Bad Request', message: "Id must start with 'refund_'", code: 'INVALID_ID' });
    expect((await app.inject({ method: 'GET', url: `/api/v1/refunds/${id}`, headers: bearer(key) })).json().status).toBe('in_progress');
  });

  it('answers the production key 404 as an unknown route, before validating the body', async () => {
    const id = await refundOf(app, merchant.sandboxSecret, paymentId, 100);
    const response = await app.inject({
      method: 'PATCH', url: `/api/v1/refunds/${id}/mock_update_status`, headers: bearer(merchant.productionSecret), payload: {},
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: `Route PATCH /api/v1/refunds/${id}/mock_update_status not found`, code: 'ROUTE_NOT_FOUND' });
  });
});

describe('GET /api/v1/refunds', () => {
  let app: App;
  let merchant: TestMerchant;
  let paymentA: string;
  let ids: { a1: string; a2: string; b1: string };
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await withPartialRefunds(app, await createTestMerchant());
    const key = merchant.sandboxSecret;
    // Two partial refunds of a card payment, then a whole one of a bank transfer.
    paymentA = await payOrder(app, key, { card: VISA_SUCCESS });
    const paymentB = await payOrder(app, key);
    ids = { a1: await refundOf(app, key, paymentA, 100), a2: '', b1: '' };
    const a2 = await createRefund(app, key, { payment_id: paymentA, amount: 200, request_id: 'listed' });
    expect(a2.statusCode, a2.body).toBe(202);
    ids.a2 = a2.json().id;
    ids.b1 = await refundOf(app, key, paymentB);
    expect((await mockStatus(app, key, ids.a1, 'success')).statusCode).toBe(200);
  });

  const list = (query: string) => app.inject({ method: 'GET', url: `/api/v1/refunds${query}`, headers: bearer(merchant.sandboxSecret) });
  const listed = async (query: string) => {
    const response = await list(query);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().data as { id: string }[]).map((r) => r.id);
  };

  it('filters by payment, status, payment method and request_id', async () => {
    expect(await listed('')).toEqual([ids.b1, ids.a2, ids.a1]);
    expect(await listed(`?payment_id=${paymentA}`)).toEqual([ids.a2, ids.a1]);
    expect(await listed('?status=success')).toEqual([ids.a1]);
    expect(await listed('?status=in_progress')).toEqual([ids.b1, ids.a2]);
    expect(await listed('?status=pending')).toEqual([ids.b1, ids.a2]);
    expect(await listed('?status=under_review')).toEqual([]);
    expect(await listed('?payment_method=card')).toEqual([ids.a2, ids.a1]);
    expect(await listed('?payment_method=bank_transfer')).toEqual([ids.b1]);
    expect(await listed('?request_id=listed')).toEqual([ids.a2]);
    expect((await list('?status=cancelled')).statusCode).toBe(400);
  });
});

describeListConventions('GET /api/v1/refunds', {
  url: '/api/v1/refunds',
  contractPath: '/refunds',
  // Resolved refunds, so that each page also passes the contract's status enum (which lacks in_progress).
  create: async (app, key) => {
    const id = await refundOf(app, key, await payOrder(app, key));
    expect((await mockStatus(app, key, id, 'success')).statusCode).toBe(200);
    return id;
  },
});

describe('PATCH /api/v1/refunds/{id}/update_rfi', () => {
  let app: App;
  let merchant: TestMerchant;
  let paymentId: string;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
    merchant = await withPartialRefunds(app, await createTestMerchant());
    paymentId = await payOrder(app, merchant.sandboxSecret, { card: VISA_SUCCESS });
  });

  const updateRfi = (key: string, id: string, payload: unknown) =>
    app.inject({ method: 'PATCH', url: `/api/v1/refunds/${id}/update_rfi`, headers: bearer(key), payload: payload as Record<string, unknown> });
  const read = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/refunds/${id}`, headers: bearer(merchant.sandboxSecret) })).json();

  it('attaches documents to an in_progress refund, in order, without an event or a status change', async () => {
    const key = merchant.sandboxSecret;
    const id = await refundOf(app, key, paymentId, 1_000);
    const [passport, invoice] = [await uploadDocumentId(app, key), await uploadDocumentId(app, key)];
    const response = await updateRfi(key, id, { documents: [{ id: passport, rfi_doc_id: 'rfidoc_68c8dffedhMHD' }, { id: invoice }] });
    expect(response.statusCode, response.body).toBe(200);
    const refund = response.json();
    // The contract's Refund enum lacks the live API's `in_progress` (notes-payins §9.6).
    expectResponse('patch', '/refunds/{id}/update_rfi', 200, { ...refund, status: 'pending' });
    expect(refund).toMatchObject({ id, status: 'in_progress', amount: 1_000 });
    expect(refund.documents).toEqual([
      { id: passport, type: 'passport', status: 'uploaded', rfi_doc_id: 'rfidoc_68c8dffedhMHD' },
      { id: invoice, type: 'passport', status: 'uploaded', rfi_doc_id: null },
    ]);
    expect(await read(id)).toEqual(refund);
    const listed = await app.inject({ method: 'GET', url: `/api/v1/refunds?payment_id=${paymentId}`, headers: bearer(key) });
    expect(listed.json().data.find((row: { id: string }) => row.id === id)).toEqual(refund);
    expect(await eventsOf(id)).toEqual([]);

    // Again: a document attached before keeps its place (and takes a new rfi_doc_id), a new one comes last.
    const third = await uploadDocumentId(app, key);
    const again = await updateRfi(key, id, { documents: [{ id: third }, { id: invoice, rfi_doc_id: 'rfidoc_68c8dffedhMHE' }, { id: passport }] });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().documents).toEqual([
      { id: passport, type: 'passport', status: 'uploaded', rfi_doc_id: 'rfidoc_68c8dffedhMHD' },
      { id: invoice, type: 'passport', status: 'uploaded', rfi_doc_id: 'rfidoc_68c8dffedhMHE' },
      { id: third, type: 'passport', status: 'uploaded', rfi_doc_id: null },
    ]);
    // The documents stay with the refund once it resolves, and the refund's event carries them.
    const done = await mockStatus(app, key, id, 'success');
    expect(done.json().documents).toEqual(again.json().documents);
    expect((await eventsOf(id))[0]!.data).toMatchObject({ documents: again.json().documents });
    await expectLedgerConsistent(merchant.id);
  });

  it('keeps the documents of concurrent requests: they apply one after the other', async () => {
    const key = merchant.sandboxSecret;
    const id = await refundOf(app, key, paymentId, 100);
    const ids = await Promise.all([0, 1, 2, 3].map(() => uploadDocumentId(app, key)));
    const responses = await Promise.all(ids.map((doc) => updateRfi(key, id, { documents: [{ id: doc }] })));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect((await read(id)).documents.map((doc: { id: string }) => doc.id).sort()).toEqual([...ids].sort());
  });

  it('refuses a resolved refund with INVALID_STATE', async () => {
    const key = merchant.sandboxSecret;
    const documentId = await uploadDocumentId(app, key);
    for (const outcome of ['success', 'failed'] as const) {
      const id = await refundOf(app, key, paymentId, 100);
      expect((await mockStatus(app, key, id, outcome)).statusCode).toBe(200);
      const response = await updateRfi(key, id, { documents: [{ id: documentId }] });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: 'Bad Request', message: `Refund is ${outcome}: documents can only be attached while it is in_progress`, code: 'INVALID_STATE',
      });
      expect((await read(id)).documents).toEqual([]);
    }
  });

  it('refuses invalid bodies and documents that are not the merchant\'s, attaching nothing', async () => {
    const key = merchant.sandboxSecret;
    const id = await refundOf(app, key, paymentId, 100);
    const mine = await uploadDocumentId(app, key);
    const theirs = await uploadDocumentId(app, (await createTestMerchant()).sandboxSecret);
    const production = await uploadDocumentId(app, merchant.productionSecret);
    const invalid: [unknown, string][] = [
      [{}, 'VALIDATION_FAILED'],
      [{ documents: [] }, 'VALIDATION_FAILED'],
      [{ documents: [{ rfi_doc_id: 'rfidoc_68c8dffedhMHD' }] }, 'VALIDATION_FAILED'],
      [{ documents: [{ id: mine, extra: 1 }] }, 'VALIDATION_FAILED'],
      [{ documents: [{ id: mine }], extra: 1 }, 'VALIDATION_FAILED'],
      [{ documents: [{ id: 42 }] }, 'VALIDATION_FAILED'],
    ];
    for (const [payload, code] of invalid) {
      const response = await updateRfi(key, id, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().code, JSON.stringify(payload)).toBe(code);
    }
    await expectRfiDocumentsRefused((payload) => updateRfi(key, id, payload), { mine, theirs, production });
    expect((await read(id)).documents).toEqual([]);
  });
});

describeSecurity('POST /api/v1/refunds', {
  method: 'POST',
  url: () => '/api/v1/refunds',
  payload: () => ({ payment_id: 'payt_6819d804aaaaa', reason: 'Others' }),
});

describeSecurity('GET /api/v1/refunds', {
  method: 'GET',
  url: () => '/api/v1/refunds',
  listedObject: async (app, owner) => refundOf(app, owner.sandboxSecret, await payOrder(app, owner.sandboxSecret)),
});

describeSecurity('GET /api/v1/refunds/{id}', {
  method: 'GET',
  url: (id) => `/api/v1/refunds/${id}`,
  createObject: async (app, owner) => refundOf(app, owner.sandboxSecret, await payOrder(app, owner.sandboxSecret)),
  notFoundMessage: 'Refund not found',
  idPrefix: 'refund',
});

// The production key gets the unknown-route 404 (tested above), so the object cases are tested by hand there.
describeSecurity('PATCH /api/v1/refunds/{id}/mock_update_status', {
  method: 'PATCH',
  url: () => '/api/v1/refunds/refund_6819d804aaaaa/mock_update_status',
  payload: () => ({ status: 'success' }),
});

let securityDocumentId = '';
describeSecurity('PATCH /api/v1/refunds/{id}/update_rfi', {
  method: 'PATCH',
  url: (id) => `/api/v1/refunds/${id}/update_rfi`,
  payload: () => ({ documents: [{ id: securityDocumentId }] }),
  createObject: async (app, owner) => {
    securityDocumentId = await uploadDocumentId(app, owner.sandboxSecret);
    return refundOf(app, owner.sandboxSecret, await payOrder(app, owner.sandboxSecret));
  },
  notFoundMessage: 'Refund not found',
  idPrefix: 'refund',
});
