// Payouts: money from a merchant's balance to a beneficiary on a rail. Created with or without a quote (fees and
// rate fixed then), held on the source balance while processed (source amount + transaction fee), posted on
// success, released on failure or cancellation; every status change records a `payout` event in its transaction.
// The lifecycle and its sandbox mock follow notes-payouts §13 (docs/decisions/0015-payouts.md).
//
// This file is the module's public face: the routes, the workers, the operator API and other modules import payouts
// from here, never from the files behind it (create, read, lifecycle, queue, approval, rfi-answers, rails, fees,
// outbound).
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

// The payout rules that quotes and withdrawals price and check with.
export { isPaymentRail, LOCAL_RAILS, PAYOUT_DESTINATION_CURRENCIES, PAYOUT_SOURCE_CURRENCIES, SWIFT_RAIL } from './rails.js';
export { payoutTxnFee } from './fees.js';
// Withdrawals hold and settle like a payout.
export { holdOutbound, settleOutbound, type OutboundAmounts } from './outbound.js';
