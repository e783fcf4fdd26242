// The settlements' jobs: the sandbox rail (queue `settlements.rail`, enqueued with each settlement), which after
// SANDBOX_RAIL_DELAY_SECONDS completes the settlement (service.ts `completeSettlement`), and the daily run of a
// merchant environment's settlement schedule (queue `settlements.schedule`, schedule.ts). Both idempotent: a
// settlement no longer in progress is left as it is, and a day's run settles each currency once.
import { inUnitOfWork } from '../../core/context.js';
import { tenantRowPayload, type JobHandler } from '../../core/jobs.js';
import type { Db } from '../../db/client.js';
import { findWithdrawalAccount } from '../withdrawals/service.js';
import { SETTLEMENT_SCHEDULE_QUEUE } from './schedule.js';
import { completeSettlement, SETTLEMENT_RAIL_QUEUE, type SettlementService } from './service.js';

export function settlementJobHandlers(deps: { db: Db; settlements: SettlementService }): Record<string, JobHandler> {
  return {
    [SETTLEMENT_RAIL_QUEUE]: async (job) => {
      const target = tenantRowPayload(job.payload, 'settlementId');
      if (!target) return { status: 'dead', error: 'malformed settlements.rail payload' };
      await inUnitOfWork(deps.db, { tenant: target.tenant, clock: job.clock }, (uow) =>
        completeSettlement(uow, target.id, async (accountId) => (await findWithdrawalAccount(uow.tx, uow.tenant, accountId))?.accountNumber));
      return { status: 'done' };
    },
    [SETTLEMENT_SCHEDULE_QUEUE]: async (job) => {
      // The payload's day names the run (its unique key); the run itself reads the time from the job's clock.
      const target = tenantRowPayload(job.payload, 'day');
      if (!target) return { status: 'dead', error: `malformed ${SETTLEMENT_SCHEDULE_QUEUE} payload` };
      await deps.settlements.runSchedule({ tenant: target.tenant, clock: job.clock });
      return { status: 'done' };
    },
  };
}
