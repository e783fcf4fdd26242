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
import { buildTestApp, createTestMerchant, type TestMerchant } from './app.js';
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
