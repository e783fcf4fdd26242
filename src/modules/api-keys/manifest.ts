import { route, type ModuleManifest } from '../manifest.js';
import { apiKeyRoutes } from './routes.js';
import type { ApiKeyService } from './service.js';

export const apiKeysModule: ModuleManifest<{ apiKeys: ApiKeyService }> = {
  name: 'api-keys',
  routes: [route('v1', apiKeyRoutes, (services: { apiKeys: ApiKeyService }) => ({ apiKeys: services.apiKeys }))],
};
