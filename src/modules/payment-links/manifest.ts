import { route, type ModuleManifest } from '../manifest.js';
import { paymentLinkJobHandlers } from './jobs.js';
import { paymentLinkRoutes } from './routes.js';
import type { PaymentLinkService } from './service.js';

export const paymentLinksModule: ModuleManifest<{ paymentLinks: PaymentLinkService }> = {
  name: 'payment-links',
  routes: [route('v1', paymentLinkRoutes, (services: { paymentLinks: PaymentLinkService }) => ({ paymentLinks: services.paymentLinks }))],
  jobs: (deps) => paymentLinkJobHandlers({ db: deps.database.db }),
  events: ['active', 'paid', 'failed', 'action_required', 'cancelled', 'partially_paid', 'under_review', 'expired']
    .map((status) => `payment_link.${status}`),
  sandboxHelpers: ['mockReviewPaymentLink'],
};
