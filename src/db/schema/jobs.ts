// The job table: durable work enqueued in the transaction that causes it, claimed with FOR UPDATE SKIP LOCKED
// under a lease. A tenant's job carries its merchant and environment: it is due by that environment's clock (the
// sandbox test clock), and an advance of that clock runs it. A platform job has neither.
import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, type Environment } from './columns.js';

export const JOB_STATUSES = ['queued', 'running', 'done', 'dead'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobs = pgTable('jobs', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  queue: text('queue').notNull(),
  merchantId: text('merchant_id'),
  env: text('env').$type<Environment>(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  status: text('status').$type<JobStatus>().notNull(),
  attempts: integer('attempts').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull(),
  runAt: timestamp('run_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** The worker holding the job and until when: a lease that another worker may take over once it lapses. */
  lockedBy: text('locked_by'),
  lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
  lastError: text('last_error'),
  /** Optional: at most one job per key (a second enqueue with the same key is a no-op). */
  uniqueKey: text('unique_key'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  // The claim query: due queued jobs in run_at order, and running jobs whose lease lapsed.
  index('jobs_due_idx').on(t.runAt, t.id).where(sql`${t.status} = 'queued'`),
  // An advance of one environment's clock: its due jobs in time order.
  index('jobs_tenant_due_idx').on(t.merchantId, t.env, t.runAt, t.id).where(sql`${t.status} = 'queued'`),
  index('jobs_leased_idx').on(t.lockedUntil).where(sql`${t.status} = 'running'`),
  uniqueIndex('jobs_unique_key_uq').on(t.uniqueKey),
  check('jobs_tenant_ck', sql`(${t.merchantId} is null) = (${t.env} is null)`),
  check('jobs_status_ck', sql`${t.status} in ('queued', 'running', 'done', 'dead')`),
]);
