import { route, type ModuleManifest } from '../manifest.js';
import { settlementJobHandlers } from './jobs.js';
import { settlementRoutes } from './routes.js';
import type { SettlementService } from './service.js';

type Needs = { settlements: SettlementService };

export const settlementsModule: ModuleManifest<Needs, Needs> = {
  name: 'settlements',
  routes: [route('v1', settlementRoutes, (services: Needs) => ({ settlements: services.settlements }))],
  jobs: (deps, services) => settlementJobHandlers({ db: deps.database.db, settlements: services.settlements }),
  events: ['settlement.in_progress', 'settlement.success', 'settlement.failed'],
  sandboxHelpers: ['triggerMockSettlement'],
};
