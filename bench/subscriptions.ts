// Renewal throughput on PostgreSQL (not a test): `DATABASE_URL=postgres://... npm run bench:subscriptions [-- --subscriptions
// 10000 --concurrency 8 --runners 1]` (or BENCH_SUBSCRIPTIONS, BENCH_CONCURRENCY, BENCH_RUNNERS).
// N active monthly subscriptions of one merchant fall due at once (their cycle-2 renewal jobs are all due), and the
// job runner charges them: renewals charged per second from the runner's start until every one is billed. Each
// renewal is what the scheduler does in production: the subscription locked, the saved card charged (a payment row),
// the journal (pending credited net of the price's fee), the `payment` and `subscription` events with their dispatch
// jobs, the next cycle's job, one transaction. In the same run, at the same concurrency: raw node-postgres
// transactions inserting as many rows as one renewal writes, N times (the storage floor). The subscriptions are
// seeded in bulk as their first instalment would leave them (active, card on file, cycle 1 billed). Checks that no
// cycle was charged twice and verifyLedger; runs in a throwaway database, dropped at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { ensureSigningKey, loadKeyRing } from '../src/core/auth/signing-keys.js';
import { systemClock } from '../src/core/clock.js';
import { JOBS_NOTIFY_CHANNEL, JobRunner } from '../src/core/jobs.js';
import { openDatabase, selectRows } from '../src/db/client.js';
import { DEFAULT_RATE_TABLE } from '../src/fx/default-rates.js';
import { tableRateSource } from '../src/fx/rates.js';
import { verifyLedger } from '../src/ledger/index.js';
import type { CreateCustomerBody } from '../src/modules/customers/schemas.js';
import { createCustomerService } from '../src/modules/customers/service.js';
import { createMerchant } from '../src/modules/merchants/service.js';
import { lastBilledCycle, recordSubscriptionPayment } from '../src/modules/payments/subscription-payments.js';
import { createPriceService } from '../src/modules/prices/service.js';
import { subscriptionJobHandlers } from '../src/modules/subscriptions/jobs.js';
import { plusDays, plusMonths, utcDate } from '../src/core/calendar.js';
import { createSubscriptionService, SUBSCRIPTION_RENEW_QUEUE } from '../src/modules/subscriptions/service.js';
import { benchCustomerBody, machineInfo, runConcurrently, settingsFrom, shortened, statementsDuring, withThrowawayDatabase } from './support.js';

interface Settings {
  subscriptions: number;
  concurrency: number;
  runners: number;
}

const AMOUNT = 1000;
const FEE = 100;

async function bench(url: string, settings: Settings): Promise<boolean> {
  const database = await openDatabase({ databaseUrl: url, poolMax: settings.concurrency * settings.runners + 2 });
  const raw = new pg.Pool({ connectionString: url, max: settings.concurrency });
  raw.on('error', () => undefined);
  const runners: JobRunner[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glomo-bench-subscriptions-'));
  try {
    await database.migrate();
    await ensureSigningKey(database.db, systemClock);
    const keyRing = await loadKeyRing(database.db);
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url });
    const db = database.db;
    await machineInfo(
      raw,
      `${settings.subscriptions} subscriptions due at once, ${settings.runners} runner(s) of concurrency ${settings.concurrency} ` +
        `(pool ${settings.concurrency * settings.runners + 2}), raw pool ${settings.concurrency}`,
    );

    const { merchant } = await createMerchant({ db, keyRing, clock: systemClock }, { name: 'bench subscriptions' });
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const ctx = { tenant, clock: systemClock };
    const customer = await createCustomerService({ db }).create(ctx, benchCustomerBody(0) as CreateCustomerBody);
    await createPriceService({ db }).create(ctx, { pricing_type: 'fixed', fees_amount: FEE, fees_currency: 'USD' });
    const fx = { fxRates: tableRateSource(DEFAULT_RATE_TABLE, 'built-in'), markupBps: config.fxMarkupBps };
    // As the composition root wires it.
    const subscriptions = createSubscriptionService({
      db, publicUrl: config.publicUrl, payments: { record: (uow, input) => recordSubscriptionPayment(uow, fx, input), lastBilledCycle },
    });

    // Cycle 2 fell due yesterday (its 01:00 UTC run time has passed whatever the hour now): anchored a month before.
    const due = plusDays(utcDate(new Date()), -1);
    const anchor = plusMonths(due, -1);
    console.log(`seeding ${settings.subscriptions} active subscriptions, cycle 2 due ${due}, and their renewal jobs ...`);
    const now = new Date();
    await db.execute(sql`
      insert into subscriptions (id, merchant_id, env, customer_id, status, product_name, product_description, amount, currency,
        interval_type, interval_count, billing_cycles, start_date, end_date, expires_at, next_payment_date, schedule_anchor,
        schedule_anchor_cycle, cycles_billed, card_token, card_network, card_last4, card_exp_month, card_exp_year,
        activated_at, created_at, updated_at)
      select 'sub_bench' || lpad(i::text, 8, '0'), ${merchant.id}, 'sandbox', ${customer.id}, 'active', 'Bench plan', 'Monthly',
        ${AMOUNT}, 'USD', 'month', 1, 12, ${anchor}::date, (${anchor}::date + interval '11 months')::date, ${anchor}::date,
        ${due}::date, ${anchor}::date, 1, 1, 'cardtok_test_success_bench' || i, 'Visa', '1111', 12, 2030, ${now}, ${now}, ${now}
      from generate_series(1, ${settings.subscriptions}) as i`);
    await db.execute(sql`
      insert into jobs (queue, merchant_id, env, payload, status, max_attempts, run_at, unique_key, created_at, updated_at)
      select ${SUBSCRIPTION_RENEW_QUEUE}, ${merchant.id}, 'sandbox',
        jsonb_build_object('merchantId', ${merchant.id}::text, 'env', 'sandbox', 'subscriptionId', 'sub_bench' || lpad(i::text, 8, '0'),
          'cycle', 2, 'attempt', 0, 'date', ${due}::text),
        'queued', 10, (${due}::date + interval '1 hour') at time zone 'UTC', 'renew:bench:' || i, ${now}, ${now}
      from generate_series(1, ${settings.subscriptions}) as i`);
    await db.execute(sql`vacuum analyze`);

    // One renewal by hand first: the statements it sends, and how many rows it writes (the raw baseline's size).
    const [sample] = await selectRows<{ payload: Record<string, unknown> }>(db, sql`select payload from jobs where unique_key = 'renew:bench:1'`);
    const statements = await statementsDuring(async () => {
      const outcome = await subscriptions.runRenewal({ id: 0n, queue: SUBSCRIPTION_RENEW_QUEUE, payload: sample!.payload, attempt: 1, maxAttempts: 10, tenant, clock: systemClock });
      if (outcome.status !== 'done') throw new Error(`sample renewal: ${JSON.stringify(outcome)}`);
    });
    await db.execute(sql`update jobs set status = 'done' where unique_key = 'renew:bench:1'`);
    const writes = statements.filter((text) => /^(insert|update)/i.test(text)).length;
    console.log(`\nstatements per renewal: ${statements.length}, of which ${writes} write (raw transaction: ${writes} INSERTs)`);
    for (const text of statements) console.log(`  ${shortened(text)}`);
    console.log('');

    await raw.query('create table bench_raw (id bigserial primary key, kind text not null, amount bigint not null, note text not null)');
    const rawTransaction = async () => {
      const client = await raw.connect();
      try {
        await client.query('begin');
        for (let i = 0; i < writes; i++) await client.query('insert into bench_raw (kind, amount, note) values ($1, $2, $3)', ['renewal', AMOUNT, 'bench']);
        await client.query('commit');
      } finally {
        client.release();
      }
    };
    const count = settings.subscriptions - 1;
    const rawStarted = performance.now();
    await runConcurrently(Array.from({ length: count }, (_, i) => i), settings.concurrency, rawTransaction);
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const rawRate = count / rawSeconds;
    console.log(`raw PG, BEGIN + ${writes} INSERTs + COMMIT:`.padEnd(44) + `${rawRate.toFixed(0).padStart(7)} /s  (${count} in ${rawSeconds.toFixed(1)} s)`);

    const countOf = async (query: ReturnType<typeof sql>) => Number((await selectRows<{ n: string }>(db, query))[0]!.n);
    const billed = () => countOf(sql`
      select count(*) as n from payments where merchant_id = ${merchant.id} and billing_cycle = 2 and status = 'success'`);
    const errors: unknown[] = [];
    for (let r = 0; r < settings.runners; r++) {
      runners.push(new JobRunner({
        db, clock: systemClock, handlers: subscriptionJobHandlers(subscriptions), concurrency: settings.concurrency, pollMs: 200,
        wake: (onWake) => database.listen(JOBS_NOTIFY_CHANNEL, onWake), onError: (error) => errors.push(error),
      }));
    }
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const runner of runners) runner.start();
    while ((await billed()) < settings.subscriptions) {
      if (errors.length > 0) throw errors[0];
      if (performance.now() - started > 30 * 60_000) throw new Error('renewals did not finish in 30 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    for (const runner of runners) await runner.stop();
    const rate = count / seconds;
    console.log(`renewals by the job runner:`.padEnd(44) + `${rate.toFixed(0).padStart(7)} /s  (${count} in ${seconds.toFixed(1)} s)` +
      `  node CPU ${((cpu.user + cpu.system) / count).toFixed(0)} µs/renewal`);
    console.log(`\nratio renewals / raw PG:`.padEnd(33) + `${(rate / rawRate).toFixed(2)}x`);

    const twice = await countOf(sql`
      select count(*) as n from (select subscription_id, billing_cycle from payments where merchant_id = ${merchant.id} and status = 'success'
        group by subscription_id, billing_cycle having count(*) > 1) as doubled`);
    const payments = await countOf(sql`select count(*) as n from payments where merchant_id = ${merchant.id}`);
    const [state] = await selectRows<{ active: string; next: string }>(db, sql`
      select count(*) filter (where status = 'active' and cycles_billed = 2) as active, count(*) filter (where next_payment_date = ${plusMonths(anchor, 2)}::date) as next
      from subscriptions where merchant_id = ${merchant.id}`);
    console.log(`cycles charged twice: ${twice}; payments: ${payments} (expected ${settings.subscriptions}); ` +
      `subscriptions with cycle 2 billed: ${state!.active}, next date moved on: ${state!.next}`);
    const report = await verifyLedger(db);
    const { accounts, journals, entries } = report.counts;
    console.log(`verifyLedger: ${report.ok ? 'ok' : 'NOT OK'} (${accounts} accounts, ${journals} journals, ${entries} entries)`);
    for (const problem of report.problems.slice(0, 10)) console.log(`  ${problem.check}: ${problem.detail}`);
    return report.ok && twice === 0 && payments === settings.subscriptions && Number(state!.active) === settings.subscriptions;
  } finally {
    for (const runner of runners) await runner.stop().catch(() => undefined);
    await raw.end();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const settings = settingsFrom(process.argv.slice(2), process.env, {
    subscriptions: { fallback: 10_000, integer: true },
    concurrency: { fallback: 8, integer: true },
    runners: { fallback: 1, integer: true },
  });
  await withThrowawayDatabase('bench:subscriptions', (url) => bench(url, settings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
