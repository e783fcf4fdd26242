// The transaction fee of a payout (or a withdrawal) by rail: one schedule in US dollars, charged in the source
// currency at the mid rate, rounded up. Quotes show it and payouts hold it on top of the source amount
// (docs/decisions/0015-payouts.md).
import { errors } from '../../core/errors.js';
import { convertMinor } from '../../core/money.js';
import type { PaymentRail } from './rails.js';
import type { FxRateSource } from '../../fx/rates.js';

/** USD cents per payout: SWIFT carries correspondent-bank costs; local rails are cheap. */
export const PAYOUT_FEE_SCHEDULE_USD: Readonly<Record<PaymentRail, bigint>> = Object.freeze({
  swift: 1500n,
  imps: 100n,
  neft: 100n,
  rtgs: 100n,
  upi: 100n,
  ipp: 100n,
  fts: 100n,
  sepa: 100n,
  fps: 100n,
});

/** The rail's fee in `sourceCurrency` minor units (ceil of the converted USD amount). */
export async function payoutTxnFee(fxRates: FxRateSource, rail: PaymentRail, sourceCurrency: string): Promise<bigint> {
  const usd = PAYOUT_FEE_SCHEDULE_USD[rail];
  if (sourceCurrency === 'USD') return usd;
  const mid = await fxRates.midRate('USD', sourceCurrency);
  if (!mid) throw errors.invalidParameter(`Currency ${sourceCurrency} is not supported for payouts`);
  return convertMinor(usd, 'USD', sourceCurrency, mid, 'ceil');
}
