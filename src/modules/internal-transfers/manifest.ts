import { route, type ModuleManifest } from '../manifest.js';
import { internalTransferRoutes } from './routes.js';
import type { InternalTransferService } from './service.js';

type Needs = { internalTransfers: InternalTransferService };

export const internalTransfersModule: ModuleManifest<Needs> = {
  name: 'internal-transfers',
  routes: [route('v1', internalTransferRoutes, (services: Needs) => ({ internalTransfers: services.internalTransfers }))],
  events: ['internal_transfer.success'],
};
