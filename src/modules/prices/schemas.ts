import { Type, type Static } from 'typebox';
import { PositiveAmount } from '../../core/amount.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

export const PricingType = Type.Enum(['fixed', 'percentage'], { description: 'fixed: fees_amount in fees_currency; percentage: bps of the amount.' });

const Bps = Type.Integer({ minimum: 1, maximum: 10_000, description: 'Basis points of the payment amount (1..10000), for percentage prices.', examples: [250] });

/**
 * The contract's `oneOf` (fixed or percentage) as one object, so that a missing field answers `Fees amount can't be
 * blank` rather than a schema branch error. Fields of the other pricing type are accepted and ignored (the
 * contract's own example sends `bps` with a fixed price); unknown fields are ignored (no additionalProperties).
 */
export const CreatePriceBody = Type.Object({
  pricing_type: PricingType,
  fees_amount: Type.Optional(PositiveAmount({ description: 'Fixed prices: minor units of fees_currency.', examples: [1000] })),
  fees_currency: Type.Optional(Type.String({ format: 'iso-4217', description: 'Fixed prices: ISO 4217, any case.', examples: ['USD'] })),
  bps: Type.Optional(Bps),
});
export type CreatePriceBody = Static<typeof CreatePriceBody>;

export const Price = Type.Object({
  id: Type.String({ examples: ['price_6819d7d0lrLvP'] }),
  pricing_type: PricingType,
  fees_amount: Type.Optional(Type.Integer({ examples: [1000] })),
  fees_currency: Type.Optional(Type.String({ examples: ['USD'] })),
  bps: Type.Optional(Type.Integer({ examples: [250] })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Price = Static<typeof Price>;

export const ListPricesQuery = Type.Object({ ...PaginationQuery });
export type ListPricesQuery = Static<typeof ListPricesQuery>;

export const PriceList = ListOf(Price);
