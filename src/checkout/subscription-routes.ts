// The hosted subscription page's JSON routes under /api/public/v1 (decision 0028): the customer-facing view of a
// subscription and paying its first instalment by card. Like the subscription link itself they take no key: the
// subscription's id finds its merchant and environment; the response schemas are allow-lists.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { ErrorBody, IdParams } from '../core/http-schemas.js';
import { OtpRequired, PublicSubscription, SubscriptionPaymentBody, SubscriptionPaymentResult } from './schemas.js';
import { subscriptionPageOf } from './subscription-service.js';

export const subscriptionPublicRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const page = subscriptionPageOf(deps, services);
  const tags = ['Checkout'];

  app.get('/subscription/:id', {
    schema: {
      tags, operationId: 'getPublicSubscription', summary: 'Retrieve a subscription for its hosted page',
      description: 'Extension for the hosted subscription page (`subscription_link_url`). No key: like the link, the ' +
        "subscription's id is all it takes, so it answers only what the paying customer may see (no customer, notes or " +
        'reference). Any id that is not a subscription answers 404 `Subscription not found`.',
      params: IdParams('sub_6819d8046mpKt'),
      response: { 200: PublicSubscription, 404: ErrorBody, 429: ErrorBody },
    },
  }, async (request) => page.publicSubscription(request.params.id));

  app.post('/subscription/:id/payments', {
    schema: {
      tags, operationId: 'createSubscriptionPayment', summary: 'Pay the first instalment of a subscription',
      description: 'Extension for the hosted subscription page. Only a `created` subscription whose link has not ' +
        'expired can be paid (400 `Subscription cannot be paid from current state: …` otherwise). Sandbox: `card` takes ' +
        'a test card (notes-payins §7.5; 400 with the card error code otherwise); a card that asks for a one-time ' +
        'password answers 200 `otp_required` until the request is repeated with `otp` (`123456`; any other code declines ' +
        'it). 201: the first instalment charged (`success`, the subscription `active`), declined (`failed`, the ' +
        'subscription still `created` and payable), or only the card saved for a future `start_date` (`authorized`), ' +
        'with the signature the merchant verifies. Production: 400 `PAYMENT_METHOD_UNAVAILABLE`, as this server has no ' +
        'card processor.',
      params: IdParams('sub_6819d8046mpKt'),
      body: SubscriptionPaymentBody,
      response: {
        200: OtpRequired, 201: SubscriptionPaymentResult,
        400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const result = await page.pay(request.params.id, request.body);
    return result.status === 'otp_required' ? reply.status(200).send(result) : reply.status(201).send(result);
  });
};
