import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { BalanceConversion, BalanceConversionList, CreateBalanceConversionBody, ListBalanceConversionsQuery } from './schemas.js';
import type { BalanceConversionService } from './service.js';

export const balanceConversionRoutes: FastifyPluginAsyncTypebox<{ balanceConversions: BalanceConversionService }> = async (app, { balanceConversions }) => {
  const tags = ['balance_conversions'];

  app.post('/balance_conversions', {
    schema: {
      tags, operationId: 'createBalanceConversion', summary: 'Convert balances', security: secretKeySecurity,
      description: 'Converts available balance from one currency to another. Send `source_amount` or `target_amount` and the other is computed: the FX markup is a fee in the source currency, the rest converts at the mid-market rate, rounded down to the target\'s minor unit (with `target_amount`, the target is exact and the source is the smallest amount that covers it).',
      body: CreateBalanceConversionBody,
      response: { 201: BalanceConversion, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await balanceConversions.create(contextOf(request), request.body)));

  app.get('/balance_conversions', {
    schema: {
      tags, operationId: 'getBalanceConversions', summary: 'List all Balance Conversions', description: 'Lists the environment\'s balance conversions, newest first, a page at a time, with their rates, amounts and status.', security: secretKeySecurity,
      querystring: ListBalanceConversionsQuery,
      response: { 200: BalanceConversionList, ...standardErrors },
    },
  }, async (request) => balanceConversions.list(contextOf(request), request.query));

  app.get('/balance_conversions/:id', {
    schema: {
      tags, operationId: 'getBalanceConversion', summary: 'Retrieve a balance conversion (extension)', description: 'Answers one balance conversion by id, with the rate it was made at and its journal\'s amounts.', security: secretKeySecurity,
      params: IdParams('conv_6776d57dnbTWj'),
      response: { 200: BalanceConversion, ...standardErrors },
    },
  }, async (request) => balanceConversions.get(contextOf(request), request.params.id));
};
