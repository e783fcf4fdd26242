// Payout rails by destination currency: `swift` reaches any currency; local rails only their own.
export const SWIFT_RAIL = 'swift';

export const LOCAL_RAILS: Readonly<Record<string, readonly string[]>> = {
  INR: ['upi', 'imps', 'neft', 'rtgs'],
  AED: ['ipp', 'fts'],
  EUR: ['sepa'],
  GBP: ['fps'],
};

/** Currencies a payout may be funded from and sent in (notes-payouts §13, `CreatePayoutWithoutQuoteRequest`). */
export const PAYOUT_SOURCE_CURRENCIES = ['USD', 'EUR', 'GBP', 'AED', 'SGD', 'AUD'] as const;
export const PAYOUT_DESTINATION_CURRENCIES = [...PAYOUT_SOURCE_CURRENCIES, 'INR'] as const;
