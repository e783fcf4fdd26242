// The subscriptions' jobs: the renewal attempts (queue `subscriptions.renew`: a cycle's charge on its date and the
// dunning retries) and the expiry of an unpaid link (`subscriptions.expire`), enqueued by service.ts.
import type { JobHandler } from '../../core/jobs.js';
import { SUBSCRIPTION_RENEW_QUEUE, type SubscriptionService } from './service.js';

/**
 * Both are idempotent under the subscription's row lock: a renewal charges only a subscription still due for exactly
 * its cycle, date and attempt; an expiry only a `created` one past its day. A repeat or a stale job finishes unchanged.
 */
export function subscriptionJobHandlers(subscriptions: Pick<SubscriptionService, 'runRenewal' | 'expiryJobHandlers'>): Record<string, JobHandler> {
  return {
    [SUBSCRIPTION_RENEW_QUEUE]: (job) => subscriptions.runRenewal(job),
    ...subscriptions.expiryJobHandlers(),
  };
}
