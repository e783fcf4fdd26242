import { route, type ModuleManifest } from '../manifest.js';
import type { PaymentRfiService } from './rfi.js';
import { paymentRfiRoutes } from './rfi-routes.js';
import { paymentRoutes } from './routes.js';
import type { PaymentService } from './service.js';

type Needs = { payments: PaymentService; paymentRfis: PaymentRfiService };

export const paymentsModule: ModuleManifest<Needs> = {
  name: 'payments',
  routes: [
    route('v1', paymentRoutes, (services: Needs) => ({ payments: services.payments })),
    route('v1', paymentRfiRoutes, (services: Needs) => ({ paymentRfis: services.paymentRfis })),
  ],
  events: ['success', 'failed', 'action_required', 'in_progress', 'under_review', 'funds_available'].map((status) => `payment.${status}`),
  sandboxHelpers: ['createMockPayment', 'mockUpdatePaymentFundsAvailable'],
};
