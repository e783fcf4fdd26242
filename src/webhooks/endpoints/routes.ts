// /api/v1/webhook_endpoints: the merchant's own endpoint management (an extension; Glomo has a dashboard for it).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import {
  CreateWebhookEndpointBody,
  DeletedWebhookEndpoint,
  ListWebhookEndpointsQuery,
  UpdateWebhookEndpointBody,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from './schemas.js';
import type { WebhookEndpointService } from './service.js';

const EXAMPLE_ID = 'we_6819d804aB3xQ9kLmN2pR4sT';

export const webhookEndpointRoutes: FastifyPluginAsyncTypebox<{ endpoints: WebhookEndpointService }> = async (app, { endpoints }) => {
  const tags = ['Webhook endpoint'];

  app.post('/webhook_endpoints', {
    schema: {
      tags, operationId: 'createWebhookEndpoint', summary: 'Register a webhook endpoint (extension)', security: secretKeySecurity,
      description: 'Answers the signing `secret` once; later reads show only `secret_hint`. At most 16 endpoints per environment.',
      body: CreateWebhookEndpointBody,
      response: { 201: WebhookEndpointWithSecret, ...standardErrors },
    },
  }, async (request, reply) => reply.status(201).send(await endpoints.create(contextOf(request), request.body)));

  app.get('/webhook_endpoints', {
    schema: {
      tags, operationId: 'listWebhookEndpoints', summary: 'List webhook endpoints (extension)', description: 'Lists the environment\'s webhook endpoints with their URL, subscribed events and status; never their signing secret.', security: secretKeySecurity,
      querystring: ListWebhookEndpointsQuery,
      response: { 200: WebhookEndpointList, ...standardErrors },
    },
  }, async (request) => endpoints.list(contextOf(request), request.query));

  app.get('/webhook_endpoints/:id', {
    schema: {
      tags, operationId: 'getWebhookEndpoint', summary: 'Retrieve a webhook endpoint (extension)', description: 'Answers one webhook endpoint by id with its URL, subscribed events and status; never its signing secret.', security: secretKeySecurity,
      params: IdParams(EXAMPLE_ID),
      response: { 200: WebhookEndpoint, ...standardErrors },
    },
  }, async (request) => endpoints.get(contextOf(request), request.params.id));

  app.patch('/webhook_endpoints/:id', {
    schema: {
      tags, operationId: 'updateWebhookEndpoint', summary: 'Update a webhook endpoint (extension)', security: secretKeySecurity,
      description: 'Only the fields sent change. `enabled_events: null` subscribes to every event again.',
      params: IdParams(EXAMPLE_ID),
      body: UpdateWebhookEndpointBody,
      response: { 200: WebhookEndpoint, ...standardErrors },
    },
  }, async (request) => endpoints.update(contextOf(request), request.params.id, request.body));

  app.delete('/webhook_endpoints/:id', {
    schema: {
      tags, operationId: 'deleteWebhookEndpoint', summary: 'Delete a webhook endpoint (extension)', security: secretKeySecurity,
      description: 'Nothing more is delivered to it; deliveries already made stay in the log.',
      params: IdParams(EXAMPLE_ID),
      response: { 200: DeletedWebhookEndpoint, ...standardErrors },
    },
  }, async (request) => endpoints.delete(contextOf(request), request.params.id));

  app.post('/webhook_endpoints/:id/rotate_secret', {
    schema: {
      tags, operationId: 'rotateWebhookEndpointSecret', summary: 'Replace the signing secret (extension)', security: secretKeySecurity,
      description: 'Answers the new `secret` once. The old secret stops at once: every later delivery, retries included, is signed with the new one.',
      params: IdParams(EXAMPLE_ID),
      response: { 200: WebhookEndpointWithSecret, ...standardErrors },
    },
  }, async (request) => endpoints.rotateSecret(contextOf(request), request.params.id));
};
