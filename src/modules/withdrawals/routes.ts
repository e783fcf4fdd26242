import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import {
  CreateWithdrawalBody,
  ListWithdrawalAccountsQuery,
  ListWithdrawalsQuery,
  MockUpdateWithdrawalBody,
  Withdrawal,
  WithdrawalAccount,
  WithdrawalAccountList,
  WithdrawalList,
} from './schemas.js';
import type { WithdrawalService } from './service.js';

export const withdrawalRoutes: FastifyPluginAsyncTypebox<{ withdrawals: WithdrawalService }> = async (app, { withdrawals }) => {

  app.get('/withdrawal_accounts', {
    schema: {
      tags: ['withdrawal_account'], operationId: 'getWithdrawalAccounts', summary: 'List all Withdrawal Accounts', security: secretKeySecurity,
      description: 'The merchant\'s own bank accounts that withdrawals pay into, newest first. Registered by the operator.',
      querystring: ListWithdrawalAccountsQuery,
      response: { 200: WithdrawalAccountList, ...standardErrors },
    },
  }, async (request) => withdrawals.listAccounts(contextOf(request), request.query));

  app.get('/withdrawal_accounts/:id', {
    schema: {
      tags: ['withdrawal_account'], operationId: 'getWithdrawalAccountById', summary: 'Retrieve Withdrawal Account', description: 'Answers one of your registered withdrawal accounts by id (account number masked).', security: secretKeySecurity,
      params: IdParams('accwith_6819d804aB3xQ'),
      response: { 200: WithdrawalAccount, ...standardErrors },
    },
  }, async (request) => withdrawals.getAccount(contextOf(request), request.params.id));

  const tags = ['Withdrawal'];

  app.post('/withdrawals', {
    schema: {
      tags, operationId: 'createWithdrawal', summary: 'Create a new withdrawal', security: secretKeySecurity,
      description: '**Deprecated** in Glomo\'s API, served here. Pays `amount` of the `balance_currency` balance to the merchant\'s ' +
        'withdrawal account (the only one unless `withdrawal_account_id` names one), converted at the mid-market rate into the ' +
        'account\'s currency with the FX markup as `fx_fees`. The SWIFT transaction fee (`txn_fees`) is taken on top: amount + fee ' +
        'are held on the available balance (400 `INSUFFICIENT_BALANCE` with the shortfall otherwise) until the withdrawal resolves.',
      body: CreateWithdrawalBody,
      response: { 201: Withdrawal, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await withdrawals.create(contextOf(request), request.body)));

  app.get('/withdrawals', {
    schema: {
      tags, operationId: 'getWithdrawals', summary: 'List all withdrawals', description: 'Lists the environment\'s withdrawals, newest first, a page at a time, with their amount, account and status.', security: secretKeySecurity,
      querystring: ListWithdrawalsQuery,
      response: { 200: WithdrawalList, ...standardErrors },
    },
  }, async (request) => withdrawals.list(contextOf(request), request.query));

  app.get('/withdrawals/:id', {
    schema: {
      tags, operationId: 'getWithdrawalById', summary: 'Retrieve a withdrawal', security: secretKeySecurity,
      description: 'Extension: the contract documents no retrieve operation for withdrawals.',
      params: IdParams('payout_6819d804aB3xQ'),
      response: { 200: Withdrawal, ...standardErrors },
    },
  }, async (request) => withdrawals.get(contextOf(request), request.params.id));

  app.patch('/withdrawals/:id/mock_update_status', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockUpdateWithdrawalStatus', summary: 'Mock update a withdrawal', security: secretKeySecurity,
      description: 'Extension, sandbox only (a production key gets 404). Resolves an `in_progress` withdrawal once: `success` sends ' +
        'the held amount out (the fees to Glomo), `failed` returns amount and fee to the available balance. Any other move answers ' +
        '400 `State change not allowed`.',
      params: IdParams('payout_6819d804aB3xQ'),
      body: MockUpdateWithdrawalBody,
      response: { 200: Withdrawal, ...standardErrors },
    },
  }, async (request) => withdrawals.mockUpdateStatus(contextOf(request), request.params.id, request.body));
};
