// The job that expires a payment link at its `expires_at` (queue `payment_links.expire`, scheduled at creation and
// when `expires_at` moves): the lifecycle kernel's expiry handler, idempotent (a repeat, a job for an expiry since
// moved, or one for a cancelled or paid link finishes without a change).
export { paymentLinkJobHandlers } from './service.js';
