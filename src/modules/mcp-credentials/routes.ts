// /api/v1/mcp_credentials: a merchant mints, lists and revokes credentials for Glomo's MCP server (decision 0036).
// Only with a secret key: an MCP credential may not mint its own successors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { secretKeyOnly, tenantOf } from '../../core/auth/plugin.js';
import { IdParams, secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import { pageRequest } from '../../core/pagination.js';
import { ListMcpCredentialsQuery, McpCredential, McpCredentialList, McpCredentialWithToken, MintBody } from './schemas.js';
import type { McpCredentialService } from './service.js';

export const mcpCredentialRoutes: FastifyPluginAsyncTypebox<{ mcpCredentials: McpCredentialService }> = async (app, { mcpCredentials }) => {
  const tags = ['mcp_credential'];
  // An absent body is `{}` (the default lifetime): Fastify validates a missing body as if it were required.
  const emptyBodyIsEmptyObject = async (request: { body: unknown }) => {
    if (request.body === undefined || request.body === null) request.body = {};
  };

  app.post('/mcp_credentials', {
    schema: {
      tags, operationId: 'createMcpCredential', security: secretKeySecurity,
      summary: "Mint a credential for Glomo's MCP server (extension; shown once)",
      description: 'An RS256 JWT with aud MCP_AUDIENCE, sub, env, iat, jti and exp, verifiable with GET /.well-known/jwks.json ' +
        'or /.well-known/glomo-mcp-public-key.pem, and accepted by this API like the secret key of its environment.',
      body: MintBody(mcpCredentials.maxLifetimeSeconds),
      response: { 201: McpCredentialWithToken, ...standardErrors },
    },
    onRequest: secretKeyOnly,
    preValidation: emptyBodyIsEmptyObject,
  }, async (request, reply) => reply.status(201).send(await mcpCredentials.mint(tenantOf(request), request.body?.expires_in)));

  app.get('/mcp_credentials', {
    schema: {
      tags, operationId: 'listMcpCredentials', summary: "List the environment's MCP credentials, newest first (extension)", description: 'Lists the credentials minted for Glomo\'s MCP server in the key\'s environment, newest first, with their expiry and whether they are revoked; never the token itself.', security: secretKeySecurity,
      querystring: ListMcpCredentialsQuery,
      response: { 200: McpCredentialList, ...standardErrors },
    },
    onRequest: secretKeyOnly,
  }, async (request) => mcpCredentials.list(tenantOf(request), pageRequest(request.query)));

  app.delete('/mcp_credentials/:id', {
    schema: {
      tags, operationId: 'revokeMcpCredential', summary: 'Revoke an MCP credential at once (extension)', description: 'Revokes one MCP credential: every later request made with it answers 401. Revoking it again answers the credential as it is.', security: secretKeySecurity,
      params: IdParams('key_6931a2b4Xy12Z'),
      response: { 200: McpCredential, ...standardErrors },
    },
    onRequest: secretKeyOnly,
  }, async (request) => mcpCredentials.revoke(tenantOf(request), request.params.id));
};
