// GET /metrics: the Prometheus text format, behind the operator token (no ADMIN_TOKEN: not mounted). The jobs and pool
// gauges are read at scrape time; everything else accumulates in the process (src/core/metrics.ts). Not in
// /openapi.json: an operator endpoint, not an API operation. docs/operations.md says what to alert on.
import type { FastifyPluginAsync } from 'fastify';
import { requireAdminToken } from './core/auth/plugin.js';
import { queueStats } from './core/jobs.js';
import { dbPoolConnections, jobsLag, jobsRunning, jobsWaiting, metricsRegistry } from './core/metrics.js';
import type { AppDeps } from './deps.js';

export const metricsRoutes: FastifyPluginAsync<{ deps: AppDeps; adminToken: string }> = async (app, { deps, adminToken }) => {
  app.addHook('onRequest', requireAdminToken(adminToken));
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    const stats = await queueStats(deps.database.db, deps.clock.now());
    for (const gauge of [jobsWaiting, jobsLag, jobsRunning]) gauge.reset();
    for (const queue of stats) {
      jobsWaiting.set({ queue: queue.queue }, queue.waiting);
      jobsLag.set({ queue: queue.queue }, queue.lagSeconds);
      jobsRunning.set({ queue: queue.queue }, queue.running);
    }
    const pool = deps.database.poolStats();
    dbPoolConnections.reset();
    if (pool) for (const [state, value] of Object.entries(pool)) dbPoolConnections.set({ state }, value);
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
};
