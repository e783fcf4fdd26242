import { Type, type Static } from 'typebox';
import { Money, PositiveAmount } from '../../core/amount.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

const Currency = Type.String({
  format: 'iso-4217',
  description: 'ISO 4217 code of a currency in the rate table (USD, EUR, GBP, INR, AED, SGD, AUD, CAD, JPY, HKD, ...).',
  examples: ['USD'],
});

/**
 * The contract's two bodies (`source_amount` or `target_amount`) in one object, so that sending both answers its
 * documented message rather than a schema error; `quote_id` (a `balance_conversion` quote) is our extension.
 */
export const CreateBalanceConversionBody = Type.Object({
  source_currency: Type.Optional(Currency),
  target_currency: Type.Optional(Currency),
  source_amount: Type.Optional(PositiveAmount({ description: 'Minor units to convert. Only one of source_amount or target_amount can be sent.', examples: [1000] })),
  target_amount: Type.Optional(PositiveAmount({ description: 'Minor units to receive. Only one of source_amount or target_amount can be sent.', examples: [1000] })),
  quote_id: Type.Optional(Type.String({ description: 'Extension: convert at a quote\'s locked amounts (resource balance_conversion). Send nothing else with it.' })),
}, { additionalProperties: false });
export type CreateBalanceConversionBody = Static<typeof CreateBalanceConversionBody>;

export const BalanceConversion = Type.Object({
  id: Type.String({ examples: ['conv_6776d57dnbTWj'] }),
  from: Money,
  to: Money,
  fees: Money,
  mid_market_rate: Type.Object({
    currency: Type.String({ description: 'The target currency.' }),
    rate: Type.Number({ description: 'Target units per source unit at the mid-market rate.' }),
  }),
  status: Type.Enum(['success', 'failed', 'pending']),
  created_at: Type.String({ format: 'date-time' }),
});
export type BalanceConversion = Static<typeof BalanceConversion>;

export const ListBalanceConversionsQuery = Type.Object({
  source_currency: Type.Optional(Currency),
  target_currency: Type.Optional(Currency),
  ...PaginationQuery,
});
export type ListBalanceConversionsQuery = Static<typeof ListBalanceConversionsQuery>;

export const BalanceConversionList = ListOf(BalanceConversion);
