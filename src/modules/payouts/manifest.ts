import { route, type ModuleManifest } from '../manifest.js';
import { payoutJobHandlers } from './jobs.js';
import { payoutRoutes } from './routes.js';
import type { PayoutService } from './service.js';

export const payoutsModule: ModuleManifest<{ payouts: PayoutService }> = {
  name: 'payouts',
  routes: [route('v1', payoutRoutes, (services: { payouts: PayoutService }) => ({ payouts: services.payouts }))],
  jobs: (deps) => payoutJobHandlers({ db: deps.database.db, railDelaySeconds: deps.config.sandboxRailDelaySeconds }),
  events: ['pending_approval', 'queued', 'in_progress', 'action_required', 'success', 'failed', 'cancelled'].map((status) => `payout.${status}`),
  sandboxHelpers: ['mockUpdatePayoutStatus'],
};
