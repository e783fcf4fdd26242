// Payout throughput over HTTP on PostgreSQL (not a test): `DATABASE_URL=postgres://... npm run bench:payouts [-- --workers 8
// --seconds 5 --warmup 1 --merchants 1]` (or BENCH_WORKERS, BENCH_SECONDS, BENCH_WARMUP, BENCH_MERCHANTS).
// Payouts created per second through the real app (buildApp with the production wiring, no job runner), listening on
// 127.0.0.1 and driven over keep-alive HTTP by concurrent workers: one operation is POST /api/v1/payouts to the
// worker's own v2 beneficiary (made beforehand), checked for 201 and `in_progress`. Every payout holds its amount and
// fee on the merchant's USD available balance, so with one merchant (the default) every worker waits for that one
// ledger row lock. In the same run, at the same concurrency: a bare Fastify with one trivial JSON POST route driven
// the same way (the HTTP + framework floor), and raw node-postgres transactions of as many single-row INSERTs as a
// payout sends write statements (counted from the statement capture; the storage floor). Runs in a throwaway
// database, dropped at the end (journals are append-only), and checks it with verifyLedger.
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import type { Tenant } from '../src/core/tenancy.js';
import { adjustBalance, verifyLedger } from '../src/ledger/index.js';
import { createMerchant } from '../src/modules/merchants/service.js';
import {
  created, httpClient, startBenchApp, type BenchApp, machineInfo, measureAgainstBaselines, httpBenchSettings, runConcurrently, shortened, statementsDuring,
  withThrowawayDatabase, type HttpClient, type RunSettings,
} from './support.js';

interface Settings extends RunSettings {
  /** Merchants the workers are spread over (worker w pays out as merchant w mod merchants); 1 = every hold on one balance row. */
  merchants: number;
}

const CURRENCY = 'USD';
/**
 * Minor units per payout. The SWIFT fee is 1500 US cents (src/modules/payouts/fees.ts) and must be less than the
 * source amount, so 1000 would be refused with 400; 10,000 is what the payout tests send.
 */
const AMOUNT = 10_000;
/** Far more than any run can hold (amount + fee per payout), so no payout is ever refused for funds. */
const SEED = 1_000_000_000_000n;

/** What each worker sends with: its merchant's sandbox secret key and a beneficiary of that merchant. */
interface Payer {
  headers: Record<string, string>;
  beneficiaryId: string;
}

const payoutBody = (beneficiaryId: string) => ({
  beneficiary_id: beneficiaryId, purpose_code: 'S0017', source_currency: CURRENCY, destination_currency: CURRENCY, source_amount: AMOUNT,
});

/** One operation: create a payout; it must answer 201 and be `in_progress` (funds held, sent to the simulated rail). */
async function payout(client: HttpClient, payer: Payer): Promise<void> {
  const answer = created<{ status: string }>(await client.post('/api/v1/payouts', payoutBody(payer.beneficiaryId), payer.headers), 'POST /api/v1/payouts');
  if (answer.status !== 'in_progress') throw new Error(`POST /api/v1/payouts: expected an in_progress payout, got ${answer.status}`);
}

/**
 * The HTTP + framework floor: the same path, body and 201, answered by a route that does nothing but echo a small
 * JSON object (no auth, no schema, no database). Same Fastify version and listen options as the app.
 */
async function bareFastify(): Promise<{ url: string; close: () => Promise<void> }> {
  const bare = Fastify({ logger: false });
  bare.post('/api/v1/payouts', async (request, reply) => {
    const body = request.body as { source_amount: number; source_currency: string };
    return reply.status(201).send({ id: 'payout_bench', status: 'in_progress', source_amount: body.source_amount, source_currency: body.source_currency });
  });
  const url = await bare.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => bare.close() };
}

/** A payout beneficiary in USD by SWIFT (the shape of the tests' v2Body), with an account number unique to the worker. */
const beneficiaryBody = (worker: number) => ({
  category: 'payout',
  beneficiary: {
    name: 'Bench Corporation',
    type: 'business',
    address: { address_line1: '123 Business Park', city: 'New York', state: 'NY', country_code: 'USA', postal_code: '10001' },
  },
  // 13 digits ending in 7: never one of the simulated rail's magic failure endings.
  bank_account: { account_number: `4${String(worker).padStart(11, '0')}7`, swift_code: 'CITIUS33', currency: CURRENCY },
});

/** Statements that write: the raw baseline sends one single-row INSERT for each. */
const writes = (text: string) => /^(insert|update|delete)\b/i.test(text) || (/^with\b/i.test(text) && /\b(insert|update|delete)\b/i.test(text));

async function bench(url: string, settings: Settings): Promise<boolean> {
  const raw = new pg.Pool({ connectionString: url, max: settings.workers });
  // Dropping the database at the end terminates clients the pool is still closing: not an error here.
  raw.on('error', () => undefined);
  let started: BenchApp | undefined;
  let bare: Awaited<ReturnType<typeof bareFastify>> | undefined;
  const clients: HttpClient[] = [];
  try {
    // The app's pool and the raw pool are both one connection per worker, as in bench:ledger.
    started = await startBenchApp(url, settings.workers, 'payouts');
    const { database, keyRing, url: appUrl } = started;
    bare = await bareFastify();
    const appClient = httpClient(appUrl, settings.workers);
    const bareClient = httpClient(bare.url, settings.workers);
    clients.push(appClient, bareClient);

    await raw.query('create table bench_raw (id bigserial primary key, kind text not null, amount bigint not null, note text not null)');
    const merchantCount = Math.min(settings.merchants, settings.workers);
    await machineInfo(
      raw,
      `${settings.workers} workers, pool ${settings.workers} (app and raw each), keep-alive HTTP on 127.0.0.1, ` +
        `${settings.warmup} s warm-up + ${settings.seconds} s per run, ${merchantCount} merchant(s)`,
    );

    console.log(`creating ${merchantCount} merchant(s), each credited ${SEED} ${CURRENCY} minor units, and one beneficiary per worker (POST /api/v2/beneficiaries) ...`);
    const deps = { db: database.db, keyRing, clock: systemClock };
    const keys: string[] = [];
    for (let i = 0; i < merchantCount; i++) {
      const { merchant, keys: merchantKeys } = await createMerchant(deps, { name: `bench ${i}` });
      const tenant: Tenant = { merchantId: merchant.id, env: 'sandbox' };
      const seeded = await database.db.transaction((tx) =>
        adjustBalance({ tx, clock: systemClock, tenant }, { direction: 'credit', currency: CURRENCY, amount: SEED, reason: 'bench seed' }),
      );
      if (!seeded.ok) throw new Error('seeding failed');
      keys.push(merchantKeys.sandbox.secretKey);
    }
    const payers: Payer[] = new Array<Payer>(settings.workers);
    await runConcurrently(Array.from({ length: settings.workers }, (_, i) => i), settings.workers, async (worker) => {
      const headers = { authorization: `Bearer ${keys[worker % keys.length]!}` };
      const beneficiary = created<{ id: string; status: string }>(
        await appClient.post('/api/v2/beneficiaries', beneficiaryBody(worker), headers),
        'POST /api/v2/beneficiaries',
      );
      if (beneficiary.status !== 'active') throw new Error(`POST /api/v2/beneficiaries: expected an active beneficiary, got ${beneficiary.status}`);
      payers[worker] = { headers, beneficiaryId: beneficiary.id };
    });
    await database.db.execute(sql`vacuum analyze`);

    // Twice first, so that the process has seen the ledger accounts exist: the steady state of every later payout.
    await payout(appClient, payers[0]!);
    await payout(appClient, payers[0]!);
    const statements = await statementsDuring(() => payout(appClient, payers[0]!));
    const inserts = statements.filter(writes).length;
    console.log(`\nstatements per payout: ${statements.length}, of which ${inserts} write (raw transaction: ${inserts} INSERTs, ${inserts + 2} statements)`);
    for (const text of statements) console.log(`  ${writes(text) ? 'w' : ' '} ${shortened(text)}`);
    console.log('');

    // Same shape as a drizzle transaction: check a client out, BEGIN, the statements, COMMIT, release.
    const rawTransaction = async () => {
      const client = await raw.connect();
      try {
        await client.query('begin');
        for (let i = 0; i < inserts; i++) {
          await client.query('insert into bench_raw (kind, amount, note) values ($1, $2, $3)', ['payout', AMOUNT, 'bench']);
        }
        await client.query('commit');
      } finally {
        client.release();
      }
    };
    const bareOp = (worker: number) => payout(bareClient, payers[worker]!);
    const rawLabel = `raw PG, BEGIN + ${inserts} INSERTs + COMMIT`;

    return await measureAgainstBaselines('payouts', settings, { label: `payouts: POST /api/v1/payouts, ${merchantCount} merchant(s)`, op: (worker) => payout(appClient, payers[worker]!) }, [
      { name: 'bare Fastify', label: 'bare Fastify, 1 POST', op: bareOp },
      { name: 'raw PG', label: rawLabel, op: rawTransaction },
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
  await withThrowawayDatabase('bench:payouts', (url) => bench(url, settings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
