import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { Notes, PayerBankAccount, PayerBankAccountInput, Product } from './payin-fields.js';
import { ORDER_PAYMENT_METHODS, ORDER_STATUSES } from '../../db/schema/orders.js';

// The fields payment links share with orders (payin-fields.ts), for their schemas.
export { Notes, PayerBankAccount, PayerBankAccountInput, Product } from './payin-fields.js';


export const OrderStatus = Type.Enum([...ORDER_STATUSES], {
  description: 'active (awaiting payment), paid, failed, action_required (documents needed), under_review, cancelled, expired.',
});
export const PaymentMethod = Type.Enum([...ORDER_PAYMENT_METHODS]);

/**
 * The contract's `Orders` body. `amount`, `currency` and `payment_methods` are required unless `quote_id` is sent,
 * and must not be sent with it, so the service checks them (with the contract's messages) rather than the schema.
 */
export const CreateOrderBody = Type.Object({
  customer_id: Type.String({ description: 'The customer (cust_…) who pays.', examples: ['cust_6819d7d0lrLvP'] }),
  document_id: Type.Optional(Type.String({ description: 'A document (doc_…) with the documents required to process the payment.', examples: ['doc_nYUqLpuYQ0M8'] })),
  currency: Type.Optional(Type.String({ description: 'USD, EUR, GBP, AED or SGD. Required unless quote_id is sent.', examples: ['USD'] })),
  amount: Type.Optional(Type.Integer({ description: 'Minor units, at least 1. Required unless quote_id is sent.', examples: [1000] })),
  purpose_code: Type.Optional(Type.String({ description: 'Purpose code of an inward remittance (P followed by 4 digits).', examples: ['P1401'] })),
  invoice_number: Type.Optional(Type.String({ maxLength: 255, examples: ['RG12FF590'] })),
  invoice_description: Type.Optional(Type.String({ maxLength: 1000, examples: ['Payment requested for services provided'] })),
  invoice_amount: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units; may exceed amount.', examples: [1000] })),
  reference_number: Type.Optional(Type.String({ maxLength: 255, examples: ['R0001'] })),
  product: Type.Optional(Product),
  notes: Type.Optional(Notes),
  bank_account_details: Type.Optional(PayerBankAccountInput),
  payment_methods: Type.Optional(Type.Array(PaymentMethod, {
    description: 'The checkout\'s payment methods, one or more. Required unless quote_id is sent.',
    examples: [['card']],
  })),
  request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Idempotency: a second order with the same request_id is refused.', examples: ['req_2025_0001'] })),
  quote_id: Type.Optional(Type.String({ description: 'A payin quote: the order takes its destination amount and currency.', examples: ['quote_6819d8046mpKt'] })),
  price_id: Type.Optional(Type.String({ description: 'A referral-fee price (price_…).', examples: ['price_6819d8046mpKt'] })),
  split_ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, description: 'Pricing splits; stored, not yet applied.' })),
});
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const Order = Type.Object({
  id: Type.String({ examples: ['order_6819d8046mpKt'] }),
  customer_id: Type.String(),
  document_id: Type.Optional(Type.String()),
  status: OrderStatus,
  currency: Type.String(),
  amount: Type.Integer(),
  purpose_code: Type.Optional(Type.String()),
  invoice_number: Type.Optional(Type.String()),
  invoice_description: Type.Optional(Type.String()),
  invoice_amount: Type.Optional(Type.Integer()),
  reference_number: Type.Optional(Type.String()),
  product: Type.Optional(Product),
  notes: Type.Optional(Notes),
  bank_account_details: Type.Optional(PayerBankAccount),
  payment_methods: Type.Array(PaymentMethod),
  rfi_documents: Type.Optional(Type.Array(Type.Object({ rfi_doc_id: Type.String(), name: Type.String() }), {
    description: 'Only while the order is action_required: the documents compliance needs.',
  })),
  request_id: Type.Optional(Type.String({ description: 'Extension: echoed when sent.' })),
  quote_id: Type.Optional(Type.String({ description: 'Extension: echoed when sent.' })),
  price_id: Type.Optional(Type.String({ description: 'Extension: echoed when sent.' })),
  split_ids: Type.Optional(Type.Array(Type.String(), { description: 'Extension: echoed when sent.' })),
  expires_at: Type.String({ format: 'date-time', description: 'Extension: 3 months after creation, or the quote\'s expiry.' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Order = Static<typeof Order>;

export const ListOrdersQuery = Type.Object({
  customer_id: Type.Optional(Type.String({ description: 'Orders of this customer.' })),
  status: Type.Optional(OrderStatus),
  request_id: Type.Optional(Type.String({ description: 'The order created with this request_id.' })),
  ...PaginationQuery,
});
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;

export const OrderList = ListOf(Order);

export const UpdateOrderRfiBody = Type.Object({
  documents: Type.Array(Type.Object({
    id: Type.String({ description: 'A document uploaded with POST /document.', examples: ['doc_67fc2f42468Bw'] }),
    rfi_doc_id: Type.String({ description: 'The requirement it answers (from rfi_documents).', examples: ['rfidoc_68c8dffedhMHD'] }),
  }, { additionalProperties: false }), { minItems: 1, description: 'One document per required rfi_doc_id.' }),
}, { additionalProperties: false });
export type UpdateOrderRfiBody = Static<typeof UpdateOrderRfiBody>;
