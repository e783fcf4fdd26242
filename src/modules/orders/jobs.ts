// The job that expires an order at its `expires_at` (queue `orders.expire`, scheduled when the order is created):
// the lifecycle kernel's expiry handler, idempotent (a paid, failed or cancelled order's job does nothing).
export { orderJobHandlers } from './service.js';
