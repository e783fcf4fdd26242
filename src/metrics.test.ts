// GET /metrics: the Prometheus text format behind the operator token, with the counters moving as requests, journals
// and webhook attempts happen, and the jobs and pool gauges read from the database at scrape time.
import { describe, expect, it } from 'vitest';
import { ManualClock } from './core/clock.js';
import { enqueueJob } from './core/jobs.js';
import { webhookAttempts } from './db/schema/index.js';
import { ADMIN_TOKEN, bearer, buildTestApp } from '../test/support/app.js';
import { onPostgres } from '../test/support/env.js';
import { useWebhookHarness } from '../test/support/webhook-receiver.js';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The value of one sample line (`name{labels} value`), 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => present.includes(label)) && present.length === wanted.length) return Number(match[3]);
  }
  return 0;
}

describe('GET /metrics', () => {
  const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
  const kit = useWebhookHarness(clock);
  const scrape = async () => {
    const response = await kit.harness().app.inject({ method: 'GET', url: '/metrics', headers: admin });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  };

  it('answers 401 without the operator token and is not mounted without ADMIN_TOKEN', async () => {
    const app = kit.harness().app;
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const merchant = await kit.harness().newMerchant();
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: bearer(merchant.sandboxSecret) })).statusCode).toBe(401);
    const { app: closed } = await buildTestApp({ env: { ADMIN_TOKEN: '' } });
    expect((await closed.inject({ method: 'GET', url: '/metrics', headers: admin })).statusCode).toBe(404);
    await closed.close();
  });

  it('counts requests by route pattern and status, with their latency, and Node process metrics', async () => {
    const merchant = await kit.harness().newMerchant();
    const before = await scrape();
    const route = { method: 'GET', route: '/api/v1/customer/:id' };
    for (const id of ['cust_00000001aaaaa', 'cust_00000002bbbbb']) {
      expect((await kit.api('GET', `/api/v1/customer/${id}`, merchant.sandboxSecret)).statusCode).toBe(404);
    }
    const after = await scrape();
    expect(sample(after, 'glomo_http_requests_total', { ...route, status: '404' }) - sample(before, 'glomo_http_requests_total', { ...route, status: '404' })).toBe(2);
    expect(sample(after, 'glomo_http_request_duration_seconds_count', route) - sample(before, 'glomo_http_request_duration_seconds_count', route)).toBe(2);
    expect(after).toContain('glomo_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/customer/:id"}');
    expect(sample(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
  });

  it('counts the journals written and the webhook attempts by outcome', async () => {
    const merchant = await kit.harness().newMerchant();
    const { db } = kit.harness();
    // The runner may also attempt other tests' due deliveries (on PGlite a worker's files share a database): the
    // counter must move exactly as the attempts stored meanwhile, by outcome.
    const attemptsByOutcome = async () => {
      const rows = await db.select({ statusCode: webhookAttempts.statusCode, trigger: webhookAttempts.trigger }).from(webhookAttempts);
      const ok = rows.filter((row) => row.trigger === 'scheduled' && row.statusCode !== null && row.statusCode >= 200 && row.statusCode < 300).length;
      return { success: ok, failure: rows.filter((row) => row.trigger === 'scheduled').length - ok };
    };
    const storedBefore = await attemptsByOutcome();
    const before = await scrape();
    const adjusted = await kit.harness().app.inject({
      method: 'POST', url: `/admin/v1/merchants/${merchant.id}/adjustments`, headers: admin,
      payload: { direction: 'credit', currency: 'USD', amount: 1_000, reason: 'metrics' },
    });
    expect(adjusted.statusCode, adjusted.body).toBe(201);
    const ok = await kit.receiver({ status: 200 });
    const failing = await kit.receiver({ status: 500 });
    await kit.createEndpoint(merchant.sandboxSecret, ok.url);
    await kit.createEndpoint(merchant.sandboxSecret, failing.url);
    await kit.customerEvent(merchant.sandboxSecret);
    await kit.harness().runner().runDue();
    // balance.adjusted and customer.created, to each endpoint.
    expect(ok.received).toHaveLength(2);
    expect(failing.received).toHaveLength(2);
    const after = await scrape();
    const storedAfter = await attemptsByOutcome();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('glomo_ledger_journals_written_total', { kind: 'adjustment' })).toBe(1);
    const success = delta('glomo_webhook_attempts_total', { outcome: 'success', trigger: 'scheduled' });
    const failure = delta('glomo_webhook_attempts_total', { outcome: 'failure', trigger: 'scheduled' });
    expect(success).toBe(storedAfter.success - storedBefore.success);
    expect(failure).toBe(storedAfter.failure - storedBefore.failure);
    expect(success).toBeGreaterThanOrEqual(1);
    expect(failure).toBeGreaterThanOrEqual(1);
  });

  it('shows the jobs waiting per queue and how long the oldest has waited; the pool on PostgreSQL', async () => {
    const { db } = kit.harness();
    const merchant = await kit.harness().newMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    await db.transaction(async (tx) => {
      const uow = { tx, clock, tenant };
      for (const minutes of [5, 2]) {
        await enqueueJob(uow, { queue: 'metrics.test', payload: {}, runAt: new Date(clock.now().getTime() - minutes * 60_000) });
      }
      await enqueueJob(uow, { queue: 'metrics.test', payload: {}, runAt: new Date(clock.now().getTime() + 60_000) });
    });
    const text = await scrape();
    expect(sample(text, 'glomo_jobs_waiting', { queue: 'metrics.test' })).toBe(2);
    // The gauges read the database's time against the process clock here: the oldest due job waited 5 minutes.
    expect(sample(text, 'glomo_jobs_lag_seconds', { queue: 'metrics.test' })).toBe(300);
    expect(sample(text, 'glomo_jobs_running', { queue: 'metrics.test' })).toBe(0);
    if (onPostgres) {
      expect(sample(text, 'glomo_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^glomo_db_pool_connections\{state="waiting"\} \d+$/m);
    } else {
      expect(text).not.toMatch(/^glomo_db_pool_connections\{/m);
    }
  });
});
