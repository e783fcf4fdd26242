// The payout queue (notes-payouts §13.6): released at :02, :17, :32 and :47 past every hour, strictly FIFO per
// merchant environment and source currency, a payout only when the balance covers it (an uncovered head blocks the
// rest), and after 30 days in the queue failed with QUEUE_EXPIRED. Each merchant environment's queue has its own
// release runs, at the slots of its own clock (the sandbox test clock): a run is scheduled when a payout joins the
// queue, and each run schedules the next while anything is still queued.
import { and, asc, eq } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import { enqueueJob } from '../../core/jobs.js';
import type { Db } from '../../db/client.js';
import { payouts } from '../../db/schema/index.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { PayoutDeps } from './deps.js';
import type { PayoutError } from './errors.js';
import { recordStatus, release, writeStatus } from './lifecycle.js';
import { inUnitOfWork, type UnitOfWork, type TenantContext } from '../../core/context.js';

export const QUEUE_RELEASE_MINUTES = [2, 17, 32, 47] as const;
const QUEUE_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
const QUEUE_EXPIRED: PayoutError = {
  code: 'QUEUE_EXPIRED',
  description: 'The payout stayed queued for 30 days without a balance to cover it. No funds were held.',
  customerDescription: null,
};

/** The first release time strictly after `after` (UTC minutes 2, 17, 32, 47, on the minute). */
export function nextQueueRelease(after: Date): Date {
  const slot = new Date(after.getTime());
  slot.setUTCSeconds(0, 0);
  for (let i = 0; i < 2; i++) {
    for (const minute of QUEUE_RELEASE_MINUTES) {
      const candidate = new Date(slot.getTime());
      candidate.setUTCMinutes(minute);
      if (candidate.getTime() > after.getTime()) return candidate;
    }
    slot.setUTCHours(slot.getUTCHours() + 1, 0);
  }
  throw new Error('unreachable: a release slot exists within the next hour');
}

/** The queue of a merchant environment's release runs (one job per slot; each run schedules the next). */
export const PAYOUT_QUEUE_RELEASE_QUEUE = 'payouts.release_queue';

/**
 * Schedules the tenant's release run at the first slot after `after` (by the tenant's clock), once however many
 * payouts join the queue or processes ask; answers the slot.
 */
export async function scheduleQueueRelease(uow: UnitOfWork, after: Date = uow.clock.now()): Promise<Date> {
  const { tenant } = uow;
  const runAt = nextQueueRelease(after);
  await enqueueJob(uow, {
    queue: PAYOUT_QUEUE_RELEASE_QUEUE,
    payload: { merchantId: tenant.merchantId, env: tenant.env },
    runAt,
    uniqueKey: `release:${tenant.merchantId}:${tenant.env}:${runAt.toISOString()}`,
  });
  return runAt;
}

export interface QueueRelease {
  released: string[];
  expired: string[];
}

/**
 * One release run of a merchant environment: its queue of each source currency, in one transaction with the queued
 * rows locked in FIFO order. Schedules the next run while anything stays queued (with the same handle, so the next
 * run exists exactly when this one's changes commit).
 */
export async function releaseQueuesOf(deps: Pick<PayoutDeps, 'db' | 'railDelaySeconds'>, ctx: TenantContext): Promise<QueueRelease> {
  const { tenant, clock } = ctx;
  const result: QueueRelease = { released: [], expired: [] };
  await deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const now = clock.now();
    const queued = await tx.select().from(payouts)
      .where(and(tenantFilter(payouts, tenant), eq(payouts.status, 'queued')))
      .orderBy(asc(payouts.sourceCurrency), asc(payouts.queuedAt), asc(payouts.id))
      .for('update');
    const blocked = new Set<string>();
    let waiting = 0;
    for (const row of queued) {
      if (row.queuedAt !== null && now.getTime() - row.queuedAt.getTime() >= QUEUE_LIFETIME_MS) {
        await writeStatus(uow, row, {
          status: 'failed', queuedAt: null, errorCode: QUEUE_EXPIRED.code, errorDescription: QUEUE_EXPIRED.description, customerErrorDescription: null,
        });
        result.expired.push(row.id);
        continue;
      }
      if (blocked.has(row.sourceCurrency)) {
        waiting++;
        continue;
      }
      const released = await release(uow, deps, row);
      // The head is not covered: it and everything behind it in its currency wait for the next run.
      if (!released.ok) {
        blocked.add(row.sourceCurrency);
        waiting++;
        continue;
      }
      await recordStatus(uow, released.row);
      result.released.push(row.id);
    }
    // The next slot after now: a late run (after downtime) schedules one run, not a burst of missed ones.
    if (waiting > 0) await scheduleQueueRelease(uow);
  });
  return result;
}

/**
 * The release runs of every merchant environment with a queue, each at its next slot by its own clock: what the
 * platform-wide release job of earlier versions (one job for all queues) hands over to when it runs once more.
 */
export async function scheduleAllQueueReleases(db: Db, clockOf: (tenant: Tenant) => Promise<Clock>): Promise<number> {
  const tenants = await db.selectDistinct({ merchantId: payouts.merchantId, env: payouts.env }).from(payouts).where(eq(payouts.status, 'queued'));
  for (const tenant of tenants) await inUnitOfWork(db, { tenant, clock: await clockOf(tenant) }, (uow) => scheduleQueueRelease(uow));
  return tenants.length;
}
