import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { within } from './core/timeout.js';
import type { Database } from './db/client.js';

/** A database that has not answered by then is unavailable (503). */
const PING_TIMEOUT_MS = 2000;

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  database: Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    driver: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    latency_ms: Type.Number(),
  }),
});

/** GET /health: 200 while the database answers, 503 when it does not. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  // Never rate limited: a load balancer's probes must not take the process out of rotation (decisions/0022).
  app.get('/health', { config: { rateLimit: false }, schema: { tags: ['health'], summary: 'Server and database status', description: 'Answers 200 with `status: ok` while the server and its database answer, 503 with `status: degraded` when the database does not. Takes no key and is not rate limited, for load balancers.', response: { 200: Health, 503: Health } } }, async (_request, reply) => {
    const started = performance.now();
    // Answered in time: ok; timed out (undefined) or failed: unavailable.
    const ok = (await within(database.ping(), PING_TIMEOUT_MS).catch(() => undefined)) !== undefined;
    const body = {
      status: ok ? ('ok' as const) : ('degraded' as const),
      database: { status: ok ? ('ok' as const) : ('unavailable' as const), driver: database.driver, latency_ms: Math.round((performance.now() - started) * 100) / 100 },
    };
    return reply.status(ok ? 200 : 503).send(body);
  });
};
