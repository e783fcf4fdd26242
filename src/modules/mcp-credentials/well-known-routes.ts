// The public half of the key ring, where Glomo's MCP server (and anyone verifying this server's JWTs) reads it:
// GET /.well-known/jwks.json (every verification key) and GET /.well-known/glomo-mcp-public-key.pem (the signing
// key's SPKI PEM, what glomo-mcp-server's GLOMO_MCP_PUBLIC_KEY holds). No key needed (decision 0036).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { JWT_ALGORITHM, type KeyRing } from '../../core/auth/signing-keys.js';

const Jwk = Type.Object({
  kty: Type.Literal('RSA'),
  n: Type.String(),
  e: Type.String(),
  kid: Type.String(),
  alg: Type.Literal(JWT_ALGORITHM),
  use: Type.Literal('sig'),
});

const Jwks = Type.Object({ keys: Type.Array(Jwk) });

/** Short enough that a new signing key (JWT_PRIVATE_KEY changed) is seen within minutes. */
const CACHE = 'public, max-age=300';

export const wellKnownRoutes: FastifyPluginAsyncTypebox<{ keyRing: KeyRing }> = async (app, { keyRing }) => {
  const tags = ['keys'];

  app.get('/.well-known/jwks.json', {
    schema: {
      tags, summary: 'The public keys that verify secret keys and MCP credentials (JWKS, RFC 7517)', description: 'The key ring\'s public keys as a JSON Web Key Set: a verifier of this server\'s RS256 JWTs (secret keys, MCP credentials) picks the key by the token\'s `kid`. Takes no key.',
      response: { 200: Jwks },
    },
  }, async (_request, reply) => {
    const keys = (await keyRing.publishedKeys()).map(({ kid, jwk }) => ({ ...jwk, kid, alg: JWT_ALGORITHM, use: 'sig' as const }));
    return reply.header('cache-control', CACHE).send({ keys });
  });

  app.get('/.well-known/glomo-mcp-public-key.pem', {
    schema: {
      tags, summary: "The signing key's public key in PEM (SPKI): the value of glomo-mcp-server's GLOMO_MCP_PUBLIC_KEY", description: 'The current signing key\'s public key as PEM (SPKI), for glomo-mcp-server\'s `GLOMO_MCP_PUBLIC_KEY`, so that server verifies the MCP credentials this server mints. Takes no key.',
      response: { 200: { description: 'The SPKI PEM.', content: { 'application/x-pem-file': { schema: Type.String() } } } },
    },
  }, async (_request, reply) => reply.header('cache-control', CACHE).type('application/x-pem-file').send(keyRing.signingPublicKeyPem));
};
