// Starting and stopping a server process: config -> lock -> database -> migrations -> bootstrap -> HTTP.
import path from 'node:path';
import type { FastifyServerOptions } from 'fastify';
import { buildApp, type App } from './app.js';
import { ensureDefaultMerchant, LocalDocumentStore, type Credentials } from './composition.js';
import { ConfigError, type Config } from './config.js';
import { authenticateSecretKey } from './core/auth/api-keys.js';
import { ensureSigningKey, loadKeyRing } from './core/auth/signing-keys.js';
import { systemClock, type Clock } from './core/clock.js';
import { openDatabase, type Database } from './db/client.js';
import { acquireDataDirLock, type DataDirLock } from './db/pglite-lock.js';
import { DEFAULT_RATE_TABLE } from './fx/default-rates.js';
import { loadRateTableFile, tableRateSource, type FxRateSource } from './fx/rates.js';

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;

export interface RunningServer {
  app: App;
  database: Database;
  url: string;
  /** The merchant of DATA_DIR/credentials.json, and whether its sandbox secret key still works. */
  defaultMerchant: { created: boolean; credentials?: Credentials | undefined; sandboxKeyValid: boolean };
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: { clock?: Clock; logger?: FastifyServerOptions['logger'] } = {},
): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  let lock: DataDirLock | undefined;
  let database: Database | undefined;
  // A bad rate file stops the start before anything is opened.
  const fxRates = await loadFxRates(config);
  try {
    if (!config.databaseUrl) lock = acquireDataDirLock(config.dataDir);
    database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDataDir: path.join(config.dataDir, 'pglite') });
    const openDb = database;
    const db = database.db;
    // Everything that must happen once per deployment, whatever the number of processes starting at once.
    const { keyRing, bootstrap } = await database.withStartupLock(async () => {
      await openDb.migrate();
      if (!config.jwtPrivateKeyPem) await ensureSigningKey(db, clock);
      const ring = await loadKeyRing(db, config.jwtPrivateKeyPem);
      return { keyRing: ring, bootstrap: await ensureDefaultMerchant({ db, keyRing: ring, clock }, config.dataDir) };
    });
    // credentials.json may hold a key that was revoked or rotated since: say so rather than print a dead key.
    const sandboxKey = bootstrap.credentials?.sandbox.secret_key;
    const sandboxKeyValid = sandboxKey !== undefined && (await authenticateSecretKey(db, keyRing, clock, sandboxKey)) !== undefined;
    const defaultMerchant = { ...bootstrap, sandboxKeyValid };
    const documentStore = new LocalDocumentStore(path.join(config.dataDir, 'documents'));
    const app = await buildApp({ config, database, clock, keyRing, documentStore, fxRates }, { logger: options.logger });
    const url = await app.listen({ host: config.host, port: config.port });
    // Background work (webhooks, expiries, payouts): every process shares the job table; see docs/decisions/0007.
    const jobRunner = config.jobsEnabled ? app.services.jobs : undefined;
    jobRunner?.start();
    // Planner statistics (see Database.maintain): refreshed once now, without delaying the start, then periodically.
    const maintain = () => openDb.maintain().catch((error: unknown) => app.log.warn({ err: error }, 'database maintenance failed'));
    void maintain();
    const maintenance = setInterval(maintain, MAINTENANCE_INTERVAL_MS);
    maintenance.unref();
    const heldLock = lock;
    return {
      app,
      database,
      url,
      defaultMerchant,
      async stop() {
        clearInterval(maintenance);
        await jobRunner?.stop();
        await app.close();
        await openDb.close();
        heldLock?.release();
      },
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
