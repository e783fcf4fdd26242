import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateQuoteBody, Quote, QuoteList } from './schemas.js';
import type { QuoteService } from './service.js';

export const quoteRoutes: FastifyPluginAsyncTypebox<{ quotes: QuoteService }> = async (app, { quotes }) => {
  const tags = ['Quotes'];

  app.post('/quotes', {
    schema: {
      tags, operationId: 'createQuote', summary: 'Lock an FX rate', security: secretKeySecurity,
      description: 'Prices a payin, payout or balance conversion and locks the rate until `expires_at`. A quote is used once. Payout quotes answer one quote per eligible rail of the method\'s subtype.',
      body: CreateQuoteBody,
      response: { 201: QuoteList, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await quotes.create(contextOf(request), request.body)));

  app.get('/quotes/:id', {
    schema: {
      tags, operationId: 'getQuote', summary: 'Retrieve a quote (extension)', description: 'Answers one quote (conversion or payout) by id with its rate, amounts, fee and `expires_at`; an expired quote reads `expired`.', security: secretKeySecurity,
      params: IdParams('quote_6819d804aB3xQ'),
      response: { 200: Quote, ...standardErrors },
    },
  }, async (request) => quotes.get(contextOf(request), request.params.id));
};
