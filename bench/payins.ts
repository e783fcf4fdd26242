// Payin throughput over HTTP on PostgreSQL (not a test): `DATABASE_URL=postgres://... npm run bench:payins [-- --workers 8
// --seconds 5 --warmup 1 --merchants 1 --processes N]` (or BENCH_WORKERS, BENCH_SECONDS, BENCH_WARMUP, BENCH_MERCHANTS,
// BENCH_PROCESSES).
// Orders created and paid per second through the real app (buildApp with the production wiring, no job runner),
// listening on 127.0.0.1 and driven over keep-alive HTTP by concurrent workers; with --processes N the app is instead
// the real entry point (src/main.ts) in its own processes, WEB_CONCURRENCY=N, JOBS_ENABLED=false, whose CPU the bench
// reads from /proc (docs/decisions/0043-web-concurrency.md). One operation is POST /api/v1/orders
// then POST /api/v1/payment/mock, each checked for 201. In the same run, at the same concurrency: a bare Fastify with
// two trivial JSON POST routes driven the same way (the HTTP + framework floor), and raw node-postgres transactions
// of two single-row INSERTs (the storage floor). Runs in a throwaway database, dropped at the end (journals are
// append-only), and checks it with verifyLedger.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pg from 'pg';
import { loadKeyRing, type KeyRing } from '../src/core/auth/signing-keys.js';
import { systemClock } from '../src/core/clock.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { verifyLedger } from '../src/ledger/index.js';
import { createMerchant } from '../src/modules/merchants/service.js';
import {
  benchCustomerBody, httpClient, launchServer, startBenchApp, machineInfo, measureAgainstBaselines, processCpuMicros, runConcurrently, settingsFrom,
  shortened, statementsDuring, withThrowawayDatabase, type Reply, type RunSettings,
} from './support.js';

interface Settings extends RunSettings {
  /** Merchants the workers are spread over (worker w pays as merchant w mod merchants); 1 = every payment on one merchant's accounts. */
  merchants: number;
  /** 0: the app in this process; N: the real server in other processes with WEB_CONCURRENCY=N. */
  processes: number;
}

/** The app under test, wherever it runs: its URL, a database handle for set-up and verification, its processes' CPU. */
interface AppUnderTest {
  url: string;
  database: Database;
  keyRing: KeyRing;
  /** Counts the statements of one call (in-process only). */
  statementsOf?: (fn: () => Promise<void>) => Promise<string[]>;
  /** CPU of the server's processes so far, in µs (other processes only). */
  serverCpu?: () => number;
  describe: string;
  close(): Promise<void>;
}

async function inProcessApp(url: string, workers: number): Promise<AppUnderTest> {
  const started = await startBenchApp(url, workers, 'payins');
  return {
    url: started.url, database: started.database, keyRing: started.keyRing, statementsOf: statementsDuring,
    describe: `the app in this process, pool ${workers}`,
    close: () => started.close(),
  };
}

/** `npm start` with WEB_CONCURRENCY=processes on url's database, waited for until every process listens. */
async function serverProcesses(url: string, processes: number): Promise<AppUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glomo-bench-payins-'));
  const server = await launchServer({
    DATABASE_URL: url, DATA_DIR: dataDir, HOST: '127.0.0.1', WEB_CONCURRENCY: String(processes), JOBS_ENABLED: 'false',
    RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn',
  });
  let database: Database | undefined;
  try {
    const appUrl = await server.listening();
    const deadline = Date.now() + 60_000;
    while (processes > 1 && !server.output().includes(`${processes} server processes`)) {
      if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`the server processes did not start:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    database = await openDatabase({ databaseUrl: url, poolMax: 2 });
    // The primary and its workers (an idle worker may have closed its pool's connections, so not pg_stat_activity).
    const pids = [server.child.pid!, ...childrenOf(server.child.pid!)];
    const opened = database;
    return {
      url: appUrl, database, keyRing: await loadKeyRing(database.db),
      serverCpu: () => processCpuMicros(pids),
      describe: `npm start with WEB_CONCURRENCY=${processes} (${pids.length} processes: ${pids.join(', ')}), pool 10 per process`,
      async close() {
        await server.stop();
        await opened.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

const CURRENCY = 'USD';
const AMOUNT = 10_000;

type HttpClient = ReturnType<typeof httpClient>;

function created<T>(reply: Reply, what: string): T {
  if (reply.status !== 201) throw new Error(`${what}: expected 201, got ${reply.status} ${reply.body}`);
  return JSON.parse(reply.body) as T;
}

/** What each worker sends with: its merchant's sandbox secret key and a customer of that merchant. */
interface Payer {
  headers: Record<string, string>;
  customerId: string;
}

/** One operation: create an order, then pay it with a mock bank transfer; both must answer 201, the payment `success`. */
async function payin(client: HttpClient, payer: Payer): Promise<void> {
  const order = created<{ id: string; amount: number; currency: string }>(
    await client.post('/api/v1/orders', { customer_id: payer.customerId, currency: CURRENCY, amount: AMOUNT, payment_methods: ['bank_transfer'] }, payer.headers),
    'POST /api/v1/orders',
  );
  const payment = created<{ status: string }>(
    await client.post(
      '/api/v1/payment/mock',
      { payin_id: order.id, amount: order.amount, currency: order.currency, payment_method: 'BankTransfer' },
      payer.headers,
    ),
    'POST /api/v1/payment/mock',
  );
  if (payment.status !== 'success') throw new Error(`POST /api/v1/payment/mock: expected a success payment, got ${payment.status}`);
}

/**
 * The HTTP + framework floor: the same two paths, bodies and 201s, answered by routes that do nothing but echo a
 * small JSON object (no auth, no schema, no database). Same Fastify version and listen options as the app.
 */
async function bareFastify(): Promise<{ url: string; close: () => Promise<void> }> {
  const bare = Fastify({ logger: false });
  bare.post('/api/v1/orders', async (request, reply) => {
    const body = request.body as { amount: number; currency: string };
    return reply.status(201).send({ id: 'order_bench', amount: body.amount, currency: body.currency });
  });
  bare.post('/api/v1/payment/mock', async (_request, reply) => reply.status(201).send({ id: 'payt_bench', status: 'success' }));
  const url = await bare.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => bare.close() };
}


async function bench(url: string, settings: Settings): Promise<boolean> {
  const raw = new pg.Pool({ connectionString: url, max: settings.workers });
  // Dropping the database at the end terminates clients the pool is still closing: not an error here.
  raw.on('error', () => undefined);
  let started: AppUnderTest | undefined;
  let bare: Awaited<ReturnType<typeof bareFastify>> | undefined;
  const clients: HttpClient[] = [];
  try {
    // In this process, the app's pool and the raw pool are both one connection per worker, as in bench:ledger.
    started = settings.processes > 0 ? await serverProcesses(url, settings.processes) : await inProcessApp(url, settings.workers);
    const { database, keyRing, url: appUrl, statementsOf, serverCpu } = started;
    bare = await bareFastify();
    const appClient = httpClient(appUrl, settings.workers);
    const bareClient = httpClient(bare.url, settings.workers);
    clients.push(appClient, bareClient);

    await raw.query('create table bench_raw (id bigserial primary key, kind text not null, amount bigint not null, note text not null)');
    await machineInfo(
      raw,
      `${settings.workers} workers, ${started.describe}, raw pool ${settings.workers}, keep-alive HTTP on 127.0.0.1, ` +
        `${settings.warmup} s warm-up + ${settings.seconds} s per run, ${settings.merchants} merchant(s)`,
    );

    console.log(`creating ${settings.merchants} merchant(s) and one customer per worker (POST /api/v1/customer) ...`);
    const deps = { db: database.db, keyRing, clock: systemClock };
    const keys: string[] = [];
    for (let i = 0; i < Math.min(settings.merchants, settings.workers); i++) {
      keys.push((await createMerchant(deps, { name: `bench ${i}` })).keys.sandbox.secretKey);
    }
    const payers: Payer[] = new Array<Payer>(settings.workers);
    await runConcurrently(Array.from({ length: settings.workers }, (_, i) => i), settings.workers, async (worker) => {
      const headers = { authorization: `Bearer ${keys[worker % keys.length]!}` };
      const customer = created<{ id: string }>(await appClient.post('/api/v1/customer', benchCustomerBody(worker), headers), 'POST /api/v1/customer');
      payers[worker] = { headers, customerId: customer.id };
    });
    await database.db.execute(sql`vacuum analyze`);

    // Twice first, so that the process has seen the ledger accounts exist: the steady state of every later payin.
    await payin(appClient, payers[0]!);
    await payin(appClient, payers[0]!);
    if (statementsOf) {
      const statements = await statementsOf(() => payin(appClient, payers[0]!));
      console.log(`\nstatements per payin (both requests): ${statements.length} (raw transaction: 4)`);
      for (const text of statements) console.log(`  ${shortened(text)}`);
      console.log('');
    } else {
      console.log('\nstatements per payin: not counted (the server runs in other processes)\n');
    }

    // Same shape as a drizzle transaction: check a client out, BEGIN, the statements, COMMIT, release.
    const rawTransaction = async () => {
      const client = await raw.connect();
      try {
        await client.query('begin');
        await client.query('insert into bench_raw (kind, amount, note) values ($1, $2, $3)', ['order', AMOUNT, 'bench']);
        await client.query('insert into bench_raw (kind, amount, note) values ($1, $2, $3)', ['payment', AMOUNT, 'bench']);
        await client.query('commit');
      } finally {
        client.release();
      }
    };
    const bareOp = (worker: number) => payin(bareClient, payers[worker]!);

    console.log(`load average before the runs: ${loadAverage()}`);
    const ok = await measureAgainstBaselines('payins', settings, {
      label: settings.processes > 0 ? `payins, ${settings.processes} server process(es)` : 'payins: POST order + POST payment/mock',
      op: (worker) => payin(appClient, payers[worker]!),
      ...(serverCpu ? { serverCpu } : {}),
    }, [
      { name: 'bare Fastify', label: 'bare Fastify, 2 POSTs', op: bareOp },
      { name: 'raw PG', label: 'raw PG, BEGIN + 2 INSERTs + COMMIT', op: rawTransaction },
    ], () => verifyLedger(database.db));
    console.log(`load average after the runs: ${loadAverage()} (${os.cpus().length} CPUs; others' work on the machine counts in it)`);
    return ok;
  } finally {
    for (const client of clients) client.close();
    await bare?.close();
    await raw.end();
    await started?.close();
  }
}

/** A Linux process's children, from /proc (every thread's list: a child belongs to the thread that forked it). */
function childrenOf(pid: number): number[] {
  const tasks = fs.readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

const loadAverage = () => os.loadavg().map((load) => load.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const settings: Settings = settingsFrom(process.argv.slice(2), process.env, {
    workers: { fallback: 8, integer: true },
    seconds: { fallback: 5, integer: false },
    warmup: { fallback: 1, integer: false },
    merchants: { fallback: 1, integer: true },
    processes: { fallback: 0, integer: true },
  });
  await withThrowawayDatabase('bench:payins', (url) => bench(url, settings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
