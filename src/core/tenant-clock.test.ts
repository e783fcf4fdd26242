// Advances of a sandbox clock against each other and against a polling job runner (a database of the suite's own, so
// that the runner claims no other suite's jobs): every job that becomes due runs exactly once, none is skipped, each
// at its own time, and concurrent advances of one environment run one after the other.
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, jobs } from '../db/schema/index.js';
import { orderJobHandlers } from '../modules/orders/jobs.js';
import { ORDER_EXPIRE_QUEUE } from '../modules/orders/service.js';
import { bearer, createTestMerchant } from '../../test/support/app.js';
import { createCustomerId } from '../../test/support/fixtures.js';
import { jobSuite, type JobSuite } from '../../test/support/jobs.js';
import { ManualClock } from './clock.js';
import { readTenantClock } from './tenant-clock.js';

const DAY = 86_400;

describe('sandbox clock advances, concurrently', () => {
  const clock = new ManualClock('2026-05-01T09:00:00Z');
  let suite: JobSuite;

  beforeAll(async () => {
    suite = await jobSuite('tenant_clock', clock, (deps) => orderJobHandlers(deps));
  });
  afterAll(async () => {
    await suite.runner.stop();
    await suite?.close();
  });

  async function orderEvery(key: string, customerId: string, count: number, spacingMs: number): Promise<Array<{ id: string; expires_at: string }>> {
    const created: Array<{ id: string; expires_at: string }> = [];
    for (let i = 0; i < count; i++) {
      const response = await suite.app.inject({
        method: 'POST', url: '/api/v1/orders', headers: bearer(key),
        payload: { customer_id: customerId, amount: 1000 + i, currency: 'USD', payment_methods: ['card'], product: { name: 'Tea', description: 'Green' }, purpose_code: 'P0802' },
      });
      expect(response.statusCode, response.body).toBe(201);
      created.push(response.json());
      clock.advance(spacingMs);
    }
    return created;
  }

  const advance = (key: string, payload: Record<string, unknown>) =>
    suite.app.inject({ method: 'POST', url: '/api/v1/sandbox/clock/advance', headers: bearer(key), payload });

  it('runs each due job once, at its own time, with a polling runner running and four advances racing', async () => {
    const merchant = await createTestMerchant(clock, suite.database);
    const customerId = await createCustomerId(suite.app, merchant.sandboxSecret);
    // Orders expire 3 months after creation: twenty of them an hour apart in real time.
    const orders = await orderEvery(merchant.sandboxSecret, customerId, 20, 3600_000);
    suite.runner.start();
    // Ordinary requests race the advances too: five more orders, created at whatever the clock reads meanwhile.
    const [answers, racing] = await Promise.all([
      Promise.all([0, 1, 2, 3].map(() => advance(merchant.sandboxSecret, { seconds: 30 * DAY }))),
      orderEvery(merchant.sandboxSecret, customerId, 5, 0),
    ]);
    // Their expiry comes later still: one more advance runs it.
    const last = await advance(merchant.sandboxSecret, { seconds: 100 * DAY });
    await suite.runner.stop();
    for (const answer of answers) expect(answer.statusCode, answer.body).toBe(200);
    // Serialised: each advance moved the clock by its own 30 days, one after the other.
    const offsets = answers.map((a) => a.json<{ offset_seconds: number }>().offset_seconds).sort((a, b) => a - b);
    expect(offsets).toEqual([30, 60, 90, 120].map((days) => days * DAY));
    const ran = answers.reduce((n, a) => n + (a.json<{ ran: Record<string, number> }>().ran[ORDER_EXPIRE_QUEUE] ?? 0), 0)
      + (last.json<{ ran: Record<string, number> }>().ran[ORDER_EXPIRE_QUEUE] ?? 0);
    // The advances ran the twenty that came due while they stepped (their times are checked below); a racing order's
    // expiry may come due between two advances, by the advanced clock, and then the polling runner may take it first.
    expect(ran).toBeGreaterThanOrEqual(20);
    expect(ran).toBeLessThanOrEqual(25);

    const ids = [...orders, ...racing].map((o) => o.id);
    const expired = await suite.database.db.select().from(events)
      .where(and(inArray(events.entityId, ids), eq(events.eventType, 'expired')));
    expect(expired).toHaveLength(25);
    const at = (id: string) => expired.find((e) => e.entityId === id)!.createdAt.toISOString().replace('.000Z', 'Z');
    // At its own expires_at, not at the end of the advance that ran it.
    for (const order of orders) expect(at(order.id)).toBe(order.expires_at);
    // A request in flight while an advance runs may carry the clock it read when it began (docs/decisions/0018): its
    // order still expires exactly once, never before its expires_at.
    for (const order of racing) expect(at(order.id) >= order.expires_at).toBe(true);
    const expiryJobs = await suite.database.db.select().from(jobs)
      .where(and(eq(jobs.queue, ORDER_EXPIRE_QUEUE), eq(jobs.merchantId, merchant.id)));
    expect(expiryJobs.map((j) => [j.status, j.attempts])).toEqual(expiryJobs.map(() => ['done', 1]));
    expect(suite.handlerErrors).toEqual([]);
  });

  it("leaves another merchant's due jobs to the polling runner while one environment is advanced", async () => {
    const advanced = await createTestMerchant(clock, suite.database);
    const other = await createTestMerchant(clock, suite.database);
    const otherOrders = await orderEvery(other.sandboxSecret, await createCustomerId(suite.app, other.sandboxSecret), 2, 1000);
    const advancedOrders = await orderEvery(advanced.sandboxSecret, await createCustomerId(suite.app, advanced.sandboxSecret), 2, 1000);
    const moved = await advance(advanced.sandboxSecret, { seconds: 100 * DAY });
    expect(moved.json().ran[ORDER_EXPIRE_QUEUE]).toBe(2);
    // The other merchant's sandbox and both productions never moved: their orders are still active.
    const statusOf = async (key: string, id: string) =>
      (await suite.app.inject({ method: 'GET', url: `/api/v1/orders/${id}`, headers: bearer(key) })).json<{ status: string }>().status;
    for (const order of otherOrders) expect(await statusOf(other.sandboxSecret, order.id)).toBe('active');
    for (const order of advancedOrders) expect(await statusOf(advanced.sandboxSecret, order.id)).toBe('expired');
    const otherClock = await readTenantClock(suite.database.db, clock, { merchantId: other.id, env: 'sandbox' });
    expect(otherClock.offsetMs).toBe(0);
    // Real time reaching the other merchant's expiry: the polling runner expires them.
    clock.advance(100 * DAY * 1000);
    await suite.runner.runDue();
    for (const order of otherOrders) expect(await statusOf(other.sandboxSecret, order.id)).toBe('expired');
  });
});
