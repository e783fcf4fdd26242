// Payout queueing and maker-checker (notes-payouts §13.6): held-back payouts hold nothing; the queue's release runs
// at :02, :17, :32 and :47, FIFO per source currency, only what the balance covers (an uncovered head blocks), and
// expires payouts queued for 30 days. A database of the suite's own, for its job runner.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { events, jobs } from '../../db/schema/index.js';
import { adjustBalance, verifyLedger } from '../../ledger/index.js';
import { ADMIN_TOKEN, bearer, createTestMerchant, type TestMerchant } from '../../../test/support/app.js';
import { v2Body } from '../../../test/support/beneficiaries.js';
import { jobSuite, type JobSuite } from '../../../test/support/jobs.js';
import { inUnitOfWork } from '../../core/context.js';
import { enqueuePlatformJob } from '../../core/jobs.js';
import { payoutJobHandlers } from './jobs.js';
import { nextQueueRelease, PAYOUT_QUEUE_RELEASE_QUEUE, scheduleQueueRelease } from './service.js';

describe('nextQueueRelease', () => {
  it.each([
    ['2026-07-01T10:00:00Z', '2026-07-01T10:02:00Z'],
    ['2026-07-01T10:02:00Z', '2026-07-01T10:17:00Z'],
    ['2026-07-01T10:01:59.999Z', '2026-07-01T10:02:00Z'],
    ['2026-07-01T10:16:30Z', '2026-07-01T10:17:00Z'],
    ['2026-07-01T10:47:00Z', '2026-07-01T11:02:00Z'],
    ['2026-07-01T23:50:00Z', '2026-07-02T00:02:00Z'],
    ['2026-12-31T23:47:00.001Z', '2027-01-01T00:02:00Z'],
  ])('after %s is %s', (after, expected) => {
    expect(nextQueueRelease(new Date(after)).toISOString()).toBe(new Date(expected).toISOString());
  });
});

describe('payout queueing and maker-checker', () => {
  const clock = new ManualClock('2026-07-01T10:00:00Z');
  let suite: JobSuite;

  beforeAll(async () => {
    suite = await jobSuite('payouts_queue', clock, (deps) => payoutJobHandlers({ ...deps, railDelaySeconds: 3600 }));
  });
  afterAll(async () => {
    await suite?.close();
  });

  async function merchantWith(settings: Record<string, unknown>): Promise<TestMerchant & { beneficiaryId: string }> {
    const merchant = await createTestMerchant(clock, suite.database);
    const patched = await suite.app.inject({ method: 'PATCH', url: `/admin/v1/merchants/${merchant.id}`, headers: bearer(ADMIN_TOKEN), payload: settings });
    expect(patched.statusCode, patched.body).toBe(200);
    const beneficiary = await suite.app.inject({ method: 'POST', url: '/api/v2/beneficiaries', headers: bearer(merchant.sandboxSecret), payload: v2Body() });
    expect(beneficiary.statusCode, beneficiary.body).toBe(201);
    return { ...merchant, beneficiaryId: beneficiary.json().id };
  }

  const fund = async (merchant: TestMerchant, amount: bigint) => {
    const result = await suite.database.db.transaction((tx) =>
      adjustBalance({ tx, clock, tenant: { merchantId: merchant.id, env: 'sandbox' } }, { direction: 'credit', currency: 'USD', amount, reason: 'test funding' }));
    expect(result.ok).toBe(true);
  };

  const create = async (merchant: TestMerchant & { beneficiaryId: string }, sourceAmount: number) => {
    const response = await suite.app.inject({
      method: 'POST', url: '/api/v1/payouts', headers: bearer(merchant.sandboxSecret),
      payload: { beneficiary_id: merchant.beneficiaryId, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: sourceAmount },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; status: string };
  };

  const statusOf = async (merchant: TestMerchant, id: string) =>
    (await suite.app.inject({ method: 'GET', url: `/api/v1/payouts/${id}`, headers: bearer(merchant.sandboxSecret) })).json();
  const available = async (merchant: TestMerchant) =>
    ((await suite.app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(merchant.sandboxSecret) })).json().available as
      { currency: string; amount: number }[]).find((b) => b.currency === 'USD')?.amount ?? 0;
  const ledgerOk = async (merchant: TestMerchant) =>
    expect((await verifyLedger(suite.database.db, { merchantId: merchant.id })).problems).toEqual([]);

  /** Moves the clock to the next release slot and runs what is due there (a queued payout scheduled its queue's runs). */
  const releaseRun = async () => {
    clock.set(nextQueueRelease(clock.now()));
    await suite.runner.runDue();
  };

  it('queues payouts without holding anything, releases them FIFO as the balance covers them, the head blocking', async () => {
    const merchant = await merchantWith({ payout_queueing: true });
    const first = await create(merchant, 20_000); // needs 21,500
    clock.advance(1_000);
    const second = await create(merchant, 5_000); // needs 6,500
    expect([first.status, second.status]).toEqual(['queued', 'queued']);
    expect(await available(merchant)).toBe(0);

    // 10,000 covers the second but not the head: both wait.
    await fund(merchant, 10_000n);
    await releaseRun();
    expect((await statusOf(merchant, first.id)).status).toBe('queued');
    expect((await statusOf(merchant, second.id)).status).toBe('queued');
    expect(await available(merchant)).toBe(10_000);

    await fund(merchant, 20_000n);
    await releaseRun();
    expect((await statusOf(merchant, first.id)).status).toBe('in_progress');
    expect((await statusOf(merchant, second.id)).status).toBe('in_progress');
    expect(await available(merchant)).toBe(30_000 - 21_500 - 6_500);
    const { database } = suite;
    const firstEvents = await database.db.select().from(events).where(eq(events.entityId, first.id)).orderBy(events.seq);
    expect(firstEvents.map((e) => e.eventType)).toEqual(['queued', 'in_progress']);
    // Released payouts go to the simulated rail.
    expect(await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `rail:${first.id}`))).toHaveLength(1);
    await ledgerOk(merchant);
  });

  it('expires a payout queued for 30 days with QUEUE_EXPIRED, holding nothing, and releases the one behind it', async () => {
    const merchant = await merchantWith({ payout_queueing: true });
    const old = await create(merchant, 50_000);
    clock.advance(29 * 24 * 3600_000);
    const young = await create(merchant, 1_000_000); // never covered
    clock.advance(24 * 3600_000);
    await fund(merchant, 2_000n);
    await releaseRun();
    expect(await statusOf(merchant, old.id)).toMatchObject({
      status: 'failed', error_code: 'QUEUE_EXPIRED', error_description: 'The payout stayed queued for 30 days without a balance to cover it. No funds were held.',
    });
    expect((await statusOf(merchant, young.id)).status).toBe('queued');
    expect(await available(merchant)).toBe(2_000);
    await ledgerOk(merchant);
  });

  it("schedules each queue's run once per slot when a payout joins it, then the next slot while anything waits", async () => {
    clock.set(new Date('2026-09-01T08:40:00Z'));
    const merchant = await merchantWith({ payout_queueing: true });
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const key = (slot: string) => `release:${merchant.id}:sandbox:${slot}`;
    await create(merchant, 10_000);
    await create(merchant, 20_000);
    await inUnitOfWork(suite.database.db, { clock, tenant }, (uow) => scheduleQueueRelease(uow));
    const due = await suite.database.db.select().from(jobs).where(eq(jobs.uniqueKey, key('2026-09-01T08:47:00.000Z')));
    expect(due.map((j) => [j.queue, j.merchantId, j.env])).toEqual([[PAYOUT_QUEUE_RELEASE_QUEUE, merchant.id, 'sandbox']]);
    clock.set(new Date('2026-09-01T08:47:00Z'));
    await suite.runner.runDue();
    const next = await suite.database.db.select().from(jobs).where(eq(jobs.uniqueKey, key('2026-09-01T09:02:00.000Z')));
    expect(next.map((j) => [j.queue, j.status])).toEqual([[PAYOUT_QUEUE_RELEASE_QUEUE, 'queued']]);
    // Once nothing waits, the runs stop: funded, both leave at 09:02 and no 09:17 run is scheduled.
    await fund(merchant, 40_000n);
    clock.set(new Date('2026-09-01T09:02:00Z'));
    await suite.runner.runDue();
    expect(await suite.database.db.select().from(jobs).where(eq(jobs.uniqueKey, key('2026-09-01T09:17:00.000Z')))).toEqual([]);
    await ledgerOk(merchant);
  });

  it("hands the platform-wide release job of earlier versions over to each queue's own runs", async () => {
    clock.set(new Date('2026-09-02T08:40:00Z'));
    const merchant = await merchantWith({ payout_queueing: true });
    const waiting = await create(merchant, 10_000);
    await suite.database.db.delete(jobs).where(eq(jobs.queue, PAYOUT_QUEUE_RELEASE_QUEUE));
    await enqueuePlatformJob(suite.database.db, clock, { queue: PAYOUT_QUEUE_RELEASE_QUEUE, payload: {}, uniqueKey: 'release:2026-09-02T08:47:00.000Z' });
    await suite.runner.runDue();
    const scheduled = await suite.database.db.select().from(jobs).where(eq(jobs.queue, PAYOUT_QUEUE_RELEASE_QUEUE));
    const own = scheduled.filter((j) => j.status === 'queued' && j.merchantId === merchant.id);
    expect(own.map((j) => j.uniqueKey)).toEqual([`release:${merchant.id}:sandbox:2026-09-02T08:47:00.000Z`]);
    expect(scheduled.filter((j) => j.merchantId === null).map((j) => j.status)).toEqual(['done']);
    await fund(merchant, 20_000n);
    await releaseRun();
    expect((await statusOf(merchant, waiting.id)).status).toBe('in_progress');
  });

  describe('maker-checker', () => {
    const approval = (merchant: TestMerchant, id: string, action: 'approve' | 'reject', headers: Record<string, string> = bearer(ADMIN_TOKEN)) =>
      suite.app.inject({ method: 'POST', url: `/admin/v1/merchants/${merchant.id}/payouts/${id}/${action}`, headers, payload: { env: 'sandbox' } });

    it('waits for approval holding nothing; approval releases it (or reports the shortfall), rejection cancels it', async () => {
      const merchant = await merchantWith({ maker_checker: true });
      const waiting = await create(merchant, 10_000);
      expect(waiting.status).toBe('pending_approval');
      const short = await approval(merchant, waiting.id, 'approve');
      expect(short.statusCode).toBe(400);
      expect(short.json()).toMatchObject({ code: 'INSUFFICIENT_BALANCE', message: expect.stringContaining('Additional amount required: 11500.') });
      expect((await statusOf(merchant, waiting.id)).status).toBe('pending_approval');

      await fund(merchant, 50_000n);
      const approved = await approval(merchant, waiting.id, 'approve');
      expect(approved.statusCode, approved.body).toBe(200);
      expect(approved.json().status).toBe('in_progress');
      expect(await available(merchant)).toBe(50_000 - 11_500);
      const twice = await approval(merchant, waiting.id, 'approve');
      expect(twice.statusCode).toBe(400);
      expect(twice.json().message).toBe('Payout is in_progress: only a pending_approval payout can be approved or rejected');

      const other = await create(merchant, 10_000);
      const rejected = await approval(merchant, other.id, 'reject');
      expect(rejected.json().status).toBe('cancelled');
      expect(await available(merchant)).toBe(50_000 - 11_500);
      await ledgerOk(merchant);
    });

    it('sends an approved payout to the queue when queueing is on too', async () => {
      const merchant = await merchantWith({ maker_checker: true, payout_queueing: true });
      const waiting = await create(merchant, 10_000);
      const approved = await approval(merchant, waiting.id, 'approve');
      expect(approved.json().status).toBe('queued');
    });

    it("is the operator's: merchant keys and other merchants' payouts are refused", async () => {
      const merchant = await merchantWith({ maker_checker: true });
      const stranger = await merchantWith({});
      const waiting = await create(merchant, 10_000);
      for (const headers of [{}, bearer(merchant.sandboxSecret), bearer(`${ADMIN_TOKEN}x`)]) {
        expect((await approval(merchant, waiting.id, 'approve', headers)).statusCode).toBe(401);
      }
      const foreign = await approval(stranger, waiting.id, 'approve');
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().message).toBe('Payout not found');
      const production = await suite.app.inject({
        method: 'POST', url: `/admin/v1/merchants/${merchant.id}/payouts/${waiting.id}/reject`, headers: bearer(ADMIN_TOKEN), payload: { env: 'production' },
      });
      expect(production.statusCode).toBe(404);
      expect((await statusOf(merchant, waiting.id)).status).toBe('pending_approval');
    });
  });
});
