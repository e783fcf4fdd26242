// The subscription operations through the API: create with every rule of the contract, read and list, pause,
// resume, cancel, the moved next payment date, the sandbox's renewal outcome, the first instalment, as-presented
// charges; contract shapes on every answer and the shared security cases on every route.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock, type Clock } from '../../core/clock.js';
import { tenantContext } from '../../core/tenant-clock.js';
import type { Db } from '../../db/client.js';
import { events, jobs, payments, subscriptions } from '../../db/schema/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse, expectSchema, expectSubscriptionPayment } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { createCustomerId } from '../../../test/support/fixtures.js';
import { describeSecurity } from '../../../test/support/security.js';
import { SUBSCRIPTION_EXPIRE_QUEUE, type InstalmentCard } from './service.js';

const START = '2026-12-02T10:00:00Z';
const VISA_OK: InstalmentCard = { network: 'Visa', last4: '1111', expMonth: 12, expYear: 2030, outcome: 'success' };
const VISA_DECLINED: InstalmentCard = { network: 'Visa', last4: '1112', expMonth: 12, expYear: 2030, outcome: 'failure' };

type Json = Record<string, unknown>;
interface Sub extends Json { id: string; status: string; next_payment_date: string | null }

const subscriptionBody = (customerId: string, overrides: Json = {}): Json => ({
  customer_id: customerId,
  product_name: 'ShieldGuard Insurance',
  product_description: 'Flexible, monthly insurance',
  plan_name: 'ShieldGuard Lite',
  amount: 1000,
  currency: 'USD',
  interval_type: 'month',
  interval_count: 1,
  billing_cycles: 12,
  start_date: '2026-12-02',
  expires_at: '2026-12-09',
  notify_customer: true,
  starts_with_first_payment: true,
  ...overrides,
});

/** The contract's Subscription, for an as_presented one (the 2025 document knows only month and year): the rest of the shape. */
function expectSubscription(body: Json): void {
  if (body.interval_type === 'as_presented') {
    const { max_amount: _max, ...rest } = body;
    expectSchema('Subscription', { ...rest, interval_type: 'month', interval_count: 1, billing_cycles: 2, end_date: body.start_date });
  } else {
    expectSchema('Subscription', body);
  }
}

let app: App;
let db: Db;
let clock: ManualClock;
let merchant: TestMerchant;
let customerId: string;

beforeAll(async () => {
  clock = new ManualClock(START);
  ({ app } = await buildTestApp({ clock }));
  db = (await testEnv()).database.db;
  merchant = await createTestMerchant(clock);
  customerId = await createCustomerId(app, merchant.sandboxSecret);
});

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json, key = merchant.sandboxSecret) =>
  app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

async function create(overrides: Json = {}, key = merchant.sandboxSecret, customer = customerId): Promise<Sub> {
  const response = await api('POST', '/api/v1/subscriptions', subscriptionBody(customer, overrides), key);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const sandboxOf = (m: TestMerchant) => ({ merchantId: m.id, env: 'sandbox' as const });
const ctxOf = async (m: TestMerchant, base: Clock = clock) => tenantContext(db, base, sandboxOf(m));
const payFirst = async (id: string, card = VISA_OK, m = merchant) =>
  app.services.subscriptions.payFirstInstalment(await ctxOf(m), id, card);
const eventTypes = async (id: string) =>
  (await db.select().from(events).where(eq(events.entityId, id)).orderBy(events.seq)).map((row) => `${row.entityType}.${row.eventType}`);

describe('POST /api/v1/subscriptions', () => {
  it('creates a created subscription (201) in the contract shape, its link on this server, no charge, the expiry job', async () => {
    const response = await api('POST', '/api/v1/subscriptions', subscriptionBody(customerId, {
      notes: { key1: 'value1' }, reference_number: 'R0001', plan_description: 'Basic cover', currency: 'usd',
    }));
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expectResponse('post', '/subscriptions', 201, body);
    expect(body).toEqual({
      id: expect.stringMatching(/^sub_[0-9a-f]{8}[0-9A-Za-z]{5}$/),
      customer_id: customerId,
      product_name: 'ShieldGuard Insurance',
      product_description: 'Flexible, monthly insurance',
      plan_name: 'ShieldGuard Lite',
      plan_description: 'Basic cover',
      reference_number: 'R0001',
      status: 'created',
      amount: 1000,
      currency: 'USD',
      interval_type: 'month',
      interval_count: 1,
      billing_cycles: 12,
      start_date: '2026-12-02',
      end_date: '2027-11-02',
      expires_at: '2026-12-09',
      next_payment_date: '2026-12-02',
      subscription_link_url: `http://127.0.0.1:4000/subscription/${body.id}`,
      cancelled_at: null,
      notes: { key1: 'value1' },
    });
    const [job] = await db.select().from(jobs).where(eq(jobs.uniqueKey, `expire:${body.id}`));
    expect(job).toMatchObject({ queue: SUBSCRIPTION_EXPIRE_QUEUE, status: 'queued', runAt: new Date('2026-12-10T00:00:00Z') });
    expect(await db.select().from(payments).where(eq(payments.subscriptionId, body.id))).toEqual([]);
    const read = await api('GET', `/api/v1/subscriptions/${body.id}`);
    expect(read.statusCode).toBe(200);
    expectResponse('get', '/subscriptions/{id}', 200, read.json());
    expect(read.json()).toEqual(body);
  });

  it('takes the PUBLIC_URL origin for the link', async () => {
    const { app: other } = await buildTestApp({ clock, env: { PUBLIC_URL: 'https://pay.example.com/' } });
    const response = await other.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: bearer(merchant.sandboxSecret), payload: subscriptionBody(customerId) });
    expect(response.json().subscription_link_url).toBe(`https://pay.example.com/subscription/${response.json().id}`);
    await other.close();
  });

  it.each([
    [{ interval_type: 'month', interval_count: 3, billing_cycles: 40 }, '2036-09-02'],
    [{ interval_type: 'month', interval_count: 6, billing_cycles: 20 }, '2036-06-02'],
    [{ interval_type: 'year', interval_count: 1, billing_cycles: 10 }, '2035-12-02'],
    [{ interval_type: 'month', interval_count: 1, billing_cycles: 120 }, '2036-11-02'],
  ])('takes %j up to its 10-year lifetime (end_date %s)', async (overrides, end) => {
    expect((await create(overrides)).end_date).toBe(end);
  });

  it('creates an as_presented subscription with max_amount and no cycles', async () => {
    const body = await create({ interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, start_date: undefined, max_amount: 3000 });
    expectSubscription(body);
    expect(body).toMatchObject({ status: 'created', interval_type: 'as_presented', max_amount: 3000, start_date: '2026-12-02', next_payment_date: null });
    expect(body).not.toHaveProperty('interval_count');
    expect(body).not.toHaveProperty('billing_cycles');
    expect(body).not.toHaveProperty('end_date');
  });

  it.each([
    'customer_id', 'product_name', 'product_description', 'amount', 'currency', 'interval_type', 'interval_count', 'billing_cycles',
    'start_date', 'expires_at', 'notify_customer', 'starts_with_first_payment',
  ])('requires %s', async (field) => {
    const response = await api('POST', '/api/v1/subscriptions', subscriptionBody(customerId, { [field]: undefined }));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message: `Validation failed: ${field.charAt(0).toUpperCase()}${field.slice(1).replace(/_/g, ' ')} can't be blank` });
  });

  it.each([
    [{ customer_id: 'customer_1' }, 'Validation failed: Customer ID must start with cust_ and be valid.'],
    [{ product_name: ' ' }, "Validation failed: Product name can't be blank"],
    [{ amount: 0 }, 'Validation failed: Amount must be a positive whole number in the smallest currency unit (e.g., cents)'],
    [{ currency: 'INR' }, 'Validation failed: Currency code must be valid (USD, EUR, GBP, AED, SGD).'],
    [{ interval_type: 'week' }, 'Validation failed: Interval type must be one of: month, year, as_presented'],
    [{ interval_count: 2 }, 'Validation failed: Interval count must be 1, 3 or 6 for interval_type month, and 1 for interval_type year'],
    [{ interval_type: 'year', interval_count: 3 }, 'Validation failed: Interval count must be 1, 3 or 6 for interval_type month, and 1 for interval_type year'],
    [{ billing_cycles: 1 }, 'Validation failed: Billing cycles must be at least 2'],
    [{ billing_cycles: 121 }, 'Validation failed: Billing cycles can be at most 120 for this interval (a subscription lasts at most 10 years)'],
    [{ interval_count: 3, billing_cycles: 41 }, 'Validation failed: Billing cycles can be at most 40 for this interval (a subscription lasts at most 10 years)'],
    [{ interval_count: 6, billing_cycles: 21 }, 'Validation failed: Billing cycles can be at most 20 for this interval (a subscription lasts at most 10 years)'],
    [{ interval_type: 'year', billing_cycles: 11 }, 'Validation failed: Billing cycles can be at most 10 for this interval (a subscription lasts at most 10 years)'],
    [{ max_amount: 5000 }, 'Validation failed: Max amount can only be sent for an as_presented subscription'],
    [{ start_date: '2026-12-01' }, 'Validation failed: Start date must be today or in the future'],
    [{ start_date: '2026-02-30' }, 'Validation failed: Start date must be a date in YYYY-MM-DD format'],
    [{ expires_at: '2026-12-01' }, 'Validation failed: Expires at must be on or after start date'],
    [{ start_date: '2026-12-10', expires_at: '2027-06-11' }, 'Validation failed: Expires at can be at most 6 months after start date'],
    [{ expires_at: '09/12/2026' }, 'Validation failed: Expires at must be a date in YYYY-MM-DD format'],
    [{ interval_type: 'as_presented', billing_cycles: undefined, max_amount: 3000 }, 'Validation failed: Interval count must not be sent for an as_presented subscription'],
    [{ interval_type: 'as_presented', interval_count: undefined, max_amount: 3000 }, 'Validation failed: Billing cycles must not be sent for an as_presented subscription'],
    [{ interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined }, "Validation failed: Max amount can't be blank"],
    [{ interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, max_amount: 999 }, 'Validation failed: Amount must not exceed max amount'],
    [{ notes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'Validation failed: Notes can have at most 50 keys'],
    [{ notify_customer: 'yes' }, 'Validation failed: Notify customer must be true or false'],
  ])('refuses %j and stores nothing', async (overrides, message) => {
    const before = await db.select().from(subscriptions).where(eq(subscriptions.merchantId, merchant.id));
    const response = await api('POST', '/api/v1/subscriptions', subscriptionBody(customerId, overrides));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
    expect(await db.select().from(subscriptions).where(eq(subscriptions.merchantId, merchant.id))).toHaveLength(before.length);
  });

  it('takes exactly 6 months of link and a start_date by the environment clock, and answers 404 for a foreign customer', async () => {
    expect((await create({ start_date: '2027-01-31', expires_at: '2027-07-31' })).expires_at).toBe('2027-07-31');
    const other = await createTestMerchant(clock);
    const foreign = await createCustomerId(app, other.sandboxSecret);
    const response = await api('POST', '/api/v1/subscriptions', subscriptionBody(foreign));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'Not Found', message: 'Customer not found' });
    // Ten days on by the sandbox clock, today's start date of the real clock is in the past.
    const ahead = await createTestMerchant(clock);
    const aheadCustomer = await createCustomerId(app, ahead.sandboxSecret);
    expect((await api('POST', '/api/v1/sandbox/clock/advance', { seconds: 10 * 86_400 }, ahead.sandboxSecret)).statusCode).toBe(200);
    const late = await api('POST', '/api/v1/subscriptions', subscriptionBody(aheadCustomer), ahead.sandboxSecret);
    expect(late.json()).toMatchObject({ message: 'Validation failed: Start date must be today or in the future' });
    await create({ start_date: '2026-12-12', expires_at: '2026-12-12' }, ahead.sandboxSecret, aheadCustomer);
  });
});

describe('GET /api/v1/subscriptions', () => {
  let lister: TestMerchant;
  const made: Sub[] = [];
  let customers: string[];
  beforeAll(async () => {
    lister = await createTestMerchant(clock);
    customers = [await createCustomerId(app, lister.sandboxSecret), await createCustomerId(app, lister.sandboxSecret)];
    made.push(await create({}, lister.sandboxSecret, customers[0]));
    clock.advance(1000);
    made.push(await create({ start_date: '2026-12-05', expires_at: '2026-12-05' }, lister.sandboxSecret, customers[1]));
    clock.advance(1000);
    made.push(await create({ interval_type: 'year', billing_cycles: 2 }, lister.sandboxSecret, customers[1]));
    expect((await api('PATCH', `/api/v1/subscriptions/${made[2]!.id}/cancel`, undefined, lister.sandboxSecret)).statusCode).toBe(200);
  });

  const listed = async (query: string) => {
    const response = await api('GET', `/api/v1/subscriptions${query}`, undefined, lister.sandboxSecret);
    expect(response.statusCode, response.body).toBe(200);
    expectResponse('get', '/subscriptions', 200, response.json());
    return (response.json().data as Sub[]).map((sub) => sub.id);
  };

  it('lists newest first, with page_meta', async () => {
    expect(await listed('')).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
    const page = await api('GET', '/api/v1/subscriptions?per_page=2&page=2', undefined, lister.sandboxSecret);
    expect(page.json().data.map((sub: Sub) => sub.id)).toEqual([made[0]!.id]);
    expect(page.json().page_meta).toMatchObject({ current: 2, per_page: 2, pages: 2, count: 3 });
  });

  it('filters by status, customer_id, start_date and end_date', async () => {
    expect(await listed('?status=cancelled')).toEqual([made[2]!.id]);
    expect(await listed('?status=created')).toEqual([made[1]!.id, made[0]!.id]);
    expect(await listed(`?customer_id=${customers[1]}`)).toEqual([made[2]!.id, made[1]!.id]);
    expect(await listed('?start_date=2026-12-05')).toEqual([made[1]!.id]);
    expect(await listed('?end_date=2027-12-02')).toEqual([made[2]!.id]);
    expect(await listed(`?customer_id=${customers[0]}&status=cancelled`)).toEqual([]);
  });

  it('refuses bad filters', async () => {
    for (const query of ['?status=gone', '?customer_id=order_1', '?start_date=2026-13-01', '?end_date=tomorrow']) {
      const response = await api('GET', `/api/v1/subscriptions${query}`, undefined, lister.sandboxSecret);
      expect(response.statusCode, query).toBe(400);
      expect(response.json()).toMatchObject({ error: 'Bad Request' });
    }
  });

  it('answers 404 Subscription not found and 400 for a wrong prefix', async () => {
    const missing = await api('GET', '/api/v1/subscriptions/sub_6819d804aaaaa');
    expect(missing.json()).toEqual({ error: 'Not Found', message: 'Subscription not found', code: 'NOT_FOUND' });
    const wrong = await api('GET', '/api/v1/subscriptions/order_6819d804aaaaa');
    expect(wrong.statusCode).toBe(400);
  });
});

describe('the first instalment (payFirstInstalment)', () => {
  it('charges cycle 1 now, saves only a card token, activates with the schedule anchored on today', async () => {
    const sub = await create({ start_date: '2026-12-20', expires_at: '2026-12-25' });
    const { subscription, payment } = await payFirst(sub.id);
    expectSubscription(subscription);
    expect(subscription).toMatchObject({ status: 'active', next_payment_date: '2027-01-02', end_date: '2027-11-02' });
    expectSubscriptionPayment(payment);
    expect(payment).toMatchObject({ status: 'success', subscription_id: sub.id, payin_id: null, 'auto_debit?': false, requested_amount: 1000 });
    const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row).toMatchObject({ cardNetwork: 'Visa', cardLast4: '1111', cardExpMonth: 12, cardExpYear: 2030, cyclesBilled: 1, scheduleAnchor: '2026-12-02' });
    expect(row!.cardToken).toMatch(/^cardtok_test_success_[0-9a-f]{8}[0-9A-Za-z]{5}$/);
    const [stored] = await db.select().from(payments).where(eq(payments.id, payment!.id));
    expect(stored).toMatchObject({ billingCycle: 1, autoDebit: false, methodType: 'card', cardLast4: '1111' });
    expect(await eventTypes(sub.id)).toEqual(['subscription.active']);
    expect(await eventTypes(payment!.id)).toEqual(['payment.success']);
    // Paid once: a second payment of the link is refused.
    await expect(payFirst(sub.id)).rejects.toMatchObject({ statusCode: 400, message: 'Subscription cannot be paid from current state: active' });
  });

  it('records a declined card as a failed payment and leaves the subscription created; the customer may retry', async () => {
    const sub = await create();
    const declined = await payFirst(sub.id, VISA_DECLINED);
    expect(declined.subscription.status).toBe('created');
    expect(declined.payment).toMatchObject({ status: 'failed', error_code: 'PAYMENT_DECLINED', subscription_id: sub.id });
    const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row!.cardToken).toBeNull();
    expect((await payFirst(sub.id)).subscription.status).toBe('active');
  });

  it('with starts_with_first_payment false and a future start_date, saves the card only: authorized, charged on start_date', async () => {
    const sub = await create({ starts_with_first_payment: false, start_date: '2026-12-15', expires_at: '2026-12-20' });
    const { subscription, payment } = await payFirst(sub.id);
    expect(payment).toBeNull();
    expect(subscription).toMatchObject({ status: 'authorized', next_payment_date: '2026-12-15', end_date: '2027-11-15' });
    expect(await db.select().from(payments).where(eq(payments.subscriptionId, sub.id))).toEqual([]);
    const renewal = await db.select().from(jobs).where(and(eq(jobs.queue, 'subscriptions.renew'), eq(jobs.merchantId, merchant.id)));
    expect(renewal.filter((job) => job.payload.subscriptionId === sub.id)).toEqual([
      expect.objectContaining({ runAt: new Date('2026-12-15T01:00:00Z'), payload: expect.objectContaining({ cycle: 1, attempt: 0, date: '2026-12-15' }) }),
    ]);
    expect(await eventTypes(sub.id)).toEqual(['subscription.authorized']);
  });

  it('with starts_with_first_payment false and start_date today, charges now on start_date', async () => {
    const sub = await create({ starts_with_first_payment: false });
    const { subscription, payment } = await payFirst(sub.id);
    expect(payment?.status).toBe('success');
    expect(subscription).toMatchObject({ status: 'active', next_payment_date: '2027-01-02' });
  });

  it('refuses an expired link (past the end of its expires_at day) and a foreign or unknown subscription', async () => {
    const sub = await create({ expires_at: '2026-12-02' });
    const late = new ManualClock('2026-12-03T00:00:00Z');
    await expect(app.services.subscriptions.payFirstInstalment(await ctxOf(merchant, late), sub.id, VISA_OK))
      .rejects.toMatchObject({ statusCode: 400, message: 'Subscription cannot be paid from current state: expired' });
    const lastMinute = new ManualClock('2026-12-02T23:59:59Z');
    expect((await app.services.subscriptions.payFirstInstalment(await ctxOf(merchant, lastMinute), sub.id, VISA_OK)).subscription.status).toBe('active');
    const other = await createTestMerchant(clock);
    await expect(payFirst(sub.id, VISA_OK, other)).rejects.toMatchObject({ statusCode: 404, message: 'Subscription not found' });
  });

  it('locates a subscription by its id alone, for the hosted page', async () => {
    const sub = await create();
    const found = await app.services.subscriptions.locate(sub.id);
    expect(found?.tenant).toEqual({ merchantId: merchant.id, env: 'sandbox' });
    expect(app.services.subscriptions.present(found!.row)).toEqual(sub);
    expect(await app.services.subscriptions.locate('sub_6819d804aaaaa')).toBeUndefined();
    expect(await app.services.subscriptions.locate('order_6819d804aaaaa')).toBeUndefined();
  });
});

describe('pause, resume, cancel and the next payment date', () => {
  const patch = (id: string, action: string, payload?: Json) => api('PATCH', `/api/v1/subscriptions/${id}/${action}`, payload);
  const active = async (overrides: Json = {}) => {
    const sub = await create(overrides);
    await payFirst(sub.id);
    return sub;
  };

  it('pauses an active subscription (next_payment_date null) and resumes it on its schedule', async () => {
    const sub = await active();
    const paused = await patch(sub.id, 'pause');
    expect(paused.statusCode, paused.body).toBe(200);
    expectResponse('patch', '/subscriptions/{id}/pause', 200, paused.json());
    expect(paused.json()).toMatchObject({ status: 'paused', next_payment_date: null });
    const again = await patch(sub.id, 'pause');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ error: 'Bad Request', message: 'Subscription cannot be paused from current state: paused' });
    const resumed = await patch(sub.id, 'resume');
    expect(resumed.statusCode, resumed.body).toBe(200);
    expectResponse('patch', '/subscriptions/{id}/resume', 200, resumed.json());
    expect(resumed.json()).toMatchObject({ status: 'active', next_payment_date: '2027-01-02' });
    expect((await patch(sub.id, 'resume')).json()).toMatchObject({ message: 'Subscription cannot be resumed from current state: active' });
    expect(await eventTypes(sub.id)).toEqual(['subscription.active', 'subscription.paused', 'subscription.active']);
  });

  it('cancels from any open status, permanently, with cancelled_at', async () => {
    for (const sub of [await create(), await active()]) {
      const cancelled = await patch(sub.id, 'cancel');
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      expectResponse('patch', '/subscriptions/{id}/cancel', 200, cancelled.json());
      expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelled_at: '2026-12-02', next_payment_date: null });
      for (const [action, verb] of [['cancel', 'cancelled'], ['pause', 'paused'], ['resume', 'resumed']]) {
        const refused = await patch(sub.id, action!);
        expect(refused.statusCode).toBe(400);
        expect(refused.json()).toMatchObject({ message: `Subscription cannot be ${verb} from current state: cancelled` });
      }
    }
  });

  it('refuses to pause a created or as_presented subscription', async () => {
    expect((await patch((await create()).id, 'pause')).json()).toMatchObject({ message: 'Subscription cannot be paused from current state: created' });
    const presented = await active({ interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, max_amount: 3000 });
    expect((await patch(presented.id, 'pause')).json()).toMatchObject({ message: 'An as_presented subscription cannot be paused' });
  });

  it('moves the next payment date 2 to 28 days ahead; later cycles follow it', async () => {
    const sub = await active();
    const moved = await patch(sub.id, 'next-payment-date', { next_payment_date: '2026-12-30' });
    expect(moved.statusCode, moved.body).toBe(200);
    expectSubscription(moved.json());
    expect(moved.json()).toMatchObject({ status: 'active', next_payment_date: '2026-12-30', end_date: '2027-10-30' });
    expect(await eventTypes(sub.id)).toEqual(['subscription.active', 'subscription.updated']);
    expect((await patch(sub.id, 'next-payment-date', { next_payment_date: '2026-12-04' })).json().next_payment_date).toBe('2026-12-04');
  });

  it.each([
    ['2026-12-03', 'Validation failed: Next payment date must be at least 2 days after today'],
    ['2026-12-02', 'Validation failed: Next payment date must be at least 2 days after today'],
    ['2026-12-31', 'Validation failed: Next payment date must be within 28 days of today'],
    ['2026-12-32', 'Validation failed: Next payment date must be a date in YYYY-MM-DD format'],
  ])('refuses next_payment_date %s', async (date, message) => {
    const sub = await active();
    const response = await patch(sub.id, 'next-payment-date', { next_payment_date: date });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', message });
    expect((await api('GET', `/api/v1/subscriptions/${sub.id}`)).json().next_payment_date).toBe('2027-01-02');
  });

  it('moves the date only of an active fixed-frequency subscription', async () => {
    const created = await create();
    expect((await patch(created.id, 'next-payment-date', { next_payment_date: '2026-12-10' })).json())
      .toMatchObject({ message: 'Subscription cannot be rescheduled from current state: created' });
    const presented = await active({ interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, max_amount: 3000 });
    expect((await patch(presented.id, 'next-payment-date', { next_payment_date: '2026-12-10' })).json())
      .toMatchObject({ message: 'An as_presented subscription cannot be rescheduled' });
  });

  it('sets the sandbox renewal outcome; production keys get 404', async () => {
    const sub = await active();
    const set = await patch(sub.id, 'mock_renewal_outcome', { outcome: 'failed' });
    expect(set.statusCode, set.body).toBe(200);
    expectSubscription(set.json());
    const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row!.mockRenewalOutcome).toBe('failed');
    expect((await patch(sub.id, 'mock_renewal_outcome', { outcome: 'maybe' })).statusCode).toBe(400);
    const production = await api('PATCH', `/api/v1/subscriptions/${sub.id}/mock_renewal_outcome`, { outcome: 'success' }, merchant.productionSecret);
    expect(production.statusCode).toBe(404);
  });
});

describe('as_presented charges (chargePresented)', () => {
  it('charges the saved card up to max_amount with the next sequence number; refuses more', async () => {
    const sub = await create({ interval_type: 'as_presented', interval_count: undefined, billing_cycles: undefined, start_date: undefined, max_amount: 3000 });
    const first = await payFirst(sub.id);
    expect(first.subscription).toMatchObject({ status: 'active', next_payment_date: null });
    const ctx = await ctxOf(merchant);
    const charged = await app.services.subscriptions.chargePresented(ctx, sub.id, { amount: 2500n, requestId: 'req-1' });
    expectSubscriptionPayment(charged);
    expect(charged).toMatchObject({ status: 'success', requested_amount: 2500, 'auto_debit?': false, subscription_id: sub.id });
    const [row] = await db.select().from(payments).where(eq(payments.id, charged.id));
    expect(row).toMatchObject({ billingCycle: 2, requestId: 'req-1' });
    await expect(app.services.subscriptions.chargePresented(ctx, sub.id, { amount: 3001n, requestId: 'req-2' }))
      .rejects.toMatchObject({ statusCode: 400, message: "Amount must not exceed the subscription's max_amount of 3000" });
    const fixed = await create();
    await payFirst(fixed.id);
    await expect(app.services.subscriptions.chargePresented(ctx, fixed.id, { amount: 100n, requestId: 'req-3' }))
      .rejects.toMatchObject({ statusCode: 400, message: 'Only an as_presented subscription can be charged with an amount' });
    expect(await db.select().from(payments).where(eq(payments.subscriptionId, sub.id))).toHaveLength(2);
  });
});

const securityObject = async (target: App, owner: TestMerchant) => {
  const customer = await createCustomerId(target, owner.sandboxSecret);
  const response = await target.inject({ method: 'POST', url: '/api/v1/subscriptions', headers: bearer(owner.sandboxSecret), payload: subscriptionBody(customer, { start_date: '2099-01-01', expires_at: '2099-01-05' }) });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
describeSecurity('POST /api/v1/subscriptions', {
  method: 'POST', url: () => '/api/v1/subscriptions', payload: () => subscriptionBody('cust_6819d804aaaaa', { start_date: '2099-01-01', expires_at: '2099-01-05' }),
});
describeSecurity('GET /api/v1/subscriptions', {
  method: 'GET', url: () => '/api/v1/subscriptions', listedObject: securityObject,
});
describeSecurity('GET /api/v1/subscriptions/{id}', {
  method: 'GET', url: (id) => `/api/v1/subscriptions/${id}`, createObject: securityObject, notFoundMessage: 'Subscription not found', idPrefix: 'sub',
});
for (const action of ['cancel', 'pause', 'resume']) {
  describeSecurity(`PATCH /api/v1/subscriptions/{id}/${action}`, {
    method: 'PATCH', url: (id) => `/api/v1/subscriptions/${id}/${action}`, createObject: securityObject, notFoundMessage: 'Subscription not found', idPrefix: 'sub',
    // Only cancel succeeds on a created subscription: the others prove the owner's key reaches the state check.
    successStatus: action === 'cancel' ? 200 : 400,
  });
}
describeSecurity('PATCH /api/v1/subscriptions/{id}/next-payment-date', {
  method: 'PATCH', url: (id) => `/api/v1/subscriptions/${id}/next-payment-date`, payload: () => ({ next_payment_date: '2099-01-03' }),
  createObject: securityObject, notFoundMessage: 'Subscription not found', idPrefix: 'sub', successStatus: 400,
});
// The production key gets the unknown-route 404 (tested above): the other tenant's object is tested here by hand.
describeSecurity('PATCH /api/v1/subscriptions/{id}/mock_renewal_outcome', {
  method: 'PATCH', url: () => '/api/v1/subscriptions/sub_6819d804aaaaa/mock_renewal_outcome', payload: () => ({ outcome: 'failed' }),
});
describe('PATCH /api/v1/subscriptions/{id}/mock_renewal_outcome: another tenant', () => {
  it("answers 404 Subscription not found for another merchant's subscription", async () => {
    const other = await createTestMerchant(clock);
    const sub = await create();
    const response = await api('PATCH', `/api/v1/subscriptions/${sub.id}/mock_renewal_outcome`, { outcome: 'failed' }, other.sandboxSecret);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'Not Found', message: 'Subscription not found' });
  });
});
