// Starting and stopping a server process: config -> lock -> database -> migrations -> bootstrap -> HTTP.
// Stopping is the same in reverse, bounded by SHUTDOWN_TIMEOUT_MS (docs/decisions/0023-graceful-shutdown.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { FastifyServerOptions } from 'fastify';
import { buildApp, type App } from './app.js';
import { ensureDefaultMerchant, LocalDocumentStore, type Credentials } from './composition.js';
import { ConfigError, type Config } from './config.js';
import { authenticateSecretKey } from './core/auth/api-keys.js';
import { ensureSigningKey, loadKeyRing } from './core/auth/signing-keys.js';
import { systemClock, type Clock } from './core/clock.js';
import { within } from './core/timeout.js';
import { openDatabase, type Database } from './db/client.js';
import { acquireDataDirLock, type DataDirLock } from './db/pglite-lock.js';
import { DEFAULT_RATE_TABLE } from './fx/default-rates.js';
import { loadRateTableFile, tableRateSource, type FxRateSource } from './fx/rates.js';

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;
/** After the drain (clean or timed out), closing the database may take this much longer at most. */
const DATABASE_CLOSE_GRACE_MS = 2000;
/** How much longer than the timeout the job runner's stop may take to release the jobs it still runs. */
const JOB_RELEASE_GRACE_MS = 1000;

/** What stop() did. */
export interface StopReport {
  /** Every request and job finished within the timeout, and the database closed. */
  clean: boolean;
  elapsedMs: number;
  /** What was still running when the timeout passed (empty when clean): `2 requests (POST /api/v1/document, …)`, … */
  unfinished: string[];
}

export interface RunningServer {
  app: App;
  database: Database;
  url: string;
  /** The merchant of DATA_DIR/credentials.json, and whether its sandbox secret key still works. */
  defaultMerchant: { created: boolean; credentials?: Credentials | undefined; sandboxKeyValid: boolean };
  /**
   * Stops accepting connections at once, lets the requests in flight finish and the job runner finish the jobs it
   * holds (both at the same time), then closes the database and releases the data-dir lock. Waits at most
   * `timeoutMs` (default SHUTDOWN_TIMEOUT_MS) for the requests and jobs; past it, closes the database anyway and
   * answers what was still running (uncommitted transactions roll back; the runner released its jobs to others).
   */
  stop(options?: { timeoutMs?: number }): Promise<StopReport>;
  /** For a process that exits at once without stop() (a second signal): releases the data-dir lock only. */
  releaseLock(): void;
}

export async function startServer(
  config: Config,
  options: {
    clock?: Clock;
    logger?: FastifyServerOptions['logger'];
    /**
     * The port was checked by the cluster's primary (src/cluster.ts): skip this process's own exclusive probe, which
     * fails while sibling workers listen on the shared port.
     */
    portChecked?: boolean;
  } = {},
): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  let lock: DataDirLock | undefined;
  let database: Database | undefined;
  // A bad rate file stops the start before anything is opened.
  const fxRates = await loadFxRates(config);
  // A port in use stops the start before DATA_DIR is touched (listen below still reports one taken meanwhile).
  if (!options.portChecked) await assertPortFree(config);
  try {
    if (!config.databaseUrl) lock = acquireDataDirLock(config.dataDir);
    database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: path.join(config.dataDir, 'pglite') });
    const openDb = database;
    const db = database.db;
    // Everything that must happen once per deployment, whatever the number of processes starting at once.
    const { keyRing, bootstrap } = await database.withStartupLock(async () => {
      await openDb.migrate();
      if (!config.jwtPrivateKeyPem) await ensureSigningKey(db, clock);
      const ring = await loadKeyRing(db, config.jwtPrivateKeyPem, { apiAudience: config.apiAudience });
      return { keyRing: ring, bootstrap: await ensureDefaultMerchant({ db, keyRing: ring, clock }, config.dataDir) };
    }).catch((error: unknown) => {
      const problem = config.databaseUrl ? connectionProblem(error) : undefined;
      throw problem ? new ConfigError(`DATABASE_URL: ${problem}`) : error;
    });
    // credentials.json may hold a key that was revoked or rotated since: say so rather than print a dead key.
    const sandboxKey = bootstrap.credentials?.sandbox.secret_key;
    const sandboxKeyValid = sandboxKey !== undefined && (await authenticateSecretKey(db, keyRing, clock, sandboxKey)) !== undefined;
    const defaultMerchant = { ...bootstrap, sandboxKeyValid };
    const documentStore = new LocalDocumentStore(path.join(config.dataDir, 'documents'));
    const app = await buildApp({ config, database, clock, keyRing, documentStore, fxRates }, { logger: options.logger });
    const url = await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
      throw listenProblem(error, config) ?? error;
    });
    const inFlight = trackRequests(app);
    // Background work (webhooks, expiries, payouts): every process shares the job table; see docs/decisions/0007.
    const jobRunner = config.jobsEnabled ? app.services.jobs : undefined;
    jobRunner?.start();
    // Planner statistics (see Database.maintain): refreshed once now, without delaying the start, then periodically.
    const maintain = () => openDb.maintain().catch((error: unknown) => app.log.warn({ err: error }, 'database maintenance failed'));
    let maintaining: Promise<unknown> = maintain();
    const maintenance = setInterval(() => (maintaining = maintain()), MAINTENANCE_INTERVAL_MS);
    maintenance.unref();
    const heldLock = lock;
    let stopping: Promise<StopReport> | undefined;
    /** Each step answers what it left unfinished, or undefined when it finished. */
    const stop = async (timeoutMs: number): Promise<StopReport> => {
      const started = Date.now();
      clearInterval(maintenance);
      // All at once. app.close() closes the listener and the idle keep-alive connections now, answers 503 to a request
      // that still arrives on an open connection, and resolves when the last connection has closed; each request in
      // flight closes its connection when answered.
      const requests = within(app.close(), timeoutMs).then(
        (closed) => (closed ? undefined : (inFlight.describe() ?? 'open HTTP connections without a request')),
        (error: unknown) => `the HTTP server, whose close failed: ${messageOf(error)}`,
      );
      inFlight.closeAfterResponse();
      // The runner claims nothing more and waits for its jobs; past the timeout it releases them (their lease ends, so
      // another process takes them at once). The race is a bound in case the release cannot reach the database.
      const jobsStopped = jobRunner
        ? within(jobRunner.stop({ timeoutMs }), timeoutMs + JOB_RELEASE_GRACE_MS).then(
            (result) => {
              if (!result) return 'the jobs of the job runner, which did not stop';
              return result.value.unfinished.length === 0 ? undefined : `${describeJobs(result.value.unfinished)}, released to other processes`;
            },
            (error: unknown) => `the job runner, whose stop failed: ${messageOf(error)}`,
          )
        : undefined;
      const maintenanceDone = within(maintaining, timeoutMs).then((done) => (done ? undefined : 'the database maintenance'));
      const left = await Promise.all([requests, jobsStopped, maintenanceDone]);
      // Past the timeout the database closes under whatever still runs: its open transactions roll back.
      left.push(
        await within(openDb.close(), DATABASE_CLOSE_GRACE_MS).then(
          (closed) => (closed ? undefined : `the database (not closed after ${DATABASE_CLOSE_GRACE_MS} ms)`),
          (error: unknown) => `the database, whose close failed: ${messageOf(error)}`,
        ),
      );
      heldLock?.release();
      const unfinished = left.filter((what): what is string => what !== undefined);
      return { clean: unfinished.length === 0, elapsedMs: Date.now() - started, unfinished };
    };
    return {
      app,
      database,
      url,
      defaultMerchant,
      stop(options = {}) {
        stopping ??= stop(options.timeoutMs ?? config.shutdownTimeoutMs);
        return stopping;
      },
      releaseLock: () => heldLock?.release(),
    };
  } catch (error) {
    await database?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
}

async function loadFxRates(config: Config): Promise<FxRateSource> {
  if (!config.fxRatesFile) return tableRateSource(DEFAULT_RATE_TABLE, 'built-in');
  try {
    return tableRateSource(await loadRateTableFile(config.fxRatesFile), config.fxRatesFile);
  } catch (error) {
    throw new ConfigError(`FX_RATES_FILE: ${(error as Error).message}`);
  }
}

/** A ConfigError naming PORT/HOST for a listen that failed because of them, else undefined. */
function listenProblem(error: unknown, config: Config): ConfigError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new ConfigError(`PORT ${config.port} is in use on HOST ${config.host}: another process listens on ${where}`);
  if (code === 'EACCES') return new ConfigError(`PORT ${config.port}: this user may not listen on ${where} (ports below 1024 need privileges)`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ConfigError(`HOST ${config.host} is not an address of this machine (${code})`);
  }
  return undefined;
}

/**
 * Listens on HOST:PORT and closes again at once: a ConfigError when the port is taken or the host is not ours (PORT 0
 * checks the host only).
 */
export async function assertPortFree(config: Config): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => reject(listenProblem(error, config) ?? error));
    probe.listen({ host: config.host, port: config.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Why the database could not be reached, for a start-up line (undefined for anything that is not a connection failure). */
function connectionProblem(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].includes(code)) {
    return `cannot connect to the database (${message})`;
  }
  // PostgreSQL's refusals: authentication (28P01, 28000), an unknown database (3D000), too many connections (53300).
  if (['28P01', '28000', '3D000', '53300'].includes(code)) return `the database refused the connection: ${message}`;
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The HTTP requests in flight, from the Node server's side. At shutdown each one's response closes its connection
 * (`Connection: close`), so the server's close does not wait for the keep-alive timeout of a connection whose
 * request was in flight when the listener closed.
 */
function trackRequests(app: App) {
  const open = new Map<ServerResponse, string>();
  let closing = false;
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.shouldKeepAlive = false;
    // Headers already sent with keep-alive: once the response is done, its connection is idle and is closed.
    else res.once('finish', () => setImmediate(() => app.server.closeIdleConnections()));
  };
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    open.set(res, `${req.method ?? '?'} ${(req.url ?? '').split('?')[0]}`);
    res.once('close', () => open.delete(res));
    if (closing) closeAfter(res);
  });
  return {
    closeAfterResponse() {
      closing = true;
      for (const res of open.keys()) closeAfter(res);
    },
    /** `2 requests (POST /api/v1/document, GET /api/v1/customer)`, or undefined when none is in flight. */
    describe(): string | undefined {
      if (open.size === 0) return undefined;
      const names = [...open.values()];
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
      return `${names.length} request${names.length === 1 ? '' : 's'} (${shown})`;
    },
  };
}

/** The jobs the runner still ran at the timeout, for the log line: `2 jobs (webhooks.deliver#12, orders.expire#40)`. */
function describeJobs(unfinished: ReadonlyArray<{ id: bigint; queue: string }>): string {
  const shown = unfinished.slice(0, 20).map((job) => `${job.queue}#${job.id}`).join(', ') + (unfinished.length > 20 ? ', …' : '');
  return `${unfinished.length} job${unfinished.length === 1 ? '' : 's'} (${shown})`;
}
