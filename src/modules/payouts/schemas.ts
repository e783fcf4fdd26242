import { Type, type Static } from 'typebox';
import { Money } from '../../core/amount.js';
import { Notes } from '../orders/schemas.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { AttachedDocument } from '../rfis/schemas.js';
import { PAYOUT_STATUSES } from '../../db/schema/payouts.js';

export const PayoutStatus = Type.Enum([...PAYOUT_STATUSES]);

/** The 2026 contract's `Payout`. */
export const Payout = Type.Object({
  id: Type.String({ examples: ['payout_6a8fd80eo6coZ'] }),
  status: PayoutStatus,
  source_currency: Type.String({ examples: ['USD'] }),
  source_amount: Type.Integer({ description: 'Minor units taken from the source balance, the FX fee included (the transaction fee is charged on top).' }),
  destination_currency: Type.String({ examples: ['INR'] }),
  destination_amount: Type.Integer({ description: 'Minor units the beneficiary receives.' }),
  beneficiary_id: Type.String(),
  documents: Type.Array(AttachedDocument),
  purpose_code: Type.String({ examples: ['S1301'] }),
  mid_market_rate: Type.Object({
    currency: Type.String({ description: 'The destination currency.' }),
    rate: Type.Number({ description: 'Destination units per source unit at creation (or from the quote).' }),
  }),
  fees: Type.Object({ fx_fee: Money, txn_fee: Money }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  utr: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  payment_rail: Type.String({ examples: ['neft'] }),
  invoice_number: Type.Union([Type.String(), Type.Null()]),
  fee_collection_mode: Type.String({ description: '`merchant`: the transaction fee is taken from the balance on top of the source amount.' }),
  error_code: Type.Union([Type.String(), Type.Null()]),
  error_description: Type.Union([Type.String(), Type.Null()]),
  customer_error_description: Type.Union([Type.String(), Type.Null()]),
  quote_id: Type.Union([Type.String(), Type.Null()]),
  taxes: Type.Array(Type.Object({ name: Type.String(), amount: Type.Integer(), currency: Type.String(), bps: Type.Integer() })),
  notes: Type.Union([Notes, Type.Null()]),
});
export type Payout = Static<typeof Payout>;

const SOURCE_CURRENCIES = ['USD', 'EUR', 'GBP', 'AED', 'SGD', 'AUD'];

/**
 * The contract's two create bodies (with and without `quote_id`) and the legacy 2025 one in one object, so that a
 * field of the other variant answers the contract's own message rather than a schema branch error.
 */
export const CreatePayoutBody = Type.Object({
  beneficiary_id: Type.String({ description: 'An active beneficiary (bene_…).', examples: ['bene_698c0615XZocZ'] }),
  purpose_code: Type.String({ description: 'A payout purpose code (S####) of the published list.', examples: ['S1301'] }),
  quote_id: Type.Optional(Type.String({ description: 'A payout quote (quote_…): it fixes currencies, amounts, fees and rail.' })),
  source_currency: Type.Optional(Type.String({ description: SOURCE_CURRENCIES.join(', ') + '.', examples: ['USD'] })),
  destination_currency: Type.Optional(Type.String({ description: 'A source currency or INR.', examples: ['INR'] })),
  source_amount: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  destination_amount: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  payment_rail: Type.Optional(Type.String({ description: 'Default swift. upi, imps, neft, rtgs (INR); ipp, fts (AED); sepa (EUR); fps (GBP).' })),
  invoice_number: Type.Optional(Type.String({ maxLength: 50 })),
  request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Idempotency key: a repeat answers 409.' })),
  documents: Type.Optional(Type.Array(Type.String(), { maxItems: 20, description: 'Document ids (doc_…) the purpose code requires.' })),
  notes: Type.Optional(Notes),
}, { additionalProperties: false });
export type CreatePayoutBody = Static<typeof CreatePayoutBody>;

export const ListPayoutsQuery = Type.Object({
  beneficiary_id: Type.Optional(Type.String()),
  status: Type.Optional(Type.Enum([...PAYOUT_STATUSES, 'under_review'], {
    description: '`under_review` (the older enum) selects in_progress payouts back under compliance review.',
  })),
  request_id: Type.Optional(Type.String()),
  ...PaginationQuery,
});
export type ListPayoutsQuery = Static<typeof ListPayoutsQuery>;

export const PayoutList = ListOf(Payout);

export const CancelPayoutBody = Type.Object({
  reason: Type.Optional(Type.String({ maxLength: 500, description: 'Free text; not stored.' })),
});

export const MockPayoutBody = Type.Object({
  id: Type.String({ examples: ['payout_6a8fd80eo6coZ'] }),
  status: Type.Enum(['pending', 'success', 'failed', 'action_required', 'cancelled'], {
    description: '`pending` releases a held-back payout for processing (it reads `in_progress`).',
  }),
  rfi_document_ids: Type.Optional(Type.Array(Type.String(), {
    description: 'With `action_required`: the RFI\'s required documents (rfidoc_… ids); default one invoice requirement.',
  })),
}, { additionalProperties: false });
export type MockPayoutBody = Static<typeof MockPayoutBody>;
