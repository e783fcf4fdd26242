import { Type, type Static } from 'typebox';
import { PositiveAmount } from '../../core/amount.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { SETTLEMENT_STATUSES } from '../../db/schema/settlements.js';

/** Either `amount` with `balance_currency`, or `payment_ids` (the contract marks none required; one form must be sent). */
export const CreateSettlementBody = Type.Object({
  amount: Type.Optional(PositiveAmount({ description: 'What to send to your bank, in minor units of balance_currency.', examples: [1000] })),
  balance_currency: Type.Optional(Type.String({ format: 'iso-4217', description: 'The available balance the amount leaves.', examples: ['USD'] })),
  payment_ids: Type.Optional(Type.Array(Type.String({ examples: ['payt_6819d8046mpKt'] }), {
    minItems: 1, maxItems: 500, uniqueItems: true,
    description: 'Successful payments whose funds are available and not yet settled, all in one currency.',
  })),
});
export type CreateSettlementBody = Static<typeof CreateSettlementBody>;

const Money = Type.Object({ amount: Type.Integer({ minimum: 0 }), currency: Type.String() });

export const Settlement = Type.Object({
  id: Type.String({ examples: ['setl_6878e266jt1P3'] }),
  status: Type.Enum([...SETTLEMENT_STATUSES], { description: 'in_progress while the bank transfer is on its way, then success or failed (funds back).' }),
  payment_method: Type.String({ examples: ['swift_transfer'] }),
  amount: Type.Integer({ minimum: 1 }),
  currency: Type.String({ examples: ['USD'] }),
  fees: Type.Object({ fx_fee: Money, txn_fee: Money }),
  utr: Type.Optional(Type.String({ description: "The bank's reference, once the transfer succeeded." })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Settlement = Static<typeof Settlement>;

export const Transaction = Type.Object({
  id: Type.String({ examples: ['txn_687f1f8ePcIYg'] }),
  source_id: Type.String({ examples: ['payt_687f1f8ePcIYg'] }),
  source_type: Type.Literal('payment'),
  credit: Money,
  debit: Money,
  fees: Type.Object({ fx_fee: Money, txn_fee: Money }),
  settled_amount: Type.Object({ amount: Type.Integer({ minimum: 1 }), currency: Type.String() }),
  processed_at: Type.String({ format: 'date-time' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Transaction = Static<typeof Transaction>;

export const ListSettlementsQuery = Type.Object({ ...PaginationQuery });
export type ListSettlementsQuery = Static<typeof ListSettlementsQuery>;

export const SettlementList = ListOf(Settlement);
export const TransactionList = ListOf(Transaction);

export const TriggeredSettlements = Type.Object({
  data: Type.Array(Settlement, { description: 'One settlement per currency that had settleable payments (none: an empty list).' }),
});
export type TriggeredSettlements = Static<typeof TriggeredSettlements>;

/**
 * A merchant's automatic settlement as the operator API sets and shows it (`settlement_schedule`): once a day, the
 * available funds of payments paid at least `delay_days` days before that day, in each of `currencies`.
 */
export const SettlementSchedule = Type.Object({
  delay_days: Type.Integer({ minimum: 0, maximum: 30, description: 'Whole days between a payment\'s day (paid_at, UTC) and the run that settles it: 2 settles Monday\'s payments on Wednesday.', examples: [2] }),
  // No format here: the schema is also the answer's (a custom format means nothing to the serializer); the route checks each code.
  currencies: Type.Array(Type.String(), {
    minItems: 1, maxItems: 5,
    description: 'The balances settled: USD, EUR, GBP, AED, SGD (any case; stored upper-cased; each once).', examples: [['USD', 'EUR']],
  }),
}, { additionalProperties: false });
export type SettlementSchedule = Static<typeof SettlementSchedule>;
