// A payout's status changes after creation: each locks the row, writes the status with its `payout` event, and
// holds, posts or releases the source amount + fee (payouts/outbound.ts). Used by cancel, the sandbox mock, the
// rail, maker-checker approval, the queue and RFI answers.
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { payouts, type PayoutStatus } from '../../db/schema/index.js';
import type { Clock } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { enqueueJob } from '../../core/jobs.js';
import { assertIdPrefix, ID_PREFIXES, randomBase62 } from '../../core/ids.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { voidHold, type InsufficientFunds } from '../../ledger/index.js';
import { closeRfi, raiseRfi } from '../rfis/lifecycle.js';
import type { PayoutDeps } from './deps.js';
import type { PayoutError } from './errors.js';
import { holdOutbound, settleOutbound, type OutboundAmounts } from './outbound.js';
import { presentPayout, type PayoutRow } from './presenter.js';
import type { MockPayoutBody, Payout } from './schemas.js';

export const PAYOUT_ENTITY_TYPE = 'payout';
/** The sandbox rail simulator's queue (src/modules/payouts/jobs.ts). */
export const PAYOUT_RAIL_QUEUE = 'payouts.rail';

// Status changes. `in_progress` has two faces: released for processing (funds held, with the rail: `sentToRail`)
// and back under compliance review after an RFI answer (nothing held, still cancellable).

const isUnderReview = (row: PayoutRow) => row.status === 'in_progress' && !row.sentToRail;
export const isProcessing = (row: PayoutRow) => row.status === 'in_progress' && row.sentToRail;

function cancellable(row: PayoutRow): boolean {
  return row.status === 'pending_approval' || row.status === 'queued' || row.status === 'action_required' || isUnderReview(row);
}

/** A sandbox UTR: the bank reference a rail answers on success. */
function sandboxUtr(): string {
  return `GLMOSB${randomBase62(14).toUpperCase()}`;
}

export async function writeStatus(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow, changes: Partial<PayoutRow> & { status: PayoutStatus }): Promise<Payout> {
  const [updated] = await tx
    .update(payouts)
    .set({ ...changes, updatedAt: clock.now() })
    .where(and(tenantFilter(payouts, tenant), eq(payouts.id, row.id)))
    .returning();
  const payout = presentPayout(updated!);
  await recordEvent(tx, clock, tenant, { entityType: PAYOUT_ENTITY_TYPE, eventType: updated!.status, entityId: row.id, data: payout });
  return payout;
}

export async function recordStatus(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<Payout> {
  const payout = presentPayout(row);
  await recordEvent(tx, clock, tenant, { entityType: PAYOUT_ENTITY_TYPE, eventType: row.status, entityId: row.id, data: payout });
  return payout;
}

/** Releases the payout's hold back to the balance, if it has one. */
async function releaseHold(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<void> {
  if (row.holdId === null || !row.sentToRail) return;
  const voided = await voidHold(tx, clock, tenant, row.holdId);
  if (!voided.ok) throw new Error(`payout ${row.id}: hold ${row.holdId} could not be released: ${voided.reason}`);
}

/** Holds source amount + fee for processing; a shortfall answers 400 INSUFFICIENT_BALANCE and changes nothing. */
export async function holdForProcessing(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<string> {
  const held = await holdOutbound(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, outboundOf(row));
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
export async function finishPayout(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow, outcome: RailOutcome): Promise<Payout> {
  if (!isProcessing(row) || row.holdId === null) throw new Error(`payout ${row.id} is not processing`);
  if (outcome.status === 'failed') {
    await releaseHold(tx, clock, tenant, row);
    return writeStatus(tx, clock, tenant, row, {
      status: 'failed', sentToRail: false,
      errorCode: outcome.error?.code ?? null,
      errorDescription: outcome.error?.description ?? null,
      customerErrorDescription: outcome.error?.customerDescription ?? null,
    });
  }
  await settleOutbound(tx, clock, tenant, row.holdId, outboundOf(row));
  return writeStatus(tx, clock, tenant, row, { status: 'success', utr: sandboxUtr() });
}

/** The tenant's payout locked for the rest of the transaction, or undefined (for jobs: no 404). */
export async function lockPayoutRow(tx: Tx, tenant: Tenant, id: string): Promise<PayoutRow | undefined> {
  const [row] = await tx.select().from(payouts).where(and(tenantFilter(payouts, tenant), eq(payouts.id, id))).for('update');
  return row;
}

export async function lockPayout(tx: Tx, tenant: Tenant, id: string): Promise<PayoutRow> {
  assertIdPrefix(ID_PREFIXES.payout, id);
  const row = await lockPayoutRow(tx, tenant, id);
  if (!row) throw errors.notFound('Payout');
  return row;
}

/**
 * Hands a released payout to the rail: in the sandbox, the simulated rail's job completes it after
 * SANDBOX_RAIL_DELAY_SECONDS. Production has no rail connector: a released payout waits for one.
 */
export async function sendToRail(tx: Tx, deps: Pick<PayoutDeps, 'clock' | 'railDelaySeconds'>, tenant: Tenant, payoutId: string): Promise<void> {
  if (tenant.env !== 'sandbox') return;
  await enqueueJob(tx, deps.clock, {
    queue: PAYOUT_RAIL_QUEUE,
    tenant,
    payload: { merchantId: tenant.merchantId, env: tenant.env, payoutId },
    runAt: new Date(deps.clock.now().getTime() + deps.railDelaySeconds * 1000),
    uniqueKey: `rail:${payoutId}`,
  });
}

/**
 * Releases a payout for processing: holds source amount + fee (400 INSUFFICIENT_BALANCE otherwise, nothing
 * changed), marks it processing and hands it to the rail. Writes no event: callers record the status they reach.
 */
export async function releaseHeld(tx: Tx, deps: Pick<PayoutDeps, 'clock' | 'railDelaySeconds'>, tenant: Tenant, row: PayoutRow): Promise<PayoutRow> {
  const released = await release(tx, deps, tenant, row);
  if (!released.ok) throw errors.insufficientBalance(released.shortfall);
  return released.row;
}

/** As releaseHeld, with a shortfall answered as a value (the queue stops at it rather than failing the run). */
export async function release(
  tx: Tx, deps: Pick<PayoutDeps, 'clock' | 'railDelaySeconds'>, tenant: Tenant, row: PayoutRow,
): Promise<{ ok: true; row: PayoutRow } | InsufficientFunds> {
  const held = await holdOutbound(tx, deps.clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, outboundOf(row));
  if (!held.ok) return held;
  const [updated] = await tx.update(payouts)
    .set({ status: 'in_progress', sentToRail: true, holdId: held.holdId, queuedAt: null, updatedAt: deps.clock.now() })
    .where(and(tenantFilter(payouts, tenant), eq(payouts.id, row.id)))
    .returning();
  await sendToRail(tx, deps, tenant, row.id);
  return { ok: true, row: updated! };
}

async function cancelLocked(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<Payout> {
  await releaseHold(tx, clock, tenant, row);
  await closeRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'rejected');
  return writeStatus(tx, clock, tenant, row, { status: 'cancelled', sentToRail: false });
}

/** `PATCH /payouts/{id}/cancel`: before the payout reaches the bank; its hold (if any) is released. */
export async function cancelPayout(deps: PayoutDeps, tenant: Tenant, id: string): Promise<Payout> {
  return deps.db.transaction(async (tx) => {
    const row = await lockPayout(tx, tenant, id);
    if (!cancellable(row)) throw errors.payoutNotCancellable();
    return cancelLocked(tx, deps.clock, tenant, row);
  });
}

/**
 * `PATCH /payouts/mock` (sandbox): only the lifecycle's transitions, else 400 `State change not allowed`.
 * - `pending`: a held-back payout (pending_approval, queued, under review) is released: funds held, `in_progress`.
 * - `success` / `failed`: a processing payout's hold is posted (with a sandbox UTR) or released (`error_code` null).
 * - `action_required`: from pending_approval, queued or under review (not from a processing payout).
 * - `cancelled`: as the cancel operation.
 */
export async function mockPayoutStatus(deps: PayoutDeps, tenant: Tenant, body: MockPayoutBody): Promise<Payout> {
  return deps.db.transaction(async (tx) => {
    const row = await lockPayout(tx, tenant, body.id.trim());
    const { clock } = deps;
    switch (body.status) {
      case 'pending': {
        if (!(row.status === 'pending_approval' || row.status === 'queued' || isUnderReview(row))) throw errors.stateChangeNotAllowed();
        const holdId = await holdForProcessing(tx, clock, tenant, row);
        // Released from review: its RFI was answered well enough.
        await closeRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'approved');
        return writeStatus(tx, clock, tenant, row, { status: 'in_progress', sentToRail: true, holdId, queuedAt: null });
      }
      case 'success': {
        if (!isProcessing(row)) throw errors.stateChangeNotAllowed();
        return finishPayout(tx, clock, tenant, row, { status: 'success' });
      }
      case 'failed': {
        // A mocked failure carries no error code (notes-payouts §13.7).
        if (isProcessing(row)) return finishPayout(tx, clock, tenant, row, { status: 'failed', error: null });
        if (!(isUnderReview(row) || row.status === 'queued')) throw errors.stateChangeNotAllowed();
        await closeRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'rejected');
        return writeStatus(tx, clock, tenant, row, { status: 'failed', sentToRail: false, queuedAt: null });
      }
      case 'action_required': {
        if (!(row.status === 'pending_approval' || row.status === 'queued' || isUnderReview(row))) throw errors.stateChangeNotAllowed();
        // The RFI the merchant answers (a new one, or the one under review asked again): notes-payouts §13.8.
        await raiseRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, body.rfi_document_ids);
        return writeStatus(tx, clock, tenant, row, { status: 'action_required', queuedAt: null });
      }
      case 'cancelled': {
        if (!cancellable(row)) throw errors.stateChangeNotAllowed();
        return cancelLocked(tx, clock, tenant, row);
      }
    }
  });
}
