// The job runner: durable work in the `jobs` table, enqueued with the transaction handle of the change that
// causes it, claimed with FOR UPDATE SKIP LOCKED under a lease, retried with backoff. A job whose worker died
// is claimed again once its lease lapses. Handlers must be idempotent: delivery is at least once.
import { hostname } from 'node:os';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { selectRows } from '../db/client.js';
import { ENVIRONMENTS, jobs } from '../db/schema/index.js';
import type { Clock } from './clock.js';
import { randomBase62 } from './ids.js';
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
}

/**
 * What a handler answers: `done`, `retry` at a time of its choosing (webhooks follow their own schedule), or
 * `dead` (give up). A handler that throws is retried with the runner's backoff until maxAttempts.
 */
export type JobOutcome = { status: 'done' } | { status: 'retry'; at: Date; error?: string } | { status: 'dead'; error: string };

export type JobHandler = (job: Job) => Promise<JobOutcome>;

/** Enqueues a job with the caller's handle: inside a transaction, it exists only if the transaction commits. */
export async function enqueueJob(db: DbOrTx, clock: Clock, input: JobInput): Promise<void> {
  const now = clock.now();
  await db
    .insert(jobs)
    .values({
      queue: input.queue,
      payload: input.payload,
      status: 'queued',
      maxAttempts: input.maxAttempts ?? 10,
      runAt: input.runAt ?? now,
      uniqueKey: input.uniqueKey ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
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

  private async claim(): Promise<Job[]> {
    const now = this.options.clock.now();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const queues = Object.keys(this.options.handlers);
    if (queues.length === 0) return [];
    const rows = await selectRows<ClaimedRow>(this.options.db, sql`
      update ${jobs} set status = 'running', attempts = attempts + 1, locked_by = ${this.workerId},
        locked_until = ${leaseUntil}, updated_at = ${now}
      where id in (
        select id from ${jobs}
        where queue in (${sql.join(queues.map((q) => sql`${q}`), sql`, `)})
          and ((status = 'queued' and run_at <= ${now}) or (status = 'running' and locked_until < ${now}))
        order by run_at, id
        limit ${this.batchSize}
        for update skip locked)
      returning id::text as id, queue, payload, attempts, max_attempts`);
    return rows.map((row) => ({
      id: BigInt(row.id),
      queue: row.queue,
      payload: row.payload,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
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
        : { status: 'retry', at: new Date(this.options.clock.now().getTime() + backoffMs(job.attempt)), error: message };
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
