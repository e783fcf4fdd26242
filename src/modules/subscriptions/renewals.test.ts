// Renewals, dunning, pause/resume, cancel, moved dates and link expiry, driven by the sandbox test clock: each test
// has a merchant of its own (an advance runs only its environment's jobs) with a fixed-fee default price.
import { and, asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { ManualClock } from '../../core/clock.js';
import { tenantContext } from '../../core/tenant-clock.js';
import type { Db } from '../../db/client.js';
import { events, jobs, payments, subscriptions } from '../../db/schema/index.js';
import { getBalances, verifyLedger } from '../../ledger/index.js';
import { bearer, buildTestApp, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { expectSchema, expectSubscriptionPayment } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { createCustomerId } from '../../../test/support/fixtures.js';
import { SUBSCRIPTION_RENEW_QUEUE, type InstalmentCard } from './service.js';

const START = '2026-12-02T10:00:00Z';
const FEE = 100;
const VISA_OK: InstalmentCard = { network: 'Visa', last4: '1111', expMonth: 12, expYear: 2030, outcome: 'success' };
const VISA_DECLINES: InstalmentCard = { network: 'Visa', last4: '1112', expMonth: 12, expYear: 2030, outcome: 'failure' };

type Json = Record<string, unknown>;

const subscriptionBody = (customerId: string, overrides: Json = {}): Json => ({
  customer_id: customerId, product_name: 'ShieldGuard Insurance', product_description: 'Flexible, monthly insurance',
  amount: 1000, currency: 'USD', interval_type: 'month', interval_count: 1, billing_cycles: 12,
  start_date: '2026-12-02', expires_at: '2026-12-09', notify_customer: false, starts_with_first_payment: true, ...overrides,
});

let app: App;
let db: Db;
const clock = new ManualClock(START);

beforeAll(async () => {
  ({ app } = await buildTestApp({ clock }));
  db = (await testEnv()).database.db;
});


/** A merchant of the test's own with a customer and a 100 (minor units) fixed-fee default price. */
async function fixture() {
  const merchant = await createTestMerchant(clock);
  const customerId = await createCustomerId(app, merchant.sandboxSecret);
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json) =>
    app.inject({ method, url, headers: bearer(merchant.sandboxSecret), ...(payload ? { payload } : {}) });
  const price = await api('POST', '/api/v1/prices', { pricing_type: 'fixed', fees_amount: FEE, fees_currency: 'USD' });
  expect(price.statusCode, price.body).toBe(201);
  const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
  return {
    merchant, customerId, api,
    async create(overrides: Json = {}): Promise<Json & { id: string }> {
      const response = await api('POST', '/api/v1/subscriptions', subscriptionBody(customerId, overrides));
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    },
    async pay(id: string, card = VISA_OK): Promise<Json> {
      const { subscription } = await app.services.subscriptions.payFirstInstalment(await tenantContext(db, clock, tenant), id, card);
      return subscription;
    },
    async advanceTo(iso: string) {
      const response = await api('POST', '/api/v1/sandbox/clock/advance', { to: iso });
      expect(response.statusCode, response.body).toBe(200);
    },
    async read(id: string): Promise<Json> {
      const response = await api('GET', `/api/v1/subscriptions/${id}`);
      expect(response.statusCode).toBe(200);
      return response.json();
    },
    charges: (id: string) => db.select().from(payments).where(eq(payments.subscriptionId, id)).orderBy(asc(payments.createdAt), asc(payments.billingCycle)),
    async subscriptionEvents(id: string) {
      return (await db.select().from(events).where(and(eq(events.entityId, id), eq(events.entityType, 'subscription'))).orderBy(events.seq))
        .map((row) => row.eventType);
    },
  };
}

const pendingUsd = async (merchant: TestMerchant) =>
  (await getBalances(db, { merchantId: merchant.id, env: 'sandbox' })).pending.find((line) => line.currency === 'USD')?.amount ?? 0n;
const day = (at: Date | null) => at?.toISOString().slice(0, 10);

describe('renewals through the sandbox clock', () => {
  it('a monthly 12-cycle subscription advanced 13 months makes exactly 12 payments and completes; balance 12 × (amount − fee)', async () => {
    const f = await fixture();
    const sub = await f.create({ amount: 1000, billing_cycles: 12 });
    expect((await f.pay(sub.id)).status).toBe('active');
    await f.advanceTo('2028-01-02T10:00:00Z');
    const charges = await f.charges(sub.id);
    expect(charges).toHaveLength(12);
    expect(charges.every((row) => row.status === 'success')).toBe(true);
    expect(charges.map((row) => row.billingCycle)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(charges.map((row) => row.autoDebit)).toEqual([false, ...Array(11).fill(true)]);
    expect(charges.map((row) => day(row.paidAt))).toEqual([
      '2026-12-02', '2027-01-02', '2027-02-02', '2027-03-02', '2027-04-02', '2027-05-02', '2027-06-02', '2027-07-02',
      '2027-08-02', '2027-09-02', '2027-10-02', '2027-11-02',
    ]);
    // Charged at 06:30 IST (01:00 UTC) of each date.
    expect(charges[1]!.paidAt!.toISOString()).toBe('2027-01-02T01:00:00.000Z');
    expect(charges.every((row) => row.feeAmount === BigInt(FEE))).toBe(true);
    const done = await f.read(sub.id);
    expectSchema('Subscription', done);
    expect(done).toMatchObject({ status: 'completed', next_payment_date: null, end_date: '2027-11-02' });
    expect(await pendingUsd(f.merchant)).toBe(12n * (1000n - BigInt(FEE)));
    const report = await verifyLedger(db, { merchantId: f.merchant.id });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(await f.subscriptionEvents(sub.id)).toEqual(['active', ...Array(10).fill('updated'), 'completed']);
    const renewal = await f.api('GET', `/api/v1/payment/${charges[5]!.id}`);
    expectSubscriptionPayment(renewal.json());
    expect(renewal.json()).toMatchObject({ 'auto_debit?': true, subscription_id: sub.id, status: 'success' });
  });

  it('a declined renewal retries 1, 3 and 5 days after its date, then halts; resume charges on the next date', async () => {
    const f = await fixture();
    const sub = await f.create({ billing_cycles: 6 });
    await f.pay(sub.id);
    expect((await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/mock_renewal_outcome`, { outcome: 'failed' })).statusCode).toBe(200);
    await f.advanceTo('2027-01-06T12:00:00Z');
    let charges = await f.charges(sub.id);
    expect(charges.map((row) => [row.status, row.billingCycle, row.createdAt.toISOString()])).toEqual([
      ['success', 1, '2026-12-02T10:00:00.000Z'],
      ['failed', 2, '2027-01-02T01:00:00.000Z'],
      ['failed', 2, '2027-01-03T01:00:00.000Z'],
      ['failed', 2, '2027-01-05T01:00:00.000Z'],
    ]);
    expect(await f.read(sub.id)).toMatchObject({ status: 'active', next_payment_date: '2027-01-02' });
    await f.advanceTo('2027-01-08T12:00:00Z');
    charges = await f.charges(sub.id);
    expect(charges).toHaveLength(5);
    expect(charges[4]!.createdAt.toISOString()).toBe('2027-01-07T01:00:00.000Z');
    const halted = await f.read(sub.id);
    expectSchema('Subscription', halted);
    expect(halted).toMatchObject({ status: 'halted', next_payment_date: null });
    expect(await f.subscriptionEvents(sub.id)).toEqual(['active', 'failed', 'failed', 'failed', 'halted']);
    // Halted: nothing more is charged.
    await f.advanceTo('2027-02-10T12:00:00Z');
    expect(await f.charges(sub.id)).toHaveLength(5);
    // Resumed: from the next scheduled date on or after today (3 March); January's and February's cycles are not charged.
    await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/mock_renewal_outcome`, { outcome: 'success' });
    const resumed = await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/resume`);
    expect(resumed.json()).toMatchObject({ status: 'active', next_payment_date: '2027-03-02' });
    await f.advanceTo('2027-03-03T00:00:00Z');
    charges = await f.charges(sub.id);
    expect(charges.slice(5).map((row) => [row.status, row.billingCycle, row.createdAt.toISOString()])).toEqual([
      ['success', 4, '2027-03-02T01:00:00.000Z'],
    ]);
    expect(await f.read(sub.id)).toMatchObject({ status: 'active', next_payment_date: '2027-04-02' });
    expect(await verifyLedger(db, { merchantId: f.merchant.id })).toMatchObject({ ok: true, problems: [] });
  });

  it('a pre-authorised failing test card is charged on start_date, declines by its own outcome, and halts', async () => {
    const f = await fixture();
    const sub = await f.create({ starts_with_first_payment: false, start_date: '2026-12-10', expires_at: '2026-12-10' });
    expect((await f.pay(sub.id, VISA_DECLINES)).status).toBe('authorized');
    const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(row!.cardToken).toMatch(/^cardtok_test_failure_/);
    await f.advanceTo('2026-12-16T00:00:00Z');
    expect((await f.charges(sub.id)).map((charge) => charge.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(await f.read(sub.id)).toMatchObject({ status: 'halted' });
    expect(await f.subscriptionEvents(sub.id)).toEqual(['authorized', 'failed', 'failed', 'failed', 'halted']);
  });

  it('a pre-authorised card is charged cycle 1 on start_date and becomes active', async () => {
    const f = await fixture();
    const sub = await f.create({ starts_with_first_payment: false, start_date: '2026-12-10', expires_at: '2026-12-10', billing_cycles: 3 });
    await f.pay(sub.id);
    await f.advanceTo('2026-12-10T02:00:00Z');
    const charges = await f.charges(sub.id);
    expect(charges.map((charge) => [charge.status, charge.billingCycle, charge.autoDebit])).toEqual([['success', 1, true]]);
    expect(await f.read(sub.id)).toMatchObject({ status: 'active', next_payment_date: '2027-01-10', end_date: '2027-02-10' });
    expect(await f.subscriptionEvents(sub.id)).toEqual(['authorized', 'active']);
  });

  it('a pause across a billing date charges nothing; resume continues the schedule without a burst', async () => {
    const f = await fixture();
    const sub = await f.create({ billing_cycles: 6 });
    await f.pay(sub.id);
    await f.advanceTo('2026-12-20T10:00:00Z');
    expect((await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/pause`)).statusCode).toBe(200);
    await f.advanceTo('2027-02-15T10:00:00Z');
    expect(await f.charges(sub.id)).toHaveLength(1);
    const resumed = await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/resume`);
    expect(resumed.json()).toMatchObject({ status: 'active', next_payment_date: '2027-03-02', end_date: '2027-05-02' });
    // Resuming runs nothing at once: the missed January and February cycles are not charged.
    await f.advanceTo('2027-03-01T23:00:00Z');
    expect(await f.charges(sub.id)).toHaveLength(1);
    await f.advanceTo('2027-03-02T02:00:00Z');
    expect((await f.charges(sub.id)).map((charge) => charge.billingCycle)).toEqual([1, 4]);
    // The last cycles, then completed: 4 of 6 cycles billed.
    await f.advanceTo('2027-06-01T00:00:00Z');
    expect((await f.charges(sub.id)).map((charge) => charge.billingCycle)).toEqual([1, 4, 5, 6]);
    expect(await f.read(sub.id)).toMatchObject({ status: 'completed' });
  });

  it('a pause and resume before the date keeps the same charge, once', async () => {
    const f = await fixture();
    const sub = await f.create({ billing_cycles: 3 });
    await f.pay(sub.id);
    await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/pause`);
    await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/resume`);
    await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/pause`);
    await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/resume`);
    await f.advanceTo('2027-01-03T00:00:00Z');
    expect((await f.charges(sub.id)).map((charge) => charge.billingCycle)).toEqual([1, 2]);
  });

  it('cancel mid-cycle: nothing is charged after it', async () => {
    const f = await fixture();
    const sub = await f.create();
    await f.pay(sub.id);
    await f.advanceTo('2027-01-15T10:00:00Z');
    expect(await f.charges(sub.id)).toHaveLength(2);
    const cancelled = await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelled_at: '2027-01-15', next_payment_date: null });
    await f.advanceTo('2027-04-15T10:00:00Z');
    expect(await f.charges(sub.id)).toHaveLength(2);
    expect(await f.read(sub.id)).toMatchObject({ status: 'cancelled' });
  });

  it('a yearly subscription bills once a year and completes', async () => {
    const f = await fixture();
    const sub = await f.create({ interval_type: 'year', interval_count: 1, billing_cycles: 3 });
    expect(sub.end_date).toBe('2028-12-02');
    await f.pay(sub.id);
    await f.advanceTo('2027-12-01T10:00:00Z');
    expect(await f.charges(sub.id)).toHaveLength(1);
    await f.advanceTo('2029-01-01T10:00:00Z');
    expect((await f.charges(sub.id)).map((charge) => day(charge.paidAt))).toEqual(['2026-12-02', '2027-12-02', '2028-12-02']);
    expect(await f.read(sub.id)).toMatchObject({ status: 'completed' });
  });

  it('a subscription started on 31 January bills on 28 February, then 31 March', async () => {
    const f = await fixture();
    await f.advanceTo('2027-01-31T09:00:00Z');
    const sub = await f.create({ start_date: '2027-01-31', expires_at: '2027-02-05', billing_cycles: 4 });
    expect(sub.end_date).toBe('2027-04-30');
    expect((await f.pay(sub.id)).next_payment_date).toBe('2027-02-28');
    await f.advanceTo('2027-03-01T00:00:00Z');
    expect((await f.read(sub.id)).next_payment_date).toBe('2027-03-31');
    await f.advanceTo('2027-05-01T00:00:00Z');
    expect((await f.charges(sub.id)).map((charge) => day(charge.paidAt))).toEqual(['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30']);
  });

  it('a moved next payment date is charged on the new date, once, and the schedule follows it', async () => {
    const f = await fixture();
    const sub = await f.create({ billing_cycles: 3 });
    await f.pay(sub.id);
    await f.advanceTo('2026-12-10T10:00:00Z');
    const moved = await f.api('PATCH', `/api/v1/subscriptions/${sub.id}/next-payment-date`, { next_payment_date: '2026-12-20' });
    expect(moved.json()).toMatchObject({ next_payment_date: '2026-12-20', end_date: '2027-01-20' });
    await f.advanceTo('2027-01-10T10:00:00Z');
    // The job for 2 January found the cycle billed already: one charge, on the 20th.
    expect((await f.charges(sub.id)).map((charge) => [charge.billingCycle, day(charge.paidAt)])).toEqual([[1, '2026-12-02'], [2, '2026-12-20']]);
    expect((await f.read(sub.id)).next_payment_date).toBe('2027-01-20');
    await f.advanceTo('2027-01-21T10:00:00Z');
    expect(await f.read(sub.id)).toMatchObject({ status: 'completed' });
  });

  it('an unpaid link expires after its expires_at day; a paid one does not', async () => {
    const f = await fixture();
    const unpaid = await f.create({ start_date: '2026-12-03', expires_at: '2026-12-05' });
    const paid = await f.create({ start_date: '2026-12-03', expires_at: '2026-12-05' });
    await f.pay(paid.id);
    await f.advanceTo('2026-12-05T23:59:00Z');
    expect((await f.read(unpaid.id)).status).toBe('created');
    await f.advanceTo('2026-12-06T00:00:01Z');
    const expired = await f.read(unpaid.id);
    expectSchema('Subscription', expired);
    expect(expired.status).toBe('expired');
    expect(await f.subscriptionEvents(unpaid.id)).toEqual(['expired']);
    expect((await f.read(paid.id)).status).toBe('active');
    const tenant = { merchantId: f.merchant.id, env: 'sandbox' as const };
    await expect(app.services.subscriptions.payFirstInstalment(await tenantContext(db, clock, tenant), unpaid.id, VISA_OK))
      .rejects.toMatchObject({ message: 'Subscription cannot be paid from current state: expired' });
  });

  it('runs of the same renewal job at once make one payment', async () => {
    const f = await fixture();
    const sub = await f.create({ billing_cycles: 3 });
    await f.pay(sub.id);
    const [queued] = await db.select().from(jobs).where(and(eq(jobs.queue, SUBSCRIPTION_RENEW_QUEUE), eq(jobs.merchantId, f.merchant.id)));
    const at = new ManualClock('2027-01-02T01:00:00Z');
    const job = { id: queued!.id, queue: SUBSCRIPTION_RENEW_QUEUE, payload: queued!.payload, attempt: 1, maxAttempts: 10, tenant: undefined, clock: at };
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => app.services.subscriptions.runRenewal(job)));
    expect(outcomes).toEqual(Array(4).fill({ status: 'done' }));
    expect((await f.charges(sub.id)).map((charge) => charge.billingCycle)).toEqual([1, 2]);
    // Run early (a clock that has not reached 01:00), the job is deferred to its time, not charged.
    const early = { ...job, clock: new ManualClock('2027-01-02T00:59:00Z') };
    const next = await db.select().from(jobs).where(and(eq(jobs.queue, SUBSCRIPTION_RENEW_QUEUE), eq(jobs.merchantId, f.merchant.id)));
    const third = next.find((row) => row.payload.cycle === 3)!;
    expect(await app.services.subscriptions.runRenewal({ ...early, payload: third.payload })).toEqual({ status: 'defer', at: new Date('2027-02-02T01:00:00Z') });
    expect(await app.services.subscriptions.runRenewal({ ...job, payload: { subscriptionId: sub.id } })).toMatchObject({ status: 'dead' });
    expect(await verifyLedger(db, { merchantId: f.merchant.id })).toMatchObject({ ok: true, problems: [] });
  });
});
