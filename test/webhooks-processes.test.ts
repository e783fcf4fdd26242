// Webhook delivery with real server processes on one PostgreSQL: each event reaches each endpoint once although
// two processes run jobs, and events recorded by a process that is then killed (-9) are still delivered.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { customerBody, tempDir } from './support/app.js';
import { onPostgres, withFreshPostgresDatabase } from './support/env.js';
import { launch, listening, type Started } from './support/processes.js';

const ADMIN = 'webhook-processes-admin-token';

interface Received {
  eventId: string;
  body: { entity_type: string; event_type: string; data: { id: string } };
  signatureValid: boolean;
}

/** A receiver that checks the signature over the raw bytes it got and answers 200. */
async function receiver(secret: () => string) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac('sha256', secret()).update(raw).digest();
      const given = Buffer.from(String(req.headers['x-glomopay-signature'] ?? ''), 'hex');
      received.push({
        eventId: String(req.headers['x-glomopay-event-id']),
        body: JSON.parse(raw.toString('utf8')),
        signatureValid: given.length === expected.length && timingSafeEqual(given, expected),
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, close: () => new Promise((r) => server.close(r)) };
}

async function json(response: Response) {
  const body = await response.json();
  if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body;
}

const running: Started[] = [];
afterAll(() => {
  for (const started of running) if (started.child.exitCode === null) started.child.kill('SIGKILL');
});

describe.skipIf(!onPostgres)('webhook delivery across server processes on PostgreSQL', () => {
  it('delivers every event once per endpoint while two processes run jobs, and survives kill -9 of the recording process', async () => {
    await withFreshPostgresDatabase('hooks', async (databaseUrl) => {
      let secret = '';
      const hooks = await receiver(() => secret);
      try {
        const env = { DATABASE_URL: databaseUrl, ADMIN_TOKEN: ADMIN, JOBS_POLL_MS: '50' };
        const servers = [launch({ ...env, DATA_DIR: tempDir('hooks-a') }), launch({ ...env, DATA_DIR: tempDir('hooks-b') })];
        running.push(...servers);
        const [a, b] = await Promise.all(servers.map(listening));
        const merchant = await json(await fetch(`${a}/admin/v1/merchants`, {
          method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Hooks' }),
        }));
        const auth = { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json' };
        const endpoint = await json(await fetch(`${a}/api/v1/webhook_endpoints`, { method: 'POST', headers: auth, body: JSON.stringify({ url: hooks.url }) }));
        secret = endpoint.secret;

        const created: string[] = [];
        await Promise.all(Array.from({ length: 30 }, async (_, i) => {
          const customer = await json(await fetch(`${i % 2 ? a : b}/api/v1/customer`, {
            method: 'POST', headers: auth, body: JSON.stringify(customerBody({ email: `hook${i}@example.com` })),
          }));
          created.push(customer.id);
        }));
        await expect.poll(() => new Set(hooks.received.map((r) => r.eventId)).size, { timeout: 30_000, interval: 100 }).toBe(30);
        // Give a duplicate every chance to show up before counting.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(hooks.received).toHaveLength(30);
        expect(hooks.received.every((r) => r.signatureValid)).toBe(true);
        expect(hooks.received.map((r) => r.body.data.id).sort()).toEqual([...created].sort());
        expect(hooks.received.every((r) => r.body.entity_type === 'customer' && r.body.event_type === 'created')).toBe(true);
        for (const server of servers) server.child.kill('SIGTERM');
        await Promise.all(servers.map((s) => s.exited));

        // A web-only process records events, then dies hard before any job runs; a later process delivers them.
        const recorder = launch({ ...env, JOBS_ENABLED: 'false', DATA_DIR: tempDir('hooks-c') });
        running.push(recorder);
        const c = await listening(recorder);
        const late: string[] = [];
        for (let i = 0; i < 5; i++) {
          late.push((await json(await fetch(`${c}/api/v1/customer`, {
            method: 'POST', headers: auth, body: JSON.stringify(customerBody({ email: `late${i}@example.com` })),
          }))).id);
        }
        recorder.child.kill('SIGKILL');
        await recorder.exited;
        expect(hooks.received).toHaveLength(30);
        const worker = launch({ ...env, DATA_DIR: tempDir('hooks-d') });
        running.push(worker);
        await listening(worker);
        await expect.poll(() => hooks.received.length, { timeout: 30_000, interval: 100 }).toBe(35);
        expect(hooks.received.slice(30).map((r) => r.body.data.id).sort()).toEqual([...late].sort());
        worker.child.kill('SIGTERM');
        await worker.exited;
      } finally {
        await hooks.close();
      }
    });
  }, 180_000);
});
