import { route, type ModuleManifest } from '../manifest.js';
import { paymentLinkRoutes } from './routes.js';
import type { PaymentLinkService } from './service.js';

type Services = { paymentLinks: PaymentLinkService };

export const paymentLinksModule: ModuleManifest<Services, Services> = {
  name: 'payment-links',
  routes: [route('v1', paymentLinkRoutes, (services: Services) => ({ paymentLinks: services.paymentLinks }))],
  jobs: (_deps, services) => services.paymentLinks.jobHandlers(),
  events: ['active', 'paid', 'failed', 'action_required', 'cancelled', 'partially_paid', 'under_review', 'expired']
    .map((status) => `payment_link.${status}`),
  sandboxHelpers: ['mockReviewPaymentLink'],
};
