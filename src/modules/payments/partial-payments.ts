// What one payment pays of its payin, and its price: all that is due, or (a link that allows partial payments,
// decision 0037) a part of it. The hosted link page names the part; the sandbox's mock and a bank transfer name only
// what the payer sent, and the part is the one whose price is exactly that, in the link's currency.
import type { DbOrTx } from '../../db/client.js';
import { ApiError, errors } from '../../core/errors.js';
import { normalizeCurrency } from '../../core/iso.js';
import type { Tenant } from '../../core/tenancy.js';
import { payinPart, type Payin } from './payins.js';
import { pricePayment, type PaymentPricing, type PricingDeps } from './pricing.js';

export interface PricedAttempt {
  /** The payin with what this payment pays of it as its `amount` (what `markPayinPaid` records). */
  payin: Payin;
  pricing: PaymentPricing;
}

/** How an attempt says what it pays: in `currency` (any case), `part` of what is due, and/or the `amount` the payer sent. */
export interface AttemptAmount {
  currency: string;
  /** What the payment pays of the payin, in the payin's currency (the hosted link page); undefined: all that is due. */
  part?: bigint;
  /** What the payer sent, in `currency` (the mock, a bank transfer); it must be the price of what it pays. */
  amount?: bigint;
}

/**
 * The largest part of a partially payable payin priced at exactly `amount` in its own currency, or undefined. Prices
 * grow with the part (a fee on it, borne by the customer or not), so a binary search over 1…due finds it; with no fee
 * passed on the part is the amount itself, tried first.
 */
async function partPricedAt(db: DbOrTx, deps: PricingDeps, tenant: Tenant, payin: Payin, amount: bigint): Promise<PricedAttempt | undefined> {
  const priceOf = async (part: bigint) => ({ payin: { ...payin, amount: part }, pricing: await pricePayment(db, deps, tenant, { ...payin, amount: part }, payin.currency) });
  if (amount < payin.amount) {
    const direct = await priceOf(amount);
    if (direct.pricing.paymentAmount === amount) return direct;
  }
  let low = 1n;
  let high = payin.amount - 1n;
  let found: PricedAttempt | undefined;
  while (low <= high) {
    const middle = (low + high) / 2n;
    const priced = await priceOf(middle);
    if (priced.pricing.paymentAmount <= amount) {
      if (priced.pricing.paymentAmount === amount) found = priced;
      low = middle + 1n;
    } else {
      high = middle - 1n;
    }
  }
  return found;
}

/**
 * What the attempt pays of `payin` and its price. 400 for a part the payin does not take (`payinPart`), for a part of
 * a link in another currency than its own, and for an `amount` that is not the price of what it pays.
 */
export async function priceAttempt(db: DbOrTx, deps: PricingDeps, tenant: Tenant, payin: Payin, attempt: AttemptAmount): Promise<PricedAttempt> {
  const partial = (paid: Payin) => paid.amount < payin.amount;
  const inOwnCurrency = normalizeCurrency(attempt.currency.trim()) === payin.currency;
  if (attempt.part !== undefined) {
    const paid = payinPart(payin, attempt.part);
    if (partial(paid) && !inOwnCurrency) throw errors.paymentLinkPartialCurrency(payin.currency);
    const pricing = await pricePayment(db, deps, tenant, paid, attempt.currency);
    if (attempt.amount !== undefined && attempt.amount !== pricing.paymentAmount) throw errors.paymentAmountMismatch(pricing.paymentCurrency, pricing.paymentAmount);
    return { payin: paid, pricing };
  }
  const pricing = await pricePayment(db, deps, tenant, payin, attempt.currency);
  if (attempt.amount === undefined || attempt.amount === pricing.paymentAmount) return { payin, pricing };
  if (payin.allowsPartial && attempt.amount > 0n && attempt.amount < pricing.paymentAmount) {
    if (!inOwnCurrency) throw errors.paymentLinkPartialCurrency(payin.currency);
    const part = await partPricedAt(db, deps, tenant, payin, attempt.amount);
    if (part) return part;
  }
  if (payin.allowsPartial && attempt.amount > pricing.paymentAmount) throw errors.paymentLinkPartTooLarge(pricing.paymentCurrency, pricing.paymentAmount);
  throw errors.paymentAmountMismatch(pricing.paymentCurrency, pricing.paymentAmount);
}

/** `priceAttempt`, or undefined where it refuses (a bank transfer that pays nothing it names is held instead). */
export async function priceAttemptOrNothing(
  db: DbOrTx, deps: PricingDeps, tenant: Tenant, payin: Payin, attempt: AttemptAmount,
): Promise<PricedAttempt | undefined> {
  try {
    return await priceAttempt(db, deps, tenant, payin, attempt);
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}
