// Ledger throughput on PostgreSQL (not a test): `DATABASE_URL=postgres://... npm run bench:ledger [-- --workers 8
// --seconds 5 --warmup 1 --merchants 200]` (or BENCH_WORKERS, BENCH_SECONDS, BENCH_WARMUP, BENCH_MERCHANTS).
// Journals per second through postJournal against raw single-row insert transactions on the same database, pool
// size and concurrency, in the same run: for journals spread over many merchants' accounts (locks rarely meet) and
// for one hot account (every journal waits for the same row lock). Runs in a throwaway database, dropped at the
// end, because journals are append-only and the test suites share theirs.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { ensureSigningKey, loadKeyRing } from '../src/core/auth/signing-keys.js';
import { systemClock } from '../src/core/clock.js';
import type { Tenant } from '../src/core/tenancy.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { adjustBalance, postJournal, verifyLedger, type JournalInput } from '../src/ledger/index.js';
import { createMerchant } from '../src/modules/merchants/service.js';
import {
  machineInfo, measure, runConcurrently, settingsFrom, shortened, statementsDuring, withThrowawayDatabase, type RunSettings,
} from './support.js';

interface Settings extends RunSettings {
  merchants: number;
}

const CURRENCY = 'USD';
/** Far more than any run can spend one minor unit at a time, so no journal is ever refused for funds. */
const SEED = 1_000_000_000_000n;

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
  const result = await database.db.transaction((tx) => postJournal({ tx, clock: systemClock, tenant }, feeJournal()));
  if (!result.ok) throw new Error(`journal refused: ${result.reason} on ${result.purpose} (balance ${result.balance})`);
}

/** Creates a funded merchant whose available and fees accounts already exist, so no measured journal creates one. */
async function fundedTenant(database: Database, deps: Parameters<typeof createMerchant>[0], name: string): Promise<Tenant> {
  const { merchant } = await createMerchant(deps, { name });
  const tenant: Tenant = { merchantId: merchant.id, env: 'sandbox' };
  const seeded = await database.db.transaction((tx) =>
    adjustBalance({ tx, clock: systemClock, tenant }, { direction: 'credit', currency: CURRENCY, amount: SEED, reason: 'bench seed' }),
  );
  if (!seeded.ok) throw new Error('seeding failed');
  await postFee(database, tenant);
  return tenant;
}

/** The statements one postJournal transaction sends. */
async function statementsPerJournal(database: Database, tenant: Tenant): Promise<string[]> {
  // Once more first, so that this process has seen the accounts exist: the steady state of every later journal.
  await postFee(database, tenant);
  return statementsDuring(() => postFee(database, tenant));
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
    await machineInfo(
      raw,
      `${settings.workers} workers, pool ${settings.workers} (ledger and raw each), ${settings.warmup} s warm-up + ${settings.seconds} s per run, ` +
        `${settings.merchants} merchants`,
    );

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
    for (const text of statements) console.log(`  ${shortened(text)}`);
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
  const settings: Settings = settingsFrom(process.argv.slice(2), process.env, {
    workers: { fallback: 8, integer: true },
    seconds: { fallback: 5, integer: false },
    warmup: { fallback: 1, integer: false },
    merchants: { fallback: 200, integer: true },
  });
  await withThrowawayDatabase('bench:ledger', (url) => bench(url, settings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
