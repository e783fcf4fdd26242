import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, sandboxOnly } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import {
  CreateSubscriptionBody,
  ListSubscriptionsQuery,
  MockRenewalOutcomeBody,
  Subscription,
  SubscriptionList,
  UpdateNextPaymentDateBody,
} from './schemas.js';
import type { SubscriptionService } from './service.js';

const EXAMPLE_ID = 'sub_5JU9yv0lGSUP';

export const subscriptionRoutes: FastifyPluginAsyncTypebox<{ subscriptions: SubscriptionService }> = async (app, { subscriptions }) => {
  const tags = ['Subscription'];
  const params = IdParams(EXAMPLE_ID);

  app.post('/subscriptions', {
    schema: {
      tags, operationId: 'createSubscription', summary: 'Create a new subscription', security: secretKeySecurity,
      description: 'Creates a `created` subscription; the customer pays the first instalment at `subscription_link_url`, which ' +
        'activates it. Unpaid after its `expires_at` day (UTC), it moves to `expired`. Renewals are charged on the saved card ' +
        'at 06:30 IST (01:00 UTC) of each `next_payment_date`; a declined renewal is retried 1, 3 and 5 days later, then the ' +
        'subscription is `halted`.',
      body: CreateSubscriptionBody,
      response: { 201: Subscription, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await subscriptions.create(contextOf(request), request.body)));

  app.get('/subscriptions', {
    schema: {
      tags, operationId: 'getSubscriptions', summary: 'List subscriptions', security: secretKeySecurity,
      description: 'Newest first; `start_date` and `end_date` match exact dates.',
      querystring: ListSubscriptionsQuery,
      response: { 200: SubscriptionList, ...standardErrors },
    },
  }, async (request) => subscriptions.list(contextOf(request), request.query));

  app.get('/subscriptions/:id', {
    schema: {
      tags, operationId: 'getSubscriptionById', summary: 'Retrieve a subscription by ID', description: 'Answers one subscription by id with its price, status, current cycle and `next_payment_date`.', security: secretKeySecurity,
      params, response: { 200: Subscription, ...standardErrors },
    },
  }, async (request) => subscriptions.get(contextOf(request), request.params.id));

  app.patch('/subscriptions/:id/pause', {
    schema: {
      tags, operationId: 'pauseSubscription', summary: 'Pause a subscription', security: secretKeySecurity,
      description: 'Only an `active` month or year subscription; nothing is charged while paused and `next_payment_date` is null.',
      params, response: { 200: Subscription, ...standardErrors },
    },
  }, async (request) => subscriptions.pause(contextOf(request), request.params.id));

  app.patch('/subscriptions/:id/resume', {
    schema: {
      tags, operationId: 'resumeSubscription', summary: 'Resume a paused subscription', security: secretKeySecurity,
      description: 'A `paused` or `halted` subscription is `active` again from the next date of its original schedule on or ' +
        'after today; the cycles whose dates passed are not charged. With no cycle left it is `completed`.',
      params, response: { 200: Subscription, ...standardErrors },
    },
  }, async (request) => subscriptions.resume(contextOf(request), request.params.id));

  app.patch('/subscriptions/:id/cancel', {
    schema: {
      tags, operationId: 'cancelSubscription', summary: 'Cancel a subscription', security: secretKeySecurity,
      description: 'Permanent, from any status but `completed`, `cancelled`, `expired` and `failed`.',
      params, response: { 200: Subscription, ...standardErrors },
    },
  }, async (request) => subscriptions.cancel(contextOf(request), request.params.id));

  app.patch('/subscriptions/:id/next-payment-date', {
    schema: {
      tags, operationId: 'updateNextPaymentDate', summary: 'Change the next payment date', security: secretKeySecurity,
      description: 'Only an `active` month or year subscription: the next charge moves to a date 2 to 28 days after today (UTC), ' +
        'and the later cycles follow the new date.',
      params, body: UpdateNextPaymentDateBody, response: { 200: Subscription, ...standardErrors },
    },
  }, async (request) => subscriptions.updateNextPaymentDate(contextOf(request), request.params.id, request.body.next_payment_date));

  app.patch('/subscriptions/:id/mock_renewal_outcome', {
    preValidation: sandboxOnly,
    schema: {
      tags, operationId: 'mockSubscriptionRenewalOutcome', summary: 'Mock the outcome of renewals', security: secretKeySecurity,
      description: 'Sandbox only (a production key gets 404). `{"outcome": "failed"}` or `"success"`: how this subscription\'s ' +
        'next charges of the saved card end, whatever the test card.',
      params, body: MockRenewalOutcomeBody, response: { 200: Subscription, ...standardErrors },
    },
  }, async (request) => subscriptions.mockRenewalOutcome(contextOf(request), request.params.id, request.body.outcome));
};
