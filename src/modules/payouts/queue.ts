// The payout queue (notes-payouts §13.6): released at :02, :17, :32 and :47 past every hour, strictly FIFO per
// merchant environment and source currency, a payout only when the balance covers it (an uncovered head blocks the
// rest), and after 30 days in the queue failed with QUEUE_EXPIRED.
import { and, asc, eq } from 'drizzle-orm';
import { payouts } from '../../db/schema/index.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { PayoutDeps } from './deps.js';
import type { PayoutError } from './errors.js';
import { recordStatus, release, writeStatus } from './lifecycle.js';

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

export interface QueueRelease {
  released: string[];
  expired: string[];
}

/**
 * One release run: every merchant environment's queue of each source currency, each in its own transaction with its
 * queued rows locked in FIFO order. Finds the queues across tenants (an operator job), then works tenant by tenant.
 */
export async function releaseQueues(deps: Pick<PayoutDeps, 'db' | 'clock' | 'railDelaySeconds'>): Promise<QueueRelease> {
  const queues = await deps.db.selectDistinct({ merchantId: payouts.merchantId, env: payouts.env, currency: payouts.sourceCurrency })
    .from(payouts).where(eq(payouts.status, 'queued'));
  const result: QueueRelease = { released: [], expired: [] };
  for (const queue of queues) {
    const tenant: Tenant = { merchantId: queue.merchantId, env: queue.env };
    await deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const queued = await tx.select().from(payouts)
        .where(and(tenantFilter(payouts, tenant), eq(payouts.status, 'queued'), eq(payouts.sourceCurrency, queue.currency)))
        .orderBy(asc(payouts.queuedAt), asc(payouts.id))
        .for('update');
      let blocked = false;
      for (const row of queued) {
        if (row.queuedAt !== null && now.getTime() - row.queuedAt.getTime() >= QUEUE_LIFETIME_MS) {
          await writeStatus(tx, deps.clock, tenant, row, {
            status: 'failed', queuedAt: null, errorCode: QUEUE_EXPIRED.code, errorDescription: QUEUE_EXPIRED.description, customerErrorDescription: null,
          });
          result.expired.push(row.id);
          continue;
        }
        if (blocked) continue;
        const released = await release(tx, deps, tenant, row);
        // The head is not covered: it and everything behind it wait for the next run.
        if (!released.ok) {
          blocked = true;
          continue;
        }
        await recordStatus(tx, deps.clock, tenant, released.row);
        result.released.push(row.id);
      }
    });
  }
  return result;
}
