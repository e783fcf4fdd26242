import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../deps.js';
import { tenantOf, withClockOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreatePriceBody, ListPricesQuery, Price, PriceList } from './schemas.js';
import { createPrice, getPrice, listPrices } from './service.js';

export const priceRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const service = { db: deps.database.db };
  const tags = ['Price'];

  app.post('/prices', {
    schema: {
      tags, operationId: 'createPrice', summary: 'Create a new price', security: secretKeySecurity,
      body: CreatePriceBody,
      response: { 201: Price, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createPrice(withClockOf(service, request), tenantOf(request), request.body)));

  app.get('/prices', {
    schema: {
      tags, operationId: 'getPrices', summary: 'List all prices', security: secretKeySecurity,
      querystring: ListPricesQuery,
      response: { 200: PriceList, ...standardErrors },
    },
  }, async (request) => listPrices(withClockOf(service, request), tenantOf(request), request.query));

  app.get('/prices/:id', {
    schema: {
      tags, operationId: 'getPriceById', summary: 'Retrieve a price', security: secretKeySecurity,
      params: IdParams('price_6819d7d0lrLvP'),
      response: { 200: Price, ...standardErrors },
    },
  }, async (request) => getPrice(withClockOf(service, request), tenantOf(request), request.params.id));
};
