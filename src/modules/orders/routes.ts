import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateOrderBody, ListOrdersQuery, Order, OrderList, UpdateOrderRfiBody } from './schemas.js';
import type { OrderService } from './service.js';

export const orderRoutes: FastifyPluginAsyncTypebox<{ orders: OrderService }> = async (app, { orders }) => {
  const tags = ['Orders'];

  app.post('/orders', {
    schema: {
      tags, operationId: 'createOrder', summary: 'Create a new order', security: secretKeySecurity,
      description: 'Creates an order for checkout, `active` until paid; it expires 3 months after creation (or with its quote). ' +
        '`amount`, `currency` and `payment_methods` are required unless `quote_id` (a payin quote) is sent, and must not be sent with it. ' +
        'A repeated `request_id` answers 400 `Order already exists for this request_id`.',
      body: CreateOrderBody,
      response: { 201: Order, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await orders.create(contextOf(request), request.body)));

  app.get('/orders', {
    schema: {
      tags, operationId: 'getOrders', summary: 'List all orders', description: 'Lists the environment\'s orders, newest first, a page at a time; `status`, `customer_id`, `request_id`, `before` and `after` narrow the list.', security: secretKeySecurity,
      querystring: ListOrdersQuery,
      response: { 200: OrderList, ...standardErrors },
    },
  }, async (request) => orders.list(contextOf(request), request.query));

  app.get('/orders/:id', {
    schema: {
      tags, operationId: 'getOrderById', summary: 'Retrieve an order', description: 'Answers one order by id with its status (`active`, `paid`, `expired`, …), amount, payment methods and checkout URL.', security: secretKeySecurity,
      params: IdParams('order_678a4c88hpAjf'),
      response: { 200: Order, ...standardErrors },
    },
  }, async (request) => orders.get(contextOf(request), request.params.id));

  // The contract prints `update_rfi`; the live API answers on `update-rfi` (notes-payins §6.5): both are served.
  for (const [path, operationId] of [['/orders/:id/update_rfi', 'updateOrderRfi'], ['/orders/:id/update-rfi', 'updateOrderRfiHyphen']] as const) {
    app.patch(path, {
      schema: {
        tags, operationId, summary: 'Update RFI documents for an order', security: secretKeySecurity,
        description: 'Submits one uploaded document per required `rfi_doc_id` of an `action_required` order, which then goes `under_review`.' +
          (operationId === 'updateOrderRfiHyphen' ? ' The hyphenated path the live API serves; same as `update_rfi`.' : ''),
        params: IdParams('order_678a4c88hpAjf'),
        body: UpdateOrderRfiBody,
        response: { 200: Order, ...standardErrors },
      },
    }, async (request) => orders.updateRfi(contextOf(request), request.params.id, request.body));
  }
};
