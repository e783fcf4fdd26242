// The hosted checkout's payment step under /api/public/v1 (publishable key): the bank account to pay an order
// into, and paying it by card, bank transfer or pay-via-bank. The policy is the checkout service's (service.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { ErrorBody, IdParams } from '../core/http-schemas.js';
import { publishableKeyAuth } from './publishable-auth.js';
import { BankTransferDetailsResponse, CheckoutPaymentBody, CheckoutPaymentResult, OtpRequired } from './schemas.js';

export const checkoutPaymentRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const auth = publishableKeyAuth(deps);
  app.addHook('onRequest', auth.onRequest);
  const tags = ['Checkout'];

  app.get('/order/:id/bank_transfer_details', {
    schema: {
      tags, operationId: 'getCheckoutBankTransferDetails', summary: 'Bank transfer details of an order',
      description: 'Extension for the hosted checkout, authenticated by a publishable key. The account the customer ' +
        'transfers the order amount into, quoting `reference`. Until virtual accounts exist these are deterministic ' +
        'sandbox details at "Glomo Sandbox Bank". 400 when the order does not accept bank transfers.',
      params: IdParams('order_678a4c88hpAjf'),
      response: { 200: BankTransferDetailsResponse, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody },
    },
  }, async (request) => services.checkout.bankTransferDetails(auth.contextOf(request), request.params.id));

  app.post('/order/:id/payments', {
    schema: {
      tags, operationId: 'createCheckoutPayment', summary: 'Pay an order from the hosted checkout',
      description: 'Extension for the hosted checkout, authenticated by a publishable key. Sandbox: `card` takes a test ' +
        'card (notes-payins §7.5; 400 with the card error code otherwise); a card that asks for a one-time password ' +
        'answers 200 `otp_required` until the request is repeated with `otp` (`123456`; any other code declines it); ' +
        '`bank_transfer` records the transfer as arrived; `pay_via_bank` records the approved bank payment. Production: ' +
        'every method answers 400 `PAYMENT_METHOD_UNAVAILABLE`, as this server has no card processor, bank connection or ' +
        'virtual accounts yet. 201 carries the payment result and its signature.',
      params: IdParams('order_678a4c88hpAjf'),
      body: CheckoutPaymentBody,
      response: { 200: OtpRequired, 201: CheckoutPaymentResult, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody },
    },
  }, async (request, reply) => {
    const result = await services.checkout.pay(auth.contextOf(request), request.params.id, request.body);
    return result.status === 'otp_required' ? reply.status(200).send(result) : reply.status(201).send(result);
  });
};
