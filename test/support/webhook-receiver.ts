// Test support for webhook delivery: a real HTTP receiver on 127.0.0.1, and a database and app of the delivery
// tests' own, so that their job runner claims no other test's jobs (and no other runner claims theirs).
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/core/clock.js';
import type { App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { ensureSigningKey } from '../../src/core/auth/signing-keys.js';
import { JobRunner } from '../../src/core/jobs.js';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { bearer, buildTestApp, createTestMerchant, customerBody, type TestMerchant } from './app.js';
import type { Event } from '../../src/webhooks/events/schemas.js';
import { createFreshPostgresDatabase, onPostgres, testEnv } from './env.js';
import type { Lookup } from '../../src/webhooks/url-guard.js';
import { webhookJobHandlers } from '../../src/webhooks/delivery/handlers.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The header names exactly as they came over the wire. */
  rawHeaderNames: string[];
  /** The exact body bytes. */
  body: Buffer;
  /** The test clock's time when the request arrived. */
  at: Date;
}

/** How the receiver answers a request: a status (and body, headers), or `hang` (never answer). */
export type ReceiverAnswer = { status: number; body?: string | Buffer; headers?: Record<string, string> } | 'hang' | 'stall-body';

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * `answer` may answer later (a promise): the request is held open until it settles, as a slow receiver's would be.
 */
export async function startReceiver(
  clock: Clock,
  answer: (request: ReceivedRequest, index: number) => ReceiverAnswer | Promise<ReceiverAnswer>,
): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaderNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
        body: Buffer.concat(chunks),
        at: clock.now(),
      };
      received.push(request);
      const reply = answer(request, received.length - 1);
      if (reply instanceof Promise) void reply.then(respond);
      else respond(reply);
    });
    const respond = (reply: ReceiverAnswer) => {
      if (reply === 'hang') return;
      if (reply === 'stall-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        return;
      }
      res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface WebhookHarness {
  app: App;
  db: Db;
  config: Config;
  newMerchant(): Promise<TestMerchant>;
  /** A job runner with the webhook handlers; `overrides` change the delivery config (timeout, private targets). */
  runner(overrides?: Partial<Pick<Config, 'webhookTimeoutMs' | 'webhookAllowPrivateTargets' | 'webhookEndpointConcurrency'>>, lookup?: Lookup): JobRunner;
  /** Whatever a handler threw (none is expected). */
  handlerErrors: unknown[];
  close(): Promise<void>;
}

/**
 * On PostgreSQL a database of its own (test files run in parallel processes that share DATABASE_URL, and a runner
 * claims every due job of its queues); on PGlite the worker's database, whose test files run one after another.
 * Production endpoints may target 127.0.0.1 here (WEBHOOK_ALLOW_PRIVATE_TARGETS).
 */
export async function webhookHarness(clock: Clock): Promise<WebhookHarness> {
  let database: Database;
  let dropDatabase = async () => {};
  if (onPostgres) {
    const fresh = await createFreshPostgresDatabase('webhooks');
    const own = await openDatabase({ databaseUrl: fresh.url, poolMax: 5 });
    await own.migrate();
    await ensureSigningKey(own.db, clock);
    database = own;
    dropDatabase = async () => {
      await own.close();
      await fresh.drop();
    };
  } else {
    database = (await testEnv()).database;
  }
  const { app, config } = await buildTestApp({ clock, database, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  const handlerErrors: unknown[] = [];
  return {
    app,
    db: database.db,
    config,
    handlerErrors,
    newMerchant: () => createTestMerchant(clock, database),
    runner(overrides = {}, lookup) {
      const deliveryConfig = { ...config, ...overrides };
      return new JobRunner({
        db: database.db,
        clock,
        handlers: webhookJobHandlers({ db: database.db, config: deliveryConfig, ...(lookup ? { lookup } : {}) }),
        onError: (error) => handlerErrors.push(error),
      });
    },
    async close() {
      await app.close();
      await dropDatabase();
    },
  };
}

/**
 * A delivery test file's setup on `clock`: its harness (opened before the file's tests, closed after them), receivers
 * closed after each test (which must leave no job handler error), and the HTTP helpers those files share.
 */
export function useWebhookHarness(clock: Clock) {
  let opened: WebhookHarness | undefined;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    opened = await webhookHarness(clock);
  });
  afterAll(async () => {
    await opened?.close();
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    expect(opened!.handlerErrors).toEqual([]);
  });
  const harness = (): WebhookHarness => {
    if (!opened) throw new Error('the webhook harness opens in beforeAll');
    return opened;
  };
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key: string, payload?: Record<string, unknown>) =>
    harness().app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  return {
    harness,
    api,
    /** A receiver answering `answer` (or answer(index) per request, which may answer later), closed after the test. */
    async receiver(answer: ReceiverAnswer | ((index: number) => ReceiverAnswer | Promise<ReceiverAnswer>) = { status: 200 }): Promise<Receiver> {
      const started = await startReceiver(clock, (_request, index) => (typeof answer === 'function' ? answer(index) : answer));
      receivers.push(started);
      return started;
    },
    async createEndpoint(key: string, url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
      const response = await api('POST', '/api/v1/webhook_endpoints', key, { url, ...extra });
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    },
    /** Creates a customer (which records customer.created) and answers the event's id and the customer. */
    async customerEvent(key: string): Promise<{ eventId: string; customer: Record<string, unknown> }> {
      const created = await api('POST', '/api/v1/customer', key, customerBody());
      expect(created.statusCode, created.body).toBe(201);
      const customer = created.json() as Record<string, unknown>;
      const list = await api('GET', `/api/v1/events?entity_id=${String(customer.id)}`, key);
      const [event] = list.json().data as Array<{ id: string }>;
      return { eventId: event!.id, customer };
    },
    async eventDetail(key: string, id: string): Promise<Event> {
      const response = await api('GET', `/api/v1/events/${id}`, key);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    },
  };
}
