// Several processes starting at once on one PostgreSQL database: migrations run under an advisory lock.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { onPostgres, withFreshPostgresDatabase } from '../../test/support/env.js';
import { openDatabase } from './client.js';

describe.skipIf(!onPostgres)('migrations on PostgreSQL', () => {
  it('run once and succeed for every one of several concurrent starters on a fresh database', async () => {
    await withFreshPostgresDatabase('migrate', async (url) => {
      const databases = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ databaseUrl: url, poolMax: 2 })));
      try {
        const results = await Promise.allSettled(databases.map((database) => database.withStartupLock(() => database.migrate())));
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
        const check = new pg.Client({ connectionString: url });
        await check.connect();
        const tables = await check.query("select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = 'customers'");
        await check.end();
        expect(tables.rows[0].n).toBe(1);
      } finally {
        await Promise.all(databases.map((database) => database.close()));
      }
    });
  });
});
