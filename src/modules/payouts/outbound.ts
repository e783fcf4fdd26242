// Money leaving the platform (payouts and withdrawals): the source amount (its FX fee included) plus the
// transaction fee is held on the available balance, and on success the hold is posted: the transfer to clearing,
// both fees to fees. Failure or cancellation voids the hold (`voidHold`).
import { holdFunds, postHold, type Cause, type InsufficientFunds } from '../../ledger/index.js';
import type { UnitOfWork } from '../../core/context.js';

export interface OutboundAmounts {
  currency: string;
  /** What leaves for the transfer, the FX fee included. */
  amount: bigint;
  fxFee: bigint;
  /** Charged on top of `amount`. */
  txnFee: bigint;
}

/** Holds `amount + txnFee`, or answers the shortfall having held nothing. */
export async function holdOutbound(
  uow: UnitOfWork, cause: Cause, money: OutboundAmounts,
): Promise<{ ok: true; holdId: string } | InsufficientFunds> {
  const held = await holdFunds(uow, { currency: money.currency, amount: money.amount + money.txnFee, cause });
  return held.ok ? { ok: true, holdId: held.hold.id } : held;
}

/** Posts an outbound hold: `amount − fxFee` to clearing (the money leaves), `fxFee + txnFee` to fees. */
export async function settleOutbound(uow: UnitOfWork, holdId: string, money: OutboundAmounts): Promise<void> {
  const fees = money.fxFee + money.txnFee;
  const posted = await postHold(uow, holdId, {
    destinations: [
      { account: { purpose: 'clearing', currency: money.currency }, amount: money.amount - money.fxFee },
      ...(fees > 0n ? [{ account: { purpose: 'fees' as const, currency: money.currency }, amount: fees }] : []),
    ],
  });
  // The caller's row lock and status guard the hold: one resolved behind it is a bug.
  if (!posted.ok) throw new Error(`hold ${holdId} could not be posted: ${posted.reason}`);
}
