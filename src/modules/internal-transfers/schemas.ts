import { Type, type Static } from 'typebox';
import { Money, PositiveAmount } from '../../core/amount.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

const MerchantId = (description: string) => Type.String({ minLength: 1, maxLength: 64, description, examples: ['merch_68cc1216xPrdU'] });

/** The contract's `CreateInternalTransferRequest`, with `request_id` (an extension). */
export const CreateInternalTransferBody = Type.Object({
  amount: PositiveAmount({ description: 'Minor units to move, e.g. 10000 = 100.00.', examples: [10000] }),
  currency: Type.String({
    format: 'iso-4217',
    description: 'ISO 4217, any case. The contract has AED only; the operator sets the list (INTERNAL_TRANSFER_CURRENCIES).',
    examples: ['AED'],
  }),
  reference: Type.String({ maxLength: 100, description: 'Your reference for the transfer, at most 100 characters.', examples: ['sample-reference'] }),
  from_merchant_id: MerchantId('The paying merchant: the platform or one of its children (in the caller\'s environment).'),
  to_merchant_id: MerchantId('The receiving merchant, in the same platform hierarchy; not from_merchant_id.'),
  request_id: Type.Optional(Type.String({
    minLength: 1, maxLength: 255,
    description: 'Extension: idempotency key, per caller and environment. A repeat answers 200 with the first transfer and moves nothing.',
  })),
}, { additionalProperties: false });
export type CreateInternalTransferBody = Static<typeof CreateInternalTransferBody>;

const Nothing = Type.Union([Type.String(), Type.Null()], { description: 'Null: an internal transfer is synchronous and a refused one is never stored.' });

/** The contract's `InternalTransfer`. */
export const InternalTransfer = Type.Object({
  id: Type.String({ examples: ['inttransfer_68f1f9126GDCB'] }),
  from_merchant_id: Type.String({ examples: ['merch_68cc1216xPrdU'] }),
  to_merchant_id: Type.String({ examples: ['merch_68cc0571y5S4h'] }),
  owner_merchant_id: Type.String({ description: 'The platform of the hierarchy the transfer moved money in.', examples: ['merch_68cc0571y5S4h'] }),
  transfer_amount: Type.Integer({ examples: [1000] }),
  transfer_currency: Type.String({ examples: ['AED'] }),
  reference: Type.String({ examples: ['sample-reference'] }),
  fees: Type.Object({ txn_fee: Money, fx_fee: Money }, { description: 'Internal transfers are free: both zero, in the transfer currency.' }),
  error_code: Nothing,
  error_description: Nothing,
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type InternalTransfer = Static<typeof InternalTransfer>;

export const ListInternalTransfersQuery = Type.Object({
  from_merchant_id: Type.Optional(Type.String({ description: 'Only transfers paid by this merchant.' })),
  to_merchant_id: Type.Optional(Type.String({ description: 'Only transfers received by this merchant.' })),
  ...PaginationQuery,
});
export type ListInternalTransfersQuery = Static<typeof ListInternalTransfersQuery>;

export const InternalTransferList = ListOf(InternalTransfer);
