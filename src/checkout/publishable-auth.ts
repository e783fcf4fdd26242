// Publishable-key authentication of the /api/public/v1 routes (the checkout page and the mobile SDKs).
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { resolvePublishableKey } from '../core/auth/api-keys.js';
import { offsetClock } from '../core/clock.js';
import type { TenantContext } from '../core/context.js';
import { bearerToken } from '../core/auth/plugin.js';
import { errors } from '../core/errors.js';
import type { Tenant } from '../core/tenancy.js';

/**
 * The tenant of a publishable key sent as `Authorization: Bearer <test_…|live_…>`, as the SDKs send it. A secret key
 * is refused here just as a publishable key is refused on /api/v1; so are revoked and rotated-out keys.
 */
export async function authenticatePublishable(deps: Pick<AppDeps, 'database' | 'clock'>, request: FastifyRequest): Promise<TenantContext> {
  const token = bearerToken(request);
  if (token === undefined) throw errors.missingToken();
  if (token === null) throw errors.invalidToken();
  const found = await resolvePublishableKey(deps.database.db, deps.clock, token);
  if (!found) throw errors.invalidToken();
  return { tenant: { merchantId: found.merchantId, env: found.env }, clock: offsetClock(deps.clock, found.clockOffsetMs) };
}

/**
 * An `onRequest` hook that authenticates every route of a plugin before validation (an unauthenticated request
 * learns nothing about the route's rules), and the lookup of the tenant it found.
 */
export function publishableKeyAuth(deps: Pick<AppDeps, 'database' | 'clock'>): {
  onRequest: (request: FastifyRequest) => Promise<void>;
  tenantOf: (request: FastifyRequest) => Tenant;
  contextOf: (request: FastifyRequest) => TenantContext;
} {
  const contexts = new WeakMap<FastifyRequest, TenantContext>();
  const contextOf = (request: FastifyRequest) => {
    const context = contexts.get(request);
    if (!context) throw errors.invalidToken();
    return context;
  };
  return {
    onRequest: async (request) => {
      contexts.set(request, await authenticatePublishable(deps, request));
    },
    tenantOf: (request) => contextOf(request).tenant,
    contextOf,
  };
}
