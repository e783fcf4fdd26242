// Several processes starting at once on one PostgreSQL database: migrations run under an advisory lock.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { randomBase62 } from '../core/ids.js';
import { openDatabase } from './client.js';

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('migrations on PostgreSQL', () => {
  it('run once and succeed for every one of several concurrent starters on a fresh database', async () => {
    const name = `glomo_migrate_${randomBase62(8).toLowerCase()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const target = new URL(url!);
    target.pathname = `/${name}`;
    const databases = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ databaseUrl: target.toString(), poolMax: 2 })));
    try {
      const results = await Promise.allSettled(databases.map((database) => database.withStartupLock(() => database.migrate())));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const check = new pg.Client({ connectionString: target.toString() });
      await check.connect();
      const applied = await check.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      const tables = await check.query("select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = 'customers'");
      await check.end();
      expect(tables.rows[0].n).toBe(1);
      expect(applied.rows[0].n).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.all(databases.map((database) => database.close()));
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  });
});
