import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { ErrorBody, IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateSettlementBody, ListSettlementsQuery, Settlement, SettlementList, TransactionList, TriggeredSettlements } from './schemas.js';
import type { SettlementService } from './service.js';

export const settlementRoutes: FastifyPluginAsyncTypebox<{ settlements: SettlementService }> = async (app, { settlements }) => {
  const tags = ['Settlement'];

  app.post('/settlements', {
    schema: {
      tags, operationId: 'createSettlement', summary: 'Create a settlement', security: secretKeySecurity,
      description: 'Sends available funds to your withdrawal account: `amount` of `balance_currency`, or the net credits of `payment_ids`.',
      body: CreateSettlementBody,
      response: { 201: Settlement, ...standardErrors, 422: ErrorBody },
    },
  }, async (request, reply) => reply.status(201).send(await settlements.create(contextOf(request), request.body)));

  // Before /settlements/:id, so that the sandbox trigger is not read as an id.
  app.post('/settlements/mock-trigger', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'triggerMockSettlement', summary: 'Trigger settlements (sandbox)', security: secretKeySecurity,
      description: 'Sandbox: settles every successful payment whose funds are available and not yet settled, one settlement per currency.',
      response: { 200: TriggeredSettlements, ...standardErrors },
    },
  }, async (request) => settlements.trigger(contextOf(request)));

  app.get('/settlements', {
    schema: {
      tags, operationId: 'getSettlements', summary: 'List settlements', description: 'Lists the environment\'s settlements, newest first, a page at a time, with their amount, currency and status.', security: secretKeySecurity,
      querystring: ListSettlementsQuery,
      response: { 200: SettlementList, ...standardErrors },
    },
  }, async (request) => settlements.list(contextOf(request), request.query));

  app.get('/settlements/:id', {
    schema: {
      tags, operationId: 'getSettlementById', summary: 'Retrieve a settlement', description: 'Answers one settlement by id; its transactions are at `/settlements/{id}/transactions`.', security: secretKeySecurity,
      params: IdParams('setl_6878e266jt1P3'),
      response: { 200: Settlement, ...standardErrors },
    },
  }, async (request) => settlements.get(contextOf(request), request.params.id));

  app.get('/settlements/:id/transactions', {
    schema: {
      tags, operationId: 'getTransactionsLinkedToSettlement', summary: "A settlement's transactions", security: secretKeySecurity,
      description: 'One transaction per settled payment, newest first; an amount settlement has none.',
      params: IdParams('setl_6878e266jt1P3'),
      querystring: ListSettlementsQuery,
      response: { 200: TransactionList, ...standardErrors },
    },
  }, async (request) => settlements.transactions(contextOf(request), request.params.id, request.query));
};
