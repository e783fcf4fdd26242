// Ledger throughput on PostgreSQL (not a test): `DATABASE_URL=postgres://... npm run bench:ledger [-- --workers 8
// --seconds 5 --warmup 1 --merchants 200]` (or BENCH_WORKERS, BENCH_SECONDS, BENCH_WARMUP, BENCH_MERCHANTS).
// Journals per second through postJournal against raw single-row insert transactions on the same database, pool
// size and concurrency, in the same run: for journals spread over many merchants' accounts (locks rarely meet) and
// for one hot account (every journal waits for the same row lock). Runs in a throwaway database, dropped at the
// end, because journals are append-only and the test suites share theirs.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { ensureSigningKey, loadKeyRing } from '../src/core/auth/signing-keys.js';
import { systemClock } from '../src/core/clock.js';
import { randomBase62 } from '../src/core/ids.js';
import type { Tenant } from '../src/core/tenancy.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { adjustBalance, postJournal, verifyLedger, type JournalInput } from '../src/ledger/index.js';
import { createMerchant } from '../src/modules/merchants/service.js';

interface Settings {
  workers: number;
  seconds: number;
  warmup: number;
  merchants: number;
}

interface Run {
  label: string;
  perSecond: number;
  count: number;
  p50: number;
  p99: number;
  /** CPU time of this Node process (drizzle, node-postgres, the bench) per operation, in microseconds. */
  nodeCpuMicros: number;
}

const CURRENCY = 'USD';
/** Far more than any run can spend one minor unit at a time, so no journal is ever refused for funds. */
const SEED = 1_000_000_000_000n;

function settingsFrom(argv: string[], env: NodeJS.ProcessEnv): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      workers: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      merchants: { type: 'string' },
    },
  });
  const positive = (name: string, flag: string | undefined, fallback: number, integer: boolean): number => {
    const text = flag ?? env[`BENCH_${name.toUpperCase()}`];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`);
    }
    return value;
  };
  return {
    workers: positive('workers', values.workers, 8, true),
    seconds: positive('seconds', values.seconds, 5, false),
    warmup: positive('warmup', values.warmup, 1, false),
    merchants: positive('merchants', values.merchants, 200, true),
  };
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/**
 * `workers` loops call `op` back to back: first for the warm-up (not counted), then for the measured duration.
 * Answers operations per second over the measured window and the latency of each operation.
 */
async function measure(label: string, settings: Settings, op: (worker: number) => Promise<void>): Promise<Run> {
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
  const started = performance.now();
  await Promise.all(workers.map((w) => loop(w, started + settings.seconds * 1000, latencies)));
  // Operations still in flight at the deadline finish and count: divide by the time they actually took.
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const run: Run = {
    label,
    perSecond: latencies.length / elapsed,
    count: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    nodeCpuMicros: (cpu.user + cpu.system) / latencies.length,
  };
  console.log(
    `${label.padEnd(44)} ${run.perSecond.toFixed(0).padStart(7)} /s  (${String(run.count).padStart(6)} in ${elapsed.toFixed(1)} s)` +
      `  p50 ${run.p50.toFixed(2).padStart(6)} ms  p99 ${run.p99.toFixed(2).padStart(6)} ms  node CPU ${run.nodeCpuMicros.toFixed(0).padStart(4)} µs/op`,
  );
  return run;
}

async function runConcurrently<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

let journalSeq = 0;
/** One minor unit from the merchant's available balance to its fees account: a checked debit and a credit. */
const feeJournal = (): JournalInput => ({
  kind: 'bench_fee',
  cause: { type: 'bench', id: `bench_${++journalSeq}` },
  entries: [
    { account: { purpose: 'available', currency: CURRENCY }, amount: -1n },
    { account: { purpose: 'fees', currency: CURRENCY }, amount: 1n },
  ],
});

async function postFee(database: Database, tenant: Tenant): Promise<void> {
  const result = await database.db.transaction((tx) => postJournal(tx, systemClock, tenant, feeJournal()));
  if (!result.ok) throw new Error(`journal refused: ${result.reason} on ${result.purpose} (balance ${result.balance})`);
}

/** Creates a funded merchant whose available and fees accounts already exist, so no measured journal creates one. */
async function fundedTenant(database: Database, deps: Parameters<typeof createMerchant>[0], name: string): Promise<Tenant> {
  const { merchant } = await createMerchant(deps, { name });
  const tenant: Tenant = { merchantId: merchant.id, env: 'sandbox' };
  const seeded = await database.db.transaction((tx) =>
    adjustBalance(tx, systemClock, tenant, { direction: 'credit', currency: CURRENCY, amount: SEED, reason: 'bench seed' }),
  );
  if (!seeded.ok) throw new Error('seeding failed');
  await postFee(database, tenant);
  return tenant;
}

/**
 * The statements one postJournal transaction sends, seen by wrapping pg.Client#query for that one transaction
 * (drizzle's node-postgres driver sends everything, BEGIN and COMMIT included, through it).
 */
async function statementsPerJournal(database: Database, tenant: Tenant): Promise<string[]> {
  // Once more first, so that this process has seen the accounts exist: the steady state of every later journal.
  await postFee(database, tenant);
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
    await postFee(database, tenant);
  } finally {
    prototype.query = original;
  }
  return seen;
}

async function machineInfo(pool: pg.Pool, settings: Settings): Promise<void> {
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
  console.log(
    `bench:      ${settings.workers} workers, pool ${settings.workers} (ledger and raw each), ${settings.warmup} s warm-up + ${settings.seconds} s per run, ` +
      `${settings.merchants} merchants\n`,
  );
}

async function bench(url: string, settings: Settings): Promise<boolean> {
  const database = await openDatabase({ databaseUrl: url, poolMax: settings.workers });
  const raw = new pg.Pool({ connectionString: url, max: settings.workers });
  // Dropping the database at the end terminates clients the pool is still closing: not an error here.
  raw.on('error', () => undefined);
  try {
    await database.migrate();
    await ensureSigningKey(database.db, systemClock);
    const deps = { db: database.db, keyRing: await loadKeyRing(database.db), clock: systemClock };
    await raw.query('create table bench_raw (id bigserial primary key, amount bigint not null, note text not null)');
    await raw.query('create table bench_counter (id int primary key, n bigint not null)');
    await raw.query('insert into bench_counter values (1, 0)');
    await machineInfo(raw, settings);

    console.log(`seeding ${settings.merchants} + 1 merchants (${CURRENCY} available and fees accounts each) ...`);
    const tenants: Tenant[] = [];
    await runConcurrently(
      Array.from({ length: settings.merchants }, (_, i) => i),
      settings.workers,
      async (i) => void tenants.push(await fundedTenant(database, deps, `bench ${i}`)),
    );
    const hot = await fundedTenant(database, deps, 'bench hot');
    await database.db.execute(sql`vacuum analyze`);

    const statements = await statementsPerJournal(database, hot);
    console.log(`\nstatements per postJournal transaction: ${statements.length} (raw insert transaction: 3)`);
    for (const text of statements) console.log(`  ${text.length > 110 ? `${text.slice(0, 107)}...` : text}`);
    console.log('');

    // Same shape as the drizzle transaction: check a client out, BEGIN, one statement, COMMIT, release.
    const rawTransaction = (statement: string, values: unknown[]) => async () => {
      const client = await raw.connect();
      try {
        await client.query('begin');
        await client.query(statement, values);
        await client.query('commit');
      } finally {
        client.release();
      }
    };
    const rawInsert = rawTransaction('insert into bench_raw (amount, note) values ($1, $2)', [1, 'bench']);
    const rawHotUpdate = rawTransaction('update bench_counter set n = n + 1 where id = $1', [1]);

    const rawBefore = await measure('raw insert transactions', settings, rawInsert);
    const many = await measure(`ledger, ${settings.merchants} merchants (random)`, settings, () =>
      postFee(database, tenants[Math.floor(Math.random() * tenants.length)]!),
    );
    const hotRun = await measure('ledger, one hot account', settings, () => postFee(database, hot));
    const hotRow = await measure('raw update of one hot row (floor, not ratio)', settings, rawHotUpdate);
    const rawAfter = await measure('raw insert transactions (again)', settings, rawInsert);

    const rawRate = (rawBefore.perSecond + rawAfter.perSecond) / 2;
    const drift = Math.abs(rawBefore.perSecond - rawAfter.perSecond) / rawRate;
    console.log(`\nraw baseline: mean of the two raw runs, ${rawRate.toFixed(0)} /s (they differ by ${(drift * 100).toFixed(0)}%)`);
    console.log(`ratio ledger / raw, many accounts:    ${(many.perSecond / rawRate).toFixed(2)}x`);
    console.log(`ratio ledger / raw, one hot account:  ${(hotRun.perSecond / rawRate).toFixed(2)}x`);
    console.log(`hot account / hot raw row:            ${(hotRun.perSecond / hotRow.perSecond).toFixed(2)}x`);

    const report = await verifyLedger(database.db);
    const { accounts, journals, entries } = report.counts;
    console.log(`\nverifyLedger: ${report.ok ? 'ok' : 'NOT OK'} (${accounts} accounts, ${journals} journals, ${entries} entries)`);
    for (const problem of report.problems.slice(0, 10)) console.log(`  ${problem.check}: ${problem.detail}`);
    return report.ok;
  } finally {
    await raw.end();
    await database.close();
  }
}

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('bench:ledger measures PostgreSQL: set DATABASE_URL (postgres://user@host:port/database)');
  const settings = settingsFrom(process.argv.slice(2), process.env);

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
    ok = await bench(url.toString(), settings);
  } finally {
    process.off('SIGINT', interrupted);
    await drop();
    await admin.end();
  }
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
