// The referral fee a price takes from one payment: the one rule payments and orders use.
import { basisPoints } from '../../core/money.js';
import type { PricingType } from '../../db/schema/prices.js';

/** The terms of a price, as a `prices` row carries them. */
export interface PriceTerms {
  pricingType: PricingType;
  feesAmount: bigint | null;
  feesCurrency: string | null;
  bps: number | null;
}

export type PriceFee = { ok: true; fee: bigint } | { ok: false; reason: 'currency_mismatch' };

/**
 * The fee of `price` on a payment of `amount` minor units of `currency` (an upper-case ISO 4217 code), in that
 * currency. Percentage: ceil(amount × bps / 10000), so a fee is never rounded away. Fixed: `feesAmount` when the
 * currencies match; otherwise `currency_mismatch`, and the caller converts through FX. The fee is capped at the
 * amount, so a payment never nets below zero.
 */
export function priceFee(price: PriceTerms, amount: bigint, currency: string): PriceFee {
  if (amount < 0n) throw new Error(`Payment amount must not be negative, got ${amount}`);
  let fee: bigint;
  if (price.pricingType === 'percentage') {
    if (price.bps === null) throw new Error('A percentage price must have bps');
    fee = basisPoints(amount, price.bps, 'ceil');
  } else {
    if (price.feesAmount === null || price.feesCurrency === null) throw new Error('A fixed price must have fees_amount and fees_currency');
    if (price.feesCurrency !== currency) return { ok: false, reason: 'currency_mismatch' };
    fee = price.feesAmount;
  }
  return { ok: true, fee: fee > amount ? amount : fee };
}
