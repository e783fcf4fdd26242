// Merchants: the operator API (src/admin) manages them through the merchants service; a platform onboards its child
// merchants through the platform routes.
import { route, type ModuleManifest } from '../manifest.js';
import type { PlatformService } from './platform.js';
import { platformRoutes } from './platform-routes.js';

type Needs = { platform: PlatformService };

export const merchantsModule: ModuleManifest<Needs> = {
  name: 'merchants',
  routes: [route('v1', platformRoutes, (services: Needs) => ({ platform: services.platform }))],
  events: ['merchant.pending', 'merchant.success', 'merchant.failed'],
  sandboxHelpers: ['updateMerchantStatus'],
};
