// The payment link page's JSON routes under /api/public/v1 (decision 0037): the customer-facing view of a link, the
// account to pay it into, and paying it (or a part of it). Like the link's page itself they take no key: the link's id
// finds its merchant and environment; the response schemas are allow-lists.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { ErrorBody, IdParams } from '../core/http-schemas.js';
import {
  PartAmountQuery, PaymentLinkBankTransferDetails, PaymentLinkPaymentBody, PaymentLinkPaymentResult, PublicPaymentLink,
} from './payment-link-schemas.js';
import { paymentLinkPageOf } from './payment-link-service.js';
import { OtpRequired } from './schemas.js';

const EXAMPLE_ID = 'plink_678a4c88hpAjf';

export const paymentLinkPublicRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const page = paymentLinkPageOf(deps, services);
  const tags = ['Checkout'];

  app.get('/payment-link/:id', {
    schema: {
      tags, operationId: 'getPublicPaymentLink', summary: 'Retrieve a payment link for its hosted page',
      description: 'Extension for the hosted payment link page (`payment_link`). No key: like the link, its id is all it ' +
        'takes, so it answers only what the paying customer may see (no customer, notes, reference or bank account). Any ' +
        'id that is not a payment link answers 404 `Payment link not found`.',
      params: IdParams(EXAMPLE_ID),
      response: { 200: PublicPaymentLink, 404: ErrorBody, 429: ErrorBody },
    },
  }, async (request) => page.publicPaymentLink(request.params.id));

  app.get('/payment-link/:id/bank_transfer_details', {
    schema: {
      tags, operationId: 'getPaymentLinkBankTransferDetails', summary: 'Bank transfer details of a payment link',
      description: 'Extension for the hosted payment link page, as the order checkout\'s: the account the customer ' +
        'transfers what remains (or, on a link that allows partial payments, the part `amount`) into, quoting `reference`. ' +
        '400 when the link does not accept bank transfers or cannot take the part; production without a registered ' +
        'virtual account answers 400 `PAYMENT_METHOD_UNAVAILABLE`.',
      params: IdParams(EXAMPLE_ID),
      querystring: PartAmountQuery,
      response: { 200: PaymentLinkBankTransferDetails, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
    },
  }, async (request) => page.bankTransferDetails(request.params.id, request.query.amount));

  app.post('/payment-link/:id/payments', {
    schema: {
      tags, operationId: 'createPaymentLinkPayment', summary: 'Pay a payment link from its hosted page',
      description: 'Extension for the hosted payment link page, as the order checkout\'s payment step: only an `active` or ' +
        '`partially_paid` link before its `expires_at` can be paid, by one of its `payment_methods`. `amount` (minor units of ' +
        'the link currency) pays a part of a link that allows partial payments, at most what remains (400 otherwise); ' +
        'without it the payment pays all that remains. Sandbox: `card` takes a test card (400 with the card error code ' +
        'otherwise); a card that asks for a one-time password answers 200 `otp_required` until the request is repeated ' +
        'with `otp` (`123456`; any other code declines it); `bank_transfer` records the transfer as arrived; ' +
        '`pay_via_bank` records the approved bank payment. Production: 400 `PAYMENT_METHOD_UNAVAILABLE`. 201 carries the ' +
        "payment result, the link's state after it and the signature the merchant verifies.",
      params: IdParams(EXAMPLE_ID),
      body: PaymentLinkPaymentBody,
      response: {
        200: OtpRequired, 201: PaymentLinkPaymentResult,
        400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const result = await page.pay(request.params.id, request.body);
    return result.status === 'otp_required' ? reply.status(200).send(result) : reply.status(201).send(result);
  });
};
