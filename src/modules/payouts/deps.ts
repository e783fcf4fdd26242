// What payout operations are built with (the payout routes, the operator API and the workers assemble it).
import type { Db } from '../../db/client.js';
import type { FxRateSource } from '../../fx/rates.js';

export interface PayoutDeps {
  db: Db;
  fxRates: FxRateSource;
  markupBps: number;
  /** Sandbox: when the simulated rail completes a released payout (SANDBOX_RAIL_DELAY_SECONDS). */
  railDelaySeconds: number;
}
