// The test database: one per worker process, migrated once, shared by every test file of that worker.
// Tenancy isolates the tests from each other: each creates its own merchants, so no test cleans up.
// With DATABASE_URL the same tests run on PostgreSQL.
import { ensureSigningKey, loadKeyRing, type KeyRing } from '../../src/core/auth/signing-keys.js';
import { systemClock } from '../../src/core/clock.js';
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
