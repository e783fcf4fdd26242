import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { CreateMockPaymentBody, FundsAvailableResponse, ListPaymentsQuery, Payment, PaymentList } from './schemas.js';
import { FUNDS_AVAILABLE_MESSAGE, type PaymentService } from './service.js';

export const paymentRoutes: FastifyPluginAsyncTypebox<{ payments: PaymentService }> = async (app, { payments }) => {
  const tags = ['Payment'];

  app.post('/payment/mock', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'createMockPayment', summary: 'Create a mock payment', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). Pays an `active` order (`order_…`) or payment link (`payin_…`) ' +
        'with exactly the amount due in `currency` (converted through FX when it is not the payin\'s), by `BankTransfer` ' +
        '(succeeds) or by `Card` with a sandbox test `card_number` (its outcome). Success marks the payin `paid` and credits ' +
        'the pending balance net of the merchant-borne fee; a declined card answers 201 with a `failed` payment, a sanctions ' +
        'hit (`remitter_name: Sanctioned_Entity` or the amount 6623) with an `action_required` one.',
      body: CreateMockPaymentBody,
      response: { 201: Payment, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await payments.createMock(contextOf(request), request.body)));

  app.get('/payment', {
    schema: {
      tags, operationId: 'getPayments', summary: 'List all payments', security: secretKeySecurity,
      querystring: ListPaymentsQuery,
      response: { 200: PaymentList, ...standardErrors },
    },
  }, async (request) => payments.list(contextOf(request), request.query));

  app.get('/payment/:id', {
    schema: {
      tags, operationId: 'getPaymentById', summary: 'Retrieve a payment', security: secretKeySecurity,
      params: IdParams('payt_6819d8046mpKt'),
      response: { 200: Payment, ...standardErrors },
    },
  }, async (request) => payments.get(contextOf(request), request.params.id));

  app.patch('/payment/:id/mock-funds-available', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockUpdatePaymentFundsAvailable', summary: 'Mock funds available', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). Moves a `success` payment\'s net amount from the pending to the ' +
        'available balance and sets `funds_available`; a second call answers 400 `Transaction already has funds available`.',
      params: IdParams('payt_6819d8046mpKt'),
      response: { 200: FundsAvailableResponse, ...standardErrors },
    },
  }, async (request) => ({
    data: await payments.markFundsAvailable(contextOf(request), request.params.id),
    message: FUNDS_AVAILABLE_MESSAGE,
  }));
};
