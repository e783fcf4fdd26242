// The job that expires an order at its `expires_at` (queue `orders.expire`, enqueued by service.ts).
import { inUnitOfWork } from '../../core/context.js';
import { tenantRowPayload, type JobHandler } from '../../core/jobs.js';
import type { Db } from '../../db/client.js';
import { expireOrderIfDue, ORDER_EXPIRE_QUEUE } from './service.js';

/**
 * The runner's handlers for orders. Expiry is idempotent: the handler locks the order and expires it only if it
 * still can and its `expires_at` has passed, so a repeat, or a job for a paid, failed or cancelled order, finishes
 * without a change.
 */
export function orderJobHandlers(deps: { db: Db }): Record<string, JobHandler> {
  return {
    [ORDER_EXPIRE_QUEUE]: async (job) => {
      const target = tenantRowPayload(job.payload, 'orderId');
      if (!target) return { status: 'dead', error: 'malformed orders.expire payload' };
      await inUnitOfWork(deps.db, { tenant: target.tenant, clock: job.clock }, (uow) => expireOrderIfDue(uow, target.id));
      return { status: 'done' };
    },
  };
}
