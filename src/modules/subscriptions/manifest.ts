import { route, type ModuleManifest } from '../manifest.js';
import { subscriptionJobHandlers } from './jobs.js';
import { subscriptionRoutes } from './routes.js';
import type { SubscriptionService } from './service.js';

type Services = { subscriptions: SubscriptionService };

export const subscriptionsModule: ModuleManifest<Services, Services> = {
  name: 'subscriptions',
  routes: [route('v1', subscriptionRoutes, (services: Services) => ({ subscriptions: services.subscriptions }))],
  jobs: (_deps, services) => subscriptionJobHandlers(services.subscriptions),
  // `failed`: a renewal attempt was declined and will be retried (the status stays); `updated`: a cycle billed, the
  // next date moved, a charge as presented.
  events: ['active', 'authorized', 'paused', 'halted', 'completed', 'cancelled', 'expired', 'failed', 'updated']
    .map((event) => `subscription.${event}`),
  sandboxHelpers: ['mockSubscriptionRenewalOutcome'],
};
