// Expiry of orders by the orders.expire job. A database of the suite's own: a runner claims every due job of its
// queues, and other suites leave order jobs on the shared one.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import type { JobRunner } from '../../core/jobs.js';
import type { Database } from '../../db/client.js';
import { events, jobs } from '../../db/schema/index.js';
import { bearer, type TestMerchant } from '../../../test/support/app.js';
import { expectResponse } from '../../../test/support/contract.js';
import { jobSuite, type JobSuite } from '../../../test/support/jobs.js';
import { orderJobHandlers } from './jobs.js';
import { ORDER_EXPIRE_QUEUE, transitionOrder } from './service.js';

const DAY = 24 * 60 * 60 * 1000;

interface Order {
  id: string;
  status: string;
  amount: number;
  currency: string;
  expires_at: string;
  [key: string]: unknown;
}

describe('expiry by the orders.expire job', () => {
  const clock = new ManualClock('2026-06-01T12:00:00Z');
  let suite: JobSuite;
  let database: Database;
  let app: App;
  let merchant: TestMerchant;
  let customerId: string;
  let runner: JobRunner;

  beforeAll(async () => {
    suite = await jobSuite('orders_expiry', clock, orderJobHandlers);
    ({ database, app, merchant, customerId, runner } = suite);
  });

  afterAll(async () => {
    await suite?.close();
  });

  const createOrder = async (body: Record<string, unknown> = {}): Promise<Order> => {
    const response = await app.inject({
      method: 'POST', url: '/api/v1/orders', headers: bearer(merchant.sandboxSecret),
      payload: { customer_id: customerId, currency: 'USD', amount: 10_000, payment_methods: ['bank_transfer'], ...body },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const read = (id: string) => app.inject({ method: 'GET', url: `/api/v1/orders/${id}`, headers: bearer(merchant.sandboxSecret) });
  const status = async (id: string) => (await read(id)).json().status as string;
  const eventTypes = async (id: string) =>
    (await database.db.select().from(events).where(eq(events.entityId, id)).orderBy(events.seq)).map((row) => row.eventType);
  const pay = (order: Order) => app.inject({
    method: 'POST', url: '/api/v1/payment/mock', headers: bearer(merchant.sandboxSecret),
    payload: { payin_id: order.id, amount: order.amount, currency: order.currency, payment_method: 'BankTransfer' },
  });

  it('schedules one job per order at its expires_at, in the creating transaction', async () => {
    const start = clock.now();
    const order = await createOrder();
    expect(Date.parse(order.expires_at)).toBe(Date.parse('2026-09-01T12:00:00Z'));
    const queued = await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `expire:${order.id}`));
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      queue: ORDER_EXPIRE_QUEUE,
      payload: { merchantId: merchant.id, env: 'sandbox', orderId: order.id },
      runAt: new Date(order.expires_at),
    });
    // A refused create (unknown customer) leaves no job behind.
    const before = await database.db.select().from(jobs).where(eq(jobs.queue, ORDER_EXPIRE_QUEUE));
    const refused = await app.inject({
      method: 'POST', url: '/api/v1/orders', headers: bearer(merchant.sandboxSecret),
      payload: { customer_id: 'cust_6819d804aaaaa', currency: 'USD', amount: 10_000, payment_methods: ['bank_transfer'] },
    });
    expect(refused.statusCode).toBe(404);
    expect(await database.db.select().from(jobs).where(eq(jobs.queue, ORDER_EXPIRE_QUEUE))).toHaveLength(before.length);
    clock.set(order.expires_at);
    expect(await runner.runDue()).toBe(1);
    expect(await status(order.id)).toBe('expired');
    clock.set(start);
  });

  it('does nothing before expires_at, expires the order at expires_at with its event, and once only', async () => {
    const start = clock.now();
    const order = await createOrder();
    clock.set(new Date(Date.parse(order.expires_at) - 1000));
    expect(await runner.runDue()).toBe(0);
    // The handler re-checks the time itself (a job may run early, e.g. after a clock change): not yet due, no change.
    const handler = orderJobHandlers({ db: database.db })[ORDER_EXPIRE_QUEUE]!;
    const payload = { merchantId: merchant.id, env: 'sandbox', orderId: order.id };
    expect(await handler({ id: 0n, queue: ORDER_EXPIRE_QUEUE, payload, attempt: 1, maxAttempts: 10, tenant: undefined, clock })).toEqual({ status: 'done' });
    expect(await status(order.id)).toBe('active');

    clock.set(order.expires_at);
    expect(await runner.runDue()).toBe(1);
    const expired = await read(order.id);
    expect(expired.json()).toMatchObject({ status: 'expired', updated_at: order.expires_at });
    // The contract's Order enum lacks the webhook catalogue's `expired` (decisions/0004): check the rest of the shape.
    expectResponse('get', '/orders/{id}', 200, { ...expired.json<Record<string, unknown>>(), status: 'cancelled' });
    const rows = await database.db.select().from(events).where(eq(events.entityId, order.id)).orderBy(events.seq);
    expect(rows.map((row) => row.eventType)).toEqual(['active', 'expired']);
    expect(rows[1]).toMatchObject({ entityType: 'orders', data: expired.json() });

    clock.advance(DAY);
    expect(await runner.runDue()).toBe(0);
    // Re-running the handler (at-least-once delivery) changes nothing.
    expect(await handler({ id: 0n, queue: ORDER_EXPIRE_QUEUE, payload, attempt: 1, maxAttempts: 10, tenant: undefined, clock })).toEqual({ status: 'done' });
    expect(await eventTypes(order.id)).toEqual(['active', 'expired']);
    // A malformed payload is dead at once rather than retried.
    expect(await handler({ id: 0n, queue: ORDER_EXPIRE_QUEUE, payload: { orderId: order.id }, attempt: 1, maxAttempts: 10, tenant: undefined, clock }))
      .toMatchObject({ status: 'dead' });
    clock.set(start);
  });

  it('holds a transfer after expiry as PAYIN_NOT_FOUND: the order stays expired', async () => {
    const start = clock.now();
    const order = await createOrder();
    clock.set(order.expires_at);
    expect(await runner.runDue()).toBe(1);
    expect(await status(order.id)).toBe('expired');

    const response = await pay(order);
    // As the live API: a transfer to an order that is not active is recorded and held (decision 0032).
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ status: 'action_required', error_code: 'PAYIN_NOT_FOUND', payin_id: order.id });
    expect(await status(order.id)).toBe('expired');
    expect(await eventTypes(order.id)).toEqual(['active', 'expired']);
    clock.set(start);
  });

  it('does not expire an order paid before its expires_at', async () => {
    const start = clock.now();
    const order = await createOrder();
    const paid = await pay(order);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ status: 'success' });
    clock.set(new Date(Date.parse(order.expires_at) + 1000));
    expect(await runner.runDue()).toBe(1);
    expect(suite.handlerErrors).toEqual([]);
    expect(await status(order.id)).toBe('paid');
    expect(await eventTypes(order.id)).toEqual(['active', 'paid']);
    clock.set(start);
  });

  it('expires an order waiting for documents, but not one under review', async () => {
    const start = clock.now();
    const sandbox = { merchantId: merchant.id, env: 'sandbox' as const };
    const waiting = await createOrder();
    const reviewed = await createOrder();
    await database.db.transaction(async (tx) => {
      await transitionOrder({ tx, clock, tenant: sandbox }, waiting.id, { to: 'action_required', requiredDocuments: ['Passport'] });
      await transitionOrder({ tx, clock, tenant: sandbox }, reviewed.id, { to: 'action_required', requiredDocuments: ['Passport'] });
      await transitionOrder({ tx, clock, tenant: sandbox }, reviewed.id, { to: 'under_review' });
    });
    clock.set(waiting.expires_at);
    expect(await runner.runDue()).toBe(2);
    expect(await status(waiting.id)).toBe('expired');
    expect(await eventTypes(waiting.id)).toEqual(['active', 'action_required', 'expired']);
    expect(await status(reviewed.id)).toBe('under_review');
    expect(await eventTypes(reviewed.id)).toEqual(['active', 'action_required', 'under_review']);
    clock.set(start);
  });

  it('expires an order created from a quote with its quote', async () => {
    const quote = await app.inject({
      method: 'POST', url: '/api/v1/quotes', headers: bearer(merchant.sandboxSecret),
      payload: { resource: 'payin', source_currency: 'EUR', destination_currency: 'USD', destination_amount: 10_000 },
    });
    expect(quote.statusCode, quote.body).toBe(201);
    const { id: quoteId, expires_at: quoteExpiresAt } = quote.json().quotes[0] as { id: string; expires_at: string };
    const order = await createOrder({ quote_id: quoteId, currency: undefined, amount: undefined, payment_methods: undefined });
    expect(Date.parse(order.expires_at)).toBe(Date.parse(quoteExpiresAt));
    clock.set(new Date(Date.parse(order.expires_at) - 1000));
    expect(await runner.runDue()).toBe(0);
    clock.set(order.expires_at);
    expect(await runner.runDue()).toBe(1);
    expect(await status(order.id)).toBe('expired');
  });
});
