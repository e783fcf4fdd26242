import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateCustomerBody, Customer, CustomerList, ListCustomersQuery } from './schemas.js';
import type { CustomerService } from './service.js';

export const customerRoutes: FastifyPluginAsyncTypebox<{ customers: CustomerService }> = async (app, { customers }) => {
  const tags = ['Customer'];

  app.post('/customer', {
    schema: {
      tags, operationId: 'createCustomer', summary: 'Create a new customer', description: 'Creates an individual or business customer in the key\'s environment, the payer of orders, subscriptions and payment links. `request_id` makes the call idempotent. Emits `customer.created`.', security: secretKeySecurity,
      body: CreateCustomerBody,
      response: { 201: Customer, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await customers.create(contextOf(request), request.body)));

  app.get('/customer', {
    schema: {
      tags, operationId: 'getCustomers', summary: 'List all customers', description: 'Lists the environment\'s customers, newest first, a page at a time (`page`, `per_page`); `customer_type`, `email_address`, `tax_identification_number`, `before` and `after` narrow the list.', security: secretKeySecurity,
      querystring: ListCustomersQuery,
      response: { 200: CustomerList, ...standardErrors },
    },
  }, async (request) => customers.list(contextOf(request), request.query));

  app.get('/customer/:id', {
    schema: {
      tags, operationId: 'getCustomerById', summary: 'Retrieve a customer', description: 'Answers one customer of the key\'s environment by id; another merchant\'s or environment\'s id answers 404.', security: secretKeySecurity,
      params: IdParams('cust_6819d7d0lrLvP'),
      response: { 200: Customer, ...standardErrors },
    },
  }, async (request) => customers.get(contextOf(request), request.params.id));
};
