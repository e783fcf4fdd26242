// Conversion pricing rule (pure functions; amounts are bigint minor units, the mid rate an exact decimal).
//
// The fee is charged in the source currency: fee = ceil(sourceAmount × markupBps / 10000), and
// netSource = sourceAmount − fee is converted at the mid-market rate.
//
// Given a source amount: targetAmount = floor(netSource × mid) in target minor units, so the merchant never
// receives more than the exact value and loses strictly less than one target minor unit to rounding.
//
// Given a target amount: the merchant receives exactly targetAmount and pays the smallest sourceAmount for which
// the source rule would yield at least targetAmount, i.e. floor((S − ceil(S × markupBps / 10000)) × mid) ≥
// targetAmount while S − 1 does not satisfy it. The exact value of netSource × mid can then exceed targetAmount,
// by less than the value of one source minor unit.
//
// A targetAmount below 1, or a netSource below 1, is refused as amount_too_small (so is any amount at a
// 10000 bps markup, where the fee takes everything).
import { basisPoints, convertMinor, minimalSourceFor, type Rate } from '../core/money.js';

export type ConversionPricingInput = {
  sourceCurrency: string;
  targetCurrency: string;
  /** Major units of targetCurrency per major unit of sourceCurrency. */
  mid: Rate;
  /** Whole basis points, 0 to 10000. */
  markupBps: number;
} & ({ sourceAmount: bigint } | { targetAmount: bigint });

export type ConversionPrice =
  | { ok: true; sourceAmount: bigint; fee: bigint; netSource: bigint; targetAmount: bigint }
  | { ok: false; reason: 'amount_too_small' };

const BPS_PER_WHOLE = 10_000n;
const TOO_SMALL = { ok: false, reason: 'amount_too_small' } as const;

export function priceConversion(input: ConversionPricingInput): ConversionPrice {
  const hasSource = 'sourceAmount' in input;
  const hasTarget = 'targetAmount' in input;
  if (hasSource === hasTarget) throw new Error('Price a conversion from exactly one of sourceAmount and targetAmount');
  return hasSource ? priceFromSource(input, input.sourceAmount) : priceForTarget(input, input.targetAmount);
}

function priceFromSource(input: ConversionPricingInput, sourceAmount: bigint): ConversionPrice {
  const fee = basisPoints(sourceAmount, input.markupBps, 'ceil');
  const netSource = sourceAmount - fee;
  if (netSource < 1n) return TOO_SMALL;
  const targetAmount = convertMinor(netSource, input.sourceCurrency, input.targetCurrency, input.mid, 'floor');
  if (targetAmount < 1n) return TOO_SMALL;
  return { ok: true, sourceAmount, fee, netSource, targetAmount };
}

function priceForTarget(input: ConversionPricingInput, targetAmount: bigint): ConversionPrice {
  basisPoints(0n, input.markupBps, 'ceil'); // validates markupBps before any early return
  if (targetAmount < 1n) return TOO_SMALL;
  const keptShare = BPS_PER_WHOLE - BigInt(input.markupBps);
  if (keptShare === 0n) return TOO_SMALL;
  const netSource = minimalSourceFor(targetAmount, input.sourceCurrency, input.targetCurrency, input.mid);
  // S − ceil(S·bps/10000) = floor(S·(10000 − bps)/10000), which is ≥ netSource exactly when
  // S ≥ netSource·10000/(10000 − bps); it grows by at most 1 per unit of S, so the smallest such S nets exactly netSource.
  const sourceAmount = (netSource * BPS_PER_WHOLE + keptShare - 1n) / keptShare;
  const fee = basisPoints(sourceAmount, input.markupBps, 'ceil');
  if (sourceAmount - fee !== netSource) throw new Error('Conversion pricing invariant broken: fee does not net to the needed source');
  return { ok: true, sourceAmount, fee, netSource, targetAmount };
}
