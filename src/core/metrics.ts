// The process's Prometheus instruments (prom-client), one registry per process: requests by route and status with
// their latency, webhook attempts by outcome, journals written, and Node's own process metrics. Gauges read from the
// database (jobs waiting and their lag, the pool) are set when /metrics is scraped (src/metrics-routes.ts).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequests = new Counter({
  name: 'glomo_http_requests_total',
  help: 'HTTP requests answered, by method, route (the route pattern; "unmatched" for a 404 without route) and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: 'glomo_http_request_duration_seconds',
  help: 'Time from the request arriving to its answer being sent, by method and route.',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const webhookAttemptsMade = new Counter({
  name: 'glomo_webhook_attempts_total',
  help: 'Webhook delivery attempts made by this process, by outcome (success: a 2xx answer; failure: any other) and trigger.',
  labelNames: ['outcome', 'trigger'] as const,
  registers: [metricsRegistry],
});

export const journalsWritten = new Counter({
  name: 'glomo_ledger_journals_written_total',
  help: 'Ledger journals written by this process, by kind (in transactions that normally commit; a rolled-back one is counted too).',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const jobsWaiting = new Gauge({
  name: 'glomo_jobs_waiting',
  help: 'Jobs queued and due (by real time), per queue, in the whole deployment.',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
});

export const jobsLag = new Gauge({
  name: 'glomo_jobs_lag_seconds',
  help: 'How long the oldest due queued job of each queue has waited, in the whole deployment.',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
});

export const jobsRunning = new Gauge({
  name: 'glomo_jobs_running',
  help: 'Jobs being run (claimed under a lease) per queue, in the whole deployment.',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
});

export const dbPoolConnections = new Gauge({
  name: 'glomo_db_pool_connections',
  help: "This process's PostgreSQL pool: connections open (total), idle, and requests waiting for one (absent on PGlite).",
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});
