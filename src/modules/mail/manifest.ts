import { route, type ModuleManifest } from '../manifest.js';
import { mailRoutes } from './routes.js';
import type { MailService } from './service.js';

type Services = { mail: MailService };

export const mailModule: ModuleManifest<Services, Services> = {
  name: 'mail',
  routes: [route('v1', mailRoutes, (services: Services) => ({ mail: services.mail }))],
  jobs: (_deps, services) => services.mail.jobHandlers(),
};
