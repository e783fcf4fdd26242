// The quick start as a user runs it: the real entry point in child processes.
import fs from 'node:fs';
import net from 'node:net';
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

  it('keeps credentials.json and the banner on the default merchant\'s current keys after a reissue and a rotation', async () => {
    const dataDir = tempDir('rekey');
    const adminToken = 'startup-admin-token-0123456789';
    const read = () => JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
    const first = launch({ DATA_DIR: dataDir, ADMIN_TOKEN: adminToken });
    running.push(first);
    const url = await listening(first);
    expect(first.output()).toContain(`Operator API on at ${url}/admin/v1`);
    const original = read();

    // The operator reissues the sandbox keys: the file follows at once, production untouched.
    const reissued = await fetch(`${url}/admin/v1/merchants/${original.merchant_id}/keys/reissue`, {
      method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ env: 'sandbox' }),
    });
    expect(reissued.status).toBe(200);
    const { keys } = await reissued.json() as { keys: { sandbox: { secret_key: string; public_key: string } } };
    expect(read()).toEqual({ ...original, sandbox: keys.sandbox });

    // The merchant rotates its secret key: the file holds the new one (the previous keeps working for a while).
    const rotated = await fetch(`${url}/api/v1/api-keys/rotate`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.sandbox.secret_key}`, 'content-type': 'application/json' }, body: JSON.stringify({ expire_after_in_seconds: 3600 }),
    });
    expect(rotated.status, await rotated.clone().text()).toBe(200);
    const newKey = ((await rotated.json()) as { secret_key: string }).secret_key;
    expect(read().sandbox).toEqual({ secret_key: newKey, public_key: keys.sandbox.public_key });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A restart prints the current key, and it works.
    const again = launch({ DATA_DIR: dataDir });
    running.push(again);
    const url2 = await listening(again);
    expect(again.output()).toContain(newKey);
    expect(again.output()).toContain('Operator API off (set ADMIN_TOKEN');
    expect((await fetch(`${url2}/api/v1/customer`, { headers: { authorization: `Bearer ${newKey}` } })).status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 180_000);

  it('refuses each bad or unusable setting with one line naming it, exit code 2, nothing written to DATA_DIR', async () => {
    // A port this test holds, so that the server finds it in use.
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const heldPort = String((holder.address() as net.AddressInfo).port);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'eighty' }, /^PORT must be an integer, got 'eighty'$/],
      [{ PORT: heldPort }, new RegExp(`^PORT ${heldPort} is in use on HOST 127\\.0\\.0\\.1: another process listens on 127\\.0\\.0\\.1:${heldPort}$`)],
      [{ DATABASE_URL: 'notaurl' }, /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL /],
      // Nothing listens on port 1: unreachable.
      [{ DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/glomo' }, /^DATABASE_URL: cannot connect to the database \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/],
      [{ JWT_PRIVATE_KEY: 'not a key' }, /^JWT_PRIVATE_KEY must be an RSA private key in PKCS#8 PEM form /],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/],
      [{ BODY_LIMIT_BYTES: '-5' }, /^BODY_LIMIT_BYTES must be an integer, got '-5'$/],
      [{ HOST: '192.0.2.1' }, /^HOST 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\)$/],
      // Several processes (docs/decisions/0043-web-concurrency.md): PGlite is one process only, 1 to 64.
      [{ WEB_CONCURRENCY: '2' }, /^WEB_CONCURRENCY 2 needs DATABASE_URL: the embedded database \(PGlite\) is one process only$/],
      [{ WEB_CONCURRENCY: '0' }, /^WEB_CONCURRENCY must be between 1 and 64, got 0$/],
      [{ WEB_CONCURRENCY: 'abc' }, /^WEB_CONCURRENCY must be an integer, got 'abc'$/],
      [{ WEB_CONCURRENCY: '65' }, /^WEB_CONCURRENCY must be between 1 and 64, got 65$/],
      // The cluster's primary checks the port; its first worker's failure is the only line, and its exit code.
      [{ WEB_CONCURRENCY: '2', DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/glomo', PORT: heldPort }, new RegExp(`^PORT ${heldPort} is in use on HOST 127\\.0\\.0\\.1`)],
      [{ WEB_CONCURRENCY: '2', DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/glomo' }, /^DATABASE_URL: cannot connect to the database \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/],
    ];
    try {
      await Promise.all(cases.map(async ([env, expected]) => {
        const dataDir = path.join(tempDir('badcfg'), 'data');
        const started = launch({ DATA_DIR: dataDir, ...env });
        running.push(started);
        const label = JSON.stringify(env);
        expect(await started.exited, label).toBe(2);
        const lines = started.output().trim().split('\n');
        expect(lines, label).toHaveLength(1);
        expect(lines[0]!.replace(/^glomo-server: /, ''), label).toMatch(expected);
        expect(started.output(), label).not.toMatch(/hunter2|\n\s+at /);
        expect(fs.existsSync(dataDir), `${label} wrote into DATA_DIR`).toBe(false);
      }));
    } finally {
      holder.close();
    }
  }, 180_000);
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
