// Graceful shutdown with the real entry point (docs/decisions/0023-graceful-shutdown.md): on SIGTERM the server stops
// accepting at once, finishes the request and the job in flight, and exits 0; past SHUTDOWN_TIMEOUT_MS it exits 1
// naming what was still running, and the unfinished work is done after a restart; a second SIGTERM exits at once (143).
// On PGlite by default, on a fresh PostgreSQL database with DATABASE_URL.
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { customerBody, tempDir } from './support/app.js';
import { onPostgres, withFreshPostgresDatabase } from './support/env.js';
import { launch, listening, type Started } from './support/processes.js';

const ADMIN = 'shutdown-test-admin-token';

const running: Started[] = [];
afterAll(() => {
  for (const started of running) if (started.child.exitCode === null) started.child.kill('SIGKILL');
});

interface Server {
  started: Started;
  url: string;
  port: number;
  /** The default merchant's sandbox secret key (DATA_DIR/credentials.json). */
  key: string;
}

/** A database of the test's own (so no other test's jobs are claimed): a fresh one on PostgreSQL, DATA_DIR's PGlite otherwise. */
function withDatabase<T>(label: string, fn: (databaseUrl: string | undefined) => Promise<T>): Promise<T> {
  return onPostgres ? withFreshPostgresDatabase(label, fn) : fn(undefined);
}

async function start(dataDir: string, databaseUrl: string | undefined, env: Record<string, string> = {}): Promise<Server> {
  const started = launch({
    DATA_DIR: dataDir,
    ADMIN_TOKEN: ADMIN,
    JOBS_POLL_MS: '50',
    LOG_LEVEL: 'info',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  running.push(started);
  const url = await listening(started);
  const key = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')).sandbox.secret_key as string;
  return { started, url, port: Number(new URL(url).port), key };
}

/** Waits (polling) until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function api(server: Server, method: string, url: string, body?: unknown, token = server.key) {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Sends SIGTERM and answers the exit code and how long the exit took. */
async function terminate(started: Started): Promise<{ code: number | null; ms: number }> {
  const at = Date.now();
  started.child.kill('SIGTERM');
  const code = await started.exited;
  return { code, ms: Date.now() - at };
}

/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An HTTP/1.1 exchange over a raw socket, so the test decides when each byte of the request goes out. */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  /** The next complete response (by its content-length) from the bytes received from `from` on. */
  const parse = (from: number): (RawResponse & { end: number }) | undefined => {
    const text = received.subarray(from).toString('latin1');
    const headEnd = text.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const [statusLine, ...lines] = text.slice(0, headEnd).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    if (text.length < headEnd + 4 + length) return undefined;
    const body = received.subarray(from + headEnd + 4, from + headEnd + 4 + length).toString('utf8');
    return { status: Number(statusLine!.split(' ')[1]), headers, body, end: from + headEnd + 4 + length };
  };
  let consumed = 0;
  return {
    socket,
    closed,
    write: (chunk: string | Buffer) => new Promise<void>((resolve, reject) => socket.write(chunk, (error) => (error ? reject(error) : resolve()))),
    /** The next response on this connection. */
    async response(): Promise<RawResponse> {
      let parsed: ReturnType<typeof parse>;
      await until(() => (parsed = parse(consumed)) !== undefined || socket.destroyed, 'a response on the raw connection');
      if (!parsed) throw new Error(`connection closed without a response: ${received.toString('latin1')}`);
      consumed = parsed.end;
      return parsed;
    },
  };
}

interface Hook {
  body: { data: { id: string } };
  answer(status: number): void;
}

/** A webhook receiver that holds each request until the test answers it. */
async function receiver() {
  const hooks: Hook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      hooks.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), answer: (status) => res.writeHead(status).end('ok') });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    hooks,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The event of an entity, as GET /api/v1/events/{id} shows it (with its deliveries and their attempts). */
async function eventOf(server: Server, entityId: string) {
  const list = await api(server, 'GET', `/api/v1/events?entity_id=${entityId}`);
  expect(list.data).toHaveLength(1);
  return api(server, 'GET', `/api/v1/events/${list.data[0].id}`);
}

/** Runs queries on the stopped server's database (DATA_DIR's PGlite, or the PostgreSQL database), opened once. */
async function onDatabase<T>(dataDir: string, databaseUrl: string | undefined, fn: (query: <R>(text: string) => Promise<R[]>) => Promise<T>): Promise<T> {
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await fn(async <R>(text: string) => (await client.query(text)).rows as R[]);
    } finally {
      await client.end();
    }
  }
  const db = new PGlite(path.join(dataDir, 'pglite'));
  try {
    return await fn(async <R>(text: string) => (await db.query<R>(text)).rows);
  } finally {
    await db.close();
  }
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n' +
    'trailer <</Root 1 0 R>>\n%%EOF\n',
);

describe('graceful shutdown (SIGTERM)', () => {
  it('refuses new connections at once, finishes the request (a slow upload) and the webhook attempt in flight, and exits 0; nothing is lost or doubled', async () => {
    const hooks = await receiver();
    try {
      await withDatabase('shutdrain', async (databaseUrl) => {
        const dataDir = tempDir('shutdown-drain');
        const server = await start(dataDir, databaseUrl);
        const merchantId = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')).merchant_id as string;
        await api(server, 'POST', `/admin/v1/merchants/${merchantId}/adjustments`, { direction: 'credit', currency: 'USD', amount: 150_000, reason: 'before the shutdown' }, ADMIN);

        // A job in flight: the receiver holds the webhook of a new customer until the test answers it.
        await api(server, 'POST', '/api/v1/webhook_endpoints', { url: hooks.url, enabled_events: ['customer.created'] });
        const customer = await api(server, 'POST', '/api/v1/customer', customerBody());
        await until(() => hooks.hooks.length === 1, 'the receiver to have the webhook');
        expect(hooks.hooks[0]!.body.data.id).toBe(customer.id);

        // An idle keep-alive connection: the shutdown closes it.
        const idle = rawConnection(server.port);
        await idle.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
        expect((await idle.response()).status).toBe(200);

        // A request in flight: an upload whose headers and first half arrive now, the rest after SIGTERM.
        const name = `shutdown-${Date.now()}`;
        const boundary = 'glomoShutdownBoundary';
        const body = Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="document_name"\r\n\r\n${name}\r\n` +
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="invoice.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
          ),
          PDF,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        const upload = rawConnection(server.port);
        await upload.write(
          `POST /api/v1/document HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.key}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`,
        );
        const half = Math.floor(body.length / 2);
        await upload.write(body.subarray(0, half));
        await until(() => /"url":"\/api\/v1\/document"[^\n]*"msg":"incoming request"/.test(server.started.output()), 'the upload to reach the server');

        const exit = terminate(server.started);
        await until(() => server.started.output().includes('"msg":"shutting down"'), 'the shutdown to start');
        const shutdownStarted = Date.now();
        // No new connection from now on, while both are in flight; the idle connection is closed.
        await until(() => refused(server.port), 'new connections to be refused', 5000);
        await idle.closed;

        // The rest of the upload, slowly: the request completes normally, and says its connection ends.
        const rest = body.subarray(half);
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          await upload.write(rest.subarray(Math.floor((i * rest.length) / 3), Math.floor(((i + 1) * rest.length) / 3)));
        }
        const answer = await upload.response();
        expect(answer.status, answer.body).toBe(201);
        expect(answer.headers.connection).toBe('close');
        const document = JSON.parse(answer.body);
        expect(document).toMatchObject({ document_name: name });

        // The receiver answers 1.5 s into the shutdown; the process waits for it, records it, then exits 0.
        setTimeout(() => hooks.hooks[0]!.answer(200), Math.max(0, 1500 - (Date.now() - shutdownStarted)));
        const { code } = await exit;
        expect(code, server.started.output()).toBe(0);
        expect(Date.now() - shutdownStarted).toBeGreaterThanOrEqual(1400);
        expect(server.started.output()).toMatch(/"msg":"shut down in \d+ ms"/);
        if (!databaseUrl) expect(fs.existsSync(path.join(dataDir, 'glomo.lock'))).toBe(false);

        const again = await start(dataDir, databaseUrl);
        const documents = await api(again, 'GET', '/api/v1/document?per_page=100');
        expect(documents.data.filter((d: { document_name: string }) => d.document_name === name).map((d: { id: string }) => d.id)).toEqual([document.id]);
        const event = await eventOf(again, customer.id);
        expect(event.deliveries).toHaveLength(1);
        expect(event.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 1, last_status_code: 200 });
        expect(event.deliveries[0].attempt_log).toEqual([expect.objectContaining({ trigger: 'scheduled', status_code: 200, error: null })]);
        const verify = await api(again, 'GET', '/admin/v1/ledger/verify', undefined, ADMIN);
        expect(verify).toMatchObject({ ok: true, problems: [] });
        expect(verify.counts.journals).toBeGreaterThan(0);
        expect((await terminate(again.started)).code).toBe(0);
        // Nothing was sent twice.
        expect(hooks.hooks).toHaveLength(1);
      });
    } finally {
      await hooks.close();
    }
  }, 120_000);

  it('past SHUTDOWN_TIMEOUT_MS exits 1 naming the job still running, the delivery is made after a restart, and a second SIGTERM exits at once', async () => {
    const hooks = await receiver();
    try {
      await withDatabase('shuttimeout', async (databaseUrl) => {
        const dataDir = tempDir('shutdown-timeout');
        const server = await start(dataDir, databaseUrl, { SHUTDOWN_TIMEOUT_MS: '1000', WEBHOOK_TIMEOUT_MS: '20000' });
        await api(server, 'POST', '/api/v1/webhook_endpoints', { url: hooks.url, enabled_events: ['customer.created'] });
        const customer = await api(server, 'POST', '/api/v1/customer', customerBody());
        // The receiver never answers this one.
        await until(() => hooks.hooks.length === 1, 'the receiver to have the webhook');

        const { code, ms } = await terminate(server.started);
        expect(code, server.started.output()).toBe(1);
        expect(ms).toBeGreaterThanOrEqual(900);
        expect(ms).toBeLessThan(4000);
        expect(server.started.output()).toMatch(/"msg":"shutdown timed out after \d+ ms \(SHUTDOWN_TIMEOUT_MS 1000\); still running: 1 job \(webhooks\.dispatch#\d+\), released to other processes"/);
        if (!databaseUrl) expect(fs.existsSync(path.join(dataDir, 'glomo.lock'))).toBe(false);

        // Not lost: the attempt (the dispatch's own first one) left no record, the delivery is pending, and the dispatch
        // job is still claimed but its lease ended at the timeout, so the next process takes it at once and makes the
        // attempt (the delivery's own job waits for its fallback time, decision 0009).
        const { deliveries, dispatchJobs } = await onDatabase(dataDir, databaseUrl, async (query) => ({
          deliveries: await query<{ status: string; attempts: number }>('select status, attempts from webhook_deliveries'),
          dispatchJobs: await query<{ status: string; lapsed: boolean }>(
            "select status, locked_until <= now() as lapsed from jobs where queue = 'webhooks.dispatch' and status = 'running'"),
        }));
        expect(deliveries).toEqual([{ status: 'pending', attempts: 0 }]);
        expect(dispatchJobs).toEqual([{ status: 'running', lapsed: true }]);

        const again = await start(dataDir, databaseUrl);
        await until(() => hooks.hooks.length === 2, 'the delivery to be retried');
        expect(hooks.hooks[1]!.body.data.id).toBe(customer.id);
        hooks.hooks[1]!.answer(200);
        await until(async () => (await eventOf(again, customer.id)).deliveries[0].status === 'succeeded', 'the retried delivery to be recorded');
        const event = await eventOf(again, customer.id);
        expect(event.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 1, last_status_code: 200 });

        // A second SIGTERM during a shutdown that waits (another webhook held open) exits at once, 128 + 15.
        await api(again, 'POST', '/api/v1/customer', customerBody());
        await until(() => hooks.hooks.length === 3, 'the receiver to have the second webhook');
        const at = Date.now();
        again.started.child.kill('SIGTERM');
        await until(() => again.started.output().includes('"msg":"shutting down"'), 'the shutdown to start');
        again.started.child.kill('SIGTERM');
        expect(await again.started.exited).toBe(143);
        expect(Date.now() - at).toBeLessThan(5000);
        expect(again.started.output()).toContain('"msg":"second signal during shutdown: exiting at once"');
        if (!databaseUrl) expect(fs.existsSync(path.join(dataDir, 'glomo.lock'))).toBe(false);
      });
    } finally {
      await hooks.close();
    }
  }, 120_000);
});
