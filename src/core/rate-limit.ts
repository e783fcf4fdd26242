// The per-client-IP rate limit, as Glomo's gateway has it (notes-payins §1.8, notes-payouts §7): RATE_LIMIT_PER_MINUTE
// requests per minute per source IP, over it 429 in the error shape, no x-ratelimit-* headers (Retry-After only).
// @fastify/rate-limit's in-memory store: each process counts its own requests. See docs/decisions/0022.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from './errors.js';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Client IPs one process tracks at once (least recently seen forgotten first). An address sending at the limit is
 * seen every 20 ms, so it could only be forgotten after 10,000 other addresses in 20 ms; an entry is ~100 bytes.
 */
const TRACKED_ADDRESSES = 10_000;

export interface RateLimitSettings {
  /** Requests per window per client IP; 0 registers nothing. */
  perMinute: number;
  /** Requests that are never counted (the health check, the authenticated operator). */
  exempt: (request: FastifyRequest) => boolean;
}

/**
 * Registers the limit as one root onRequest hook: it must run before every scope's own hooks, since the secret-key
 * check reads the database, and it also counts requests to unknown routes (the 404 handler). The library's per-route
 * hooks (`global: true`) would run after the scopes' hooks, so it only counts here (`createRateLimit`);
 * `config: { rateLimit: false }` on a route exempts it.
 */
export async function registerRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  const { perMinute, exempt } = settings;
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    global: false,
    max: perMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    cache: TRACKED_ADDRESSES,
  });
  // Keyed by request.ip (the socket's peer, or X-Forwarded-For's client under TRUST_PROXY); IPv6 by its /64. The
  // check only counts: the answer, its Retry-After and the absence of x-ratelimit-* headers are ours.
  const count = app.createRateLimit();
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.rateLimit === false || exempt(request)) return;
    const result = await count(request);
    if (result.isAllowed || !result.isExceeded) return;
    const retryAfterSeconds = Math.max(1, result.ttlInSeconds);
    reply.header('retry-after', String(retryAfterSeconds));
    throw errors.rateLimited(perMinute, retryAfterSeconds);
  });
}
