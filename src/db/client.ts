// One database handle for both drivers: embedded PGlite (no DATABASE_URL) or node-postgres (DATABASE_URL).
// The same Drizzle schema and the same migrations folder serve both.
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
  const client = dataDir === 'memory' ? new PGlite() : new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
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
    close: () => client.close(),
  };
}

async function openPostgres(url: string, poolMax: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
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
    close: () => pool.end(),
  };
}
