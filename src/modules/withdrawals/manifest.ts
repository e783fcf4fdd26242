import { route, type ModuleManifest } from '../manifest.js';
import { withdrawalRoutes } from './routes.js';
import type { WithdrawalService } from './service.js';

export const withdrawalsModule: ModuleManifest<{ withdrawals: WithdrawalService }> = {
  name: 'withdrawals',
  routes: [route('v1', withdrawalRoutes, (services: { withdrawals: WithdrawalService }) => ({ withdrawals: services.withdrawals }))],
  events: ['withdrawal.in_progress', 'withdrawal.success', 'withdrawal.failed'],
  sandboxHelpers: ['mockUpdateWithdrawalStatus'],
};
