import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { UpdateRfiBody } from '../rfis/service.js';
import { CreateRefundBody, ListRefundsQuery, MockUpdateRefundBody, Refund, RefundList } from './schemas.js';
import { createdRefundStatusCode, type RefundService } from './service.js';

export const refundRoutes: FastifyPluginAsyncTypebox<{ refunds: RefundService }> = async (app, { refunds }) => {
  const tags = ['Refund'];

  app.post('/refunds', {
    schema: {
      tags, operationId: 'createRefund', summary: 'Create refund for a payment', security: secretKeySecurity,
      description: 'Refunds a `success` payment of the last 180 days, by default all that remains: the payment amount less ' +
        'its `in_progress` and `success` refunds. Less than that (`amount`) only for a card payment of a business whose ' +
        'operator enabled partial refunds (`PATCH /admin/v1/merchants/{id}` `partial_refunds`), otherwise 400 `Partial ' +
        'refunds are not enabled for this business`; bank transfers are refunded whole. The amount is held on the ' +
        'available balance in the payment currency (400 `INSUFFICIENT_BALANCE` with the shortfall otherwise) until the ' +
        'refund resolves. Answers 202 while the refund is `in_progress` (every refund starts so here), 201 when it is ' +
        'already `success`, 422 with the refund as the body when it failed at creation. A repeated `request_id` answers ' +
        '400 `Refund already exists for this request_id`.',
      body: CreateRefundBody,
      response: {
        201: Refund,
        202: { ...Refund, description: 'The refund is on its way (`in_progress`).' },
        422: { ...Refund, description: 'The refund failed at creation.' },
        ...standardErrors,
      },
    },
  }, async (request, reply) => {
    const refund = await refunds.create(contextOf(request), request.body);
    return reply.status(createdRefundStatusCode(refund.status)).send(refund);
  });

  app.get('/refunds', {
    schema: {
      tags, operationId: 'getRefunds', summary: 'List all refunds', description: 'Lists the environment\'s refunds, newest first, a page at a time, with their payment and status.', security: secretKeySecurity,
      querystring: ListRefundsQuery,
      response: { 200: RefundList, ...standardErrors },
    },
  }, async (request) => refunds.list(contextOf(request), request.query));

  app.get('/refunds/:id', {
    schema: {
      tags, operationId: 'getRefundById', summary: 'Retrieve a refund', description: 'Answers one refund by id with its amount, payment and status (`in_progress`, `success`, `failed`, …).', security: secretKeySecurity,
      params: IdParams('refund_6776d57dnbTWj'),
      response: { 200: Refund, ...standardErrors },
    },
  }, async (request) => refunds.get(contextOf(request), request.params.id));

  app.patch('/refunds/:id/update_rfi', {
    schema: {
      tags, operationId: 'updateRfiRefund', summary: 'Update RFI for Refund', security: secretKeySecurity,
      description: 'Attaches uploaded documents (each the merchant\'s, each id once per request; `rfi_doc_id` optional) to an ' +
        '`in_progress` refund; a document attached before is attached again in its place. The status does not change. ' +
        'A `success` or `failed` refund answers 400 `INVALID_STATE`.',
      params: IdParams('refund_6776d57dnbTWj'),
      body: UpdateRfiBody,
      response: { 200: Refund, ...standardErrors },
    },
  }, async (request) => refunds.updateRfi(contextOf(request), request.params.id, request.body));

  app.patch('/refunds/:id/mock_update_status', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockUpdateRefund', summary: 'Mock update a refund', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). Resolves an `in_progress` refund once: `success` sends the held ' +
        'amount out of the platform, `failed` returns it to the available balance. Any other refund answers 400.',
      params: IdParams('refund_6776d57dnbTWj'),
      body: MockUpdateRefundBody,
      response: { 200: Refund, ...standardErrors },
    },
  }, async (request) => refunds.mockUpdateStatus(contextOf(request), request.params.id, request.body));
};
