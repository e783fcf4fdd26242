// POST /api/v1/api-keys/rotate: a new secret key now; the previous ones work until the chosen expiry.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { contextOf, secretKeyOnly } from '../../core/auth/plugin.js';
import { isoSeconds } from '../../core/clock.js';
import { secretKeySecurity, standardErrors } from '../../core/http-schemas.js';
import type { ApiKeyService } from './service.js';

const RotateBody = Type.Object({
  expire_after_in_seconds: Type.Integer({
    minimum: 0,
    maximum: 604800,
    description: 'Seconds the previous key keeps working (0..604800).',
    examples: [3600],
  }),
});

const RotateResponse = Type.Object({
  secret_key: Type.String({ description: 'The new secret key; it is not shown again.' }),
  previous_key_expires_at: Type.String({ format: 'date-time' }),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ apiKeys: ApiKeyService }> = async (app, { apiKeys }) => {
  app.post('/api-keys/rotate', {
    schema: {
      tags: ['api_key'], operationId: 'rotateApiKey', summary: 'Rotate API key', description: 'Issues a new secret key for the key\'s environment, shown only this once; the environment\'s previous keys keep working for `expire_after_in_seconds` (`previous_key_expires_at`) and are refused after it.', security: secretKeySecurity,
      body: RotateBody,
      response: { 200: RotateResponse, ...standardErrors },
    },
    // An MCP credential may not replace the merchant's secret keys (decision 0036).
    onRequest: secretKeyOnly,
  }, async (request) => {
    const rotated = await apiKeys.rotate(contextOf(request), request.body.expire_after_in_seconds);
    return { secret_key: rotated.secretKey, previous_key_expires_at: isoSeconds(rotated.previousKeyExpiresAt) };
  });
};
