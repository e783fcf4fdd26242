// The test database: one per worker process, migrated once, shared by every test file of that worker.
// Tenancy isolates the tests from each other: each creates its own merchants, so no test cleans up.
// With DATABASE_URL the same tests run on PostgreSQL.
import { ensureSigningKey, loadKeyRing, type KeyRing } from '../../src/core/auth/signing-keys.js';
import { systemClock } from '../../src/core/clock.js';
import pg from 'pg';
import { randomBase62 } from '../../src/core/ids.js';
import { openDatabase, type Database } from '../../src/db/client.js';

export interface TestEnv {
  database: Database;
  keyRing: KeyRing;
}

const KEY = Symbol.for('glomo.test.env');
type GlobalWithEnv = typeof globalThis & { [KEY]?: Promise<TestEnv> };

async function create(): Promise<TestEnv> {
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, pgliteDataDir: 'memory', poolMax: 5 });
  await database.withStartupLock(async () => {
    await database.migrate();
    await ensureSigningKey(database.db, systemClock);
  });
  return { database, keyRing: await loadKeyRing(database.db) };
}

export function testEnv(): Promise<TestEnv> {
  const holder = globalThis as GlobalWithEnv;
  holder[KEY] ??= create();
  return holder[KEY];
}

export const onPostgres = Boolean(process.env.DATABASE_URL);

/** A new, empty PostgreSQL database next to DATABASE_URL's, and how to drop it (connections are closed by force). */
export async function createFreshPostgresDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('createFreshPostgresDatabase needs DATABASE_URL');
  const name = `glomo_${label}_${randomBase62(8).toLowerCase()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      try {
        await dropper.query(`drop database ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Runs fn with the URL of a new, empty PostgreSQL database (next to DATABASE_URL's), dropped afterwards. */
export async function withFreshPostgresDatabase<T>(label: string, fn: (url: string) => Promise<T>): Promise<T> {
  const fresh = await createFreshPostgresDatabase(label);
  try {
    return await fn(fresh.url);
  } finally {
    await fresh.drop();
  }
}
