import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../deps.js';
import { tenantOf, withClockOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateCustomerBody, Customer, CustomerList, ListCustomersQuery } from './schemas.js';
import { createCustomer, getCustomer, listCustomers } from './service.js';

export const customerRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const service = { db: deps.database.db };
  const tags = ['Customer'];

  app.post('/customer', {
    schema: {
      tags, operationId: 'createCustomer', summary: 'Create a new customer', security: secretKeySecurity,
      body: CreateCustomerBody,
      response: { 201: Customer, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createCustomer(withClockOf(service, request), tenantOf(request), request.body)));

  app.get('/customer', {
    schema: {
      tags, operationId: 'getCustomers', summary: 'List all customers', security: secretKeySecurity,
      querystring: ListCustomersQuery,
      response: { 200: CustomerList, ...standardErrors },
    },
  }, async (request) => listCustomers(withClockOf(service, request), tenantOf(request), request.query));

  app.get('/customer/:id', {
    schema: {
      tags, operationId: 'getCustomerById', summary: 'Retrieve a customer', security: secretKeySecurity,
      params: IdParams('cust_6819d7d0lrLvP'),
      response: { 200: Customer, ...standardErrors },
    },
  }, async (request) => getCustomer(withClockOf(service, request), tenantOf(request), request.params.id));
};
