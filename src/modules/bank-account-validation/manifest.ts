import { route, type ModuleManifest } from '../manifest.js';
import { bankAccountValidationRoutes } from './routes.js';
import type { BankAccountValidationService } from './service.js';

type Needs = { bankAccountValidations: BankAccountValidationService };

export const bankAccountValidationModule: ModuleManifest<Needs> = {
  name: 'bank-account-validation',
  routes: [route('v1', bankAccountValidationRoutes, (services: Needs) => ({ bankAccountValidations: services.bankAccountValidations }))],
  events: ['bank_account_validation.success', 'bank_account_validation.failed'],
};
