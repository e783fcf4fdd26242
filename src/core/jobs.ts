// The job runner: durable work in the `jobs` table, enqueued with the transaction handle of the change that
// causes it, claimed with FOR UPDATE SKIP LOCKED under a lease, retried with backoff. A started runner keeps up to
// `concurrency` jobs in flight and renews their leases with one statement per heartbeat, so a job whose worker died
// is claimed again one lease after its last heartbeat. New jobs wake idle runners (the jobs table's insert trigger
// notifies, decision 0021); otherwise they poll. Handlers must be idempotent: delivery is at least once.
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
import { within } from './timeout.js';
import type { TenantContext, UnitOfWork } from './context.js';
import { tenantFilter, type Tenant } from './tenancy.js';

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

/** What work done outside its job can settle that job with (a deferral is the runner's business). */
export type SettledOutcome = Exclude<JobOutcome, { status: 'defer' }>;

/**
 * Enqueues a tenant's job with the unit of work's handle: inside a transaction, it exists only if the transaction
 * commits. The job is the unit of work's tenant's, due by that tenant's clock.
 */
export async function enqueueJob(uow: UnitOfWork, input: JobInput): Promise<void> {
  await uow.tx.insert(jobs).values(tenantJobRow(uow, input)).onConflictDoNothing();
}

/** The row enqueueJob inserts, for a caller that folds the insert into a statement of its own (core/events.ts). */
export function tenantJobRow(uow: UnitOfWork, input: JobInput): typeof jobs.$inferInsert {
  return jobRow(input, uow.clock.now(), uow.tenant);
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

/**
 * Settles a queued job of the unit of work's tenant whose work the caller did itself, with the caller's handle (a
 * webhook's first attempt made by its dispatch): `done` or `dead` ends it, `retry` makes it due at `at`. A job already
 * claimed or finished is left alone: whoever holds it reads the state the work left.
 */
export async function settleQueuedJob(uow: UnitOfWork, uniqueKey: string, outcome: SettledOutcome): Promise<void> {
  const where = and(tenantFilter(jobs, uow.tenant), eq(jobs.uniqueKey, uniqueKey), eq(jobs.status, 'queued'));
  const updatedAt = uow.clock.now();
  if (outcome.status === 'retry') {
    await uow.tx.update(jobs).set({ runAt: outcome.at, lastError: outcome.error ?? null, updatedAt }).where(where);
  } else {
    await uow.tx.update(jobs).set({ status: outcome.status, lastError: outcome.status === 'dead' ? outcome.error : null, updatedAt }).where(where);
  }
}

/** The channel the jobs table's insert trigger notifies (migration 0015), the queue's name as payload. */
export const JOBS_NOTIFY_CHANNEL = 'glomo_jobs';

/**
 * Where a runner hears of new jobs: subscribes `onWake` (called with the queue's name, or without one when any queue
 * may have new jobs) and answers how to unsubscribe. `Database.listen` on JOBS_NOTIFY_CHANNEL is one.
 */
export type JobWakeSource = (onWake: (queue?: string) => void) => Promise<() => Promise<void>>;

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  /**
   * How long a claimed job stays ours without a heartbeat (real time, default 30 s). While a job runs its lease is
   * renewed every heartbeatMs, so only a worker that died (or lost the database) loses its jobs, one lease later.
   */
  leaseMs?: number;
  /** How often the held jobs' leases are renewed (default leaseMs / 3). */
  heartbeatMs?: number;
  /** How often an idle runner (started) looks for due jobs (default 1 s). */
  pollMs?: number;
  /** Jobs a started runner runs at the same time (default 32): it claims as slots free. */
  concurrency?: number;
  /** Jobs runDue claims (and runs in parallel) per round (default 10). */
  batchSize?: number;
  /** Wakes a started runner when jobs are enqueued, so it claims without waiting for the poll. */
  wake?: JobWakeSource;
  /**
   * How long a wake-up or a freed slot waits before it claims (default 20 ms), so that the wake-ups and freed slots
   * of that moment share one claim: under load one claim per job (each insert notifies every runner) would cost more
   * than the jobs themselves.
   */
  claimDelayMs?: number;
  workerId?: string;
  onError?: (error: unknown, job?: Job) => void;
}

export interface StopOptions {
  /**
   * How long to wait for the jobs in hand (default: as long as they take). Jobs still running then are released:
   * their lease ends now, so another process takes them at once; their handlers run on here, and their outcome is
   * recorded only if nobody took them meanwhile.
   */
  timeoutMs?: number;
}

export interface StopResult {
  /** Jobs still running when the timeout came (released). */
  unfinished: Array<{ id: bigint; queue: string }>;
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
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private stopped = true;
  /** The started runner's jobs in flight, by id. */
  private readonly pool = new Map<bigint, { job: Job; running: Promise<void> }>();
  /** Every job this runner holds (the pool's, runDue's, an advance's): the heartbeat renews their leases. */
  private readonly held = new Map<bigint, object>();
  private heartbeat: NodeJS.Timeout | undefined;
  private heartbeatRunning: Promise<void> | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly claimDelayMs: number;
  /** A claim asked for by a wake-up or a freed slot, due after claimDelayMs. */
  private soon: NodeJS.Timeout | undefined;
  /** The pool's claim in flight: at most one at a time. */
  private claiming: Promise<void> | undefined;
  /** Something (a wake, a freed slot) asked for a claim while one was in flight: one more follows it. */
  private claimAgain = false;
  /** The last claim filled every free slot, so more may be due: a freed slot claims at once. */
  private backlog = false;
  private unsubscribe: Promise<(() => Promise<void>) | undefined> | undefined;

  constructor(private readonly options: JobRunnerOptions) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBase62(6)}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(this.leaseMs / 3));
    this.pollMs = options.pollMs ?? 1000;
    this.concurrency = options.concurrency ?? 32;
    this.batchSize = options.batchSize ?? 10;
    this.claimDelayMs = options.claimDelayMs ?? 20;
  }

  /**
   * Runs due jobs until stop(): up to `concurrency` at once, claiming as slots free; when idle it polls every pollMs,
   * and claims at once when its wake source reports a new job.
   */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const wake = this.options.wake;
    if (wake) {
      this.unsubscribe = wake((queue) => {
        if (queue === undefined || Object.hasOwn(this.options.handlers, queue)) this.claimSoon();
      }).catch((error: unknown) => {
        // Without wake-ups the runner still polls.
        this.options.onError?.(error);
        return undefined;
      });
    }
    this.pump();
  }

  /** Resolves once the wake source listens (or failed to: the runner polls then); at once without one. */
  async ready(): Promise<void> {
    await this.unsubscribe;
  }

  /**
   * Stops claiming and waits for the jobs in flight, at most `timeoutMs` if given; jobs still running then are
   * released to other processes (see StopOptions).
   */
  async stop(options: StopOptions = {}): Promise<StopResult> {
    this.stopped = true;
    if (this.poll) clearTimeout(this.poll);
    this.poll = undefined;
    if (this.soon) clearTimeout(this.soon);
    this.soon = undefined;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    const done = (async () => {
      await (await unsubscribe)?.().catch((error: unknown) => this.options.onError?.(error));
      await this.claiming;
      // A job that finishes may not start others (stopped), so the pool only shrinks.
      while (this.pool.size > 0) await Promise.allSettled([...this.pool.values()].map(({ running }) => running));
    })();
    if (options.timeoutMs === undefined) {
      await done;
      return { unfinished: [] };
    }
    if (await within(done, options.timeoutMs)) return { unfinished: [] };
    const unfinished = [...this.pool.values()].map(({ job }) => ({ id: job.id, queue: job.queue }));
    for (const { id } of unfinished) this.held.delete(id);
    // A heartbeat already under way would renew what is released here: it goes first.
    await this.heartbeatRunning;
    await this.release(unfinished.map(({ id }) => id)).catch((error: unknown) => this.options.onError?.(error));
    return { unfinished };
  }

  /** Claims and runs due jobs until none is due; answers how many ran. Tests drive time with it. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.claim(this.batchSize);
      if (batch.length === 0) return total;
      await Promise.all(batch.map((job) => this.run(job)));
      total += batch.length;
    }
  }

  /**
   * Claims for the pool if it has free slots and no claim is in flight (else one more claim follows that one), and
   * runs what it got; then claims again at once if the claim filled every free slot, or waits for a wake, a freed
   * slot after a full claim, or the next poll.
   */
  private pump(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    if (this.poll) clearTimeout(this.poll);
    this.poll = undefined;
    const free = this.concurrency - this.pool.size;
    if (free <= 0) {
      // Full: a finishing job claims (backlog) or the poll does.
      this.schedulePoll();
      return;
    }
    this.claimAgain = false;
    this.claiming = this.claim(free)
      .then(async (claimed) => {
        // Stopped meanwhile: stop() stops claiming, so these go back as they were (their claim is no attempt).
        if (this.stopped) return this.unclaim(claimed.map((job) => job.id));
        for (const job of claimed) this.launch(job);
        this.backlog = claimed.length === free;
      })
      .catch((error: unknown) => {
        this.backlog = false;
        this.options.onError?.(error);
      })
      .finally(() => {
        this.claiming = undefined;
        if (this.stopped) return;
        if (this.backlog) this.pump();
        else if (this.claimAgain) this.claimSoon();
        else this.schedulePoll();
      });
  }

  /** A claim shortly (claimDelayMs), shared by every wake-up and freed slot until then. */
  private claimSoon(): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.pump();
    }, this.claimDelayMs);
  }

  private schedulePoll(): void {
    if (this.stopped || this.poll) return;
    this.poll = setTimeout(() => {
      this.poll = undefined;
      this.pump();
    }, this.pollMs);
  }

  /** Runs a claimed job in the pool; its slot frees when it finishes. */
  private launch(job: Job): void {
    const running = this.run(job).finally(() => {
      this.pool.delete(job.id);
      if (this.backlog) this.claimSoon();
    });
    this.pool.set(job.id, { job, running });
  }

  /**
   * Claims up to `limit` due jobs: queued ones whose run_at has come by their tenant's clock (real time for platform
   * jobs and environments whose clock never moved; real time plus the offset for an advanced sandbox clock, found
   * clock by clock through the tenant index) and running ones whose lease lapsed. Environments whose clock is being
   * advanced are skipped: the advance runs their jobs. Candidates are locked with SKIP LOCKED and re-checked: one
   * that was due stays due, as no clock goes back.
   */
  private async claim(limit: number): Promise<Job[]> {
    const now = this.options.clock.now();
    const queues = this.queueList();
    if (!queues) return [];
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
    this.hold(job.id);
    try {
      await this.finish(job, await this.outcomeOf(job));
    } catch (error) {
      // The outcome could not be recorded (the database is gone): the lease lapses and another worker runs it again.
      this.options.onError?.(error, job);
    } finally {
      this.unhold(job.id);
    }
  }

  private async outcomeOf(job: Job): Promise<JobOutcome> {
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
    return outcome;
  }

  private hold(id: bigint): void {
    // A fresh token per run: a heartbeat that saw the job's previous run finish must not drop this one.
    this.held.set(id, {});
    this.heartbeat ??= this.nextBeat();
  }

  private nextBeat(): NodeJS.Timeout {
    const timer = setTimeout(() => this.beat(), this.heartbeatMs);
    timer.unref();
    return timer;
  }

  private unhold(id: bigint): void {
    this.held.delete(id);
    if (this.held.size === 0 && this.heartbeat && !this.heartbeatRunning) {
      clearTimeout(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /**
   * One heartbeat: renews the lease of every job this runner still holds, in one statement. A job that is no longer
   * ours (its lease lapsed and another worker took it) is dropped from the set: it runs on, but its finish is
   * guarded, so the new owner's outcome stands.
   */
  private beat(): void {
    const holds = [...this.held];
    this.heartbeatRunning = (async () => {
      if (holds.length === 0) return;
      const ids = holds.map(([id]) => id);
      const until = new Date(this.options.clock.now().getTime() + this.leaseMs);
      const rows = await selectRows<{ id: string }>(this.options.db, sql`
        update ${jobs} set locked_until = ${until}
        where ${this.heldByMe(ids)}
        returning id::text as id`);
      const renewed = new Set(rows.map((row) => row.id));
      for (const [id, token] of holds) if (!renewed.has(String(id)) && this.held.get(id) === token) this.held.delete(id);
    })()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.heartbeatRunning = undefined;
        this.heartbeat = this.held.size > 0 ? this.nextBeat() : undefined;
      });
  }

  /** Puts jobs claimed but never started back as they were before the claim. */
  /** The rows of `ids` that are still running under this runner's claim: what heartbeats, unclaims and releases touch. */
  private heldByMe(ids: readonly bigint[]): SQL {
    return sql`locked_by = ${this.workerId} and status = 'running' and id = any(${bigintArray(ids)}::bigint[])`;
  }

  private async unclaim(ids: bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.options.db.execute(sql`
      update ${jobs} set status = 'queued', attempts = attempts - 1, locked_by = null, locked_until = null
      where ${this.heldByMe(ids)}`);
  }

  /** Ends this runner's lease of `ids` now (still marked ours, so a late finish counts if nobody took them). */
  private async release(ids: bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.options.db.execute(sql`
      update ${jobs} set locked_until = ${this.options.clock.now()}
      where ${this.heldByMe(ids)}`);
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

/** A PostgreSQL array literal of ids: one parameter however many there are. */
function bigintArray(ids: readonly bigint[]): string {
  return `{${ids.join(',')}}`;
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

/** Per queue: jobs queued and due by real time, how long the oldest of them has waited, and jobs running now. */
export interface QueueStats {
  queue: string;
  waiting: number;
  lagSeconds: number;
  running: number;
}

/**
 * What /metrics shows of the job table (one statement). "Due" is by real time: a sandbox job made due by an advanced
 * test clock is run by the advance itself, not by the runners.
 */
export async function queueStats(db: DbOrTx, now: Date): Promise<QueueStats[]> {
  const rows = await db
    .select({
      queue: jobs.queue,
      waiting: sql<number>`count(*) filter (where ${jobs.status} = 'queued' and ${jobs.runAt} <= ${now})`.mapWith(Number),
      oldest: sql<string | null>`min(${jobs.runAt}) filter (where ${jobs.status} = 'queued' and ${jobs.runAt} <= ${now})`,
      running: sql<number>`count(*) filter (where ${jobs.status} = 'running')`.mapWith(Number),
    })
    .from(jobs)
    .where(sql`${jobs.status} in ('queued', 'running')`)
    .groupBy(jobs.queue)
    .orderBy(jobs.queue);
  return rows.map((row) => ({
    queue: row.queue,
    waiting: row.waiting,
    lagSeconds: row.oldest === null ? 0 : Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000),
    running: row.running,
  }));
}
