// The job that expires a payment link at its `expires_at` (queue `payment_links.expire`, enqueued by service.ts).
import { inUnitOfWork } from '../../core/context.js';
import { tenantRowPayload, type JobHandler } from '../../core/jobs.js';
import type { Db } from '../../db/client.js';
import { expirePaymentLinkIfDue, PAYMENT_LINK_EXPIRE_QUEUE } from './service.js';

/**
 * The runner's handlers for payment links. Expiry is idempotent: the handler locks the link and expires it only
 * if it still can and its current `expires_at` has passed, so a repeat, a job for an expiry that was since moved,
 * or a job for a cancelled or paid link finishes without a change.
 */
export function paymentLinkJobHandlers(deps: { db: Db }): Record<string, JobHandler> {
  return {
    [PAYMENT_LINK_EXPIRE_QUEUE]: async (job) => {
      const target = tenantRowPayload(job.payload, 'paymentLinkId');
      if (!target) return { status: 'dead', error: 'malformed payment_links.expire payload' };
      await inUnitOfWork(deps.db, { tenant: target.tenant, clock: job.clock }, (uow) => expirePaymentLinkIfDue(uow, target.id));
      return { status: 'done' };
    },
  };
}
