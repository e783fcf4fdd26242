// Building the app for tests (inject(), no sockets) and making merchants with keys.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { loadKeyRing, type KeyRing } from '../../src/core/auth/signing-keys.js';
import { systemClock, type Clock } from '../../src/core/clock.js';
import type { Database } from '../../src/db/client.js';
import { randomBase62 } from '../../src/core/ids.js';
import { DEFAULT_RATE_TABLE } from '../../src/fx/default-rates.js';
import { tableRateSource, type FxRateSource } from '../../src/fx/rates.js';
import { LocalDocumentStore } from '../../src/modules/documents/storage.js';
import { createMerchant } from '../../src/modules/merchants/service.js';
import { testEnv } from './env.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: App;
  clock: Clock;
  config: Config;
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `glomo-${label}-`));
}

export async function buildTestApp(
  options: { clock?: Clock; env?: Record<string, string>; fxRates?: FxRateSource; database?: Database } = {},
): Promise<TestApp> {
  const { database, keyRing } = await databaseAndKeys(options.database);
  // The rate limit is off in tests unless a test sets its own (test/rate-limit.test.ts): the fuzz test alone sends thousands.
  const config = loadConfig({ DATA_DIR: tempDir('app'), ADMIN_TOKEN, RATE_LIMIT_PER_MINUTE: '0', ...options.env });
  const clock = options.clock ?? systemClock;
  const app = await buildApp({
    config,
    database,
    clock,
    keyRing,
    documentStore: new LocalDocumentStore(path.join(config.dataDir, 'documents')),
    fxRates: options.fxRates ?? tableRateSource(DEFAULT_RATE_TABLE),
  });
  return { app, clock, config };
}

export interface TestMerchant {
  id: string;
  sandboxSecret: string;
  sandboxPublishable: string;
  productionSecret: string;
  productionPublishable: string;
}

/** The worker's shared test database, or another one (whose signing keys are loaded from it). */
async function databaseAndKeys(other?: Database): Promise<{ database: Database; keyRing: KeyRing }> {
  return other ? { database: other, keyRing: await loadKeyRing(other.db) } : testEnv();
}

export async function createTestMerchant(clock: Clock = systemClock, on?: Database): Promise<TestMerchant> {
  const { database, keyRing } = await databaseAndKeys(on);
  const { merchant, keys } = await createMerchant({ db: database.db, keyRing, clock }, { name: `Test merchant ${randomBase62(6)}` });
  return {
    id: merchant.id,
    sandboxSecret: keys.sandbox.secretKey,
    sandboxPublishable: keys.sandbox.publishableKey,
    productionSecret: keys.production.secretKey,
    productionPublishable: keys.production.publishableKey,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A unique, valid customer body. */
export function customerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "Prabhat's Arts & Crafts Pvt Ltd",
    customer_type: 'individual',
    email: `buyer.${randomBase62(8).toLowerCase()}@example.com`,
    phone: '+91-9023456789',
    dob: '2003-11-29',
    nationality: 'IND',
    address: '123 Main St',
    city: 'Anytown',
    state: 'Anystate',
    country: 'IND',
    pincode: '560048',
    ...overrides,
  };
}
