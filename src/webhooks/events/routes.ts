import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { Event, EventList, ListEventsQuery, RedeliverBody, Redelivery } from './schemas.js';
import type { WebhookEventService } from './service.js';

export const webhookEventRoutes: FastifyPluginAsyncTypebox<{ events: WebhookEventService }> = async (app, { events }) => {
  const tags = ['Event'];

  app.get('/events', {
    schema: {
      tags, operationId: 'getEvents', summary: 'List events, newest first, with their delivery state', description: 'Lists the webhook events recorded in the key\'s environment, newest first; `entity_type`, `event_type` and `entity_id` narrow the list (an object\'s timeline). Each event says how its deliveries stand.', security: secretKeySecurity,
      querystring: ListEventsQuery,
      response: { 200: EventList, ...standardErrors },
    },
  }, async (request) => events.list(contextOf(request), request.query));

  app.get('/events/:id', {
    schema: {
      tags, operationId: 'getEventById', summary: 'Retrieve an event with every delivery attempt', description: 'Answers one event with its payload and, for each endpoint, every delivery attempt: the request sent, the status and body answered, the duration and the next retry.', security: secretKeySecurity,
      params: IdParams('evt_6819d804aB3xQ9kLmN2pR4sT'),
      response: { 200: Event, ...standardErrors },
    },
  }, async (request) => events.get(contextOf(request), request.params.id));

  app.post('/events/:id/redeliver', {
    schema: {
      tags, operationId: 'redeliverEvent', summary: 'Deliver an event again now, outside the retry schedule', description: 'Queues one more delivery of the event to each endpoint subscribed to it, now; the retry schedule of earlier deliveries is unchanged.', security: secretKeySecurity,
      params: IdParams('evt_6819d804aB3xQ9kLmN2pR4sT'),
      body: RedeliverBody,
      response: { 202: Redelivery, ...standardErrors },
    },
  }, async (request, reply) => reply.status(202).send(await events.redeliver(contextOf(request), request.params.id, request.body)));

  app.post('/webhook_endpoints/:id/test', {
    schema: {
      tags: ['Webhook endpoint'], operationId: 'testWebhookEndpoint', security: secretKeySecurity,
      summary: 'Sandbox: send a webhook_test event to this endpoint', description: 'Sandbox only: sends a signed `webhook_test` event to the endpoint, to check the receiver\'s signature verification. A production key answers 404.',
      params: IdParams('we_6819d804aB3xQ9kLmN2pR4sT'),
      response: { 202: Event, ...standardErrors },
    },
  }, async (request, reply) => reply.status(202).send(await events.sendTest(contextOf(request), request.params.id)));
};
