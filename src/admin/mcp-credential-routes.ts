// The operator API's MCP credentials: mint one for a merchant environment (answered once, to hand over), list a
// merchant's and revoke one. Same rules as the merchant's routes (src/modules/mcp-credentials, decision 0036).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../core/errors.js';
import { IdParams } from '../core/http-schemas.js';
import { ListOf, PaginationQuery, pageRequest } from '../core/pagination.js';
import { ENVIRONMENTS } from '../db/schema/index.js';
import type { Merchant } from '../modules/merchants/service.js';
import { ExpiresIn, McpCredential, McpCredentialWithToken } from '../modules/mcp-credentials/schemas.js';
import type { McpCredentialService } from '../modules/mcp-credentials/service.js';
import { adminErrors, adminSecurity } from './schemas.js';

const EnvField = Type.Enum([...ENVIRONMENTS]);
const Owner = { merchant_id: Type.String({ examples: ['merch_68c777fcOOMpl'] }) };
const AdminCredential = Type.Object({ ...McpCredential.properties, ...Owner });
const AdminCredentialWithToken = Type.Object({ ...McpCredentialWithToken.properties, ...Owner });

export interface McpCredentialRoutesOptions {
  mcpCredentials: McpCredentialService;
  /** The merchant of a path id: 400 for another id prefix, 404 when there is none. */
  existingMerchant(id: string): Promise<Merchant>;
}

export const adminMcpCredentialRoutes: FastifyPluginAsyncTypebox<McpCredentialRoutesOptions> = async (app, { mcpCredentials, existingMerchant }) => {
  const tags = ['admin'];

  app.post('/merchants/:id/mcp_credentials', {
    schema: {
      tags, summary: "Mint an MCP credential for a merchant environment (answers it once)", description: 'Operator: mints an RS256 credential for Glomo\'s MCP server for a merchant environment, with an `exp` no later than the configured maximum; the token is shown only this once.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'),
      body: Type.Object({ env: EnvField, expires_in: Type.Optional(ExpiresIn(mcpCredentials.maxLifetimeSeconds)) }, { additionalProperties: false }),
      response: { 201: AdminCredentialWithToken, ...adminErrors },
    },
  }, async (request, reply) => {
    const merchant = await existingMerchant(request.params.id);
    const { env, expires_in: lifetime } = request.body;
    // A child merchant lives in its platform's environment only (decision 0035): it has no other to act in.
    if (merchant.ownerEnv && merchant.ownerEnv !== env) throw errors.merchantNotInEnvironment(env);
    const credential = await mcpCredentials.mint({ merchantId: merchant.id, env }, lifetime);
    return reply.status(201).send({ ...credential, merchant_id: merchant.id });
  });

  app.get('/merchants/:id/mcp_credentials', {
    schema: {
      tags, summary: "List a merchant's MCP credentials (both environments unless env is given), newest first", description: 'Operator: lists a merchant\'s MCP credentials, newest first, of both environments unless `env` is given; never the tokens.', security: adminSecurity,
      params: IdParams('merch_68c777fcOOMpl'),
      querystring: Type.Object({ env: Type.Optional(EnvField), ...PaginationQuery }),
      response: { 200: ListOf(AdminCredential), ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const { env, ...page } = request.query;
    const list = await mcpCredentials.list({ merchantId: merchant.id, env }, pageRequest(page));
    return { data: list.data.map((credential) => ({ ...credential, merchant_id: merchant.id })), page_meta: list.page_meta };
  });

  app.delete('/merchants/:id/mcp_credentials/:credential_id', {
    schema: {
      tags, summary: "Revoke one of a merchant's MCP credentials at once", description: 'Operator: revokes one of a merchant\'s MCP credentials; every later request with it answers 401.', security: adminSecurity,
      params: Type.Object({
        id: Type.String({ description: 'The merchant id.', examples: ['merch_68c777fcOOMpl'] }),
        credential_id: Type.String({ description: 'The credential id.', examples: ['key_6931a2b4Xy12Z'] }),
      }),
      response: { 200: AdminCredential, ...adminErrors },
    },
  }, async (request) => {
    const merchant = await existingMerchant(request.params.id);
    const credential = await mcpCredentials.revoke({ merchantId: merchant.id }, request.params.credential_id);
    return { ...credential, merchant_id: merchant.id };
  });
};
