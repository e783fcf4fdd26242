// The webhooks as one module: the event log and the endpoints under /api/v1, and the delivery jobs.
import { route, type ModuleManifest } from '../modules/manifest.js';
import { webhookJobHandlers } from './delivery/handlers.js';
import { webhookEndpointRoutes } from './endpoints/routes.js';
import type { WebhookEndpointService } from './endpoints/service.js';
import { webhookEventRoutes } from './events/routes.js';
import type { WebhookEventService } from './events/service.js';

type Needs = { webhookEvents: WebhookEventService; webhookEndpoints: WebhookEndpointService };

export const webhooksModule: ModuleManifest<Needs> = {
  name: 'webhooks',
  routes: [
    route('v1', webhookEventRoutes, (services: Needs) => ({ events: services.webhookEvents })),
    route('v1', webhookEndpointRoutes, (services: Needs) => ({ endpoints: services.webhookEndpoints })),
  ],
  jobs: (deps) => webhookJobHandlers({ db: deps.database.db, config: deps.config }),
  events: ['webhook_test.test'],
  sandboxHelpers: ['testWebhookEndpoint'],
};
