// Publishable-key authentication of the /api/public/v1 routes (the checkout page and the mobile SDKs).
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.js';
import { resolvePublishableKey } from '../core/auth/api-keys.js';
import { bearerToken } from '../core/auth/plugin.js';
import { errors } from '../core/errors.js';
import type { Tenant } from '../core/tenancy.js';

/**
 * The tenant of a publishable key sent as `Authorization: Bearer <test_…|live_…>`, as the SDKs send it. A secret key
 * is refused here just as a publishable key is refused on /api/v1; so are revoked and rotated-out keys.
 */
export async function authenticatePublishable(deps: Pick<AppDeps, 'database' | 'clock'>, request: FastifyRequest): Promise<Tenant> {
  const token = bearerToken(request);
  if (token === undefined) throw errors.missingToken();
  if (token === null) throw errors.invalidToken();
  const tenant = await resolvePublishableKey(deps.database.db, deps.clock, token);
  if (!tenant) throw errors.invalidToken();
  return tenant;
}

/**
 * An `onRequest` hook that authenticates every route of a plugin before validation (an unauthenticated request
 * learns nothing about the route's rules), and the lookup of the tenant it found.
 */
export function publishableKeyAuth(deps: Pick<AppDeps, 'database' | 'clock'>): {
  onRequest: (request: FastifyRequest) => Promise<void>;
  tenantOf: (request: FastifyRequest) => Tenant;
} {
  const tenants = new WeakMap<FastifyRequest, Tenant>();
  return {
    onRequest: async (request) => {
      tenants.set(request, await authenticatePublishable(deps, request));
    },
    tenantOf: (request) => {
      const tenant = tenants.get(request);
      if (!tenant) throw errors.invalidToken();
      return tenant;
    },
  };
}
