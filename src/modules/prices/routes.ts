import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreatePriceBody, ListPricesQuery, Price, PriceList } from './schemas.js';
import type { PriceService } from './service.js';

export const priceRoutes: FastifyPluginAsyncTypebox<{ prices: PriceService }> = async (app, { prices }) => {
  const tags = ['Price'];

  app.post('/prices', {
    schema: {
      tags, operationId: 'createPrice', summary: 'Create a new price', description: 'Creates a recurring price (amount, currency, interval) that subscriptions charge. `request_id` makes the call idempotent.', security: secretKeySecurity,
      body: CreatePriceBody,
      response: { 201: Price, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await prices.create(contextOf(request), request.body)));

  app.get('/prices', {
    schema: {
      tags, operationId: 'getPrices', summary: 'List all prices', description: 'Lists the environment\'s prices, newest first, a page at a time.', security: secretKeySecurity,
      querystring: ListPricesQuery,
      response: { 200: PriceList, ...standardErrors },
    },
  }, async (request) => prices.list(contextOf(request), request.query));

  app.get('/prices/:id', {
    schema: {
      tags, operationId: 'getPriceById', summary: 'Retrieve a price', description: 'Answers one price by id with its amount, currency and billing interval.', security: secretKeySecurity,
      params: IdParams('price_6819d7d0lrLvP'),
      response: { 200: Price, ...standardErrors },
    },
  }, async (request) => prices.get(contextOf(request), request.params.id));
};
