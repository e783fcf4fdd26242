// What the payer of a payin is asked for, and what reaches the merchant: the price's transaction fee (borne by the
// merchant or the customer, by the merchant's setting) and, for a payment in another currency, the conversion at
// the mid rate with the FX markup as `fx_fee`. One function, used to show the checkout amount and to record the
// payment, so that the two never disagree.
import type { DbOrTx } from '../../db/client.js';
import type { FeeBearer } from '../../db/schema/index.js';
import { fitsJson } from '../../core/amount.js';
import { errors } from '../../core/errors.js';
import { normalizeCurrency } from '../../core/iso.js';
import { convertMinor, formatRate, parseRate, type Rate } from '../../core/money.js';
import type { Tenant } from '../../core/tenancy.js';
import { priceConversion } from '../../fx/conversion-pricing.js';
import type { FxRateSource } from '../../fx/rates.js';
import { payinFeeBearerOf } from '../merchants/service.js';
import { defaultPrice, findPrice, priceFee } from '../prices/service.js';
import { findQuote, priceFx } from '../quotes/service.js';
import type { Payin } from './payins.js';

export interface PricingDeps {
  fxRates: FxRateSource;
  markupBps: number;
}

/** What pricing reads of what is paid: a payin, or a subscription's instalment (no price of its own, no quote). */
export type PricedPayin = Pick<Payin, 'amount' | 'currency' | 'priceId' | 'quoteId'>;

export interface PaymentPricing {
  priceId: string | null;
  /** The payin's amount, in its currency (`requested_*`). */
  requestedAmount: bigint;
  /** The price's transaction fee, in the payin's currency. */
  feeAmount: bigint;
  feeBearer: FeeBearer;
  /** What settles in the payin's currency (`converted_*`): the requested amount plus a customer-borne fee. */
  settledCurrency: string;
  settledAmount: bigint;
  /** What the payer pays (`payment_*`). */
  paymentCurrency: string;
  paymentAmount: bigint;
  /** The FX markup in the payment currency; 0 without conversion. */
  fxFee: bigint;
  /** The mid rate (payin currency per unit of payment currency), exact; null without conversion. */
  fxRate: string | null;
}

/** The payment row's columns a pricing decides, for every kind of payment the engine inserts. */
export function pricedColumns(pricing: PaymentPricing) {
  return {
    currency: pricing.settledCurrency,
    amount: pricing.settledAmount,
    requestedAmount: pricing.requestedAmount,
    feeAmount: pricing.feeAmount,
    feeBearer: pricing.feeBearer,
    paymentCurrency: pricing.paymentCurrency,
    paymentAmount: pricing.paymentAmount,
    fxFeeAmount: pricing.fxFee,
    fxRate: pricing.fxRate,
    priceId: pricing.priceId,
  };
}

/**
 * A customer-borne fee or a conversion can take an amount the API accepted past the largest one it can answer
 * (2^53 − 1 minor units): refused as the payer's input, not failed as a 500 when presented.
 */
function withinJsonRange(pricing: PaymentPricing): PaymentPricing {
  if (!fitsJson(pricing.settledAmount) || !fitsJson(pricing.paymentAmount)) throw errors.amountBeyondJsonRange();
  return pricing;
}

/** The payin's price (its own, else the merchant's default) and its fee on the payin amount, in the payin currency. */
async function transactionFee(db: DbOrTx, deps: PricingDeps, tenant: Tenant, payin: PricedPayin): Promise<{ priceId: string | null; fee: bigint }> {
  const price = payin.priceId !== null ? await findPrice(db, tenant, payin.priceId) : await defaultPrice(db, tenant);
  if (!price) return { priceId: null, fee: 0n };
  const fee = priceFee(price, payin.amount, payin.currency);
  if (fee.ok) return { priceId: price.id, fee: fee.fee };
  // A fixed fee in another currency: converted at the mid rate, rounded up, and capped at the amount like any fee.
  const mid = await deps.fxRates.midRate(price.feesCurrency!, payin.currency);
  if (!mid) throw errors.invalidParameter(`The price's fee currency ${price.feesCurrency} cannot be converted to ${payin.currency}`);
  const converted = convertMinor(price.feesAmount!, price.feesCurrency!, payin.currency, mid, 'ceil');
  return { priceId: price.id, fee: converted > payin.amount ? payin.amount : converted };
}

/** The locked rate of the order's quote when the payer pays in the quote's source currency. */
async function quoteRate(db: DbOrTx, tenant: Tenant, payin: PricedPayin, paymentCurrency: string): Promise<{ mid: Rate; markupBps: number } | undefined> {
  if (payin.quoteId === null) return undefined;
  const quote = await findQuote(db, tenant, payin.quoteId);
  if (!quote || quote.sourceCurrency !== paymentCurrency || quote.destinationCurrency !== payin.currency) return undefined;
  return { mid: parseRate(quote.midRate), markupBps: quote.markupBps };
}

/**
 * Prices a payment of `payin` in `paymentCurrency` (any case). 400 for a currency the FX source does not quote
 * and for an amount too small to convert.
 */
export async function pricePayment(db: DbOrTx, deps: PricingDeps, tenant: Tenant, payin: PricedPayin, paymentCurrency: string): Promise<PaymentPricing> {
  const currency = normalizeCurrency(paymentCurrency.trim());
  if (currency === undefined) throw errors.validation('Currency must be a valid ISO 4217 currency code (e.g., USD)');
  const { priceId, fee } = await transactionFee(db, deps, tenant, payin);
  const feeBearer = await payinFeeBearerOf(db, tenant.merchantId);
  const settledAmount = feeBearer === 'customer' ? payin.amount + fee : payin.amount;
  const base = { priceId, requestedAmount: payin.amount, feeAmount: fee, feeBearer, settledCurrency: payin.currency, settledAmount };
  if (currency === payin.currency) {
    return withinJsonRange({ ...base, paymentCurrency: currency, paymentAmount: settledAmount, fxFee: 0n, fxRate: null });
  }
  const locked = await quoteRate(db, tenant, payin, currency);
  if (locked) {
    const price = priceConversion({ sourceCurrency: currency, targetCurrency: payin.currency, mid: locked.mid, markupBps: locked.markupBps, targetAmount: settledAmount });
    if (!price.ok) throw errors.invalidParameter('Amount is too small to convert');
    return withinJsonRange({ ...base, paymentCurrency: currency, paymentAmount: price.sourceAmount, fxFee: price.fee, fxRate: formatRate(locked.mid) });
  }
  const fx = await priceFx(deps.fxRates, deps.markupBps, { sourceCurrency: currency, destinationCurrency: payin.currency, destinationAmount: settledAmount }, 'payments');
  return withinJsonRange({ ...base, paymentCurrency: currency, paymentAmount: fx.sourceAmount, fxFee: fx.fee, fxRate: formatRate(fx.mid) });
}
