// Server-to-server payments: POST /api/v1/payment for orders, the card authentication page and its callback, the
// expiry of an unanswered step by the sandbox clock, idempotency and what is never stored or logged.
import path from 'node:path';
import { Writable } from 'node:stream';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../app.js';
import { verifyPaymentSignature } from '../../checkout/signature.js';
import { loadConfig } from '../../config.js';
import { systemClock } from '../../core/clock.js';
import { events, jobs, paymentAuthentications, payments, requestIds } from '../../db/schema/index.js';
import { DEFAULT_RATE_TABLE } from '../../fx/default-rates.js';
import { tableRateSource } from '../../fx/rates.js';
import { LocalDocumentStore } from '../documents/storage.js';
import { bearer, buildTestApp, createTestMerchant, customerBody, tempDir, type TestMerchant } from '../../../test/support/app.js';
import { expectSchema, expectSubscriptionPayment } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { expectLedgerConsistent } from '../../../test/support/ledger.js';
import { describeSecurity } from '../../../test/support/security.js';
import { AUTHENTICATION_EXPIRE_QUEUE } from './s2s.js';

const VISA_SUCCESS = '4532 4911 1111 1111';
const VISA_FAILURE = '4556 8911 1111 1112';
const VISA_OTP_SUCCESS = '4532 4422 2222 2222';
const VISA_OTP_FAILURE = '4597 2622 2222 2223';
const CALLBACK = 'https://shop.example.com/payments/callback?ref=42';
const PUBLIC_URL = 'https://pay.example.test/glomo';

interface Order { id: string; amount: number; currency: string; status: string }
interface PaymentAnswer { id: string; status: string; payin_id: string | null; next_steps?: { redirect_url: string }; [key: string]: unknown }

let app: App;
let owner: TestMerchant;
let other: TestMerchant;
let requestSeq = 0;

const card = (number: string, overrides: Record<string, unknown> = {}) => ({ number, exp_month: 12, exp_year: 2099, cvv: '123', ...overrides });
const nextRequestId = () => `s2s-${Date.now()}-${++requestSeq}`;

async function createOrder(key: string, target: App = app): Promise<Order> {
  const customer = await target.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  expect(customer.statusCode, customer.body).toBe(201);
  const response = await target.inject({
    method: 'POST', url: '/api/v1/orders', headers: bearer(key),
    payload: { customer_id: customer.json().id, currency: 'USD', amount: 10_000, payment_methods: ['card', 'bank_transfer'] },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const createPayment = (key: string, payload: Record<string, unknown>, target: App = app) =>
  target.inject({ method: 'POST', url: '/api/v1/payment', headers: bearer(key), payload });

const orderBody = (order: Order, overrides: Record<string, unknown> = {}) => ({
  order_id: order.id, method: 'card', card: card(VISA_SUCCESS), callback_url: CALLBACK, request_id: nextRequestId(), ...overrides,
});

/** The Payment part of an answer, checked against the 2026 contract's `Payment` (a subscription's as the contract types it). */
function expectContractPayment(answer: PaymentAnswer): void {
  const { next_steps: _nextSteps, ...payment } = answer;
  if (payment.subscription_id !== null) expectSubscriptionPayment(payment);
  else expectSchema('Payment', payment, '2026');
}

const getOrder = (key: string, id: string) => app.inject({ method: 'GET', url: `/api/v1/orders/${id}`, headers: bearer(key) }).then((r) => r.json() as Order);
const getPayment = (key: string, id: string) => app.inject({ method: 'GET', url: `/api/v1/payment/${id}`, headers: bearer(key) }).then((r) => r.json() as PaymentAnswer);

async function eventTypes(entityId: string): Promise<string[]> {
  const { database } = await testEnv();
  return (await database.db.select().from(events).where(eq(events.entityId, entityId)).orderBy(events.seq)).map((row) => `${row.entityType}.${row.eventType}`);
}

async function balances(key: string) {
  const response = await app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) });
  return response.json() as { pending: { currency: string; amount: number }[] };
}
const pendingUsd = async (key: string) => (await balances(key)).pending.find((b) => b.currency === 'USD')?.amount ?? 0;

/** An OTP payment of a fresh order: the answer and its page's path (with the token). */
async function otpPayment(number = VISA_OTP_SUCCESS) {
  const order = await createOrder(owner.sandboxSecret);
  const response = await createPayment(owner.sandboxSecret, orderBody(order, { card: card(number) }));
  expect(response.statusCode, response.body).toBe(201);
  const answer = response.json<PaymentAnswer>();
  const url = new URL(answer.next_steps!.redirect_url);
  return { order, answer, url, pagePath: `${url.pathname.replace(/^\/glomo/, '')}${url.search}`, token: url.searchParams.get('token')! };
}

const postOtp = (pathname: string, fields: Record<string, string>) =>
  app.inject({
    method: 'POST', url: pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

beforeAll(async () => {
  ({ app } = await buildTestApp({ env: { PUBLIC_URL } }));
  owner = await createTestMerchant();
  other = await createTestMerchant();
});

afterAll(async () => {
  await app.close();
});

describe('POST /api/v1/payment for an order, cards without a one-time password', () => {
  it('pays at once with a success test card: the Payment, the order paid, the journal, the events, the request_id kept', async () => {
    const order = await createOrder(owner.sandboxSecret);
    const before = await pendingUsd(owner.sandboxSecret);
    const body = orderBody(order);
    const response = await createPayment(owner.sandboxSecret, body);
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json<PaymentAnswer>();
    expectContractPayment(payment);
    expect(payment).toMatchObject({ status: 'success', payin_id: order.id, payin_type: 'orders', payment_method: { type: 'card' }, payment_amount: 10_000 });
    expect(payment.next_steps).toBeUndefined();
    expect((await getOrder(owner.sandboxSecret, order.id)).status).toBe('paid');
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before + 10_000);
    expect(await eventTypes(payment.id)).toEqual(['payment.success']);
    const listed = await app.inject({ method: 'GET', url: `/api/v1/payment?request_id=${body.request_id}`, headers: bearer(owner.sandboxSecret) });
    expect(listed.json().data.map((p: PaymentAnswer) => p.id)).toEqual([payment.id]);
  });

  it('records a failed payment for a failure test card and leaves the order active', async () => {
    const order = await createOrder(owner.sandboxSecret);
    const response = await createPayment(owner.sandboxSecret, orderBody(order, { card: card(VISA_FAILURE) }));
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json<PaymentAnswer>();
    expectContractPayment(payment);
    expect(payment).toMatchObject({ status: 'failed', error_code: 'PAYMENT_DECLINED' });
    expect((await getOrder(owner.sandboxSecret, order.id)).status).toBe('active');
  });
});

describe('POST /api/v1/payment: the rules of the body', () => {
  let order: Order;
  beforeAll(async () => {
    order = await createOrder(owner.sandboxSecret);
  });

  const refused = async (payload: Record<string, unknown>, message: string, status = 400) => {
    const before = await paymentCount(owner.id);
    const response = await createPayment(owner.sandboxSecret, payload);
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json()).toMatchObject({ message });
    expect(await paymentCount(owner.id)).toBe(before);
  };

  it('needs exactly one of order_id and subscription_id', async () => {
    const { order_id: _orderId, ...neither } = orderBody(order);
    await refused(neither, 'Exactly one of order_id or subscription_id must be provided');
    await refused(orderBody(order, { subscription_id: 'sub_6819d804aaaaa' }), 'Exactly one of order_id or subscription_id must be provided');
  });

  it('needs a request_id', async () => {
    const { request_id: _requestId, ...body } = orderBody(order);
    await refused(body, "Validation failed: Request id can't be blank");
    await refused(orderBody(order, { request_id: '  ' }), "Validation failed: Request id can't be blank");
  });

  it('needs an https callback_url', async () => {
    for (const callback of ['http://shop.example.com/cb', 'javascript:alert(1)', 'not a url', 'https://user:pw@shop.example.com/cb']) {
      await refused(orderBody(order, { callback_url: callback }), 'callback_url must be an absolute https URL');
    }
    const { callback_url: _callback, ...body } = orderBody(order);
    await refused(body, "Validation failed: Callback url can't be blank");
  });

  it('needs the card and method, and takes only the test cards with a future expiry', async () => {
    const { card: _card, ...noCard } = orderBody(order);
    await refused(noCard, "Validation failed: Card can't be blank");
    const { method: _method, ...noMethod } = orderBody(order);
    await refused(noMethod, "Validation failed: Method can't be blank");
    await refused(orderBody(order, { card: card('4111 1111 1111 1111') }), 'Card is not a valid test card');
    await refused(orderBody(order, { card: card(VISA_SUCCESS, { exp_year: 2020 }) }), 'Card has expired');
    await refused(orderBody(order, { card: card(VISA_SUCCESS, { cvv: '12' }) }), 'Card CVV must be 3 digits');
    await refused(orderBody(order, { card: { ...card(VISA_SUCCESS), pin: '1234' } }), "Validation failed: Unknown field 'pin'");
  });

  it('takes no sequence subsequent, amount or currency for an order', async () => {
    await refused(orderBody(order, { sequence: 'subsequent' }), 'sequence subsequent is only for subscriptions');
    await refused(orderBody(order, { amount: 10_000 }), 'amount and currency cannot be specified for an initial payment: the order fixes them');
    await refused(orderBody(order, { currency: 'USD' }), 'amount and currency cannot be specified for an initial payment: the order fixes them');
  });

  it('answers 404 for an unknown order and for another merchant\'s order', async () => {
    const foreign = await createOrder(other.sandboxSecret);
    await refused(orderBody(foreign), 'Order not found', 404);
    await refused(orderBody(order, { order_id: 'order_6819d804aaaaa' }), 'Order not found', 404);
  });

  it('refuses a paid order', async () => {
    const paid = await createOrder(owner.sandboxSecret);
    expect((await createPayment(owner.sandboxSecret, orderBody(paid))).statusCode).toBe(201);
    const response = await createPayment(owner.sandboxSecret, orderBody(paid));
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_STATE');
  });

  it('refuses card payments with a production key (no card processor), storing nothing', async () => {
    const productionOrder = await createOrder(owner.productionSecret);
    const response = await createPayment(owner.productionSecret, orderBody(productionOrder));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request', message: 'Card payments need a card processor, which this server does not have', code: 'PAYMENT_METHOD_UNAVAILABLE',
    });
    expect((await getOrder(owner.productionSecret, productionOrder.id)).status).toBe('active');
    // A sandbox order is not the production key's.
    const sandboxOrder = await createPayment(owner.productionSecret, orderBody(order));
    expect(sandboxOrder.statusCode).toBe(404);
  });
});

async function paymentCount(merchantId: string): Promise<number> {
  const { database } = await testEnv();
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(payments).where(eq(payments.merchantId, merchantId));
  return row!.n;
}

describe('POST /api/v1/payment: request_id', () => {
  it('answers 400 Payment already exists for this request_id to a repeat, also with another order', async () => {
    const order = await createOrder(owner.sandboxSecret);
    const body = orderBody(order);
    expect((await createPayment(owner.sandboxSecret, body)).statusCode).toBe(201);
    const repeat = await createPayment(owner.sandboxSecret, body);
    expect(repeat.statusCode).toBe(400);
    expect(repeat.json()).toEqual({ error: 'Bad Request', message: 'Payment already exists for this request_id', code: 'DUPLICATE_REQUEST_ID' });
    const elsewhere = await createOrder(owner.sandboxSecret);
    const again = await createPayment(owner.sandboxSecret, orderBody(elsewhere, { request_id: body.request_id }));
    expect(again.json().message).toBe('Payment already exists for this request_id');
    expect((await getOrder(owner.sandboxSecret, elsewhere.id)).status).toBe('active');
    // Another merchant's request_id space is its own.
    const theirs = await createOrder(other.sandboxSecret);
    expect((await createPayment(other.sandboxSecret, orderBody(theirs, { request_id: body.request_id }))).statusCode).toBe(201);
  });

  it('makes one payment of concurrent duplicates', async () => {
    const orders = await Promise.all(Array.from({ length: 4 }, () => createOrder(owner.sandboxSecret)));
    const requestId = nextRequestId();
    const answers = await Promise.all(orders.map((order) => createPayment(owner.sandboxSecret, orderBody(order, { request_id: requestId }))));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 400, 400, 400]);
    for (const answer of answers.filter((a) => a.statusCode === 400)) expect(answer.json().code).toBe('DUPLICATE_REQUEST_ID');
    const { database } = await testEnv();
    const made = await database.db.select().from(payments).where(and(eq(payments.merchantId, owner.id), eq(payments.requestId, requestId)));
    expect(made).toHaveLength(1);
    const paid = await Promise.all(orders.map((order) => getOrder(owner.sandboxSecret, order.id)));
    expect(paid.filter((o) => o.status === 'paid')).toHaveLength(1);
  });
});

describe('POST /api/v1/payment with a card that asks for a one-time password', () => {
  it('answers an in_progress payment and the page link on PUBLIC_URL; no money moves', async () => {
    const before = await pendingUsd(owner.sandboxSecret);
    const { order, answer, url } = await otpPayment();
    expectContractPayment(answer);
    expect(answer.status).toBe('in_progress');
    expect(url.origin + url.pathname).toBe(`${PUBLIC_URL}/payment/${answer.id}/authenticate`);
    expect(url.searchParams.get('token')).toMatch(/^[0-9A-Za-z]{32}$/);
    expect((await getOrder(owner.sandboxSecret, order.id)).status).toBe('active');
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before);
    expect(await eventTypes(answer.id)).toEqual(['payment.in_progress']);
    // While it waits, the order takes no other payment: a card attempt is refused, a bank transfer is held.
    const card = await app.inject({
      method: 'POST', url: '/api/v1/payment/mock', headers: bearer(owner.sandboxSecret),
      payload: { payin_id: order.id, amount: order.amount, currency: order.currency, payment_method: 'Card', card_number: '4532 4911 1111 1111' },
    });
    expect(card.statusCode).toBe(400);
    expect(card.json().message).toBe('The order has an existing in progress payment');
    const transfer = await app.inject({
      method: 'POST', url: '/api/v1/payment/mock', headers: bearer(owner.sandboxSecret),
      payload: { payin_id: order.id, amount: order.amount, currency: order.currency, payment_method: 'BankTransfer' },
    });
    expect(transfer.statusCode, transfer.body).toBe(201);
    expect(transfer.json()).toMatchObject({ status: 'action_required', error_code: 'PAYIN_NOT_FOUND' });
    expect((await getOrder(owner.sandboxSecret, order.id)).status).toBe('active');
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before);
  });

  it('shows the page, takes the OTP, settles the payment and sends the customer to callback_url, signed', async () => {
    const before = await pendingUsd(owner.sandboxSecret);
    const { order, answer, pagePath, token } = await otpPayment();
    const page = await app.inject({ method: 'GET', url: pagePath });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Visa ending in 2222');
    expect(page.body).toContain('$100.00');
    expect(page.body).not.toContain('4532442222222222');

    const posted = await postOtp(`/payment/${answer.id}/authenticate`, { token, otp: '123456' });
    expect(posted.statusCode, posted.body).toBe(303);
    const location = new URL(posted.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example.com/payments/callback');
    expect(location.searchParams.get('ref')).toBe('42');
    expect(location.searchParams.get('payment_id')).toBe(answer.id);
    expect(location.searchParams.get('status')).toBe('success');
    expect(location.searchParams.get('order_id')).toBe(order.id);
    expect(verifyPaymentSignature(owner.sandboxSecret, order.id, answer.id, 'success', location.searchParams.get('signature')!)).toBe(true);

    const settled = await getPayment(owner.sandboxSecret, answer.id);
    expectContractPayment(settled);
    expect(settled).toMatchObject({ status: 'success', payin_id: order.id });
    expect(settled.paid_at).toBeDefined();
    expect((await getOrder(owner.sandboxSecret, order.id)).status).toBe('paid');
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before + 10_000);
    expect(await eventTypes(answer.id)).toEqual(['payment.in_progress', 'payment.success']);
    expect(await eventTypes(order.id)).toContain('orders.paid');

    // A second POST, or opening the link again, settles nothing twice: back to the merchant with the same result.
    const again = await postOtp(`/payment/${answer.id}/authenticate`, { token, otp: '000000' });
    expect(again.statusCode).toBe(303);
    expect(new URL(again.headers.location as string).searchParams.get('status')).toBe('success');
    const reopened = await app.inject({ method: 'GET', url: pagePath });
    expect(reopened.statusCode).toBe(303);
    expect(await eventTypes(answer.id)).toEqual(['payment.in_progress', 'payment.success']);
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before + 10_000);
  });

  it('declines the card on a wrong OTP, and a failure test card fails even with the right one', async () => {
    for (const [number, otp] of [[VISA_OTP_SUCCESS, '654321'], [VISA_OTP_FAILURE, '123456']] as const) {
      const { order, answer, token } = await otpPayment(number);
      const posted = await postOtp(`/payment/${answer.id}/authenticate`, { token, otp });
      expect(posted.statusCode).toBe(303);
      const location = new URL(posted.headers.location as string);
      expect(location.searchParams.get('status')).toBe('failed');
      expect(verifyPaymentSignature(owner.sandboxSecret, order.id, answer.id, 'failed', location.searchParams.get('signature')!)).toBe(true);
      expect(await getPayment(owner.sandboxSecret, answer.id)).toMatchObject({ status: 'failed', error_code: 'PAYMENT_DECLINED' });
      expect((await getOrder(owner.sandboxSecret, order.id)).status).toBe('active');
      expect(await eventTypes(answer.id)).toEqual(['payment.in_progress', 'payment.failed']);
    }
  });

  it('answers HTML pages, never JSON, for a wrong token, an unknown payment and a broken form', async () => {
    const { answer, token } = await otpPayment();
    const cases = [
      await app.inject({ method: 'GET', url: `/payment/${answer.id}/authenticate?token=wrong` }),
      await app.inject({ method: 'GET', url: `/payment/${answer.id}/authenticate` }),
      await app.inject({ method: 'GET', url: `/payment/${answer.id}/authenticate?token=${token}&token=${token}` }),
      await app.inject({ method: 'GET', url: `/payment/payt_6819d804aaaaa/authenticate?token=${token}` }),
      await postOtp(`/payment/${answer.id}/authenticate`, { token: 'wrong', otp: '123456' }),
      await postOtp(`/payment/${answer.id}/authenticate`, { otp: '123456' }),
      await app.inject({ method: 'POST', url: `/payment/${answer.id}/authenticate`, headers: { 'content-type': 'application/json' }, payload: '{"token":' }),
      await app.inject({ method: 'POST', url: `/payment/${answer.id}/authenticate`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'x'.repeat(10_000) }),
    ];
    for (const response of cases) {
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    }
    // None of them touched the payment.
    expect((await getPayment(owner.sandboxSecret, answer.id)).status).toBe('in_progress');
  });

  it('fails an unanswered step when the sandbox clock passes its 15 minutes (the job), and the link then reports it', async () => {
    const merchant = await createTestMerchant();
    const order = await createOrder(merchant.sandboxSecret);
    const response = await createPayment(merchant.sandboxSecret, orderBody(order, { card: card(VISA_OTP_SUCCESS) }));
    const answer = response.json<PaymentAnswer>();
    const url = new URL(answer.next_steps!.redirect_url);
    const { database } = await testEnv();
    const [job] = await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `authentication-expire:${answer.id}`));
    expect(job).toMatchObject({ queue: AUTHENTICATION_EXPIRE_QUEUE, merchantId: merchant.id, env: 'sandbox' });

    const advance = (seconds: number) => app.inject({ method: 'POST', url: '/api/v1/sandbox/clock/advance', headers: bearer(merchant.sandboxSecret), payload: { seconds } });
    expect((await advance(14 * 60)).statusCode).toBe(200);
    expect((await getPayment(merchant.sandboxSecret, answer.id)).status).toBe('in_progress');
    const advanced = await advance(2 * 60);
    expect(advanced.statusCode, advanced.body).toBe(200);
    expect(advanced.json().ran[AUTHENTICATION_EXPIRE_QUEUE]).toBe(1);
    expect(await getPayment(merchant.sandboxSecret, answer.id)).toMatchObject({ status: 'failed', error_code: 'AUTHENTICATION_EXPIRED' });
    expect((await getOrder(merchant.sandboxSecret, order.id)).status).toBe('active');
    expect(await eventTypes(answer.id)).toEqual(['payment.in_progress', 'payment.failed']);

    const late = await postOtp(`/payment/${answer.id}/authenticate`, { token: url.searchParams.get('token')!, otp: '123456' });
    expect(late.statusCode).toBe(303);
    expect(new URL(late.headers.location as string).searchParams.get('status')).toBe('failed');
    expect((await getPayment(merchant.sandboxSecret, answer.id)).status).toBe('failed');
    // The order can be paid again.
    expect((await createPayment(merchant.sandboxSecret, orderBody(order))).json().status).toBe('success');
  });
});

interface Subscription { id: string; status: string; next_payment_date: string | null }

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function createSubscription(key: string, overrides: Record<string, unknown> = {}): Promise<Subscription> {
  const customer = await app.inject({ method: 'POST', url: '/api/v1/customer', headers: bearer(key), payload: customerBody() });
  const body: Record<string, unknown> = {
    customer_id: customer.json().id, product_name: 'ShieldGuard Insurance', product_description: 'Monthly insurance',
    amount: 1000, currency: 'USD', interval_type: 'month', interval_count: 1, billing_cycles: 12, start_date: today(), expires_at: inDays(7), notify_customer: false, starts_with_first_payment: true, ...overrides,
  };
  for (const [field, value] of Object.entries(body)) if (value === undefined) delete body[field];
  const response = await app.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: bearer(key), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}
const asPresented = { interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, start_date: undefined, max_amount: 3000 };
const getSubscription = (key: string, id: string) =>
  app.inject({ method: 'GET', url: `/api/v1/subscriptions/${id}`, headers: bearer(key) }).then((r) => r.json() as Subscription);
const subscriptionBody = (subscription: Subscription, overrides: Record<string, unknown> = {}) => ({
  subscription_id: subscription.id, method: 'card', card: card(VISA_SUCCESS), callback_url: CALLBACK, request_id: nextRequestId(), ...overrides,
});
const subsequentBody = (subscription: Subscription, overrides: Record<string, unknown> = {}) => ({
  subscription_id: subscription.id, sequence: 'subsequent', amount: 2500, currency: 'USD', request_id: nextRequestId(), ...overrides,
});

describe('POST /api/v1/payment for a subscription', () => {
  it('pays the first instalment at once with a card without OTP: the subscription active, its payment cycle 1', async () => {
    const subscription = await createSubscription(owner.sandboxSecret);
    const before = await pendingUsd(owner.sandboxSecret);
    const body = subscriptionBody(subscription);
    const response = await createPayment(owner.sandboxSecret, body);
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json<PaymentAnswer>();
    expectContractPayment(payment);
    expect(payment).toMatchObject({ status: 'success', subscription_id: subscription.id, payin_id: null, 'auto_debit?': false, payment_amount: 1000 });
    const active = await getSubscription(owner.sandboxSecret, subscription.id);
    expect(active.status).toBe('active');
    expect(active.next_payment_date).not.toBeNull();
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before + 1000);
    const repeat = await createPayment(owner.sandboxSecret, body);
    expect(repeat.json()).toMatchObject({ message: 'Payment already exists for this request_id' });
    const again = await createPayment(owner.sandboxSecret, subscriptionBody(subscription));
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toBe('Subscription cannot be paid from current state: active');
  });

  it('declines a failure card: a failed payment, the subscription still created', async () => {
    const subscription = await createSubscription(owner.sandboxSecret);
    const response = await createPayment(owner.sandboxSecret, subscriptionBody(subscription, { card: card(VISA_FAILURE) }));
    expect(response.json()).toMatchObject({ status: 'failed', error_code: 'PAYMENT_DECLINED', subscription_id: subscription.id });
    expect((await getSubscription(owner.sandboxSecret, subscription.id)).status).toBe('created');
  });

  it('takes the OTP on the page: the subscription activated, the callback signed over the subscription id', async () => {
    const subscription = await createSubscription(owner.sandboxSecret);
    const response = await createPayment(owner.sandboxSecret, subscriptionBody(subscription, { card: card(VISA_OTP_SUCCESS) }));
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json<PaymentAnswer>();
    expectContractPayment(answer);
    expect(answer.status).toBe('in_progress');
    expect((await getSubscription(owner.sandboxSecret, subscription.id)).status).toBe('created');
    const second = await createPayment(owner.sandboxSecret, subscriptionBody(subscription));
    expect(second.json().message).toBe('The subscription has an existing in progress payment');

    const token = new URL(answer.next_steps!.redirect_url).searchParams.get('token')!;
    const posted = await postOtp(`/payment/${answer.id}/authenticate`, { token, otp: '123456' });
    expect(posted.statusCode, posted.body).toBe(303);
    const location = new URL(posted.headers.location as string);
    expect(location.searchParams.get('subscription_id')).toBe(subscription.id);
    expect(location.searchParams.get('status')).toBe('success');
    expect(verifyPaymentSignature(owner.sandboxSecret, subscription.id, answer.id, 'success', location.searchParams.get('signature')!)).toBe(true);
    expect((await getPayment(owner.sandboxSecret, answer.id)).status).toBe('success');
    expect((await getSubscription(owner.sandboxSecret, subscription.id)).status).toBe('active');
    expect(await eventTypes(subscription.id)).toContain('subscription.active');
  });

  it('fails the payment on a wrong OTP and leaves the subscription created', async () => {
    const subscription = await createSubscription(owner.sandboxSecret);
    const answer = (await createPayment(owner.sandboxSecret, subscriptionBody(subscription, { card: card(VISA_OTP_SUCCESS) }))).json<PaymentAnswer>();
    const token = new URL(answer.next_steps!.redirect_url).searchParams.get('token')!;
    const posted = await postOtp(`/payment/${answer.id}/authenticate`, { token, otp: '999999' });
    expect(new URL(posted.headers.location as string).searchParams.get('status')).toBe('failed');
    expect((await getSubscription(owner.sandboxSecret, subscription.id)).status).toBe('created');
  });

  it('fails the payment, charging nothing, when the subscription was cancelled during the OTP step', async () => {
    const subscription = await createSubscription(owner.sandboxSecret);
    const before = await pendingUsd(owner.sandboxSecret);
    const answer = (await createPayment(owner.sandboxSecret, subscriptionBody(subscription, { card: card(VISA_OTP_SUCCESS) }))).json<PaymentAnswer>();
    const cancelled = await app.inject({ method: 'PATCH', url: `/api/v1/subscriptions/${subscription.id}/cancel`, headers: bearer(owner.sandboxSecret) });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const token = new URL(answer.next_steps!.redirect_url).searchParams.get('token')!;
    const posted = await postOtp(`/payment/${answer.id}/authenticate`, { token, otp: '123456' });
    expect(new URL(posted.headers.location as string).searchParams.get('status')).toBe('failed');
    expect(await getPayment(owner.sandboxSecret, answer.id)).toMatchObject({ status: 'failed', error_code: 'SUBSCRIPTION_NOT_PAYABLE' });
    expect((await getSubscription(owner.sandboxSecret, subscription.id)).status).toBe('cancelled');
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before);
  });

  it('charges an active as_presented subscription with sequence subsequent, at most max_amount', async () => {
    const subscription = await createSubscription(owner.sandboxSecret, asPresented);
    expect((await createPayment(owner.sandboxSecret, subscriptionBody(subscription))).json().status).toBe('success');
    const before = await pendingUsd(owner.sandboxSecret);
    const body = subsequentBody(subscription);
    const charged = await createPayment(owner.sandboxSecret, body);
    expect(charged.statusCode, charged.body).toBe(201);
    const payment = charged.json<PaymentAnswer>();
    expectContractPayment(payment);
    expect(payment).toMatchObject({ status: 'success', subscription_id: subscription.id, payment_amount: 2500, 'auto_debit?': false });
    expect(await pendingUsd(owner.sandboxSecret)).toBe(before + 2500);
    expect((await createPayment(owner.sandboxSecret, body)).json().message).toBe('Payment already exists for this request_id');

    const above = await createPayment(owner.sandboxSecret, subsequentBody(subscription, { amount: 3001 }));
    expect(above.statusCode).toBe(400);
    expect(above.json().message).toBe("Amount must not exceed the subscription's max_amount of 3000");
    for (const [overrides, message] of [
      [{ card: card(VISA_SUCCESS) }, 'sequence subsequent takes no card, callback_url or method: the card of the last successful payment is charged'],
      [{ amount: undefined }, "Validation failed: Amount can't be blank"],
      [{ currency: 'EUR' }, "currency must be the subscription's: USD"],
    ] as const) {
      const response = await createPayment(owner.sandboxSecret, subsequentBody(subscription, overrides));
      expect(response.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(response.json().message).toBe(message);
    }
    const monthly = await createSubscription(owner.sandboxSecret);
    const refused = await createPayment(owner.sandboxSecret, subsequentBody(monthly));
    expect(refused.json().message).toBe('Only an as_presented subscription can be charged with an amount');
    const { database } = await testEnv();
    const rows = await database.db.select().from(payments).where(eq(payments.subscriptionId, subscription.id));
    expect(rows.filter((row) => row.status === 'success')).toHaveLength(2);
  });

  it('refuses cancelled, foreign and production subscriptions', async () => {
    const cancelled = await createSubscription(owner.sandboxSecret);
    await app.inject({ method: 'PATCH', url: `/api/v1/subscriptions/${cancelled.id}/cancel`, headers: bearer(owner.sandboxSecret) });
    const refused = await createPayment(owner.sandboxSecret, subscriptionBody(cancelled));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('Subscription cannot be paid from current state: cancelled');
    const foreign = await createSubscription(other.sandboxSecret);
    const notFound = await createPayment(owner.sandboxSecret, subscriptionBody(foreign));
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().message).toBe('Subscription not found');
    expect((await createPayment(owner.productionSecret, subscriptionBody(foreign))).statusCode).toBe(404);
    const production = await createSubscription(owner.productionSecret);
    const unavailable = await createPayment(owner.productionSecret, subscriptionBody(production));
    expect(unavailable.json().code).toBe('PAYMENT_METHOD_UNAVAILABLE');
  });
});

describe('card numbers are never stored or logged', () => {
  it('keeps no number or CVV in any row, and the request log carries no body', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const { database, keyRing } = await testEnv();
    const config = loadConfig({ DATA_DIR: tempDir('s2s-log'), PUBLIC_URL });
    const logged = await buildApp({
      config, database, clock: systemClock, keyRing,
      documentStore: new LocalDocumentStore(path.join(config.dataDir, 'documents')),
      fxRates: tableRateSource(DEFAULT_RATE_TABLE),
    }, { logger: { level: 'trace', stream } });
    const merchant = await createTestMerchant();
    const ids: string[] = [];
    try {
      for (const number of [VISA_SUCCESS, VISA_OTP_SUCCESS, '4111 1111 1111 1111']) {
        const order = await createOrder(merchant.sandboxSecret, logged);
        const response = await createPayment(merchant.sandboxSecret, orderBody(order, { card: card(number, { cvv: '735' }) }), logged);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.body).not.toContain(number.replace(/ /g, ''));
        if (response.statusCode === 201) ids.push(response.json().id);
      }
    } finally {
      await logged.close();
    }
    const output = lines.join('');
    expect(output).toContain('/api/v1/payment');
    for (const secret of ['4532491111111111', '4532 4911', '4532442222222222', '4111111111111111', '"735"', 'cvv']) {
      expect(output, secret).not.toContain(secret);
    }
    expect(ids).toHaveLength(2);
    const stored = JSON.stringify([
      await database.db.select().from(payments).where(eq(payments.merchantId, merchant.id)),
      await database.db.select().from(paymentAuthentications).where(eq(paymentAuthentications.merchantId, merchant.id)),
      await database.db.select().from(events).where(eq(events.merchantId, merchant.id)),
      await database.db.select().from(requestIds).where(eq(requestIds.merchantId, merchant.id)),
      await database.db.select().from(jobs).where(eq(jobs.merchantId, merchant.id)),
      // Bigints (ids, amounts) marked, so that a job id of 735 is not taken for the CVV.
    ], (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
    expect(stored).toContain('"1111"'); // the last four are kept...
    // ...nothing more. The CVV as a stored value or field: a bare "735" could be part of any timestamp or random id.
    for (const secret of ['4532491111111111', '4532442222222222', '"735"', 'cvv']) expect(stored, secret).not.toContain(secret);
  });

  it('leaves the ledger consistent', async () => {
    await expectLedgerConsistent(owner.id);
  });
});

describeSecurity('POST /api/v1/payment', {
  method: 'POST',
  url: () => '/api/v1/payment',
  payload: () => ({ order_id: 'order_6819d804aaaaa', method: 'card', card: card(VISA_SUCCESS), callback_url: CALLBACK, request_id: nextRequestId() }),
});
