import { and, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../db/schema/index.js';
import { onPostgres, testEnv } from '../../test/support/env.js';
import { ManualClock } from './clock.js';
import { randomBase62 } from './ids.js';
import type { Db } from '../db/client.js';
import { backoffMs, enqueuePlatformJob, JOBS_NOTIFY_CHANNEL, JobRunner, tenantRowPayload, type Job, type JobHandler, type JobOutcome } from './jobs.js';

// The jobs table is shared with every other test (each event enqueues a dispatch job), so each test uses its
// own queue name and runners only ever claim their own queues.
const queueName = () => `test.${randomBase62(10)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const realTime = { now: () => new Date() };

/** A handler that blocks until released, and a way to wait until it runs. */
function blocking(outcome: JobOutcome = { status: 'done' }) {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let started = 0;
  const handler: JobHandler = async () => {
    started++;
    await released;
    return outcome;
  };
  return { handler, release: () => release(), started: () => started };
}

/** The database as a worker sees it, until cut off: then every statement fails (a crashed or partitioned worker). */
function severable(db: Db) {
  let cut = false;
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (cut && (prop === 'execute' || prop === 'update' || prop === 'select')) return () => Promise.reject(new Error('cut off'));
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: proxy, cut: (value: boolean) => { cut = value; } };
}

// The worker's database is created (and migrated) once, under the hook timeout rather than the first test's.
beforeAll(async () => {
  await testEnv();
});

async function jobRows(queue: string) {
  const { database } = await testEnv();
  return database.db.select().from(jobs).where(eq(jobs.queue, queue)).orderBy(jobs.id);
}

describe('enqueueJob', () => {
  it('exists only if the enqueuing transaction commits', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock();
    const queue = queueName();
    await expect(database.db.transaction(async (tx) => {
      await enqueuePlatformJob(tx, clock, { queue, payload: { n: 1 } });
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await jobRows(queue)).toEqual([]);
    await database.db.transaction((tx) => enqueuePlatformJob(tx, clock, { queue, payload: { n: 2 } }));
    expect((await jobRows(queue)).map((j) => j.payload)).toEqual([{ n: 2 }]);
  });

  it('enqueues a unique key once', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock();
    const queue = queueName();
    const key = `once:${randomBase62(8)}`;
    await enqueuePlatformJob(database.db, clock, { queue, payload: { n: 1 }, uniqueKey: key });
    await enqueuePlatformJob(database.db, clock, { queue, payload: { n: 2 }, uniqueKey: key });
    expect((await jobRows(queue)).map((j) => j.payload)).toEqual([{ n: 1 }]);
  });
});

describe('JobRunner', () => {
  it('runs due jobs in run_at order, and future ones only when their time comes', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    const seen: unknown[] = [];
    const runner = new JobRunner({ db: database.db, clock, batchSize: 1, handlers: { [queue]: async (job) => { seen.push(job.payload.n); return { status: 'done' }; } } });
    await enqueuePlatformJob(database.db, clock, { queue, payload: { n: 'later' }, runAt: new Date('2026-05-01T00:10:00Z') });
    await enqueuePlatformJob(database.db, clock, { queue, payload: { n: 'second' }, runAt: new Date('2026-04-30T23:59:00Z') });
    await enqueuePlatformJob(database.db, clock, { queue, payload: { n: 'first' }, runAt: new Date('2026-04-30T23:58:00Z') });
    expect(await runner.runDue()).toBe(2);
    expect(seen).toEqual(['first', 'second']);
    clock.advance(9 * 60 * 1000);
    expect(await runner.runDue()).toBe(0);
    clock.advance(60 * 1000);
    expect(await runner.runDue()).toBe(1);
    expect(seen).toEqual(['first', 'second', 'later']);
    expect((await jobRows(queue)).map((j) => j.status)).toEqual(['done', 'done', 'done']);
  });

  it('retries a throwing handler with exponential backoff, then marks it dead after maxAttempts', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    const attempts: number[] = [];
    const runner = new JobRunner({ db: database.db, clock, handlers: { [queue]: async (job) => { attempts.push(job.attempt); throw new Error(`boom ${job.attempt}`); } } });
    await enqueuePlatformJob(database.db, clock, { queue, payload: {}, maxAttempts: 3 });
    expect(await runner.runDue()).toBe(1);
    let [row] = await jobRows(queue);
    expect(row).toMatchObject({ status: 'queued', attempts: 1, lastError: 'boom 1', lockedBy: null });
    expect(row!.runAt.getTime() - clock.now().getTime()).toBe(backoffMs(1));
    clock.advance(backoffMs(1) - 1);
    expect(await runner.runDue()).toBe(0);
    clock.advance(1);
    expect(await runner.runDue()).toBe(1);
    clock.advance(backoffMs(2));
    expect(await runner.runDue()).toBe(1);
    [row] = await jobRows(queue);
    expect(row).toMatchObject({ status: 'dead', attempts: 3, lastError: 'boom 3' });
    clock.advance(24 * 60 * 60 * 1000);
    expect(await runner.runDue()).toBe(0);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('requeues at the time a handler asks for', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    let calls = 0;
    const runner = new JobRunner({
      db: database.db, clock,
      handlers: { [queue]: async () => (++calls === 1 ? { status: 'retry', at: new Date('2026-05-01T01:00:00Z'), error: 'not yet' } : { status: 'done' }) },
    });
    await enqueuePlatformJob(database.db, clock, { queue, payload: {} });
    await runner.runDue();
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'queued', runAt: new Date('2026-05-01T01:00:00Z'), lastError: 'not yet' });
    clock.set('2026-05-01T00:59:59Z');
    expect(await runner.runDue()).toBe(0);
    clock.set('2026-05-01T01:00:00Z');
    expect(await runner.runDue()).toBe(1);
    expect((await jobRows(queue))[0]!.status).toBe('done');
  });

  it('takes over a job whose worker died once its lease lapses, and ignores the dead worker finishing late', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    let release: () => void = () => undefined;
    const slow: JobHandler = () => new Promise((resolve) => { release = () => resolve({ status: 'retry', at: new Date('2030-01-01T00:00:00Z') }); });
    const first = new JobRunner({ db: database.db, clock, leaseMs: 60_000, workerId: 'first', handlers: { [queue]: slow } });
    const ran: string[] = [];
    const second = new JobRunner({ db: database.db, clock, leaseMs: 60_000, workerId: 'second', handlers: { [queue]: async () => { ran.push('second'); return { status: 'done' }; } } });
    await enqueuePlatformJob(database.db, clock, { queue, payload: {} });
    const stuck = first.runDue();
    await expect.poll(async () => (await jobRows(queue))[0]!.lockedBy).toBe('first');
    // Within the lease nobody else may take it.
    clock.advance(59_000);
    expect(await second.runDue()).toBe(0);
    clock.advance(2_000);
    expect(await second.runDue()).toBe(1);
    expect(ran).toEqual(['second']);
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'done', attempts: 2 });
    // The first worker comes back and reports: its outcome must not undo the second's.
    release();
    await stuck;
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('never runs one job twice when several runners claim at once', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    const runs = new Map<string, number>();
    const handler: JobHandler = async (job: Job) => {
      runs.set(String(job.payload.n), (runs.get(String(job.payload.n)) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { status: 'done' };
    };
    const total = 60;
    for (let n = 0; n < total; n++) await enqueuePlatformJob(database.db, clock, { queue, payload: { n } });
    const runners = Array.from({ length: 4 }, (_, i) => new JobRunner({ db: database.db, clock, batchSize: 5, workerId: `w${i}`, handlers: { [queue]: handler } }));
    const counts = await Promise.all(runners.map((runner) => runner.runDue()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    expect(runs.size).toBe(total);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    const rows = await database.db.select().from(jobs).where(and(eq(jobs.queue, queue), inArray(jobs.status, ['queued', 'running'])));
    expect(rows).toEqual([]);
  });

  it('queues a deferred job again for the time asked, without counting the claim as an attempt', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    const at = new Date('2026-05-01T00:05:00Z');
    const attempts: number[] = [];
    const runner = new JobRunner({
      db: database.db, clock,
      handlers: { [queue]: async (job) => { attempts.push(job.attempt); return attempts.length === 1 ? { status: 'defer', at } : { status: 'done' }; } },
    });
    await enqueuePlatformJob(database.db, clock, { queue, payload: {}, maxAttempts: 1 });
    expect(await runner.runDue()).toBe(1);
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'queued', attempts: 0, runAt: at, lockedBy: null, lockedUntil: null });
    clock.set(new Date(at.getTime() - 1));
    expect(await runner.runDue()).toBe(0);
    clock.set(at);
    expect(await runner.runDue()).toBe(1);
    // Both runs were attempt 1 (of at most 1): the deferral used none.
    expect(attempts).toEqual([1, 1]);
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('renews the lease of a long job while it runs (the heartbeat), and loses it one lease after the heartbeat stops', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    const slow = blocking();
    const link = severable(database.db);
    const errors: unknown[] = [];
    const first = new JobRunner({
      db: link.db, clock, leaseMs: 60_000, heartbeatMs: 20, workerId: `first-${randomBase62(6)}`,
      handlers: { [queue]: slow.handler }, onError: (error) => errors.push(error),
    });
    const ran: string[] = [];
    const second = new JobRunner({ db: database.db, clock, leaseMs: 60_000, workerId: `second-${randomBase62(6)}`, handlers: { [queue]: async () => { ran.push('second'); return { status: 'done' }; } } });
    await enqueuePlatformJob(database.db, clock, { queue, payload: {} });
    const stuck = first.runDue();
    await expect.poll(() => slow.started()).toBe(1);
    // Three leases' worth of time goes by while it runs: each time the heartbeat renews it, and nobody may take it.
    for (let i = 0; i < 3; i++) {
      clock.advance(50_000);
      const renewedTo = clock.now().getTime() + 60_000;
      await expect.poll(async () => (await jobRows(queue))[0]!.lockedUntil?.getTime()).toBe(renewedTo);
      clock.advance(20_000);
      expect(await second.runDue()).toBe(0);
    }
    // The first worker loses the database (as a crashed process would): its heartbeat stops renewing.
    link.cut(true);
    await sleep(150);
    const leaseEnd = (await jobRows(queue))[0]!.lockedUntil!.getTime();
    expect(errors.length).toBeGreaterThan(0);
    clock.set(new Date(leaseEnd - 1));
    expect(await second.runDue()).toBe(0);
    clock.set(new Date(leaseEnd + 1));
    expect(await second.runDue()).toBe(1);
    expect(ran).toEqual(['second']);
    // The first worker comes back and finishes late: the second's outcome stands.
    link.cut(false);
    slow.release();
    expect(await stuck).toBe(1);
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'done', attempts: 2, lockedBy: null });
  });

  it('runs other jobs while a slow one runs (a pool, not batches), up to its concurrency', async () => {
    const { database } = await testEnv();
    const queue = queueName();
    const slow = blocking();
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    const runner = new JobRunner({
      db: database.db, clock: realTime, pollMs: 20, concurrency: 3,
      handlers: {
        [queue]: async (job) => {
          if (job.payload.slow) return slow.handler(job);
          most = Math.max(most, ++inFlight);
          await sleep(20);
          inFlight--;
          seen.push(job.payload.n as number);
          return { status: 'done' };
        },
      },
    });
    runner.start();
    try {
      await enqueuePlatformJob(database.db, realTime, { queue, payload: { slow: true } });
      await expect.poll(() => slow.started(), { timeout: 5000 }).toBe(1);
      for (let n = 0; n < 8; n++) await enqueuePlatformJob(database.db, realTime, { queue, payload: { n } });
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(8);
      expect(slow.started()).toBe(1);
      // One slot is the slow job's: at most two others ran at once.
      expect(most).toBeLessThanOrEqual(2);
    } finally {
      slow.release();
      await runner.stop();
    }
    expect((await jobRows(queue)).map((j) => j.status)).toEqual(Array.from({ length: 9 }, () => 'done'));
  });

  it('stop({timeoutMs}) waits that long for a running job, then releases it so another worker takes it at once', async () => {
    const { database } = await testEnv();
    const queue = queueName();
    const slow = blocking();
    const first = new JobRunner({ db: database.db, clock: realTime, pollMs: 20, leaseMs: 60_000, handlers: { [queue]: slow.handler } });
    const second = new JobRunner({ db: database.db, clock: realTime, leaseMs: 60_000, handlers: { [queue]: async () => ({ status: 'done' }) } });
    first.start();
    await enqueuePlatformJob(database.db, realTime, { queue, payload: {} });
    await expect.poll(() => slow.started(), { timeout: 5000 }).toBe(1);
    const started = Date.now();
    expect(await first.stop({ timeoutMs: 100 })).toEqual({ unfinished: [{ id: expect.any(BigInt) as bigint, queue }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    const [row] = await jobRows(queue);
    expect(row).toMatchObject({ status: 'running', lockedBy: first.workerId });
    expect(row!.lockedUntil!.getTime()).toBeLessThanOrEqual(Date.now());
    await sleep(2);
    expect(await second.runDue()).toBe(1);
    slow.release();
    await sleep(50);
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'done', attempts: 2 });
    // Without a timeout, stop waits for the jobs in hand.
    const waited = blocking();
    const third = new JobRunner({ db: database.db, clock: realTime, pollMs: 20, handlers: { [queue]: waited.handler } });
    third.start();
    await enqueuePlatformJob(database.db, realTime, { queue, payload: {} });
    await expect.poll(() => waited.started(), { timeout: 5000 }).toBe(1);
    const stopping = third.stop();
    setTimeout(() => waited.release(), 50);
    expect(await stopping).toEqual({ unfinished: [] });
    expect((await jobRows(queue)).map((j) => j.status)).toEqual(['done', 'done']);
  });

  it('hands back, untouched, jobs its claim brought in after stop() began', async () => {
    const { database } = await testEnv();
    const queue = queueName();
    let ran = 0;
    const runner = new JobRunner({ db: database.db, clock: realTime, handlers: { [queue]: async () => { ran++; return { status: 'done' }; } } });
    await enqueuePlatformJob(database.db, realTime, { queue, payload: {} });
    // start() claims at once; stop() comes while that claim is in flight.
    runner.start();
    expect(await runner.stop()).toEqual({ unfinished: [] });
    expect(ran).toBe(0);
    expect((await jobRows(queue))[0]).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null, lockedUntil: null });
  });

  it('wakes an idle runner at once when a job is enqueued (NOTIFY), without waiting for its poll', async () => {
    const { database } = await testEnv();
    const queue = queueName();
    const seen: number[] = [];
    const runner = new JobRunner({
      db: database.db, clock: realTime, pollMs: 60_000,
      wake: (onWake) => database.listen(JOBS_NOTIFY_CHANNEL, onWake),
      handlers: { [queue]: async (job) => { seen.push(job.payload.n as number); return { status: 'done' }; } },
    });
    runner.start();
    try {
      await runner.ready();
      // Its first claim (at start) found nothing; the next poll is a minute away.
      await sleep(100);
      for (const n of [1, 2]) {
        const enqueued = Date.now();
        await database.db.transaction((tx) => enqueuePlatformJob(tx, realTime, { queue, payload: { n } }));
        await expect.poll(() => seen.length, { timeout: 5000, interval: 10 }).toBe(n);
        expect(Date.now() - enqueued).toBeLessThan(2000);
      }
    } finally {
      await runner.stop();
    }
  });

  it('shares one claim among the wake-ups of a moment (claimDelayMs), rather than claiming once per notify', async () => {
    const { database } = await testEnv();
    const queue = queueName();
    let wakeUp: (queue?: string) => void = () => undefined;
    let claims = 0;
    // Every claim is one execute (short jobs never reach a heartbeat): count them.
    const counted = new Proxy(database.db, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop === 'execute') return (...args: unknown[]) => { claims++; return (value as (...a: unknown[]) => unknown).apply(target, args); };
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const seen: number[] = [];
    const runner = new JobRunner({
      db: counted, clock: realTime, pollMs: 60_000, claimDelayMs: 20,
      wake: async (onWake) => { wakeUp = onWake; return async () => undefined; },
      handlers: { [queue]: async (job) => { seen.push(job.payload.n as number); return { status: 'done' }; } },
    });
    runner.start();
    try {
      await runner.ready();
      await sleep(50);
      const before = claims;
      for (let n = 0; n < 30; n++) await enqueuePlatformJob(database.db, realTime, { queue, payload: { n } });
      // Thirty notifies about a millisecond apart, as thirty commits would send them.
      for (let n = 0; n < 30; n++) {
        wakeUp(queue);
        await sleep(1);
      }
      await expect.poll(() => seen.length, { timeout: 5000, interval: 10 }).toBe(30);
      expect(claims - before).toBeGreaterThan(0);
      expect(claims - before).toBeLessThanOrEqual(8);
    } finally {
      await runner.stop();
    }
  });

  it('notifies once per committed inserting statement, with the queue as payload; a rolled-back enqueue notifies nothing', async () => {
    const { database } = await testEnv();
    const clock = new ManualClock('2026-05-01T00:00:00Z');
    const queue = queueName();
    const heard: Array<string | undefined> = [];
    const unlisten = await database.listen(JOBS_NOTIFY_CHANNEL, (payload) => { if (payload === queue) heard.push(payload); });
    try {
      await expect(database.db.transaction(async (tx) => {
        await enqueuePlatformJob(tx, clock, { queue, payload: {} });
        throw new Error('roll back');
      })).rejects.toThrow('roll back');
      const now = clock.now();
      await database.db.insert(jobs).values(Array.from({ length: 20 }, (_, n) => ({
        queue, payload: { n }, status: 'queued' as const, maxAttempts: 1, runAt: now, createdAt: now, updatedAt: now,
      })));
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(1);
      await sleep(200);
      expect(heard).toEqual([queue]);
    } finally {
      await unlisten();
    }
  });

  it('polls by itself after start() and stops cleanly', async () => {
    const { database } = await testEnv();
    const clock = { now: () => new Date() };
    const queue = queueName();
    const seen: number[] = [];
    const runner = new JobRunner({ db: database.db, clock, pollMs: 20, handlers: { [queue]: async (job) => { seen.push(job.payload.n as number); return { status: 'done' }; } } });
    runner.start();
    await enqueuePlatformJob(database.db, clock, { queue, payload: { n: 7 } });
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([7]);
    await runner.stop();
    await enqueuePlatformJob(database.db, clock, { queue, payload: { n: 8 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([7]);
  });
});

describe.skipIf(!onPostgres)('Database.listen on PostgreSQL', () => {
  it('reconnects when its connection is killed, says so once back (missed notifications), and hears on', async () => {
    const { database } = await testEnv();
    const channel = `test_${randomBase62(10).toLowerCase()}`;
    const heard: Array<string | undefined> = [];
    const unlisten = await database.listen(channel, (payload) => heard.push(payload));
    try {
      await database.db.execute(sql`select pg_notify(${channel}, 'one')`);
      await expect.poll(() => heard, { timeout: 5000 }).toEqual(['one']);
      const killed = await database.db.execute(sql`
        select pg_terminate_backend(pid) from pg_stat_activity where query = ${`listen ${channel}`}`);
      expect((killed as unknown as { rows: unknown[] }).rows).toHaveLength(1);
      // Back after the backoff: a wake-up without payload, then notifications again.
      await expect.poll(() => heard, { timeout: 10_000 }).toEqual(['one', undefined]);
      await database.db.execute(sql`select pg_notify(${channel}, 'two')`);
      await expect.poll(() => heard, { timeout: 5000 }).toEqual(['one', undefined, 'two']);
    } finally {
      await unlisten();
    }
    // Unsubscribed: nothing more, and no reconnection.
    await database.db.execute(sql`select pg_notify(${channel}, 'three')`);
    await sleep(200);
    expect(heard).toEqual(['one', undefined, 'two']);
  });
});

describe('tenantRowPayload', () => {
  it('reads {merchantId, env, id} and refuses anything else', () => {
    expect(tenantRowPayload({ merchantId: 'merch_1', env: 'sandbox', orderId: 'order_1' }, 'orderId'))
      .toEqual({ tenant: { merchantId: 'merch_1', env: 'sandbox' }, id: 'order_1' });
    for (const payload of [
      { merchantId: 'merch_1', env: 'staging', orderId: 'order_1' },
      { merchantId: 'merch_1', env: 'sandbox' },
      { merchantId: 'merch_1', env: 'sandbox', orderId: 7 },
      { env: 'production', orderId: 'order_1' },
      { merchantId: 'merch_1', env: 'sandbox', paymentLinkId: 'payin_1' },
    ]) {
      expect(tenantRowPayload(payload, 'orderId'), JSON.stringify(payload)).toBeUndefined();
    }
  });
});
