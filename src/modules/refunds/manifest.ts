import { route, type ModuleManifest } from '../manifest.js';
import { refundRoutes } from './routes.js';
import type { RefundService } from './service.js';

export const refundsModule: ModuleManifest<{ refunds: RefundService }> = {
  name: 'refunds',
  routes: [route('v1', refundRoutes, (services: { refunds: RefundService }) => ({ refunds: services.refunds }))],
  events: ['refund.success', 'refund.failed'],
  sandboxHelpers: ['mockUpdateRefund'],
};
