// Pay-ins end to end, as a merchant integrates them: a webhook endpoint, a price, a customer, an order paid in
// another currency by card, funds made available, a partial refund (the operator enabled them for the merchant)
// that succeeds, one that fails, one that would exceed what is left; then every webhook delivered and signed, the balances, and the operator's ledger verification.
// Runs on PGlite and, with DATABASE_URL, on PostgreSQL (a database of its own, for its job runner).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/clock.js';
import { verifySignature } from '../src/webhooks/delivery/signature.js';
import { startReceiver, webhookHarness, type Receiver, type WebhookHarness } from './support/webhook-receiver.js';
import { ADMIN_TOKEN, bearer, customerBody, type TestMerchant } from './support/app.js';
import { expectSchema } from './support/contract.js';

const clock = new ManualClock('2026-03-02T09:00:00Z');
let harness: WebhookHarness;
let hooks: Receiver;

beforeAll(async () => {
  harness = await webhookHarness(clock);
  hooks = await startReceiver(clock, () => ({ status: 200 }));
});
afterAll(async () => {
  await hooks?.close();
  await harness?.close();
});

async function api(method: 'GET' | 'POST' | 'PATCH', url: string, key: string, payload?: Record<string, unknown>) {
  const response = await harness.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  return { status: response.statusCode, body: response.json() };
}

async function ok(method: 'GET' | 'POST' | 'PATCH', url: string, key: string, payload?: Record<string, unknown>) {
  const response = await api(method, url, key, payload);
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return response.body;
}

const balances = async (key: string) => {
  const body = await ok('GET', '/api/v1/balances', key);
  return { available: body.available, pending: body.pending };
};

describe('pay-ins end to end', () => {
  let merchant: TestMerchant;
  let key: string;
  let secret: string;

  beforeAll(async () => {
    merchant = await harness.newMerchant();
    key = merchant.sandboxSecret;
    ({ secret } = await ok('POST', '/api/v1/webhook_endpoints', key, { url: hooks.url }));
    // Partial refunds (of card payments) are the operator's to enable.
    expect((await ok('PATCH', `/admin/v1/merchants/${merchant.id}`, ADMIN_TOKEN, { partial_refunds: true })).partial_refunds).toBe(true);
  });

  it('runs order → FX payment → funds available → refunds, with every event delivered and the ledger verified', async () => {
    // A 1.5 % price, the merchant's default.
    await ok('POST', '/api/v1/prices', key, { pricing_type: 'percentage', bps: 150 });
    const customer = await ok('POST', '/api/v1/customer', key, customerBody());
    const order = await ok('POST', '/api/v1/orders', key, {
      customer_id: customer.id, currency: 'USD', amount: 25_000, payment_methods: ['bank_transfer', 'card'],
      purpose_code: 'P0802', request_id: 'flow-order-1', product: { name: 'Semester fee' },
    });
    expect(order.status).toBe('active');
    // The same request_id again: refused, and still one order.
    const duplicate = await api('POST', '/api/v1/orders', key, {
      customer_id: customer.id, currency: 'USD', amount: 25_000, payment_methods: ['card'], request_id: 'flow-order-1',
    });
    expect(duplicate.status).toBe(400);
    expect((await ok('GET', '/api/v1/orders?request_id=flow-order-1', key)).data).toHaveLength(1);

    // The payer pays in EUR by card. A card charge of another amount than the one due is refused and reports what is
    // due (a bank transfer of another amount would be held instead, decision 0032).
    const wrong = await api('POST', '/api/v1/payment/mock', key, {
      payin_id: order.id, currency: 'EUR', amount: 100, payment_method: 'Card', card_number: '4532 4911 1111 1111',
    });
    expect(wrong.status).toBe(400);
    const due = Number(/: (\d+)$/.exec(wrong.body.message)![1]);
    clock.advance(60_000);
    const payment = await ok('POST', '/api/v1/payment/mock', key, {
      payin_id: order.id, currency: 'EUR', amount: due, payment_method: 'Card', card_number: '4532 4911 1111 1111',
    });
    expectSchema('Payment', payment, '2026');
    expect(payment).toMatchObject({
      status: 'success', payin_id: order.id, payment_currency: 'EUR', payment_amount: due,
      converted_currency: 'USD', converted_amount: 25_000, requested_amount: 25_000,
      fees: { txn_fee: { currency: 'USD', amount: 375 }, fx_fee: { currency: 'EUR' } },
    });
    expect((await ok('GET', `/api/v1/orders/${order.id}`, key)).status).toBe('paid');
    expect(await balances(key)).toEqual({ available: [{ currency: 'USD', amount: 0 }], pending: [{ currency: 'USD', amount: 24_625 }] });

    clock.advance(60_000);
    await ok('PATCH', `/api/v1/payment/${payment.id}/mock-funds-available`, key);
    expect(await balances(key)).toEqual({ available: [{ currency: 'USD', amount: 24_625 }], pending: [{ currency: 'USD', amount: 0 }] });

    // A partial refund is held at once and leaves when the bank confirms it.
    clock.advance(60_000);
    const created = await api('POST', '/api/v1/refunds', key, { payment_id: payment.id, reason: 'Requested By Customer', amount: 10_000, request_id: 'flow-refund-1' });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const refund = created.body;
    expect(refund.status).toBe('in_progress');
    expect(await balances(key)).toEqual({ available: [{ currency: 'USD', amount: 14_625 }], pending: [{ currency: 'USD', amount: 0 }] });
    await ok('PATCH', `/api/v1/refunds/${refund.id}/mock_update_status`, key, { status: 'success' });
    // A second refund fails at the bank: the money comes back.
    clock.advance(60_000);
    const failing = await ok('POST', '/api/v1/refunds', key, { payment_id: payment.id, reason: 'Duplicate', amount: 5_000 });
    await ok('PATCH', `/api/v1/refunds/${failing.id}/mock_update_status`, key, { status: 'failed' });
    expect(await balances(key)).toEqual({ available: [{ currency: 'USD', amount: 14_625 }], pending: [{ currency: 'USD', amount: 0 }] });
    // What is left to refund is 25000 − 10000: more is refused, with nothing held.
    const tooMuch = await api('POST', '/api/v1/refunds', key, { payment_id: payment.id, reason: 'Others', amount: 15_001 });
    expect(tooMuch.status).toBe(400);
    expect(await balances(key)).toEqual({ available: [{ currency: 'USD', amount: 14_625 }], pending: [{ currency: 'USD', amount: 0 }] });

    // Every event reached the endpoint once, signed over the exact bytes (deliveries run in parallel, so in any order).
    await harness.runner().runDue();
    const delivered = hooks.received.map((request) => {
      expect(verifySignature(secret, request.body, String(request.headers['x-glomopay-signature']))).toBe(true);
      const body = JSON.parse(request.body.toString('utf8')) as { entity_type: string; event_type: string; data: { id: string } };
      return `${body.entity_type}.${body.event_type}`;
    });
    const payinEvents = delivered.filter((name) => /^(orders|payment|refund)\./.test(name));
    expect([...payinEvents].sort()).toEqual(
      ['orders.active', 'orders.paid', 'payment.success', 'payment.funds_available', 'refund.success', 'refund.failed'].sort(),
    );
    // The events API lists them newest first, by the time of the change (the order's `paid` and the payment's
    // `success` share one transaction and one time, so only their place among the others is fixed).
    const listed = (await ok('GET', '/api/v1/events?per_page=100', key)).data as Array<{ entity_type: string; event_type: string }>;
    const names = listed.map((e) => `${e.entity_type}.${e.event_type}`).filter((name) => /^(orders|payment|refund)\./.test(name)).reverse();
    expect(names[0]).toBe('orders.active');
    expect(names.slice(1, 3).sort()).toEqual(['orders.paid', 'payment.success']);
    expect(names.slice(3)).toEqual(['payment.funds_available', 'refund.success', 'refund.failed']);

    const verify = await harness.app.inject({ method: 'GET', url: `/admin/v1/ledger/verify?merchant_id=${merchant.id}`, headers: bearer(ADMIN_TOKEN) });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ ok: true, problems: [] });
  });
});
