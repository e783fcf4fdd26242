import { route, type ModuleManifest } from '../manifest.js';
import { quoteRoutes } from './routes.js';
import type { QuoteService } from './service.js';

export const quotesModule: ModuleManifest<{ quotes: QuoteService }> = {
  name: 'quotes',
  routes: [route('v1', quoteRoutes, (services: { quotes: QuoteService }) => ({ quotes: services.quotes }))],
};
