import { route, type ModuleManifest } from '../manifest.js';
import { balanceConversionRoutes } from './routes.js';
import type { BalanceConversionService } from './service.js';

type Needs = { balanceConversions: BalanceConversionService };

export const balanceConversionsModule: ModuleManifest<Needs> = {
  name: 'balance-conversions',
  routes: [route('v1', balanceConversionRoutes, (services: Needs) => ({ balanceConversions: services.balanceConversions }))],
  events: ['balance_conversion.success'],
};
