// The operator API's webhook endpoint routes: register an endpoint for a merchant (the secret is answered once, to
// hand over) and list a merchant's endpoints. Same rules as the merchant API: src/webhooks/endpoints/service.ts.
import { tenantContext } from '../core/tenant-clock.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../deps.js';
import { IdParams } from '../core/http-schemas.js';
import { adminErrors, adminSecurity } from './schemas.js';
import { ListOf, PaginationQuery, pageRequest } from '../core/pagination.js';
import { ENVIRONMENTS } from '../db/schema/index.js';
import type { Merchant } from '../modules/merchants/service.js';
import { CreateWebhookEndpointBody, WebhookEndpoint, WebhookEndpointWithSecret } from '../webhooks/endpoints/schemas.js';
import { presentWebhookEndpoint, type WebhookEndpointService } from '../webhooks/endpoints/service.js';

const EnvField = Type.Enum([...ENVIRONMENTS]);
const Owner = { merchant_id: Type.String({ examples: ['merch_68c777fcOOMpl'] }), env: EnvField };

const AdminCreateBody = Type.Object(
  {
    ...CreateWebhookEndpointBody.properties,
    env: Type.Optional(Type.Enum([...ENVIRONMENTS], { default: 'sandbox', description: 'The environment whose events it receives (default sandbox).' })),
  },
  { additionalProperties: false },
);

const AdminEndpoint = Type.Object({ ...WebhookEndpoint.properties, ...Owner });
const AdminEndpointWithSecret = Type.Object({ ...WebhookEndpointWithSecret.properties, ...Owner });

export interface WebhookRoutesOptions {
  deps: AppDeps;
  endpoints: WebhookEndpointService;
  /** The merchant of a path id: 400 for another id prefix, 404 when there is none. */
  existingMerchant(id: string): Promise<Merchant>;
}

export const adminWebhookEndpointRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { deps, endpoints, existingMerchant }) => {
  const tags = ['admin'];

  app.post('/merchants/:id/webhook_endpoints', {
    schema: {
      tags, summary: 'Register a webhook endpoint for a merchant (answers its secret once)', description: 'Operator: registers a webhook endpoint for a merchant environment and answers its signing secret, shown only this once.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'), body: AdminCreateBody, response: { 201: AdminEndpointWithSecret, ...adminErrors },
    },
  }, async (request, reply) => {
    const merchant = await existingMerchant(request.params.id);
    const { env = 'sandbox', ...body } = request.body;
    const ctx = await tenantContext(deps.database.db, deps.clock, { merchantId: merchant.id, env });
    const endpoint = await endpoints.create(ctx, body);
    return reply.status(201).send({ ...endpoint, merchant_id: merchant.id, env });
  });

  app.get('/merchants/:id/webhook_endpoints', {
    schema: {
      tags, summary: "List a merchant's webhook endpoints (both environments unless env is given), newest first", description: 'Operator: lists a merchant\'s webhook endpoints, newest first, of both environments unless `env` is given.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'),
      querystring: Type.Object({ env: Type.Optional(EnvField), ...PaginationQuery }),
      response: { 200: ListOf(AdminEndpoint), ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const page = await endpoints.listOfMerchant(merchant.id, request.query.env, pageRequest(request.query));
    return {
      data: page.rows.map((row) => ({ ...presentWebhookEndpoint(row), merchant_id: row.merchantId, env: row.env })),
      page_meta: page.meta,
    };
  });
};
