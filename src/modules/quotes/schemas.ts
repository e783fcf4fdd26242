import { Type, type Static } from 'typebox';
import { Money, PositiveAmount } from '../../core/amount.js';
import { QUOTE_RESOURCES } from '../../db/schema/index.js';

const Currency = (description: string) => Type.String({ format: 'iso-4217', description, examples: ['USD'] });

const Method = Type.Object({
  payment_method: Type.Optional(Type.Enum(['bank_transfer', 'pay_via_bank'])),
  type: Type.Optional(Type.Enum(['bank_transfer', 'pay_via_bank'], { description: 'Alias of payment_method.' })),
  subtype: Type.Optional(Type.Enum(['local_transfer', 'swift_transfer'], { default: 'swift_transfer' })),
}, { additionalProperties: false });

export const CreateQuoteBody = Type.Object({
  resource: Type.Enum([...QUOTE_RESOURCES], {
    description: '`payin` (an order created from the quote), `payout`, or `balance_conversion` (this server\'s extension).',
  }),
  source_currency: Currency('The currency paid from.'),
  destination_currency: Currency('The currency received.'),
  source_amount: Type.Optional(PositiveAmount({ description: 'Minor units. Send exactly one of source_amount and destination_amount.' })),
  destination_amount: Type.Optional(PositiveAmount({ description: 'Minor units. Send exactly one of source_amount and destination_amount.' })),
  method: Type.Optional(Method),
  payment_method: Type.Optional(Method),
}, { additionalProperties: false });
export type CreateQuoteBody = Static<typeof CreateQuoteBody>;

export const Quote = Type.Object({
  id: Type.String({ examples: ['quote_6819d804aB3xQ'] }),
  resource: Type.Enum([...QUOTE_RESOURCES]),
  status: Type.Enum(['active', 'used', 'expired'], { description: 'Extension: whether the quote can still be used.' }),
  source_currency: Type.String(),
  destination_currency: Type.String(),
  source_amount: Type.Integer(),
  destination_amount: Type.Integer(),
  fx_rate: Type.String({ description: 'The rate after the markup: destination units per source unit, as a decimal string.' }),
  mid_market_rate: Type.Object({ currency: Type.String(), rate: Type.Number() }),
  fees: Type.Object({ txn_fee: Money, fx_fee: Money }),
  method: Type.Optional(Type.Object({ payment_method: Type.String(), subtype: Type.String(), payment_rail: Type.String() })),
  used_by: Type.Optional(Type.String({ description: 'The id of the object that consumed the quote.' })),
  expires_at: Type.String({ format: 'date-time' }),
  created_at: Type.String({ format: 'date-time' }),
});
export type Quote = Static<typeof Quote>;

export const QuoteList = Type.Object({ quotes: Type.Array(Quote) });
export type QuoteList = Static<typeof QuoteList>;
