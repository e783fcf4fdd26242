// The virtual-account operations, served under /api/v1 and, as Glomo also serves them (notes-payouts §1), /api/v2:
// the same handlers, with the v2 operationIds suffixed (`createVirtualAccountV2`, the live API's name).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { ErrorBody, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import {
  CloseVirtualAccountQuery, CreateVirtualAccountBody, ListVirtualAccountsQuery, MockTransferBody, MockTransferResponse, VirtualAccount, VirtualAccountList,
} from './schemas.js';
import type { VirtualAccountService } from './service.js';

type Options = { virtualAccounts: VirtualAccountService };

/** The plugin of one version: `suffix` ends its operationIds ('' under /api/v1, 'V2' under /api/v2). */
const routesWith = (suffix: '' | 'V2'): FastifyPluginAsyncTypebox<Options> => async (app, { virtualAccounts }) => {
  const tags = ['virtual_account'];

  app.post('/virtual-accounts', {
    schema: {
      tags, operationId: `createVirtualAccount${suffix}`, summary: 'Create a Virtual Account', security: secretKeySecurity,
      description: "Opens the environment's account for a payment type and currency: one active account per pair (409 otherwise).",
      body: CreateVirtualAccountBody,
      response: { 201: VirtualAccount, ...standardErrors, 409: ErrorBody },
    },
  }, async (request, reply) => reply.status(201).send(await virtualAccounts.create(contextOf(request), request.body)));

  app.get('/virtual-accounts', {
    schema: {
      tags, operationId: `getVirtualAccounts${suffix}`, summary: 'List all Virtual Accounts', security: secretKeySecurity,
      description: "The environment's virtual accounts, closed ones included, newest first.",
      querystring: ListVirtualAccountsQuery,
      response: { 200: VirtualAccountList, ...standardErrors },
    },
  }, async (request) => virtualAccounts.list(contextOf(request), request.query));

  app.delete('/virtual-accounts', {
    schema: {
      tags, operationId: `closeVirtualAccount${suffix}`, summary: 'Close a Virtual Account', security: secretKeySecurity,
      description: 'Closes the active account of this payment type and currency for good (`inactive`); its number is never reused.',
      querystring: CloseVirtualAccountQuery,
      response: { 200: VirtualAccount, ...standardErrors },
    },
  }, async (request) => virtualAccounts.close(contextOf(request), request.query));

  // The sandbox helper is the v1 API's only (the path); v2 serves the contract's operations.
  if (suffix === 'V2') return;
  app.post('/virtual-accounts/mock-transfer', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockVirtualAccountTransfer', summary: 'Mock an incoming transfer to a Virtual Account', security: secretKeySecurity,
      description: "Sandbox only (a production key gets 404), as Stripe's fund_cash_balance: a bank transfer arriving on one of " +
        "the environment's virtual accounts. It answers 201 with the payment that records it: `success` when its reference " +
        'names, or its amount matches, exactly one active order or payment link at the amount due; otherwise ' +
        '`action_required` (`PAYIN_NOT_FOUND`, `PAYIN_AMOUNT_MISMATCH`, `SANCTION_HIT`) with its funds held until ' +
        'connect-payin. A transfer to a closed account or in another currency is returned to its sender (recorded) and ' +
        'answers 422 `TRANSFER_RETURNED`.',
      body: MockTransferBody,
      response: { 201: MockTransferResponse, ...standardErrors, 422: ErrorBody },
    },
  }, async (request, reply) => reply.status(201).send(await virtualAccounts.mockTransfer(contextOf(request), request.body)));
};

export const virtualAccountV1Routes = routesWith('');
export const virtualAccountV2Routes = routesWith('V2');
