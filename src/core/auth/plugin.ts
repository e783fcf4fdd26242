// Request authentication hooks: secret keys for /api/v1 and /api/v2, the operator token for /admin/v1.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Database } from '../../db/client.js';
import { offsetClock, type Clock } from '../clock.js';
import type { TenantContext } from '../context.js';
import { errors } from '../errors.js';
import type { Tenant } from '../tenancy.js';
import { authenticateSecretKey, type AuthenticatedKey } from './api-keys.js';
import type { KeyRing } from './signing-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the secret-key hook on every /api route. */
    apiKey: AuthenticatedKey | null;
    /** The authenticated tenant and its clock (set with apiKey). */
    tenantContext: TenantContext | null;
  }
}

/** The bearer token of a request: undefined when absent or empty, null when the header is not a bearer header. */
export function bearerToken(request: FastifyRequest): string | undefined | null {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Bearer(?:\s+(\S*))?\s*$/i.exec(header.trim());
  if (!match) return null;
  return match[1] ? match[1] : undefined;
}

export function requireSecretKey(deps: { database: Database; keyRing: KeyRing; clock: Clock }): onRequestHookHandler {
  return async (request) => {
    const token = bearerToken(request);
    if (token === undefined) throw errors.missingToken();
    if (token === null) throw errors.invalidToken();
    const key = await authenticateSecretKey(deps.database.db, deps.keyRing, deps.clock, token);
    if (!key) throw errors.invalidToken();
    request.apiKey = key;
    request.tenantContext = { tenant: { merchantId: key.merchantId, env: key.env }, clock: offsetClock(deps.clock, key.clockOffsetMs) };
  };
}

/** The tenant of an authenticated /api request and its clock (the environment's test clock in the sandbox). */
export function contextOf(request: FastifyRequest): TenantContext {
  if (!request.tenantContext) throw new Error('contextOf called on a route without secret-key authentication');
  return request.tenantContext;
}


/** The tenant of an authenticated /api request. */
export function tenantOf(request: FastifyRequest): Tenant {
  if (!request.apiKey) throw new Error('tenantOf called on a route without secret-key authentication');
  return { merchantId: request.apiKey.merchantId, env: request.apiKey.env };
}

/**
 * onRequest hook of the key-management routes (rotation, MCP credentials): an MCP credential, which otherwise acts as
 * its environment's secret key, may not mint itself successors or replace the merchant's keys (decision 0036).
 */
export async function secretKeyOnly(request: FastifyRequest): Promise<void> {
  if (request.apiKey?.kind !== 'secret') throw errors.secretKeyRequired();
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Operator token check in constant time (hashing first makes the lengths equal). */
/**
 * preValidation hook of the sandbox helpers (the `mock` operations): a production key gets the unknown-route 404
 * before the body is validated, exactly as if the path were not served (notes-payins: "All 404 in live").
 */
export async function sandboxOnly(request: FastifyRequest): Promise<void> {
  if (tenantOf(request).env !== 'sandbox') throw errors.routeNotFound(request.method, request.url);
}

/** How a request stands against the operator token (compared in constant time). */
function adminTokenCheck(adminToken: string): (request: FastifyRequest) => 'missing' | 'invalid' | 'valid' {
  const expected = digest(adminToken);
  return (request) => {
    const token = bearerToken(request);
    if (token === undefined) return 'missing';
    return token !== null && timingSafeEqual(digest(token), expected) ? 'valid' : 'invalid';
  };
}

export function requireAdminToken(adminToken: string): onRequestHookHandler {
  const check = adminTokenCheck(adminToken);
  return async (request) => {
    const answer = check(request);
    if (answer === 'missing') throw errors.missingToken();
    if (answer === 'invalid') throw errors.invalidToken();
  };
}

/** Whether a request carries the operator token, for the rate limit's exemption. */
export function hasAdminToken(adminToken: string): (request: FastifyRequest) => boolean {
  const check = adminTokenCheck(adminToken);
  return (request) => check(request) === 'valid';
}
