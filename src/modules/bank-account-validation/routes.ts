// Bank account validation (/api/v1/bank_account_validation): validate (200, with the fee charged) and list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { BankAccountValidation, BankAccountValidationList, ListBankAccountValidationsQuery, ValidateBankAccountBody } from './schemas.js';
import type { BankAccountValidationService } from './service.js';

export const bankAccountValidationRoutes: FastifyPluginAsyncTypebox<{ bankAccountValidations: BankAccountValidationService }> = async (app, { bankAccountValidations }) => {
  const tags = ['bank_account_validation'];

  app.post('/bank_account_validation', {
    schema: {
      tags, operationId: 'validateBankAccount', summary: 'Validate any bank account', security: secretKeySecurity,
      description: 'Sandbox: a deterministic outcome by the account number\'s last four digits (0000 failed, 1111 no match, ' +
        '2222 dormant, else a match); a successful validation debits USD 10.00 from the available balance. Production: 400 ' +
        '(no validation provider is connected).',
      body: ValidateBankAccountBody,
      response: { 200: BankAccountValidation, ...standardErrors },
    },
  }, async (request) => bankAccountValidations.validate(contextOf(request), request.body));

  app.get('/bank_account_validation', {
    schema: {
      tags, operationId: 'getBankAccountValidations', summary: 'List all bank account validations', description: 'Lists the environment\'s bank account validations, newest first, a page at a time, with their result and the name found.', security: secretKeySecurity,
      querystring: ListBankAccountValidationsQuery,
      response: { 200: BankAccountValidationList, ...standardErrors },
    },
  }, async (request) => bankAccountValidations.list(contextOf(request), request.query));
};
