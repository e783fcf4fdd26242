// WEB_CONCURRENCY (docs/decisions/0043-web-concurrency.md): the real entry point as N server processes sharing one
// port through node:cluster, on a fresh PostgreSQL database. A worker killed with -9 is replaced on the same port, and
// SIGTERM to the primary drains every worker and exits 0. The bad settings are in test/startup.test.ts.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/app.js';
import { createFreshPostgresDatabase, onPostgres } from './support/env.js';
import { launch, listening, type Started } from './support/processes.js';

/** GET on a connection of its own (no keep-alive): each request is a new connection, handed to a worker in turn. */
function get(url: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { authorization: `Bearer ${key}` } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!onPostgres)('WEB_CONCURRENCY=2 on PostgreSQL', () => {
  it('runs two server processes on one port, replaces one killed with -9, and drains both on SIGTERM', async () => {
    const fresh = await createFreshPostgresDatabase('cluster');
    const databaseName = new URL(fresh.url).pathname.slice(1);
    const check = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'cluster test' });
    await check.connect();
    /** The application names of the server processes connected to the fresh database (pool and LISTEN connections). */
    const serverNames = async (): Promise<string[]> => {
      const { rows } = await check.query<{ name: string }>(
        "select distinct application_name as name from pg_stat_activity where datname = $1 and application_name like 'glomo-server %' order by 1",
        [databaseName],
      );
      return rows.map((row) => row.name);
    };
    const pidOf = (name: string) => Number(name.slice('glomo-server '.length));
    const seenPids = new Set<number>();
    let started: Started | undefined;
    try {
      const dataDir = tempDir('cluster');
      started = launch({ DATA_DIR: dataDir, DATABASE_URL: fresh.url, WEB_CONCURRENCY: '2', LOG_LEVEL: 'info' });
      const primary = started.child.pid!;
      const url = await listening(started);
      const running = started;
      await until('the cluster line', async () => (running.output().includes('server processes') ? true : undefined));
      // One banner (the first worker's), then the primary's line.
      expect(started.output().match(/listening on /g)).toHaveLength(1);
      expect(started.output()).toContain(`  2 server processes (WEB_CONCURRENCY 2) under primary pid ${primary}\n`);
      expect(started.output().indexOf('Sandbox secret key:')).toBeLessThan(started.output().indexOf('2 server processes'));

      const key = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')).sandbox.secret_key as string;
      const answers = async () => Promise.all(Array.from({ length: 6 }, () => get(`${url}/api/v1/customer`, key)));
      expect(await answers()).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await get(`${url}/api/v1/customer`, 'not-a-key')).toBe(401);

      // Two processes, each with its own connections; neither is the primary (it opens no database connection).
      const first = await until('two server processes in pg_stat_activity', async () => {
        const names = await serverNames();
        return names.length === 2 ? names : undefined;
      });
      const [a, b] = first.map(pidOf) as [number, number];
      for (const pid of [a, b]) seenPids.add(pid);
      expect(new Set([a, b, primary]).size).toBe(3);

      // A worker killed outright is replaced (one line from the primary), and the others keep answering meanwhile.
      process.kill(a, 'SIGKILL');
      const afterA = await until('a replacement for the first killed worker', async () => {
        const names = (await serverNames()).map(pidOf);
        return names.length === 2 && !names.includes(a) && names.includes(b) ? names : undefined;
      });
      const c = afterA.find((pid) => pid !== b)!;
      seenPids.add(c);
      // Connected to the database is not yet listening: the primary says when it is.
      await until(`worker ${c} ready`, async () => (running.output().includes(`"msg":"server process ${c} is ready"`) ? true : undefined));
      expect([a, b, primary]).not.toContain(c);
      expect(started.output()).toMatch(new RegExp(`server process ${a} exited \\(signal SIGKILL\\): starting another \\(restart 1 of at most 5 within 60 s\\)`));
      expect(await answers()).toEqual([200, 200, 200, 200, 200, 200]);

      // The other original goes too: now only replacements answer, on the same port (PORT=0 included: the primary keeps
      // the listening socket while one worker listens).
      process.kill(b, 'SIGKILL');
      const afterB = await until('a replacement for the second killed worker', async () => {
        const names = (await serverNames()).map(pidOf);
        return names.length === 2 && !names.includes(b) && names.includes(c) ? names : undefined;
      });
      for (const pid of afterB) seenPids.add(pid);
      expect(seenPids.size).toBe(4);
      const d = afterB.find((pid) => pid !== c)!;
      await until(`worker ${d} ready`, async () => (running.output().includes(`"msg":"server process ${d} is ready"`) ? true : undefined));
      expect(await answers()).toEqual([200, 200, 200, 200, 200, 200]);
      expect(started.output().match(/listening on /g)).toHaveLength(1);

      // Twice at once, as `npm start` relays a terminal's Ctrl-C: one shutdown (a drain), not the second signal's kill.
      started.child.kill('SIGTERM');
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
      expect(started.output()).not.toContain('second signal');
      expect(await serverNames()).toEqual([]);
      for (const pid of seenPids) expect(() => process.kill(pid, 0), `worker ${pid} still runs`).toThrow();
    } catch (error) {
      console.error(`server output:\n${started?.output() ?? '(not started)'}`);
      throw error;
    } finally {
      // Never leave a server on the database being dropped (the drop would wait on it).
      if (started && started.child.exitCode === null) {
        started.child.kill('SIGKILL');
        await started.exited;
      }
      for (const pid of seenPids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await check.end();
      await fresh.drop();
    }
  }, 180_000);
});
