import { route, type ModuleManifest } from '../manifest.js';
import { customerRoutes } from './routes.js';
import type { CustomerService } from './service.js';

export const customersModule: ModuleManifest<{ customers: CustomerService }> = {
  name: 'customers',
  routes: [route('v1', customerRoutes, (services: { customers: CustomerService }) => ({ customers: services.customers }))],
  events: ['customer.created'],
};
