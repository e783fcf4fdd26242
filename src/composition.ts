// The composition root: the process-wide services, each built once from the app's dependencies and shared by the
// routes, the job runner and the operator API.
import type { AppDeps } from './deps.js';
import { JobRunner, type Job, type JobHandler } from './core/jobs.js';
import { orderJobHandlers } from './modules/orders/jobs.js';
import { paymentLinkJobHandlers } from './modules/payment-links/jobs.js';
import { payoutJobHandlers } from './modules/payouts/jobs.js';
import { createSandboxClockService, type SandboxClockService } from './modules/sandbox-clock/service.js';
import { webhookJobHandlers } from './webhooks/delivery/handlers.js';

export interface Services {
  /** Every job handler, polled by server.ts when JOBS_ENABLED, and run by sandbox clock advances in any process. */
  jobs: JobRunner;
  clocks: SandboxClockService;
}

/** Every module's job handlers, by queue. */
export function jobHandlers(deps: AppDeps): Record<string, JobHandler> {
  const db = deps.database.db;
  return {
    ...webhookJobHandlers({ db, config: deps.config }),
    ...orderJobHandlers({ db }),
    ...paymentLinkJobHandlers({ db }),
    ...payoutJobHandlers({ db, railDelaySeconds: deps.config.sandboxRailDelaySeconds }),
  };
}

export function composeServices(deps: AppDeps, options: { onJobError?: (error: unknown, job?: Job) => void } = {}): Services {
  const jobs = new JobRunner({
    db: deps.database.db,
    clock: deps.clock,
    pollMs: deps.config.jobsPollMs,
    handlers: jobHandlers(deps),
    onError: options.onJobError,
  });
  return { jobs, clocks: createSandboxClockService({ db: deps.database.db, clock: deps.clock, jobs }) };
}
