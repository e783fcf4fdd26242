// One database handle for both drivers: embedded PGlite (no DATABASE_URL) or node-postgres (DATABASE_URL).
// The same Drizzle schema and the same migrations folder serve both.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The transaction handle. Inside a transaction always use it: on PGlite the outer handle waits forever. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/**
 * Rows of a hand-written query. Both drivers answer `{rows}`; the row type is the caller's promise (cast 64-bit
 * values to text in SQL: node-postgres and PGlite type them differently).
 */
export async function selectRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Key of the advisory lock that serialises start-up work (migrations, bootstrap) across processes. */
const STARTUP_LOCK_KEY = 7_304_118_251;

export interface Database {
  readonly db: Db;
  readonly driver: 'pglite' | 'postgres';
  /** Runs fn while holding the cluster-wide start-up lock, so concurrent starts never race. */
  withStartupLock<T>(fn: () => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /**
   * Keeps planner statistics and the visibility map fresh. PGlite has no autovacuum: without this its planner
   * never learns the table sizes and picks the wrong index for lists. PostgreSQL's autovacuum does it there.
   */
  maintain(): Promise<void>;
  /**
   * Calls onNotify for every NOTIFY on `channel` (its payload) until the answered function is called. PGlite delivers
   * its own notifications in-process. On PostgreSQL a dedicated connection (not one of the pool's) listens; when it
   * fails it reconnects with backoff and, once back, calls onNotify() without a payload, as notifications were missed
   * meanwhile. Answers once the first LISTEN succeeded or failed (the retries go on in the background).
   */
  listen(channel: string, onNotify: (payload?: string) => void): Promise<() => Promise<void>>;
  /** The PostgreSQL pool's connections (open, idle, requests waiting for one); PGlite has one connection and no pool. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** PGlite data folder, or 'memory' for an in-memory database (tests). */
  pgliteDataDir?: string | 'memory';
  poolMax?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolMax ?? 10) : openPglite(options.pgliteDataDir ?? 'memory');
}

async function openPglite(dataDir: string): Promise<Database> {
  if (dataDir !== 'memory') {
    // PGlite writes its files world-writable (0666 whatever the umask): the folder keeps everyone else out.
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
  }
  const client = dataDir === 'memory' ? new PGlite() : new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    poolStats: () => undefined,
    // One process per data folder is enforced by the lockfile, and PGlite serialises every query.
    withStartupLock: (fn) => fn(),
    migrate: async () => {
      await migratePglite(db as unknown as Parameters<typeof migratePglite>[0], { migrationsFolder: MIGRATIONS_FOLDER });
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    maintain: async () => {
      await client.exec('vacuum analyze');
    },
    listen: async (channel, onNotify) => {
      const unlisten = await client.listen(checkedChannel(channel), (payload) => onNotify(payload));
      return async () => {
        // After close() there is nothing left to unlisten.
        if (!client.closed) await unlisten();
      };
    },
    close: () => client.close(),
  };
}

/**
 * What pg_stat_activity shows for this process's connections, so an operator tells the processes of a host (and of
 * WEB_CONCURRENCY) apart. An `application_name` in DATABASE_URL itself wins (node-postgres reads the URL last).
 */
const applicationName = () => `glomo-server ${process.pid}`;

async function openPostgres(url: string, poolMax: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, application_name: applicationName() });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    withStartupLock: async (fn) => {
      const lockClient = await pool.connect();
      try {
        await lockClient.query('select pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
        try {
          return await fn();
        } finally {
          await lockClient.query('select pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
        }
      } finally {
        lockClient.release();
      }
    },
    migrate: async () => {
      await migrateNodePg(db as unknown as Parameters<typeof migrateNodePg>[0], { migrationsFolder: MIGRATIONS_FOLDER });
    },
    ping: async () => {
      await pool.query('select 1');
    },
    maintain: async () => undefined,
    listen: (channel, onNotify) => listenPostgres(url, checkedChannel(channel), onNotify),
    close: () => pool.end(),
  };
}

/** A channel is an SQL identifier; ours are plain lower-case names, so LISTEN needs no quoting. */
function checkedChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid notification channel ${JSON.stringify(channel)}`);
  return channel;
}

const LISTEN_RETRY_MIN_MS = 100;
const LISTEN_RETRY_MAX_MS = 10_000;

/** LISTEN on a connection of its own, reconnecting with backoff (100 ms doubling up to 10 s) when it fails. */
async function listenPostgres(url: string, channel: string, onNotify: (payload?: string) => void): Promise<() => Promise<void>> {
  let closed = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = LISTEN_RETRY_MIN_MS;
  const connect = async (reconnecting: boolean): Promise<void> => {
    if (closed) return;
    const client = new pg.Client({ connectionString: url, keepAlive: true, application_name: applicationName() });
    let failed = false;
    const fail = () => {
      if (failed) return;
      failed = true;
      if (current === client) current = undefined;
      client.end().catch(() => undefined);
      if (closed) return;
      retry = setTimeout(() => void connect(true), delay);
      retry.unref();
      delay = Math.min(delay * 2, LISTEN_RETRY_MAX_MS);
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${channel}`);
    } catch {
      fail();
      return;
    }
    if (failed) return;
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    delay = LISTEN_RETRY_MIN_MS;
    if (reconnecting) onNotify();
  };
  await connect(false);
  return async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
  };
}
