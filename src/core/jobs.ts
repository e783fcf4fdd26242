// The job runner: durable work in the `jobs` table, enqueued with the transaction handle of the change that
// causes it, claimed with FOR UPDATE SKIP LOCKED under a lease, retried with backoff. A job whose worker died
// is claimed again once its lease lapses. Handlers must be idempotent: delivery is at least once.
// A tenant's job is due by its environment's clock (the sandbox test clock: real time plus the clock's offset), so
// its run_at is in that environment's time; leases are in real time. While an advance of a sandbox clock runs that
// environment's jobs itself (runDueOf), the polling runners leave them alone.
import { hostname } from 'node:os';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { selectRows } from '../db/client.js';
import { ENVIRONMENTS, jobs, sandboxClocks } from '../db/schema/index.js';
import { offsetClock, type Clock } from './clock.js';
import { randomBase62 } from './ids.js';
import type { TenantContext, UnitOfWork } from './context.js';
import type { Tenant } from './tenancy.js';

export interface JobInput {
  queue: string;
  payload: Record<string, unknown>;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Attempts before the job is dead (default 10). */
  maxAttempts?: number;
  /** At most one job with this key ever: a second enqueue is a no-op. */
  uniqueKey?: string;
}

export interface Job {
  id: bigint;
  queue: string;
  payload: Record<string, unknown>;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
  /** The tenant the job was enqueued for; undefined for platform work. */
  tenant: Tenant | undefined;
  /** The tenant's clock (its sandbox test clock), or the runner's for platform work: handlers read time here. */
  clock: Clock;
}

/**
 * What a handler answers: `done`, `retry` at a time of its choosing (webhooks follow their own schedule), or
 * `dead` (give up), or `defer` (not run now, not an attempt). A handler that throws is retried with the runner's backoff
 * until maxAttempts.
 */
export type JobOutcome =
  | { status: 'done' }
  | { status: 'retry'; at: Date; error?: string }
  | { status: 'dead'; error: string }
  /** Not run now (e.g. its endpoint is at its concurrency limit): queued again for `at`, and this claim is not an attempt. */
  | { status: 'defer'; at: Date };

export type JobHandler = (job: Job) => Promise<JobOutcome>;

/**
 * Enqueues a tenant's job with the unit of work's handle: inside a transaction, it exists only if the transaction
 * commits. The job is the unit of work's tenant's, due by that tenant's clock.
 */
export async function enqueueJob(uow: UnitOfWork, input: JobInput): Promise<void> {
  await uow.tx.insert(jobs).values(jobRow(input, uow.clock.now(), uow.tenant)).onConflictDoNothing();
}

/** Enqueues platform work (no tenant, due by the runner's real time) with the caller's handle. */
export async function enqueuePlatformJob(db: DbOrTx, clock: Clock, input: JobInput): Promise<void> {
  await db.insert(jobs).values(jobRow(input, clock.now(), null)).onConflictDoNothing();
}

function jobRow(input: JobInput, now: Date, owner: Tenant | null): typeof jobs.$inferInsert {
  return {
    queue: input.queue,
    merchantId: owner?.merchantId ?? null,
    env: owner?.env ?? null,
    payload: input.payload,
    status: 'queued',
    maxAttempts: input.maxAttempts ?? 10,
    runAt: input.runAt ?? now,
    uniqueKey: input.uniqueKey ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  /** How long a claimed job stays ours; a worker that has not finished by then loses it to another. */
  leaseMs?: number;
  pollMs?: number;
  /** Jobs claimed (and run in parallel) per poll. */
  batchSize?: number;
  workerId?: string;
  onError?: (error: unknown, job?: Job) => void;
}

interface ClaimedRow {
  id: string;
  queue: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
  merchant_id: string | null;
  env: Tenant['env'] | null;
  offset_ms: string | null;
}

/** Exponential backoff for handlers that throw: 2^attempt seconds, at most an hour. */
export function backoffMs(attempt: number): number {
  return Math.min(2 ** attempt * 1000, 60 * 60 * 1000);
}

export class JobRunner {
  readonly workerId: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly options: JobRunnerOptions) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBase62(6)}`;
    this.leaseMs = options.leaseMs ?? 5 * 60 * 1000;
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 10;
  }

  /** Polls until stop(). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runDue()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.pollMs);
        });
    };
    tick();
  }

  /** Stops polling and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Claims and runs due jobs until none is due; answers how many ran. Tests drive time with it. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.claim();
      if (batch.length === 0) return total;
      await Promise.all(batch.map((job) => this.run(job)));
      total += batch.length;
    }
  }

  /**
   * Claims up to a batch of due jobs: queued ones whose run_at has come by their tenant's clock (real time for platform
   * jobs and environments whose clock never moved; real time plus the offset for an advanced sandbox clock, found
   * clock by clock through the tenant index) and running ones whose lease lapsed. Environments whose clock is being
   * advanced are skipped: the advance runs their jobs. Candidates are locked with SKIP LOCKED and re-checked: one
   * that was due stays due, as no clock goes back.
   */
  private async claim(): Promise<Job[]> {
    const now = this.options.clock.now();
    const queues = this.queueList();
    if (!queues) return [];
    const limit = this.batchSize;
    const notAdvancing = (j: SQL) => sql`not exists (select 1 from ${sandboxClocks} c
      where c.merchant_id = ${j}.merchant_id and c.env = ${j}.env and c.advance_until > ${now})`;
    return this.lockAndStart(sql`
      select id, run_at from (
        (select j.id, j.run_at from ${jobs} j
          where j.status = 'queued' and j.run_at <= ${now} and j.queue in (${queues}) and ${notAdvancing(sql`j`)}
          order by j.run_at, j.id limit ${limit})
        union all
        (select j.id, j.run_at from ${sandboxClocks} c cross join lateral (
            select j.id, j.run_at from ${jobs} j
            where j.merchant_id = c.merchant_id and j.env = c.env and j.status = 'queued' and j.queue in (${queues})
              and j.run_at > ${now} and j.run_at <= ${now}::timestamptz + c.offset_ms * interval '1 millisecond'
            order by j.run_at, j.id limit ${limit}) j
          where c.offset_ms > 0 and (c.advance_until is null or c.advance_until <= ${now}))
        union all
        (select j.id, j.run_at from ${jobs} j
          where j.status = 'running' and j.locked_until < ${now} and j.queue in (${queues}) and ${notAdvancing(sql`j`)}
          order by j.locked_until limit ${limit})
      ) due order by run_at, id limit ${limit}`, now);
  }

  /**
   * The run_at of one tenant's next job due at or before `until` (its clock's time), for an advance of that tenant's
   * clock: the next queued one, or one whose worker's lease lapsed (due at once); undefined when none is.
   */
  async nextDueOf(tenant: Tenant, until: Date): Promise<Date | undefined> {
    const queues = this.queueList();
    if (!queues) return undefined;
    // Two look-ups, each on its own index (queued by tenant and time; running by lease), rather than one OR.
    const [row] = await selectRows<{ run_at: Date | string | null }>(this.options.db, sql`
      select least(
        (select min(run_at) from ${jobs}
          where merchant_id = ${tenant.merchantId} and env = ${tenant.env} and status = 'queued' and run_at <= ${until} and queue in (${queues})),
        (select min(run_at) from ${jobs}
          where status = 'running' and locked_until < ${this.options.clock.now()} and merchant_id = ${tenant.merchantId} and env = ${tenant.env}
            and queue in (${queues}))) as run_at`);
    return row?.run_at ? new Date(row.run_at) : undefined;
  }

  /** How many of a tenant's jobs other workers hold under a live lease (an advance waits for them). */
  async heldElsewhereOf(tenant: Tenant): Promise<number> {
    const [row] = await selectRows<{ n: number }>(this.options.db, sql`
      select count(*)::int as n from ${jobs}
      where merchant_id = ${tenant.merchantId} and env = ${tenant.env} and status = 'running'
        and locked_until >= ${this.options.clock.now()}`);
    return row?.n ?? 0;
  }

  /**
   * Claims and runs the earliest job of `ctx`'s tenant due by its clock (that tenant's clock during an advance); answers
   * its queue, or undefined when none could be claimed (none is due, or another worker holds it).
   */
  async runNextDueOf(ctx: TenantContext): Promise<string | undefined> {
    const { tenant, clock } = ctx;
    const queues = this.queueList();
    if (!queues) return undefined;
    const realNow = this.options.clock.now();
    const [job] = await this.lockAndStart(sql`
      select id, run_at from (
        (select j.id, j.run_at from ${jobs} j
          where j.merchant_id = ${tenant.merchantId} and j.env = ${tenant.env} and j.status = 'queued' and j.run_at <= ${clock.now()}
            and j.queue in (${queues})
          order by j.run_at, j.id limit 1)
        union all
        (select j.id, j.run_at from ${jobs} j
          where j.status = 'running' and j.locked_until < ${realNow} and j.merchant_id = ${tenant.merchantId} and j.env = ${tenant.env}
            and j.queue in (${queues})
          order by j.run_at, j.id limit 1)
      ) due order by run_at, id limit 1`, realNow, clock);
    if (!job) return undefined;
    await this.run(job);
    return job.queue;
  }

  private queueList(): SQL | undefined {
    const queues = Object.keys(this.options.handlers);
    return queues.length === 0 ? undefined : sql.join(queues.map((q) => sql`${q}`), sql`, `);
  }

  /**
   * Locks the candidate jobs `candidates` selects (SKIP LOCKED: another worker's are left to it), re-checks that each is
   * still claimable, and marks them running under this worker's lease. Each job gets its tenant's clock, or `clock`.
   */
  private async lockAndStart(candidates: SQL, now: Date, clock?: Clock): Promise<Job[]> {
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const rows = await selectRows<ClaimedRow>(this.options.db, sql`
      update ${jobs} set status = 'running', attempts = attempts + 1, locked_by = ${this.workerId},
        locked_until = ${leaseUntil}, updated_at = ${now}
      where id in (
        select id from ${jobs}
        where id in (select id from (${candidates}) candidates)
          and (status = 'queued' or (status = 'running' and locked_until < ${now}))
        for update skip locked)
      returning id::text as id, queue, payload, attempts, max_attempts, merchant_id, env,
        (select c.offset_ms::text from ${sandboxClocks} c where c.merchant_id = ${jobs}.merchant_id and c.env = ${jobs}.env) as offset_ms`);
    return rows.map((row) => ({
        id: BigInt(row.id),
        queue: row.queue,
        payload: row.payload,
        attempt: row.attempts,
        maxAttempts: row.max_attempts,
        tenant: row.merchant_id !== null && row.env !== null ? { merchantId: row.merchant_id, env: row.env } : undefined,
      clock: clock ?? offsetClock(this.options.clock, Number(row.offset_ms ?? 0)),
    }));
  }

  private async run(job: Job): Promise<void> {
    let outcome: JobOutcome;
    try {
      const handler = this.options.handlers[job.queue];
      if (!handler) throw new Error(`no handler for queue ${job.queue}`);
      outcome = await handler(job);
    } catch (error) {
      this.options.onError?.(error, job);
      const message = error instanceof Error ? error.message : String(error);
      outcome = job.attempt >= job.maxAttempts
        ? { status: 'dead', error: message }
        : { status: 'retry', at: new Date(job.clock.now().getTime() + backoffMs(job.attempt)), error: message };
    }
    await this.finish(job, outcome);
  }

  /** Records the outcome, unless the lease was lost to another worker meanwhile (that worker owns it now). */
  private async finish(job: Job, outcome: JobOutcome): Promise<void> {
    const now = this.options.clock.now();
    const owned = and(eq(jobs.id, job.id), eq(jobs.lockedBy, this.workerId), eq(jobs.status, 'running'));
    const released = { lockedBy: null, lockedUntil: null, updatedAt: now };
    switch (outcome.status) {
      case 'done':
        await this.options.db.update(jobs).set({ ...released, status: 'done', lastError: null }).where(owned);
        return;
      case 'retry':
        // A retry the handler chose is its own decision (webhooks follow their schedule); maxAttempts bounds throws.
        await this.options.db
          .update(jobs)
          .set({ ...released, status: 'queued', runAt: outcome.at, lastError: outcome.error ?? null })
          .where(owned);
        return;
      case 'dead':
        await this.options.db.update(jobs).set({ ...released, status: 'dead', lastError: outcome.error }).where(owned);
        return;
      case 'defer':
        await this.options.db
          .update(jobs)
          .set({ ...released, status: 'queued', runAt: outcome.at, attempts: sql`${jobs.attempts} - 1` })
          .where(owned);
        return;
    }
  }
}

/**
 * Reads a job payload that names one row of one tenant, `{merchantId, env, [idKey]: id}`, as modules enqueue
 * them for their scheduled work (expiries); undefined when it is malformed (the handler answers `dead`).
 */
export function tenantRowPayload(payload: Record<string, unknown>, idKey: string): { tenant: Tenant; id: string } | undefined {
  const { merchantId, env } = payload;
  const id = payload[idKey];
  if (typeof merchantId !== 'string' || typeof id !== 'string' || !(ENVIRONMENTS as readonly unknown[]).includes(env)) return undefined;
  return { tenant: { merchantId, env: env as Tenant['env'] }, id };
}
