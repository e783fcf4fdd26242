import { route, type ModuleManifest } from '../manifest.js';
import { priceRoutes } from './routes.js';
import type { PriceService } from './service.js';

export const pricesModule: ModuleManifest<{ prices: PriceService }> = {
  name: 'prices',
  routes: [route('v1', priceRoutes, (services: { prices: PriceService }) => ({ prices: services.prices }))],
};
