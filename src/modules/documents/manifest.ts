import { route, type ModuleManifest } from '../manifest.js';
import { documentRoutes } from './routes.js';
import type { DocumentService } from './service.js';

export const documentsModule: ModuleManifest<{ documents: DocumentService }> = {
  name: 'documents',
  routes: [route('v1', documentRoutes, (services: { documents: DocumentService }) => ({ documents: services.documents }))],
  events: ['document.uploaded'],
};
