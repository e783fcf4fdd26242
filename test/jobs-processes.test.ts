// Job leases across real server processes on one PostgreSQL: a process holding webhook deliveries in flight keeps
// them while it lives (its heartbeat renews the lease, so a second process does not take them however long they
// run), and once it is killed (-9) the second process runs them within one lease, each succeeding exactly once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { customerBody, tempDir } from './support/app.js';
import { onPostgres, withFreshPostgresDatabase } from './support/env.js';
import { launch, listening, type Started } from './support/processes.js';

const ADMIN = 'jobs-processes-admin-token';
const LEASE_MS = 3000;
const EVENTS = 10;

interface Request {
  eventId: string;
  at: number;
  answered: boolean;
}

/** A receiver that holds every request open (never answers) until told to answer 200. */
async function receiver() {
  const requests: Request[] = [];
  let answering = false;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const request = { eventId: String(req.headers['x-glomopay-event-id']), at: Date.now(), answered: answering };
      requests.push(request);
      if (answering) res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    requests,
    answer: () => { answering = true; },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

async function json(response: Response) {
  const body = await response.json();
  if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const running: Started[] = [];
afterAll(() => {
  for (const started of running) if (started.child.exitCode === null) started.child.kill('SIGKILL');
});

describe.skipIf(!onPostgres)('job leases across server processes on PostgreSQL', () => {
  it('keeps a live process\'s long jobs its own, and runs a killed process\'s jobs in another within one lease', async () => {
    await withFreshPostgresDatabase('leases', async (databaseUrl) => {
      const hooks = await receiver();
      const db = new pg.Client({ connectionString: databaseUrl });
      try {
        const env = {
          DATABASE_URL: databaseUrl, ADMIN_TOKEN: ADMIN, JOBS_LEASE_MS: String(LEASE_MS), JOBS_POLL_MS: '100',
          // The held requests must outlast the test, and all of them be in flight at once.
          WEBHOOK_TIMEOUT_MS: '120000', WEBHOOK_ENDPOINT_CONCURRENCY: '100',
        };
        const holder = launch({ ...env, DATA_DIR: tempDir('leases-a') });
        running.push(holder);
        const a = await listening(holder);
        const merchant = await json(await fetch(`${a}/admin/v1/merchants`, {
          method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Leases' }),
        }));
        const auth = { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json' };
        await json(await fetch(`${a}/api/v1/webhook_endpoints`, { method: 'POST', headers: auth, body: JSON.stringify({ url: hooks.url }) }));
        const created: string[] = [];
        for (let i = 0; i < EVENTS; i++) {
          created.push((await json(await fetch(`${a}/api/v1/customer`, {
            method: 'POST', headers: auth, body: JSON.stringify(customerBody({ email: `lease${i}@example.com` })),
          }))).id);
        }
        // The first process holds every delivery in flight.
        await expect.poll(() => new Set(hooks.requests.map((r) => r.eventId)).size, { timeout: 30_000, interval: 50 }).toBe(EVENTS);

        // A second process runs beside it for longer than a lease: the heartbeat keeps the jobs the first's.
        const taker = launch({ ...env, DATA_DIR: tempDir('leases-b') });
        running.push(taker);
        await listening(taker);
        await sleep(LEASE_MS + 1500);
        expect(hooks.requests).toHaveLength(EVENTS);

        // The first process dies with its requests in flight; the second takes its jobs once their lease lapses.
        hooks.answer();
        holder.child.kill('SIGKILL');
        await holder.exited;
        const killedAt = Date.now();
        await db.connect();
        const deliveries = async () =>
          (await db.query<{ status: string; attempts: number }>('select status, attempts from webhook_deliveries')).rows;
        await expect.poll(async () => (await deliveries()).filter((d) => d.status === 'succeeded').length, {
          timeout: LEASE_MS + 3000, interval: 50,
        }).toBe(EVENTS);
        const recovered = Date.now() - killedAt;
        expect(recovered).toBeLessThan(LEASE_MS + 3000);

        // Give a duplicate every chance to show up before counting.
        await sleep(1000);
        const answered = hooks.requests.filter((r) => r.answered);
        expect(answered.map((r) => r.eventId).sort()).toEqual(hooks.requests.filter((r) => !r.answered).map((r) => r.eventId).sort());
        expect(answered).toHaveLength(EVENTS);
        expect(answered.every((r) => r.at >= killedAt)).toBe(true);
        expect(await deliveries()).toEqual(Array.from({ length: EVENTS }, () => ({ status: 'succeeded', attempts: 1 })));
        // One recorded attempt per delivery, the second process's: the first died before recording its own.
        const attempts = (await db.query<{ status_code: number }>('select status_code from webhook_attempts')).rows;
        expect(attempts).toEqual(Array.from({ length: EVENTS }, () => ({ status_code: 200 })));
        // Each event's dispatch job (which makes the first attempt itself, decision 0009) was claimed twice (the first
        // process, then the second after the lease) and is done; each delivery's own job was settled by that attempt.
        const dispatchJobs = (await db.query<{ status: string; attempts: number }>(
          `select j.status, j.attempts from jobs j join events e on e.id = j.payload->>'eventId'
           where j.queue = 'webhooks.dispatch' and e.entity_type = 'customer'`)).rows;
        expect(dispatchJobs).toEqual(Array.from({ length: EVENTS }, () => ({ status: 'done', attempts: 2 })));
        const deliverJobs = (await db.query<{ status: string; attempts: number }>(
          `select status, attempts from jobs where queue = 'webhooks.deliver'`)).rows;
        expect(deliverJobs).toEqual(Array.from({ length: EVENTS }, () => ({ status: 'done', attempts: 0 })));
        const customers = (await db.query<{ id: string }>(`select entity_id as id from events where entity_type = 'customer'`)).rows;
        expect(customers.map((c) => c.id).sort()).toEqual([...created].sort());

        taker.child.kill('SIGTERM');
        await taker.exited;
      } finally {
        await db.end().catch(() => undefined);
        await hooks.close();
      }
    });
  }, 180_000);
});
