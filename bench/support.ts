// What the PostgreSQL throughput benches (bench/ledger.ts, bench/payins.ts, bench/payouts.ts) share: settings from
// argv and env, the measuring loop (warm-up, workers, p50/p99, Node CPU per operation), the machine lines, a
// throwaway database, and a keep-alive JSON client for the HTTP benches.
import fs from 'node:fs';
import path from 'node:path';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ensureSigningKey, loadKeyRing, type KeyRing } from '../src/core/auth/signing-keys.js';
import { systemClock } from '../src/core/clock.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { DEFAULT_RATE_TABLE } from '../src/fx/default-rates.js';
import { tableRateSource } from '../src/fx/rates.js';
import { LocalDocumentStore } from '../src/modules/documents/storage.js';
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { randomBase62 } from '../src/core/ids.js';
import type { LedgerReport } from '../src/ledger/index.js';

/** What every run of `measure` needs; each bench adds its own settings. */
export interface RunSettings {
  workers: number;
  seconds: number;
  warmup: number;
}

export interface SettingSpec {
  fallback: number;
  integer: boolean;
}

/**
 * Reads each named setting from `--name VALUE`, else from `BENCH_NAME`, else its fallback; anything that is not a
 * positive number (or integer, when asked) is refused with the flag's name.
 */
export function settingsFrom<K extends string>(argv: string[], env: NodeJS.ProcessEnv, specs: Record<K, SettingSpec>): Record<K, number> {
  const names = Object.keys(specs) as K[];
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
  });
  const flags = values as Record<string, string | undefined>;
  const settings = {} as Record<K, number>;
  for (const name of names) {
    const { fallback, integer } = specs[name];
    const text = flags[name] ?? env[`BENCH_${name.toUpperCase()}`];
    if (text === undefined || text === '') {
      settings[name] = fallback;
      continue;
    }
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`);
    }
    settings[name] = value;
  }
  return settings;
}

export interface Run {
  label: string;
  perSecond: number;
  count: number;
  p50: number;
  p99: number;
  /** CPU time of this Node process (everything it runs: app, drivers, the bench) per operation, in microseconds. */
  nodeCpuMicros: number;
  /** With `serverCpu`: CPU time of the server's own processes (another process tree) per operation, in microseconds. */
  serverCpuMicros?: number;
}

export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/**
 * `workers` loops call `op` back to back: first for the warm-up (not counted), then for the measured duration.
 * Answers operations per second over the measured window and the latency of each operation. `serverCpu`, for a
 * server in other processes: their CPU time so far, in microseconds (see processCpuMicros).
 */
export async function measure(
  label: string,
  settings: RunSettings,
  op: (worker: number) => Promise<void>,
  serverCpu?: () => number,
): Promise<Run> {
  const loop = async (worker: number, until: number, latencies?: number[]) => {
    while (performance.now() < until) {
      const started = performance.now();
      await op(worker);
      latencies?.push(performance.now() - started);
    }
  };
  const workers = Array.from({ length: settings.workers }, (_, i) => i);
  const warmEnd = performance.now() + settings.warmup * 1000;
  await Promise.all(workers.map((w) => loop(w, warmEnd)));

  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const serverBefore = serverCpu?.();
  const started = performance.now();
  await Promise.all(workers.map((w) => loop(w, started + settings.seconds * 1000, latencies)));
  // Operations still in flight at the deadline finish and count: divide by the time they actually took.
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverMicros = serverBefore === undefined ? undefined : serverCpu!() - serverBefore;
  latencies.sort((a, b) => a - b);
  const run: Run = {
    label,
    perSecond: latencies.length / elapsed,
    count: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    nodeCpuMicros: (cpu.user + cpu.system) / latencies.length,
    ...(serverMicros === undefined ? {} : { serverCpuMicros: serverMicros / latencies.length }),
  };
  console.log(
    `${label.padEnd(44)} ${run.perSecond.toFixed(0).padStart(7)} /s  (${String(run.count).padStart(6)} in ${elapsed.toFixed(1)} s)` +
      `  p50 ${run.p50.toFixed(2).padStart(6)} ms  p99 ${run.p99.toFixed(2).padStart(6)} ms  node CPU ${run.nodeCpuMicros.toFixed(0).padStart(4)} µs/op` +
      (run.serverCpuMicros === undefined ? '' : `  server CPU ${run.serverCpuMicros.toFixed(0).padStart(4)} µs/op (${((serverMicros ?? 0) / 1e6 / elapsed).toFixed(2)} cores)`),
  );
  return run;
}

export async function runConcurrently<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** The machine, Node, PostgreSQL and its durability settings, then the bench's own line. */
export async function machineInfo(pool: pg.Pool, benchLine: string): Promise<void> {
  const cpus = os.cpus();
  const setting = async (name: string) => (await pool.query<{ setting: string }>('select setting from pg_settings where name = $1', [name])).rows[0]?.setting ?? '?';
  const { rows } = await pool.query<{ version: string }>('select version()');
  console.log(`machine:    ${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`);
  console.log(`node:       ${process.version}`);
  console.log(`postgres:   ${rows[0]?.version ?? '?'}`);
  console.log(
    `settings:   synchronous_commit=${await setting('synchronous_commit')} fsync=${await setting('fsync')} ` +
      `wal_sync_method=${await setting('wal_sync_method')} shared_buffers=${await setting('shared_buffers')}x8kB`,
  );
  console.log(`bench:      ${benchLine}\n`);
}

/**
 * Runs `bench` on a throwaway database `glomo_bench_<random>` next to the one in DATABASE_URL, dropped at the end
 * (also on failure and on Ctrl-C); sets exit code 1 when the bench answers false.
 */
export async function withThrowawayDatabase(script: string, bench: (url: string) => Promise<boolean>): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error(`${script} measures PostgreSQL: set DATABASE_URL (postgres://user@host:port/database)`);

  const name = `glomo_bench_${randomBase62(10).toLowerCase()}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const drop = () => admin.query(`drop database if exists ${name} with (force)`);
  const interrupted = () => void drop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  await admin.query(`create database ${name}`);
  let ok: boolean;
  try {
    ok = await bench(url.toString());
  } finally {
    process.off('SIGINT', interrupted);
    await drop();
    await admin.end();
  }
  if (!ok) process.exitCode = 1;
}

/**
 * The statements sent while `fn` runs, seen by wrapping pg.Client#query (drizzle's node-postgres driver sends
 * everything, BEGIN and COMMIT included, through it). Run nothing else on any pool meanwhile.
 */
export async function statementsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const query = args[0];
    const text = typeof query === 'string' ? query : (query as { text?: string } | undefined)?.text ?? '?';
    seen.push(text.replace(/\s+/g, ' ').trim());
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    prototype.query = original;
  }
  return seen;
}

export const shortened = (text: string, length = 110) => (text.length > length ? `${text.slice(0, length - 3)}...` : text);

export interface Reply {
  status: number;
  body: string;
}

/** POSTs JSON to one server over a keep-alive agent of `sockets` connections (one per worker, so none waits for another). */
export function httpClient(baseUrl: string, sockets: number) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const post = (urlPath: string, body: unknown, headers: Record<string, string>) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = http.request(
        {
          agent, host: url.hostname, port: url.port, path: urlPath, method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return { post, close: () => agent.destroy() };
}
export type HttpClient = ReturnType<typeof httpClient>;

/** The JSON body of a 201, else an error naming the request, the status and the body. */
export function created<T>(reply: Reply, what: string): T {
  if (reply.status !== 201) throw new Error(`${what}: expected 201, got ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as T;
}

/**
 * Runs each baseline, then the main op, then each baseline again (so drift between them shows), prints each
 * baseline's mean and how far its two runs differ, the main run's ratio to each, and the bench database's ledger
 * verification; answers whether the ledger is consistent.
 */
export async function measureAgainstBaselines(
  name: string,
  settings: RunSettings,
  main: { label: string; op: (worker: number) => Promise<void>; serverCpu?: () => number },
  baselines: ReadonlyArray<{ name: string; label: string; op: (worker: number) => Promise<void> }>,
  ledger: () => Promise<LedgerReport>,
): Promise<boolean> {
  const before: Run[] = [];
  for (const baseline of baselines) before.push(await measure(baseline.label, settings, baseline.op));
  const run = await measure(main.label, settings, main.op, main.serverCpu);
  const after: Run[] = [];
  for (const baseline of [...baselines].reverse()) after.unshift(await measure(`${baseline.label} (again)`, settings, baseline.op));
  console.log('');
  const rates = baselines.map((baseline, i) => {
    const rate = (before[i]!.perSecond + after[i]!.perSecond) / 2;
    const drift = Math.abs(before[i]!.perSecond - after[i]!.perSecond) / rate;
    console.log(`${baseline.name} baseline: mean of the two runs, ${rate.toFixed(0)} /s (they differ by ${(drift * 100).toFixed(0)}%)`);
    return { name: baseline.name, rate };
  });
  for (const { name: baselineName, rate } of rates) console.log(`ratio ${name} / ${baselineName}:`.padEnd(32) + `${(run.perSecond / rate).toFixed(2)}x`);
  const report = await ledger();
  const { accounts, journals, entries } = report.counts;
  console.log(`\nverifyLedger: ${report.ok ? 'ok' : 'NOT OK'} (${accounts} accounts, ${journals} journals, ${entries} entries)`);
  for (const problem of report.problems.slice(0, 10)) console.log(`  ${problem.check}: ${problem.detail}`);
  if (!report.ok) console.error('verifyLedger found problems in the bench database: the figures above do not count');
  return report.ok;
}

/** `settingsFrom` with the HTTP benches' defaults: 8 workers, 5 s runs after 1 s of warm-up, 1 merchant. */
export function httpBenchSettings(): RunSettings & { merchants: number } {
  return settingsFrom(process.argv.slice(2), process.env, {
    workers: { fallback: 8, integer: true },
    seconds: { fallback: 5, integer: false },
    warmup: { fallback: 1, integer: false },
    merchants: { fallback: 1, integer: true },
  });
}

export interface BenchApp {
  database: Database;
  keyRing: KeyRing;
  app: App;
  url: string;
  close(): Promise<void>;
}

/**
 * The real app in-process on `url`'s database, listening on 127.0.0.1: what startServer does before listening,
 * minus the data-dir lock (PostgreSQL), the default merchant and the job runner (JOBS_ENABLED=false: a web-only
 * process, so background jobs stay queued); the logger is off, as in the tests. One database connection per worker.
 */
/** `env`: more settings for loadConfig (the operator API's ADMIN_TOKEN, RATE_LIMIT_PER_MINUTE, …). */
export async function startBenchApp(url: string, workers: number, label: string, env: Record<string, string> = {}): Promise<BenchApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `glomo-bench-${label}-`));
  const database = await openDatabase({ databaseUrl: url, poolMax: workers });
  let app: App | undefined;
  try {
    await database.migrate();
    await ensureSigningKey(database.db, systemClock);
    const keyRing = await loadKeyRing(database.db);
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, HOST: '127.0.0.1', PORT: '0', JOBS_ENABLED: 'false', ...env });
    app = await buildApp({
      config, database, clock: systemClock, keyRing,
      documentStore: new LocalDocumentStore(path.join(config.dataDir, 'documents')),
      fxRates: tableRateSource(DEFAULT_RATE_TABLE, 'built-in'),
    });
    const listening = await app.listen({ host: config.host, port: config.port });
    const started = app;
    return {
      database, keyRing, app: started, url: listening,
      async close() {
        await started.close();
        await database.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app?.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export interface ServerProcess {
  child: import('node:child_process').ChildProcessWithoutNullStreams;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<number | null>;
  /** Its base URL, once it printed `listening on`. */
  listening(): Promise<string>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A real server process, as a user runs it: `node --import tsx src/main.ts` in `root` (this checkout by default) with
 * `env` on top of this process's environment (DATABASE_URL removed unless `env` sets it), PORT 0, LOG_LEVEL warn.
 */
export async function launchServer(env: Record<string, string>, root = path.resolve(import.meta.dirname, '..')): Promise<ServerProcess> {
  const { spawn } = await import('node:child_process');
  const base = { ...process.env };
  delete base.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...base, PORT: '0', LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async listening() {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) return match[1]!;
        if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`server did not start:\n${output}`);
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU time (user + system) of these Linux processes so far, in microseconds, from /proc (a process gone counts 0). */
export function processCpuMicros(pids: readonly number[]): number {
  let micros = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name (in parentheses, may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    micros += ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  }
  return micros;
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** A valid customer for the HTTP benches, with its own email per `n`. */
export const benchCustomerBody = (n: number) => ({
  name: 'Bench Customer',
  customer_type: 'individual',
  email: `bench.${n}@example.com`,
  phone: '+91-9023456789',
  dob: '2003-11-29',
  nationality: 'IND',
  address: '123 Main St',
  city: 'Anytown',
  state: 'Anystate',
  country: 'IND',
  pincode: '560048',
});
