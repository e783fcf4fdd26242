import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import {
  CreatePaymentLinkBody,
  ListPaymentLinksQuery,
  PaymentLink,
  PaymentLinkList,
  UpdatePaymentLinkBody,
  UpdatePaymentLinkRfiBody,
} from './schemas.js';
import type { PaymentLinkService } from './service.js';

const EXAMPLE_ID = 'plink_678a4c88hpAjf';

export const paymentLinkRoutes: FastifyPluginAsyncTypebox<{ paymentLinks: PaymentLinkService }> = async (app, { paymentLinks }) => {
  const tags = ['payment_link'];

  app.post('/payin', {
    schema: {
      tags, operationId: 'createPayin', summary: 'Create a new Payment Link', security: secretKeySecurity,
      description: 'Creates an `active` payment link for a customer. `expires_at` must be in the future and at most 6 months ahead; ' +
        'the link moves to `expired` then unless it was paid or cancelled first. `request_id` is not taken.',
      body: CreatePaymentLinkBody,
      response: { 201: PaymentLink, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await paymentLinks.create(contextOf(request), request.body)));

  app.get('/payin', {
    schema: {
      tags, operationId: 'getPayins', summary: 'List all payment links', description: 'Lists the environment\'s payment links (`payin` is the contract\'s name for them), newest first, a page at a time; `customer_id`, `status` and the dates narrow the list.', security: secretKeySecurity,
      querystring: ListPaymentLinksQuery,
      response: { 200: PaymentLinkList, ...standardErrors },
    },
  }, async (request) => paymentLinks.list(contextOf(request), request.query));

  app.get('/payin/:id', {
    schema: {
      tags, operationId: 'getPayinById', summary: 'Retrieve a payment link', description: 'Answers one payment link by id (`plink_…`, or an older `payin_…`), with its `payment_link` URL, status and amount paid.', security: secretKeySecurity,
      params: IdParams(EXAMPLE_ID),
      response: { 200: PaymentLink, ...standardErrors },
    },
  }, async (request) => paymentLinks.get(contextOf(request), request.params.id));

  app.patch('/payin/:id', {
    schema: {
      tags, operationId: 'updatePayin', summary: 'Update an existing payment link', security: secretKeySecurity,
      description: 'Changes `reminder_frequency` (1, 2, 7 or 14) and `expires_at` (future, at most 6 months ahead) of an `active` link.',
      params: IdParams(EXAMPLE_ID),
      body: UpdatePaymentLinkBody,
      response: { 200: PaymentLink, ...standardErrors },
    },
  }, async (request) => paymentLinks.update(contextOf(request), request.params.id, request.body));

  app.patch('/payin/:id/cancel', {
    schema: {
      tags, operationId: 'cancelPayin', summary: 'Cancel a payment link', security: secretKeySecurity,
      description: 'Moves an `active` link to `cancelled`; any other status answers 400.',
      params: IdParams(EXAMPLE_ID),
      response: { 200: PaymentLink, ...standardErrors },
    },
  }, async (request) => paymentLinks.cancel(contextOf(request), request.params.id));

  app.patch('/payin/:id/update_rfi', {
    schema: {
      tags, operationId: 'updatePayinRfi', summary: 'Update RFI documents for a payment link', security: secretKeySecurity,
      description: 'Submits one uploaded document per required `rfi_doc_id` of an `action_required` link, which then goes `under_review`.',
      params: IdParams(EXAMPLE_ID),
      body: UpdatePaymentLinkRfiBody,
      response: { 200: PaymentLink, ...standardErrors },
    },
  }, async (request) => paymentLinks.updateRfi(contextOf(request), request.params.id, request.body));

  app.patch('/payin/:id/mock_mark_reviewed', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockReviewPaymentLink', summary: 'Mock review a payment link', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). An `under_review` link goes back to `active` (or to `expired` ' +
        'if its `expires_at` has passed); any other status answers 400.',
      params: IdParams('payin_E602dMzgjpDC'),
      response: { 200: PaymentLink, ...standardErrors },
    },
  }, async (request) => paymentLinks.mockMarkReviewed(contextOf(request), request.params.id));
};
