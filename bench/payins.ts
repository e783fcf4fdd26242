// Payin throughput over HTTP on PostgreSQL (not a test): `DATABASE_URL=postgres://... npm run bench:payins [-- --workers 8
// --seconds 5 --warmup 1 --merchants 1]` (or BENCH_WORKERS, BENCH_SECONDS, BENCH_WARMUP, BENCH_MERCHANTS).
// Orders created and paid per second through the real app (buildApp with the production wiring, no job runner),
// listening on 127.0.0.1 and driven over keep-alive HTTP by concurrent workers: one operation is POST /api/v1/orders
// then POST /api/v1/payment/mock, each checked for 201. In the same run, at the same concurrency: a bare Fastify with
// two trivial JSON POST routes driven the same way (the HTTP + framework floor), and raw node-postgres transactions
// of two single-row INSERTs (the storage floor). Runs in a throwaway database, dropped at the end (journals are
// append-only), and checks it with verifyLedger.
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import { verifyLedger } from '../src/ledger/index.js';
import { createMerchant } from '../src/modules/merchants/service.js';
import {
  benchCustomerBody, httpClient, startBenchApp, type BenchApp, machineInfo, measureAgainstBaselines, httpBenchSettings, runConcurrently, shortened, statementsDuring,
  withThrowawayDatabase, type Reply, type RunSettings,
} from './support.js';

interface Settings extends RunSettings {
  /** Merchants the workers are spread over (worker w pays as merchant w mod merchants); 1 = every payment on one merchant's accounts. */
  merchants: number;
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
  let started: BenchApp | undefined;
  let bare: Awaited<ReturnType<typeof bareFastify>> | undefined;
  const clients: HttpClient[] = [];
  try {
    // The app's pool and the raw pool are both one connection per worker, as in bench:ledger.
    started = await startBenchApp(url, settings.workers, 'payins');
    const { database, keyRing, url: appUrl } = started;
    bare = await bareFastify();
    const appClient = httpClient(appUrl, settings.workers);
    const bareClient = httpClient(bare.url, settings.workers);
    clients.push(appClient, bareClient);

    await raw.query('create table bench_raw (id bigserial primary key, kind text not null, amount bigint not null, note text not null)');
    await machineInfo(
      raw,
      `${settings.workers} workers, pool ${settings.workers} (app and raw each), keep-alive HTTP on 127.0.0.1, ` +
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
    const statements = await statementsDuring(() => payin(appClient, payers[0]!));
    console.log(`\nstatements per payin (both requests): ${statements.length} (raw transaction: 4)`);
    for (const text of statements) console.log(`  ${shortened(text)}`);
    console.log('');

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

    return await measureAgainstBaselines('payins', settings, { label: 'payins: POST order + POST payment/mock', op: (worker) => payin(appClient, payers[worker]!) }, [
      { name: 'bare Fastify', label: 'bare Fastify, 2 POSTs', op: bareOp },
      { name: 'raw PG', label: 'raw PG, BEGIN + 2 INSERTs + COMMIT', op: rawTransaction },
    ], () => verifyLedger(database.db));
  } finally {
    for (const client of clients) client.close();
    await bare?.close();
    await raw.end();
    await started?.close();
  }
}

async function main(): Promise<void> {
  const settings: Settings = httpBenchSettings();
  await withThrowawayDatabase('bench:payins', (url) => bench(url, settings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
