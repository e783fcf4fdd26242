// The job that expires an order at its `expires_at` (queue `orders.expire`, enqueued by service.ts).
import type { Clock } from '../../core/clock.js';
import type { JobHandler } from '../../core/jobs.js';
import type { Db } from '../../db/client.js';
import { ENVIRONMENTS } from '../../db/schema/index.js';
import { expireOrderIfDue, ORDER_EXPIRE_QUEUE, type ExpireOrderPayload } from './service.js';

function isExpirePayload(payload: Record<string, unknown>): payload is Record<string, unknown> & ExpireOrderPayload {
  return typeof payload.merchantId === 'string' &&
    typeof payload.orderId === 'string' &&
    (ENVIRONMENTS as readonly unknown[]).includes(payload.env);
}

/**
 * The runner's handlers for orders. Expiry is idempotent: the handler locks the order and expires it only if it
 * still can and its `expires_at` has passed, so a repeat, or a job for a paid, failed or cancelled order, finishes
 * without a change.
 */
export function orderJobHandlers(deps: { db: Db; clock: Clock }): Record<string, JobHandler> {
  return {
    [ORDER_EXPIRE_QUEUE]: async (job) => {
      if (!isExpirePayload(job.payload)) return { status: 'dead', error: 'malformed orders.expire payload' };
      const { merchantId, env, orderId } = job.payload;
      await deps.db.transaction((tx) => expireOrderIfDue(tx, deps.clock, { merchantId, env }, orderId));
      return { status: 'done' };
    },
  };
}
