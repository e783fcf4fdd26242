import { route, type ModuleManifest } from '../manifest.js';
import { orderJobHandlers } from './jobs.js';
import { orderRoutes } from './routes.js';
import type { OrderService } from './service.js';

export const ordersModule: ModuleManifest<{ orders: OrderService }> = {
  name: 'orders',
  routes: [route('v1', orderRoutes, (services: { orders: OrderService }) => ({ orders: services.orders }))],
  jobs: (deps) => orderJobHandlers({ db: deps.database.db }),
  events: ['active', 'paid', 'failed', 'action_required', 'cancelled', 'under_review', 'expired'].map((status) => `orders.${status}`),
};
