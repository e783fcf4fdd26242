// Inbound transfers credited per second on PostgreSQL (not a test): `DATABASE_URL=postgres://... npm run
// bench:inbound-transfers [-- --transfers 2000 --concurrency 16 --warmup 100]` (or BENCH_TRANSFERS, BENCH_CONCURRENCY,
// BENCH_WARMUP). One merchant with a sandbox USD virtual account and warmup + N active orders; a bank connector
// delivers one transfer per order through the operator route POST /admin/v1/merchants/{id}/inbound_transfers (the
// real app, listening on 127.0.0.1, keep-alive HTTP), each with its own connector_key and a reference naming its
// order, `concurrency` at a time: each claims its key, matches the order it names, marks it paid and posts the
// payment's journal on the merchant's (shared, hot) pending and fee accounts, one transaction. Every answer must be
// 201 with a `success` payment of its order: the others are counted and fail the run. In the same run, at the same
// concurrency, before and after: raw node-postgres transactions claiming an idempotency key and inserting a
// payment-like row and two journal-entry-like rows, N times (the storage floor). At the end every order must be paid,
// every transfer credited once, the pending balance the sum of the payments' net amounts, and verifyLedger clean.
// Runs in a throwaway database, dropped at the end.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import { randomBase62 } from '../src/core/ids.js';
import { selectRows } from '../src/db/client.js';
import { getBalances, verifyLedger } from '../src/ledger/index.js';
import { createMerchant } from '../src/modules/merchants/service.js';
import {
  benchCustomerBody, created, httpClient, machineInfo, percentile, runConcurrently, settingsFrom, shortened, statementsDuring,
  startBenchApp, withThrowawayDatabase, type BenchApp, type HttpClient,
} from './support.js';

interface Settings {
  transfers: number;
  concurrency: number;
  /** Transfers (and raw transactions) delivered before each measured run, not counted. */
  warmup: number;
}

const CURRENCY = 'USD';
const AMOUNT = 10_000;
const ADMIN_TOKEN = `bench-${randomBase62(24)}`;

interface Delivered {
  status: number;
  body: string;
  ms: number;
}

interface Measured {
  perSecond: number;
  seconds: number;
  p50: number;
  p99: number;
  nodeCpuMicros: number;
}

/** Runs `op` once per item at `concurrency` and answers the rate over the whole batch and each item's latency. */
async function timed<T>(label: string, items: readonly T[], concurrency: number, op: (item: T) => Promise<void>): Promise<Measured> {
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await runConcurrently(items, concurrency, async (item) => {
    const at = performance.now();
    await op(item);
    latencies.push(performance.now() - at);
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const run = {
    perSecond: items.length / seconds, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99),
    nodeCpuMicros: (cpu.user + cpu.system) / items.length,
  };
  console.log(
    `${label.padEnd(48)} ${run.perSecond.toFixed(0).padStart(6)} /s  (${String(items.length).padStart(5)} in ${seconds.toFixed(1)} s)` +
      `  p50 ${run.p50.toFixed(1)} ms  p99 ${run.p99.toFixed(1)} ms  node CPU ${run.nodeCpuMicros.toFixed(0)} µs/op`,
  );
  return run;
}

async function bench(url: string, settings: Settings): Promise<boolean> {
  const { transfers: count, concurrency, warmup } = settings;
  const raw = new pg.Pool({ connectionString: url, max: concurrency });
  // Dropping the database at the end terminates clients the pool is still closing: not an error here.
  raw.on('error', () => undefined);
  let started: BenchApp | undefined;
  let client: HttpClient | undefined;
  try {
    // The operator API on (ADMIN_TOKEN) and the per-IP rate limit off: the setup creates thousands of orders.
    started = await startBenchApp(url, concurrency, 'inbound', { ADMIN_TOKEN, RATE_LIMIT_PER_MINUTE: '0' });
    const { database } = started;
    const db = database.db;
    client = httpClient(started.url, concurrency);
    await machineInfo(
      raw,
      `${count} inbound transfers (+ ${warmup} warm-up) to one merchant's USD virtual account, concurrency ${concurrency}, ` +
        `app pool ${concurrency}, raw pool ${concurrency}, keep-alive HTTP on 127.0.0.1`,
    );

    const { merchant, keys } = await createMerchant({ db, keyRing: started.keyRing, clock: systemClock }, { name: 'bench inbound transfers' });
    const merchantHeaders = { authorization: `Bearer ${keys.sandbox.secretKey}` };
    const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const account = created<{ account_number: string }>(
      await client.post('/api/v1/virtual-accounts', { payment_type: 'local', currency: CURRENCY }, merchantHeaders), 'POST /api/v1/virtual-accounts',
    );
    const customer = created<{ id: string }>(await client.post('/api/v1/customer', benchCustomerBody(0), merchantHeaders), 'POST /api/v1/customer');

    // Three for the statement listing, then the warm-up, then the measured ones.
    const total = 3 + warmup + count;
    console.log(`creating ${total} active orders (POST /api/v1/orders) ...`);
    const orderIds: string[] = new Array<string>(total);
    await runConcurrently(Array.from({ length: total }, (_, i) => i), concurrency, async (i) => {
      const order = created<{ id: string }>(
        await client!.post('/api/v1/orders', { customer_id: customer.id, currency: CURRENCY, amount: AMOUNT, payment_methods: ['bank_transfer'] }, merchantHeaders),
        'POST /api/v1/orders',
      );
      orderIds[i] = order.id;
    });
    await db.execute(sql`vacuum analyze`);

    const deliver = async (i: number): Promise<Delivered> => {
      const at = performance.now();
      const reply = await client!.post(`/admin/v1/merchants/${merchant.id}/inbound_transfers`, {
        env: 'sandbox', account_number: account.account_number, amount: AMOUNT, currency: CURRENCY,
        remitter_name: 'Bench Remitter', reference: `Invoice ${orderIds[i]!}`, connector_key: `bench-transfer-${i}`,
      }, adminHeaders);
      return { ...reply, ms: performance.now() - at };
    };
    // Every answer kept, none thrown: a run that measured errors must say so and fail.
    const failures = new Map<string, { count: number; sample: string }>();
    const note = (kind: string, sample: string) => {
      const seen = failures.get(kind);
      if (seen) seen.count++;
      else failures.set(kind, { count: 1, sample });
    };
    const check = (i: number, reply: Delivered) => {
      if (reply.status !== 201) return note(`HTTP ${reply.status}`, reply.body);
      const body = JSON.parse(reply.body) as { status: string; payment: { status: string; payin_id: string | null } | null };
      if (body.status !== 'credited' || body.payment?.status !== 'success' || body.payment.payin_id !== orderIds[i]) {
        note(`201 not paying its order (${body.status}, payment ${body.payment?.status ?? 'none'})`, reply.body);
      }
    };

    for (let i = 0; i < 2; i++) check(i, await deliver(i));
    let sample: Delivered | undefined;
    const statements = await statementsDuring(async () => {
      sample = await deliver(2);
    });
    check(2, sample!);
    const writes = statements.filter((text) => /^(insert|update)/i.test(text)).length;
    console.log(`\nstatements per transfer: ${statements.length}, of which ${writes} write (raw transaction: 4 INSERTs)`);
    for (const text of statements) console.log(`  ${shortened(text)}`);
    console.log('');

    await raw.query('create table bench_raw_claims (scope text not null, key text not null, resource_id text not null, primary key (scope, key))');
    await raw.query(`create table bench_raw_payments (id text primary key, merchant_id text not null, status text not null,
      amount bigint not null, reference text, created_at timestamptz not null)`);
    await raw.query('create table bench_raw_entries (id bigserial primary key, journal_id text not null, account text not null, amount bigint not null)');
    // Same shape as a drizzle transaction: check a client out, BEGIN, the statements, COMMIT, release.
    const rawTransaction = (run: string) => async (i: number) => {
      const id = `${run}-${i}`;
      const connection = await raw.connect();
      try {
        await connection.query('begin');
        await connection.query('insert into bench_raw_claims (scope, key, resource_id) values ($1, $2, $3)', ['inbound_transfers', `key-${id}`, id]);
        await connection.query('insert into bench_raw_payments (id, merchant_id, status, amount, reference, created_at) values ($1, $2, $3, $4, $5, now())',
          [id, merchant.id, 'success', AMOUNT, `Invoice ${id}`]);
        await connection.query('insert into bench_raw_entries (journal_id, account, amount) values ($1, $2, $3), ($1, $4, $5)',
          [id, 'clearing', -AMOUNT, 'pending', AMOUNT]);
        await connection.query('commit');
      } finally {
        connection.release();
      }
    };
    const indices = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    const rawLabel = 'raw PG, BEGIN + 4 INSERTs + COMMIT';

    await runConcurrently(indices(0, warmup), concurrency, rawTransaction('warm1'));
    const rawBefore = await timed(rawLabel, indices(0, count), concurrency, rawTransaction('before'));

    await runConcurrently(indices(3, warmup), concurrency, async (i) => check(i, await deliver(i)));
    const replies: Delivered[] = [];
    const run = await timed('POST /admin/v1/merchants/{id}/inbound_transfers', indices(3 + warmup, count), concurrency, async (i) => {
      const reply = await deliver(i);
      replies.push(reply);
      check(i, reply);
    });

    await runConcurrently(indices(0, warmup), concurrency, rawTransaction('warm2'));
    const rawAfter = await timed(`${rawLabel} (again)`, indices(0, count), concurrency, rawTransaction('after'));

    const rawRate = (rawBefore.perSecond + rawAfter.perSecond) / 2;
    const drift = Math.abs(rawBefore.perSecond - rawAfter.perSecond) / rawRate;
    console.log(`\nraw PG baseline: mean of the two runs, ${rawRate.toFixed(0)} /s (they differ by ${(drift * 100).toFixed(0)}%)`);
    console.log(`ratio inbound transfers / raw PG: ${(run.perSecond / rawRate).toFixed(2)}x`);
    const non201 = replies.filter((reply) => reply.status !== 201).length;
    console.log(`answers of the measured run: ${replies.length - non201} x 201, ${non201} other`);

    const countOf = async (query: ReturnType<typeof sql>) => Number((await selectRows<{ n: string }>(db, query))[0]!.n);
    const paidOrders = await countOf(sql`select count(*) as n from orders where merchant_id = ${merchant.id} and status = 'paid'`);
    const successPayments = await countOf(sql`
      select count(*) as n from payments where merchant_id = ${merchant.id} and status = 'success' and method_type = 'bank_transfer'`);
    const allPayments = await countOf(sql`select count(*) as n from payments where merchant_id = ${merchant.id}`);
    const credited = await countOf(sql`select count(*) as n from inbound_transfers where merchant_id = ${merchant.id} and status = 'credited'`);
    const [net] = await selectRows<{ n: string | null }>(db, sql`
      select sum(amount - fee_amount) as n from payments where merchant_id = ${merchant.id} and status = 'success'`);
    const balances = await getBalances(db, { merchantId: merchant.id, env: 'sandbox' });
    const pending = balances.pending.find((entry) => entry.currency === CURRENCY)?.amount ?? 0n;
    console.log(`orders paid: ${paidOrders} of ${total}; transfers credited: ${credited}; payments: ${allPayments}, ` +
      `of which ${successPayments} success; pending ${CURRENCY} ${pending} (net of the payments: ${net?.n ?? 0})`);
    for (const [kind, { count: n, sample: body }] of failures) console.error(`  ${n} x ${kind}, e.g. ${shortened(body, 300)}`);

    const report = await verifyLedger(db);
    const { accounts, journals, entries } = report.counts;
    console.log(`verifyLedger: ${report.ok ? 'ok' : 'NOT OK'} (${accounts} accounts, ${journals} journals, ${entries} entries)`);
    for (const problem of report.problems.slice(0, 10)) console.log(`  ${problem.check}: ${problem.detail}`);

    const ok = report.ok && failures.size === 0 && paidOrders === total && credited === total && allPayments === total &&
      successPayments === total && pending === BigInt(net?.n ?? 0);
    if (!ok) console.error('the run did not credit every transfer to its order exactly once: the figures above do not count');
    return ok;
  } finally {
    client?.close();
    await raw.end();
    await started?.close();
  }
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2), process.env, {
    transfers: { fallback: 2_000, integer: true },
    concurrency: { fallback: 16, integer: true },
    warmup: { fallback: 100, integer: true },
  });
  if (!process.env.DATABASE_URL) {
    console.log('bench inbound-transfers measures PostgreSQL: skipped without DATABASE_URL (postgres://user@host:port/database)');
    return;
  }
  await withThrowawayDatabase('bench inbound-transfers', (url) => bench(url, settings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
