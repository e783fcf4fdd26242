import { Type, type Static } from 'typebox';
import { PositiveAmount } from '../../core/amount.js';
import { AttachedDocument } from '../rfis/schemas.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { PAYMENT_METHOD_TYPES } from '../../db/schema/payments.js';
import { REFUND_REASONS, REFUND_STATUSES } from '../../db/schema/refunds.js';

/** The contract's `Refund`, the fields we fill: no fees are charged on refunds yet, so `fx_fee`/`txn_fee` are omitted. */
export const Refund = Type.Object({
  id: Type.String({ examples: ['refund_6776d57dnbTWj'] }),
  customer_id: Type.String(),
  payment_id: Type.String(),
  reason: Type.String({ examples: ['Requested By Customer'] }),
  documents: Type.Array(AttachedDocument, { description: 'The documents attached with `update_rfi`, in the order they were attached.' }),
  status: Type.Enum([...REFUND_STATUSES], { description: '`in_progress` until the refund resolves (the live API\'s name for the published `pending`).' }),
  currency: Type.String(),
  amount: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Refund = Static<typeof Refund>;

export const CreateRefundBody = Type.Object({
  payment_id: Type.String({ description: 'A `success` payment (payt_…) of the last 180 days.', examples: ['payt_6819d8046mpKt'] }),
  reason: Type.Enum([...REFUND_REASONS]),
  amount: Type.Optional(PositiveAmount({
    description: 'Minor units in the payment currency; default the whole refundable remainder (the payment amount less its ' +
      '`in_progress` and `success` refunds).',
    examples: [1000],
  })),
  request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Idempotency key: a repeat answers 400.' })),
  document_id: Type.Optional(Type.String({ description: 'Not supported yet: answers 400.' })),
  document_url: Type.Optional(Type.String({ description: 'Not supported yet: answers 400.' })),
  file_name: Type.Optional(Type.String({ description: 'Not supported yet: answers 400.' })),
});
export type CreateRefundBody = Static<typeof CreateRefundBody>;

export const MockUpdateRefundBody = Type.Object({
  status: Type.Enum(['success', 'failed'], { description: 'The outcome of an `in_progress` refund.' }),
});
export type MockUpdateRefundBody = Static<typeof MockUpdateRefundBody>;

export const ListRefundsQuery = Type.Object({
  customer_id: Type.Optional(Type.String()),
  payment_id: Type.Optional(Type.String()),
  payment_method: Type.Optional(Type.Enum([...PAYMENT_METHOD_TYPES])),
  status: Type.Optional(Type.Enum(['success', 'failed', 'action_required', 'pending', 'under_review', 'in_progress'], {
    description: '`pending` and `in_progress` both select unresolved refunds; `action_required` and `under_review` match none yet.',
  })),
  request_id: Type.Optional(Type.String()),
  ...PaginationQuery,
});
export type ListRefundsQuery = Static<typeof ListRefundsQuery>;

export const RefundList = ListOf(Refund);
