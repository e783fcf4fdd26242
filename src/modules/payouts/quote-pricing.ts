// How the quotes module prices payout quotes: the rails a quote is priced for and each rail's transaction fee, as the
// payout made from the quote will hold them. Handed to quotes by the composition root (quotes imports no payouts code).
import { errors } from '../../core/errors.js';
import type { FxRateSource } from '../../fx/rates.js';
import type { CreateQuoteBody, PayoutQuotePricing } from '../quotes/service.js';
import { payoutTxnFee } from './fees.js';
import { isPaymentRail, LOCAL_RAILS, PAYOUT_DESTINATION_CURRENCIES, PAYOUT_SOURCE_CURRENCIES, SWIFT_RAIL } from './rails.js';

export function payoutQuotePricing(fxRates: FxRateSource): PayoutQuotePricing {
  return {
    railsFor(body: CreateQuoteBody, sourceCurrency: string, destinationCurrency: string) {
      if (!(PAYOUT_SOURCE_CURRENCIES as readonly string[]).includes(sourceCurrency)) throw errors.unsupportedCurrency(sourceCurrency, 'payouts');
      if (!(PAYOUT_DESTINATION_CURRENCIES as readonly string[]).includes(destinationCurrency)) throw errors.unsupportedCurrency(destinationCurrency, 'payouts');
      // One quote per eligible rail of the subtype.
      const method = body.method ?? body.payment_method;
      const paymentMethod = method?.payment_method ?? method?.type ?? 'bank_transfer';
      const subtype = method?.subtype ?? 'swift_transfer';
      if (subtype === 'swift_transfer') return { paymentMethod, subtype, rails: [SWIFT_RAIL] };
      const rails = LOCAL_RAILS[destinationCurrency];
      if (!rails) throw errors.invalidParameter(`local_transfer is not supported for ${destinationCurrency} destination`);
      return { paymentMethod, subtype, rails: [...rails] };
    },
    txnFee: async (rail, sourceCurrency) => (isPaymentRail(rail) ? payoutTxnFee(fxRates, rail, sourceCurrency) : 0n),
  };
}
