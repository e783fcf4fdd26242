// Benchmarks (not tests): `npm run bench` (embedded) or `DATABASE_URL=... npm run bench`.
// 1. Authenticated GET /api/v1/customer/{id} against a bare Fastify route in the same run (ratio).
// 2. One list page for a small tenant and for a tenant 20x larger, next to 50k rows of other tenants:
//    the `before` page should cost the same at both sizes (index-backed); deep offsets and counts grow.
import { DEFAULT_RATE_TABLE } from '../src/fx/default-rates.js';
import { tableRateSource } from '../src/fx/rates.js';
import { eq, inArray, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ensureSigningKey, loadKeyRing } from '../src/core/auth/signing-keys.js';
import { systemClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { openDatabase, type Db } from '../src/db/client.js';
import { apiKeys, customers, merchants } from '../src/db/schema/index.js';
import { LocalDocumentStore } from '../src/modules/documents/storage.js';
import { createMerchant } from '../src/modules/merchants/service.js';

type Injector = (url: string, headers?: Record<string, string>) => Promise<number>;

async function timePerCall(label: string, calls: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, calls); i++) await call();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  const micros = Number(process.hrtime.bigint() - started) / 1000 / calls;
  console.log(`${label.padEnd(58)} ${micros.toFixed(1).padStart(9)} µs/call`);
  return micros;
}

async function seed(db: Db, merchantId: string, rows: number): Promise<void> {
  const base = Date.parse('2024-01-01T00:00:00Z');
  for (let offset = 0; offset < rows; offset += 1000) {
    const batch = Array.from({ length: Math.min(1000, rows - offset) }, (_, i) => {
      const at = new Date(base + (offset + i) * 1000);
      const email = `c${offset + i}@${merchantId}.test`;
      return {
        id: newId('cust', at), merchantId, env: 'sandbox' as const, name: 'Bench Customer',
        customerType: 'individual' as const, email, emailKey: email, address: 'a', city: 'b', state: 'c',
        country: 'IND', pincode: '1', status: 'active', createdAt: at, updatedAt: at,
      };
    });
    await db.insert(customers).values(batch);
  }
}

async function main(): Promise<void> {
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, pgliteDataDir: 'memory' });
  await database.migrate();
  await ensureSigningKey(database.db, systemClock);
  const keyRing = await loadKeyRing(database.db);
  const config = loadConfig({ DATA_DIR: '.tmp/bench' });
  const app = await buildApp({ config, database, clock: systemClock, keyRing, documentStore: new LocalDocumentStore('.tmp/bench/documents'), fxRates: tableRateSource(DEFAULT_RATE_TABLE) });
  const inject: Injector = async (url, headers = {}) => (await app.inject({ method: 'GET', url, headers })).statusCode;

  const deps = { db: database.db, keyRing, clock: systemClock };
  const small = await createMerchant(deps, { name: 'small' });
  const large = await createMerchant(deps, { name: 'large' });
  const noise = await createMerchant(deps, { name: 'others' });
  console.log(`driver: ${database.driver}; seeding 1,000 + 20,000 + 50,000 customers ...`);
  await seed(database.db, small.merchant.id, 1_000);
  await seed(database.db, large.merchant.id, 20_000);
  await seed(database.db, noise.merchant.id, 50_000);
  // What the running server's maintenance (PGlite) or autovacuum (PostgreSQL) does after a bulk load.
  await database.maintain();
  if (database.driver === 'postgres') await database.db.execute(sql`vacuum analyze customers`);

  const bare = Fastify();
  bare.get('/hello', async () => ({ hello: 'world' }));
  await bare.ready();
  const bareMicros = await timePerCall('bare Fastify GET /hello (inject)', 3000, () => bare.inject({ method: 'GET', url: '/hello' }));

  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const [one] = await database.db.select({ id: customers.id }).from(customers).where(eq(customers.merchantId, small.merchant.id)).limit(1);
  const getKey = small.keys.sandbox.secretKey;
  const getMicros = await timePerCall('GET /api/v1/customer/{id} (auth + 1 indexed read)', 1000, async () => {
    const status = await inject(`/api/v1/customer/${one!.id}`, auth(getKey));
    if (status !== 200) throw new Error(`unexpected ${status}`);
  });
  console.log(`ratio GET by id / bare Fastify: ${(getMicros / bareMicros).toFixed(1)}x\n`);

  const before = '2024-01-01T00:10:00Z';
  const results: Record<string, number> = {};
  for (const [name, merchant] of [['1k-row tenant', small], ['20k-row tenant', large]] as const) {
    const key = auth(merchant.keys.sandbox.secretKey);
    results[`${name} first`] = await timePerCall(`${name}: first page`, 300, () => inject('/api/v1/customer', key));
    results[`${name} before`] = await timePerCall(`${name}: page with before=`, 300, () => inject(`/api/v1/customer?before=${before}`, key));
    results[`${name} deep`] = await timePerCall(`${name}: page 45 (offset 880)`, 300, () => inject('/api/v1/customer?page=45', key));
  }
  console.log(`\nratio 20k/1k, page with before=: ${(results['20k-row tenant before']! / results['1k-row tenant before']!).toFixed(2)}x`);
  console.log(`ratio 20k/1k, first page (includes the exact count): ${(results['20k-row tenant first']! / results['1k-row tenant first']!).toFixed(2)}x`);

  // Leave a shared database as it was.
  const ids = [small, large, noise].map((m) => m.merchant.id);
  await database.db.delete(customers).where(inArray(customers.merchantId, ids));
  await database.db.delete(apiKeys).where(inArray(apiKeys.merchantId, ids));
  await database.db.delete(merchants).where(inArray(merchants.id, ids));
  await app.close();
  await bare.close();
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
