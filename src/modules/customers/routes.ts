import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateCustomerBody, Customer, CustomerList, ListCustomersQuery } from './schemas.js';
import type { CustomerService } from './service.js';

export const customerRoutes: FastifyPluginAsyncTypebox<{ customers: CustomerService }> = async (app, { customers }) => {
  const tags = ['Customer'];

  app.post('/customer', {
    schema: {
      tags, operationId: 'createCustomer', summary: 'Create a new customer', security: secretKeySecurity,
      body: CreateCustomerBody,
      response: { 201: Customer, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await customers.create(contextOf(request), request.body)));

  app.get('/customer', {
    schema: {
      tags, operationId: 'getCustomers', summary: 'List all customers', security: secretKeySecurity,
      querystring: ListCustomersQuery,
      response: { 200: CustomerList, ...standardErrors },
    },
  }, async (request) => customers.list(contextOf(request), request.query));

  app.get('/customer/:id', {
    schema: {
      tags, operationId: 'getCustomerById', summary: 'Retrieve a customer', security: secretKeySecurity,
      params: IdParams('cust_6819d7d0lrLvP'),
      response: { 200: Customer, ...standardErrors },
    },
  }, async (request) => customers.get(contextOf(request), request.params.id));
};
