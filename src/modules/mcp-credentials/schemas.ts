// Request and response shapes of the MCP credential routes (an extension: Glomo mints these in its dashboard).
import { Type } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

/** `expires_in` for a route whose longest lifetime is MCP_CREDENTIAL_MAX_SECONDS. */
export const ExpiresIn = (maxSeconds: number) =>
  Type.Integer({
    minimum: 60,
    maximum: maxSeconds,
    description: `Seconds until the credential's exp (60..${maxSeconds}, MCP_CREDENTIAL_MAX_SECONDS); default the maximum.`,
    examples: [86400],
  });

export const MintBody = (maxSeconds: number) =>
  Type.Object({ expires_in: Type.Optional(ExpiresIn(maxSeconds)) }, { additionalProperties: false });

export const McpCredential = Type.Object({
  id: Type.String({ description: "The credential's key id, its JWT's jti.", examples: ['key_6931a2b4Xy12Z'] }),
  env: Type.Enum(['sandbox', 'production'], { description: 'The environment it acts in, its JWT\'s env.' }),
  audience: Type.String({ description: "Its JWT's aud (MCP_AUDIENCE when it was minted).", examples: ['glomo-mcp'] }),
  status: Type.Enum(['active', 'expired', 'revoked']),
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time', description: "Its JWT's exp." }),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const McpCredentialWithToken = Type.Object({
  ...McpCredential.properties,
  token: Type.String({ description: 'The credential (an RS256 JWT) for glomo-mcp-server; it is not shown again.' }),
});

export const McpCredentialList = ListOf(McpCredential);

export const ListMcpCredentialsQuery = Type.Object({ ...PaginationQuery });
