// A database, app, merchant and job runner of a suite's own, for tests of job handlers: a runner claims every due
// job of its queues, so it must not share a database with other suites (on PostgreSQL a fresh database, on PGlite
// an in-memory one). Only the given handlers run: the webhook dispatch jobs that events enqueue stay queued.
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { ensureSigningKey } from '../../src/core/auth/signing-keys.js';
import type { Clock } from '../../src/core/clock.js';
import { JobRunner, type JobHandler } from '../../src/core/jobs.js';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import { buildTestApp, createTestMerchant, type TestMerchant } from './app.js';
import { createFreshPostgresDatabase, onPostgres } from './env.js';
import { createCustomerId } from './fixtures.js';

export interface JobSuite {
  database: Database;
  app: App;
  merchant: TestMerchant;
  customerId: string;
  runner: JobRunner;
  /** Whatever a handler threw (none is expected). */
  handlerErrors: unknown[];
  /** Checks no handler threw, then closes the app and drops the database. */
  close(): Promise<void>;
}

export async function jobSuite(
  label: string,
  clock: Clock,
  handlers: (deps: { db: Db; clock: Clock }) => Record<string, JobHandler>,
): Promise<JobSuite> {
  let database: Database;
  let drop = async () => {};
  if (onPostgres) {
    const fresh = await createFreshPostgresDatabase(label);
    database = await openDatabase({ databaseUrl: fresh.url, poolMax: 5 });
    drop = fresh.drop;
  } else {
    database = await openDatabase({ databaseUrl: undefined, pgliteDataDir: 'memory' });
  }
  await database.migrate();
  await ensureSigningKey(database.db, clock);
  const { app } = await buildTestApp({ clock, database });
  const merchant = await createTestMerchant(clock, database);
  const customerId = await createCustomerId(app, merchant.sandboxSecret);
  const handlerErrors: unknown[] = [];
  const runner = new JobRunner({ db: database.db, clock, handlers: handlers({ db: database.db, clock }), onError: (error) => handlerErrors.push(error) });
  return {
    database, app, merchant, customerId, runner, handlerErrors,
    async close() {
      expect(handlerErrors).toEqual([]);
      await app.close();
      await database.close();
      await drop();
    },
  };
}
