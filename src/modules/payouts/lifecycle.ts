// A payout's status changes after creation: each locks the row, writes the status with its `payout` event, and
// holds, posts or releases the source amount + fee (payouts/outbound.ts). Used by cancel, the sandbox mock, the
// rail, maker-checker approval, the queue and RFI answers.
import type { Tx } from '../../db/client.js';
import { payouts, type PayoutStatus } from '../../db/schema/index.js';
import { errors } from '../../core/errors.js';
import { enqueueJob } from '../../core/jobs.js';
import { assertIdPrefix, ID_PREFIXES, randomBase62 } from '../../core/ids.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import type { Tenant } from '../../core/tenancy.js';
import { voidHold, type InsufficientFunds } from '../../ledger/index.js';
import { closeRfi, raiseRfi } from '../rfis/service.js';
import type { PayoutDeps } from './deps.js';
import type { PayoutError } from './errors.js';
import { holdOutbound, settleOutbound, type OutboundAmounts } from './outbound.js';
import { presentPayout, type PayoutRow } from './presenter.js';
import type { MockPayoutBody, Payout } from './schemas.js';
import type { UnitOfWork, TenantContext } from '../../core/context.js';

export const PAYOUT_ENTITY_TYPE = 'payout';
/** The sandbox rail simulator's queue (src/modules/payouts/jobs.ts). */
export const PAYOUT_RAIL_QUEUE = 'payouts.rail';

// Status changes. `in_progress` has two faces: released for processing (funds held, with the rail: `sentToRail`)
// and back under compliance review after an RFI answer (nothing held, still cancellable). The moves are a table over
// these phases; the lifecycle kernel's table over statuses is read off it.

const PAYOUT_PHASES = ['pending_approval', 'queued', 'action_required', 'under_review', 'processing', 'success', 'failed', 'cancelled'] as const;
type PayoutPhase = (typeof PAYOUT_PHASES)[number];

const phaseOf = (row: PayoutRow): PayoutPhase => (row.status !== 'in_progress' ? row.status : row.sentToRail ? 'processing' : 'under_review');
const statusOf = (phase: PayoutPhase): PayoutStatus => (phase === 'under_review' || phase === 'processing' ? 'in_progress' : phase);

/**
 * Every move a payout makes (notes-payouts §13): maker-checker, the queue, the rail, RFIs and cancel. The sandbox mock
 * allows exactly these; `success`, `failed` and `cancelled` are terminal.
 */
const MOVES: Readonly<Record<PayoutPhase, readonly PayoutPhase[]>> = {
  pending_approval: ['queued', 'processing', 'action_required', 'cancelled'],
  queued: ['processing', 'failed', 'action_required', 'cancelled'],
  action_required: ['under_review', 'cancelled'],
  under_review: ['processing', 'failed', 'action_required', 'cancelled'],
  processing: ['success', 'failed'],
  success: [],
  failed: [],
  cancelled: [],
};

const canMove = (row: PayoutRow, to: PayoutPhase) => MOVES[phaseOf(row)].includes(to);
export const isProcessing = (row: PayoutRow) => phaseOf(row) === 'processing';

/** Where a status may move: wherever one of its phases may. */
const movesOf = (status: PayoutStatus): PayoutStatus[] =>
  PAYOUT_PHASES.filter((phase) => statusOf(phase) === status).flatMap((phase) => MOVES[phase].map(statusOf));

/** The kernel's bound on every status write, read off MOVES. */
const TRANSITIONS: Readonly<Record<PayoutStatus, readonly PayoutStatus[]>> = {
  pending_approval: movesOf('pending_approval'),
  queued: movesOf('queued'),
  in_progress: movesOf('in_progress'),
  action_required: movesOf('action_required'),
  success: movesOf('success'),
  failed: movesOf('failed'),
  cancelled: movesOf('cancelled'),
};

/** Lock and status writes with their `payout` events: the lifecycle kernel over the payouts table. */
const payoutLifecycle = defineLifecycle({
  table: payouts,
  entity: 'Payout',
  entityType: PAYOUT_ENTITY_TYPE,
  transitions: TRANSITIONS,
  present: presentPayout,
  // The module's guards answer first (each operation its own error); this is the mock's answer to a refused move.
  invalidTransition: () => errors.stateChangeNotAllowed(),
});

/** A sandbox UTR: the bank reference a rail answers on success. */
function sandboxUtr(): string {
  return `GLMOSB${randomBase62(14).toUpperCase()}`;
}

/** Writes a locked payout's new status (and fields) and records its `payout` event. */
export async function writeStatus(uow: UnitOfWork, row: PayoutRow, changes: Partial<PayoutRow> & { status: PayoutStatus }): Promise<Payout> {
  const { status, ...fields } = changes;
  return (await payoutLifecycle.apply(uow, row, status, fields)).presented;
}

/** Records the status a payout reached (written by `release`) as its `payout` event. */
export function recordStatus(uow: UnitOfWork, row: PayoutRow): Promise<Payout> {
  return payoutLifecycle.record(uow, row);
}

/** Releases the payout's hold back to the balance, if it has one. */
async function releaseHold(uow: UnitOfWork, row: PayoutRow): Promise<void> {
  if (row.holdId === null || !row.sentToRail) return;
  const voided = await voidHold(uow, row.holdId);
  if (!voided.ok) throw new Error(`payout ${row.id}: hold ${row.holdId} could not be released: ${voided.reason}`);
}

/** Holds source amount + fee for processing; a shortfall answers 400 INSUFFICIENT_BALANCE and changes nothing. */
export async function holdForProcessing(uow: UnitOfWork, row: PayoutRow): Promise<string> {
  const held = await holdOutbound(uow, { type: PAYOUT_ENTITY_TYPE, id: row.id }, outboundOf(row));
  if (!held.ok) throw errors.insufficientBalance(held.shortfall);
  return held.holdId;
}

const outboundOf = (row: PayoutRow): OutboundAmounts =>
  ({ currency: row.sourceCurrency, amount: row.sourceAmount, fxFee: row.fxFee, txnFee: row.txnFee });

/** What the rail answered for a processing payout. */
export type RailOutcome = { status: 'success' } | { status: 'failed'; error: PayoutError | null };

/**
 * Finishes a processing payout (its row locked by the caller): success posts the hold (the transfer to clearing,
 * the fees to fees) with a sandbox UTR; failure releases it.
 */
export async function finishPayout(uow: UnitOfWork, row: PayoutRow, outcome: RailOutcome): Promise<Payout> {
  if (!isProcessing(row) || row.holdId === null) throw new Error(`payout ${row.id} is not processing`);
  if (outcome.status === 'failed') {
    await releaseHold(uow, row);
    return writeStatus(uow, row, {
      status: 'failed', sentToRail: false,
      errorCode: outcome.error?.code ?? null,
      errorDescription: outcome.error?.description ?? null,
      customerErrorDescription: outcome.error?.customerDescription ?? null,
    });
  }
  await settleOutbound(uow, row.holdId, outboundOf(row));
  return writeStatus(uow, row, { status: 'success', utr: sandboxUtr() });
}

/** The tenant's payout locked for the rest of the transaction, or undefined (for jobs: no 404). */
export function lockPayoutRow(tx: Tx, tenant: Tenant, id: string): Promise<PayoutRow | undefined> {
  return payoutLifecycle.lock(tx, tenant, id);
}

export function lockPayout(tx: Tx, tenant: Tenant, id: string): Promise<PayoutRow> {
  assertIdPrefix(ID_PREFIXES.payout, id);
  return payoutLifecycle.mustLock(tx, tenant, id);
}

/**
 * Hands a released payout to the rail: in the sandbox, the simulated rail's job completes it after
 * SANDBOX_RAIL_DELAY_SECONDS. Production has no rail connector: a released payout waits for one.
 */
export async function sendToRail(uow: UnitOfWork, deps: Pick<PayoutDeps, 'railDelaySeconds'>, payoutId: string): Promise<void> {
  const { tenant } = uow;
  if (tenant.env !== 'sandbox') return;
  await enqueueJob(uow, {
    queue: PAYOUT_RAIL_QUEUE,
    payload: { merchantId: tenant.merchantId, env: tenant.env, payoutId },
    runAt: new Date(uow.clock.now().getTime() + deps.railDelaySeconds * 1000),
    uniqueKey: `rail:${payoutId}`,
  });
}

/**
 * Releases a payout for processing: holds source amount + fee (400 INSUFFICIENT_BALANCE otherwise, nothing
 * changed), marks it processing and hands it to the rail. Writes no event: callers record the status they reach.
 */
export async function releaseHeld(uow: UnitOfWork, deps: Pick<PayoutDeps, 'railDelaySeconds'>, row: PayoutRow): Promise<PayoutRow> {
  const released = await release(uow, deps, row);
  if (!released.ok) throw errors.insufficientBalance(released.shortfall);
  return released.row;
}

/** As releaseHeld, with a shortfall answered as a value (the queue stops at it rather than failing the run). */
export async function release(
  uow: UnitOfWork, deps: Pick<PayoutDeps, 'railDelaySeconds'>, row: PayoutRow,
): Promise<{ ok: true; row: PayoutRow } | InsufficientFunds> {
  const held = await holdOutbound(uow, { type: PAYOUT_ENTITY_TYPE, id: row.id }, outboundOf(row));
  if (!held.ok) return held;
  // The event comes from the caller, after the rail's job: the kernel's write without its record.
  const updated = await payoutLifecycle.write(uow, row, 'in_progress', { sentToRail: true, holdId: held.holdId, queuedAt: null });
  await sendToRail(uow, deps, row.id);
  return { ok: true, row: updated };
}

async function cancelLocked(uow: UnitOfWork, row: PayoutRow): Promise<Payout> {
  await releaseHold(uow, row);
  await closeRfi(uow, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'rejected');
  return writeStatus(uow, row, { status: 'cancelled', sentToRail: false });
}

/** `PATCH /payouts/{id}/cancel`: before the payout reaches the bank; its hold (if any) is released. */
export async function cancelPayout(deps: PayoutDeps, ctx: TenantContext, id: string): Promise<Payout> {
  const { tenant } = ctx;
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const row = await lockPayout(tx, tenant, id);
    if (!canMove(row, 'cancelled')) throw errors.payoutNotCancellable();
    return cancelLocked(uow, row);
  });
}

/** The phase each status of the sandbox mock asks for. */
const MOCK_TARGETS: Readonly<Record<MockPayoutBody['status'], PayoutPhase>> = {
  pending: 'processing',
  success: 'success',
  failed: 'failed',
  action_required: 'action_required',
  cancelled: 'cancelled',
};

/**
 * `PATCH /payouts/mock` (sandbox): only the lifecycle's moves (MOVES), else 400 `State change not allowed`.
 * - `pending`: a held-back payout (pending_approval, queued, under review) is released: funds held, `in_progress`.
 * - `success` / `failed`: a processing payout's hold is posted (with a sandbox UTR) or released (`error_code` null).
 * - `action_required`: from pending_approval, queued or under review (not from a processing payout).
 * - `cancelled`: as the cancel operation.
 */
export async function mockPayoutStatus(deps: PayoutDeps, ctx: TenantContext, body: MockPayoutBody): Promise<Payout> {
  const { tenant } = ctx;
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const row = await lockPayout(tx, tenant, body.id.trim());
    if (!canMove(row, MOCK_TARGETS[body.status])) throw errors.stateChangeNotAllowed();
    switch (body.status) {
      case 'pending': {
        const holdId = await holdForProcessing(uow, row);
        // Released from review: its RFI was answered well enough.
        await closeRfi(uow, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'approved');
        return writeStatus(uow, row, { status: 'in_progress', sentToRail: true, holdId, queuedAt: null });
      }
      case 'success':
        return finishPayout(uow, row, { status: 'success' });
      case 'failed': {
        // A mocked failure carries no error code (notes-payouts §13.7).
        if (isProcessing(row)) return finishPayout(uow, row, { status: 'failed', error: null });
        await closeRfi(uow, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'rejected');
        return writeStatus(uow, row, { status: 'failed', sentToRail: false, queuedAt: null });
      }
      case 'action_required': {
        // The RFI the merchant answers (a new one, or the one under review asked again): notes-payouts §13.8.
        await raiseRfi(uow, { type: PAYOUT_ENTITY_TYPE, id: row.id }, body.rfi_document_ids);
        return writeStatus(uow, row, { status: 'action_required', queuedAt: null });
      }
      case 'cancelled':
        return cancelLocked(uow, row);
    }
  });
}
