// The sandbox rail of settlements (queue `settlements.rail`, enqueued with each settlement): after
// SANDBOX_RAIL_DELAY_SECONDS it completes the settlement (service.ts `completeSettlement`). Idempotent: a settlement
// no longer in progress is left as it is.
import { inUnitOfWork } from '../../core/context.js';
import { tenantRowPayload, type JobHandler } from '../../core/jobs.js';
import type { Db } from '../../db/client.js';
import { findWithdrawalAccount } from '../withdrawals/service.js';
import { completeSettlement, SETTLEMENT_RAIL_QUEUE } from './service.js';

export function settlementJobHandlers(deps: { db: Db }): Record<string, JobHandler> {
  return {
    [SETTLEMENT_RAIL_QUEUE]: async (job) => {
      const target = tenantRowPayload(job.payload, 'settlementId');
      if (!target) return { status: 'dead', error: 'malformed settlements.rail payload' };
      await inUnitOfWork(deps.db, { tenant: target.tenant, clock: job.clock }, (uow) =>
        completeSettlement(uow, target.id, async (accountId) => (await findWithdrawalAccount(uow.tx, uow.tenant, accountId))?.accountNumber));
      return { status: 'done' };
    },
  };
}
