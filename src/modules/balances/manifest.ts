import { route, type ModuleManifest } from '../manifest.js';
import { balanceRoutes } from './routes.js';
import type { BalanceService } from './service.js';

export const balancesModule: ModuleManifest<{ balances: BalanceService }> = {
  name: 'balances',
  routes: [route('v1', balanceRoutes, (services: { balances: BalanceService }) => ({ balances: services.balances }))],
};
