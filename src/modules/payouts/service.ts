// Payouts: money from a merchant's balance to a beneficiary on a rail. Created with or without a quote (fees and
// rate fixed then), held on the source balance while processed (source amount + transaction fee), posted on
// success, released on failure or cancellation; every status change records a `payout` event in its transaction.
// The lifecycle and its sandbox mock follow notes-payouts §13 (docs/decisions/0015-payouts.md).
//
// This file is the module's public face: the routes, the workers, the operator API and other modules import payouts
// from here, never from the files behind it (create, read, lifecycle, queue, approval, rfi-answers, rails, fees,
// outbound).
import type { TenantContext } from '../../core/context.js';
import type { UpdateRfiBody } from '../rfis/service.js';
import { approvePayout, rejectPayout } from './approval.js';
import { createPayout } from './create.js';
import type { PayoutDeps } from './deps.js';
import { cancelPayout, mockPayoutStatus } from './lifecycle.js';
import { getPayout, listPayouts } from './read.js';
import { updatePayoutRfi } from './rfi-answers.js';
import type { CreatePayoutBody, ListPayoutsQuery, MockPayoutBody } from './schemas.js';

export type { PayoutDeps } from './deps.js';
export type { PayoutError } from './errors.js';
export { createPayout } from './create.js';
export { getPayout, listPayouts } from './read.js';
export {
  cancelPayout, finishPayout, isProcessing, lockPayoutRow, mockPayoutStatus, PAYOUT_RAIL_QUEUE, type RailOutcome,
} from './lifecycle.js';
export { nextQueueRelease, PAYOUT_QUEUE_RELEASE_QUEUE, releaseQueuesOf, scheduleAllQueueReleases, scheduleQueueRelease } from './queue.js';
export { approvePayout, rejectPayout } from './approval.js';
export { answerPayoutRfi, updatePayoutRfi } from './rfi-answers.js';

// The payout rules withdrawals price and check with, and the pricing of payout quotes (handed to quotes).
export { PAYOUT_SOURCE_CURRENCIES, SWIFT_RAIL } from './rails.js';
export { payoutTxnFee } from './fees.js';
export { payoutQuotePricing } from './quote-pricing.js';
// Withdrawals hold and settle like a payout.
export { holdOutbound, settleOutbound, type OutboundAmounts } from './outbound.js';

/** The payout operations the routes and the operator API (maker-checker) call, built once by the composition root. */
export function createPayoutService(deps: PayoutDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreatePayoutBody) => createPayout(deps, ctx, body),
    list: (ctx: TenantContext, query: ListPayoutsQuery) => listPayouts(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getPayout(deps, ctx.tenant, id),
    mockStatus: (ctx: TenantContext, body: MockPayoutBody) => mockPayoutStatus(deps, ctx, body),
    cancel: (ctx: TenantContext, id: string) => cancelPayout(deps, ctx, id),
    updateRfi: (ctx: TenantContext, id: string, body: UpdateRfiBody) => updatePayoutRfi(deps, ctx, id, body),
    approve: (ctx: TenantContext, id: string) => approvePayout(deps, ctx, id),
    reject: (ctx: TenantContext, id: string) => rejectPayout(deps, ctx, id),
  });
}

export type PayoutService = ReturnType<typeof createPayoutService>;
