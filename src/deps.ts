// What buildApp hands to every route plugin: the process-wide services. Route modules import this type from here,
// never from app.ts, which imports them (and would otherwise close an import cycle through every route).
import type { Config } from './config.js';
import type { KeyRing } from './core/auth/signing-keys.js';
import type { Clock } from './core/clock.js';
import type { Database } from './db/client.js';
import type { FxRateSource } from './fx/rates.js';
import type { DocumentStore } from './modules/documents/storage.js';

export interface AppDeps {
  config: Config;
  database: Database;
  clock: Clock;
  keyRing: KeyRing;
  documentStore: DocumentStore;
  /** Mid-market FX rates (the built-in table, or FX_RATES_FILE). */
  fxRates: FxRateSource;
}
