// The payment links' jobs: `payment_links.expire` expires a link at its `expires_at` (scheduled at creation and when
// `expires_at` moves): the lifecycle kernel's expiry handler, idempotent (a repeat, a job for an expiry since moved, or
// one for a cancelled or paid link finishes without a change). `payment_links.remind` records a reminder on the link's
// `reminder_frequency` and schedules the next (decision 0037). The runner gets them from the service (its reminder seam).
export { paymentLinkJobHandlers, PAYMENT_LINK_EXPIRE_QUEUE, PAYMENT_LINK_REMIND_QUEUE } from './service.js';
