// Maker-checker (notes-payouts §13.6): a merchant with the switch on creates payouts `pending_approval`; an operator
// approves (released, or queued when queueing is on) or rejects (cancelled) each.
import { errors } from '../../core/errors.js';
import { payoutSettingsOf } from '../merchants/service.js';
import type { PayoutDeps } from './deps.js';
import { lockPayout, recordStatus, releaseHeld, writeStatus } from './lifecycle.js';
import { scheduleQueueRelease } from './queue.js';
import type { Payout } from './schemas.js';
import type { TenantContext } from '../../core/context.js';

/**
 * Maker-checker approval (the operator API stands in for Glomo's dashboard): a `pending_approval` payout joins the
 * queue when queueing is on, else is released (a shortfall answers 400 INSUFFICIENT_BALANCE and it keeps waiting).
 */
export async function approvePayout(deps: PayoutDeps, ctx: TenantContext, id: string): Promise<Payout> {
  const { tenant, clock } = ctx;
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const row = await lockPayout(tx, tenant, id);
    if (row.status !== 'pending_approval') throw errors.payoutNotPendingApproval(row.status);
    const merchant = await payoutSettingsOf(tx, tenant.merchantId);
    if (merchant.payoutQueueing) {
      await scheduleQueueRelease(uow);
      return writeStatus(uow, row, { status: 'queued', queuedAt: clock.now() });
    }
    return recordStatus(uow, await releaseHeld(uow, deps, row));
  });
}

/** Maker-checker rejection: the payout is cancelled; nothing was held. */
export async function rejectPayout(deps: PayoutDeps, ctx: TenantContext, id: string): Promise<Payout> {
  const { tenant } = ctx;
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const row = await lockPayout(tx, tenant, id);
    if (row.status !== 'pending_approval') throw errors.payoutNotPendingApproval(row.status);
    return writeStatus(uow, row, { status: 'cancelled' });
  });
}
