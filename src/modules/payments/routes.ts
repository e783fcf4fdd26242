import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { ConnectPayinBody, CreateMockPaymentBody, EligiblePayinList, FundsAvailableResponse, ListPaymentsQuery, Payment, PaymentList } from './schemas.js';
import { FUNDS_AVAILABLE_MESSAGE, type PaymentService } from './service.js';

export const paymentRoutes: FastifyPluginAsyncTypebox<{ payments: PaymentService }> = async (app, { payments }) => {
  const tags = ['Payment'];

  app.post('/payment/mock', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'createMockPayment', summary: 'Create a mock payment', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). `Card` with a sandbox test `card_number` pays an `active` order ' +
        '(`order_…`) or payment link (`plink_…`, or an older `payin_…`) with exactly the amount due in `currency` (its outcome; a declined card ' +
        'answers 201 with a `failed` payment). `BankTransfer` (the default) is an incoming transfer: it pays the payin it ' +
        'names when that is active at exactly the amount due in `currency` (converted through FX when it is not the ' +
        'payin\'s), or, naming none, the one active payin priced at its amount. Otherwise it answers 201 with an ' +
        '`action_required` payment (`PAYIN_NOT_FOUND`, `PAYIN_AMOUNT_MISMATCH`) whose funds are held until connect-payin; ' +
        'a sanctions hit (`remitter_name: Sanctioned_Entity` or the amount 6623) is `action_required` with `SANCTION_HIT`. ' +
        'Success marks the payin `paid` and credits the pending balance net of the merchant-borne fee.',
      body: CreateMockPaymentBody,
      response: { 201: Payment, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await payments.createMock(contextOf(request), request.body)));

  app.get('/payment', {
    schema: {
      tags, operationId: 'getPayments', summary: 'List all payments', description: 'Lists the environment\'s payments, newest first, a page at a time; `payin_id` (an order or payment link id), `subscription_id`, `customer_id`, `status`, `currency` and the dates narrow the list.', security: secretKeySecurity,
      querystring: ListPaymentsQuery,
      response: { 200: PaymentList, ...standardErrors },
    },
  }, async (request) => payments.list(contextOf(request), request.query));

  app.get('/payment/:id', {
    schema: {
      tags, operationId: 'getPaymentById', summary: 'Retrieve a payment', description: 'Answers one payment by id with its method (card brand and last four, never the number), amounts, fee breakdown and status.', security: secretKeySecurity,
      params: IdParams('payt_6819d8046mpKt'),
      response: { 200: Payment, ...standardErrors },
    },
  }, async (request) => payments.get(contextOf(request), request.params.id));

  app.get('/payment/:id/eligible-payins', {
    schema: {
      tags, operationId: 'getEligiblePayins', summary: 'List the payins a held transfer can pay', security: secretKeySecurity,
      description: 'For an `action_required` bank transfer with `PAYIN_NOT_FOUND` or `PAYIN_AMOUNT_MISMATCH`: the active ' +
        'orders and payment links accepting bank transfers (newest first, at most 50 looked at) whose amount due in the ' +
        'payment\'s currency equals what was received, including orders made from a payin quote. Any other payment ' +
        'answers 400.',
      params: IdParams('payt_6819d8046mpKt'),
      response: { 200: EligiblePayinList, ...standardErrors },
    },
  }, async (request) => payments.eligiblePayins(contextOf(request), request.params.id));

  app.post('/payment/:id/connect-payin', {
    schema: {
      tags, operationId: 'connectPayin', summary: 'Connect a held transfer to a payin', security: secretKeySecurity,
      description: 'Pays `payin_id` with an `action_required` bank transfer (`PAYIN_NOT_FOUND`, `PAYIN_AMOUNT_MISMATCH`): the ' +
        'payin must be active, accept bank transfers and cost exactly the received amount in its currency (else 400). The ' +
        'payin is marked paid, the payment becomes `success` with the payin\'s pricing, and its held funds move to the ' +
        'pending balance net of fees in one journal. `SANCTION_HIT` cannot be resolved through the API.',
      params: IdParams('payt_6819d8046mpKt'),
      body: ConnectPayinBody,
      response: { 200: Payment, ...standardErrors },
    },
  }, async (request) => payments.connectPayin(contextOf(request), request.params.id, request.body.payin_id));

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
