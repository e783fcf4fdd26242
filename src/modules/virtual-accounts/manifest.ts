import { route, type ModuleManifest } from '../manifest.js';
import { virtualAccountV1Routes, virtualAccountV2Routes } from './routes.js';
import type { VirtualAccountService } from './service.js';

type Needs = { virtualAccounts: VirtualAccountService };

export const virtualAccountsModule: ModuleManifest<Needs> = {
  name: 'virtual-accounts',
  routes: [
    route('v1', virtualAccountV1Routes, (services: Needs) => ({ virtualAccounts: services.virtualAccounts })),
    route('v2', virtualAccountV2Routes, (services: Needs) => ({ virtualAccounts: services.virtualAccounts })),
  ],
  events: ['virtual_account.active', 'virtual_account.inactive', 'virtual_account.disabled'],
  sandboxHelpers: ['mockVirtualAccountTransfer'],
};
