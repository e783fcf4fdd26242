import { route, type ModuleManifest } from '../manifest.js';
import { beneficiaryV2Routes } from './routes.js';
import type { BeneficiaryService } from './service.js';
import { beneficiaryV1Routes } from './v1-routes.js';

type Needs = { beneficiaries: BeneficiaryService };

export const beneficiariesModule: ModuleManifest<Needs> = {
  name: 'beneficiaries',
  routes: [
    route('v1', beneficiaryV1Routes, (services: Needs) => ({ beneficiaries: services.beneficiaries })),
    route('v2', beneficiaryV2Routes, (services: Needs) => ({ beneficiaries: services.beneficiaries })),
  ],
  events: ['beneficiary.active', 'beneficiary.pending', 'beneficiary.rejected'],
  sandboxHelpers: ['mockReviewBeneficiaryV2'],
};
