import { route, type ModuleManifest } from '../manifest.js';
import { mcpCredentialRoutes } from './routes.js';
import type { McpCredentialService } from './service.js';

export const mcpCredentialsModule: ModuleManifest<{ mcpCredentials: McpCredentialService }> = {
  name: 'mcp-credentials',
  routes: [route('v1', mcpCredentialRoutes, (services: { mcpCredentials: McpCredentialService }) => ({ mcpCredentials: services.mcpCredentials }))],
};
