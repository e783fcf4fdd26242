import { route, type ModuleManifest } from '../manifest.js';
import { rfiRoutes } from './routes.js';
import type { RfiService } from './service.js';

export const rfisModule: ModuleManifest<{ rfis: RfiService }> = {
  name: 'rfis',
  routes: [route('v1', rfiRoutes, (services: { rfis: RfiService }) => ({ rfis: services.rfis }))],
};
