// Merchants have no route of their own: the operator API (src/admin) manages them through the merchants service.
import type { ModuleManifest } from '../manifest.js';

export const merchantsModule: ModuleManifest = {
  name: 'merchants',
};
