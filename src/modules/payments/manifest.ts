import { route, type ModuleManifest } from '../manifest.js';
import type { PaymentRfiService } from './rfi.js';
import { paymentRfiRoutes } from './rfi-routes.js';
import { paymentRoutes } from './routes.js';
import { serverPaymentRoutes } from './s2s-routes.js';
import { serverPaymentJobHandlers, type ServerPaymentService } from './s2s.js';
import type { PaymentService } from './service.js';

type Needs = { payments: PaymentService; paymentRfis: PaymentRfiService; serverPayments: ServerPaymentService };

export const paymentsModule: ModuleManifest<Needs, Needs> = {
  name: 'payments',
  routes: [
    route('v1', serverPaymentRoutes, (services: Needs) => ({ serverPayments: services.serverPayments })),
    route('v1', paymentRoutes, (services: Needs) => ({ payments: services.payments })),
    route('v1', paymentRfiRoutes, (services: Needs) => ({ paymentRfis: services.paymentRfis })),
  ],
  jobs: (deps, services) => serverPaymentJobHandlers(deps.database.db, services.serverPayments),
  events: ['success', 'failed', 'action_required', 'in_progress', 'under_review', 'funds_available'].map((status) => `payment.${status}`),
  sandboxHelpers: ['createMockPayment', 'mockUpdatePaymentFundsAvailable'],
};
