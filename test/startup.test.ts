// The quick start as a user runs it: the real entry point in child processes.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/app.js';
import { launch, listening, type Started } from './support/processes.js';
import { onPostgres, withFreshPostgresDatabase } from './support/env.js';

const running: Started[] = [];
afterAll(async () => {
  for (const started of running) if (started.child.exitCode === null) started.child.kill('SIGKILL');
});

describe('npm start on the embedded database', () => {
  it('creates a default merchant, prints a working sandbox key, and refuses a second process on the same DATA_DIR', async () => {
    const dataDir = tempDir('start');
    const first = launch({ DATA_DIR: dataDir });
    running.push(first);
    const url = await listening(first);

    const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
    expect(fs.statSync(path.join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain(credentials.sandbox.secret_key);
    expect(credentials.sandbox.public_key).toMatch(/^test_/);
    expect(credentials.merchant_id).toMatch(/^merch_/);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { status: 'ok', driver: 'pglite' } });
    expect(health.headers.get('x-request-id')).toMatch(/^req_/);
    const echoed = await fetch(`${url}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');

    const customers = await fetch(`${url}/api/v1/customer`, { headers: { authorization: `Bearer ${credentials.sandbox.secret_key}` } });
    expect(customers.status).toBe(200);

    const second = launch({ DATA_DIR: dataDir });
    running.push(second);
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(/Another glomo-server process \(pid \d+\) is using the data folder/);
    // The first one is untouched.
    expect((await fetch(`${url}/health`)).status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'glomo.lock'))).toBe(false);

    // A restart keeps the data and the keys.
    const again = launch({ DATA_DIR: dataDir });
    running.push(again);
    const url2 = await listening(again);
    expect(again.output()).toContain(`Using merchant ${credentials.merchant_id}`);
    const after = await fetch(`${url2}/api/v1/customer`, { headers: { authorization: `Bearer ${credentials.sandbox.secret_key}` } });
    expect(after.status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 120_000);

  it('refuses a bad configuration with a clear message', async () => {
    const started = launch({ DATA_DIR: tempDir('badcfg'), PORT: 'eighty' });
    expect(await started.exited).toBe(2);
    expect(started.output()).toContain('PORT must be an integer');
  }, 30_000);
});

describe.skipIf(!onPostgres)('npm start on PostgreSQL', () => {
  it('three processes starting at once on a fresh database migrate once and create one default merchant', async () => {
    await withFreshPostgresDatabase('start', async (databaseUrl) => {
      const starts = [0, 1, 2].map(() => launch({ DATA_DIR: tempDir('pgstart'), DATABASE_URL: databaseUrl }));
      running.push(...starts);
      const urls = await Promise.all(starts.map(listening));
      for (const serverUrl of urls) {
        const health = await fetch(`${serverUrl}/health`);
        expect(await health.json()).toMatchObject({ status: 'ok', database: { driver: 'postgres' } });
      }
      const check = new pg.Client({ connectionString: databaseUrl });
      await check.connect();
      const merchants = await check.query('select count(*)::int as n from merchants');
      const keys = await check.query('select count(*)::int as n from signing_keys');
      await check.end();
      expect(merchants.rows[0].n).toBe(1);
      expect(keys.rows[0].n).toBe(1);
      // Exactly one of them created the merchant and printed its key; a key from it works on every process.
      const creators = starts.filter((s) => s.output().includes('Created merchant'));
      expect(creators).toHaveLength(1);
      const secret = /Sandbox secret key:\s+(\S+)/.exec(creators[0]!.output())![1]!;
      for (const serverUrl of urls) {
        const response = await fetch(`${serverUrl}/api/v1/customer`, { headers: { authorization: `Bearer ${secret}` } });
        expect(response.status).toBe(200);
      }
      for (const started of starts) started.child.kill('SIGTERM');
      expect(await Promise.all(starts.map((s) => s.exited))).toEqual([0, 0, 0]);
    });
  }, 120_000);
});
