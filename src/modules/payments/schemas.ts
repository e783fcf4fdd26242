import { Type, type Static } from 'typebox';
import { Money } from '../../core/amount.js';
import { AttachedDocument } from '../rfis/schemas.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { FEE_BEARERS, PAYIN_TYPES, PAYMENT_METHOD_TYPES, PAYMENT_STATUSES } from '../../db/schema/payments.js';

export const PaymentStatus = Type.Enum([...PAYMENT_STATUSES]);

const FeeLine = Type.Object({
  amount: Type.Integer(),
  currency: Type.String(),
  bearer: Type.Enum(['customer', 'merchant']),
  collection_mode: Type.Enum(['immediate', 'deferred']),
  taxes: Type.Array(Type.Object({ amount: Type.Integer(), currency: Type.String(), name: Type.String(), bps: Type.Integer() })),
});

/** The 2026 contract's `Bank Transfer Details`, the fields the server knows of a received transfer. */
export const BankTransferDetails = Type.Object({
  sender_name: Type.String({ description: 'The remitter as the sending bank named it.', examples: ['Vaibhav LRS'] }),
  sender_account_number: Type.Optional(Type.String()),
  receiver_account_number: Type.Optional(Type.String({ description: 'The virtual account credited.' })),
  remittance_information: Type.Optional(Type.String({ description: 'The sender\'s reference.' })),
  transfer_type: Type.Optional(Type.Enum(['swift', 'local'])),
  external_reference: Type.Optional(Type.String({ description: 'This server\'s id of the inbound transfer (itr_…), for reconciliation.' })),
});

/** The 2026 contract's `Payment`, the fields we can fill; optional fields without a value are omitted. */
export const Payment = Type.Object({
  id: Type.String({ examples: ['payt_6819d8046mpKt'] }),
  payin_id: Type.Union([Type.String(), Type.Null()], { description: 'The payin paid: an order (order_…) or a payment link (plink_…, or an older payin_…); null for a subscription\'s payment.' }),
  payin_type: Type.Optional(Type.Enum([...PAYIN_TYPES], { description: 'Absent for a subscription\'s payment (the contract\'s enum has no null).' })),
  subscription_id: Type.Union([Type.String(), Type.Null()], { description: 'The subscription an instalment pays; null for a payin\'s payment.' }),
  'auto_debit?': Type.Optional(Type.Boolean({ description: 'Subscription payments only: true for a scheduled renewal, false for a payment the customer or the merchant made.' })),
  status: PaymentStatus,
  payment_currency: Type.String(),
  payment_amount: Type.Integer(),
  converted_currency: Type.String(),
  converted_amount: Type.Integer(),
  requested_currency: Type.String(),
  requested_amount: Type.Integer(),
  purpose_code: Type.Optional(Type.String()),
  error_code: Type.Optional(Type.String()),
  error_description: Type.Optional(Type.String()),
  customer_error_description: Type.Optional(Type.String()),
  paid_at: Type.Optional(Type.String({ format: 'date-time' })),
  fee_bearer: Type.Enum([...FEE_BEARERS], { description: 'Who bore the transaction fee: merchant (netted) or customer (added to payment_amount).' }),
  fee_collection_mode: Type.Enum(['immediate', 'deferred']),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  customer_id: Type.Optional(Type.String({ description: 'Absent for a bank transfer that matched no payin (until connect-payin connects it).' })),
  merchant_id: Type.String(),
  product_name: Type.Optional(Type.String()),
  product_description: Type.Optional(Type.String()),
  fees: Type.Object({ txn_fee: Type.Optional(Money), fx_fee: Type.Optional(Money), referral_fee: Type.Optional(Money) }, {
    description: 'Deprecated in the contract; use fee_breakdown. Fees that are zero are omitted.',
  }),
  fee_breakdown: Type.Object({
    fx_fee: Type.Array(FeeLine),
    txn_fee: Type.Array(FeeLine),
    referral_fee: Type.Array(FeeLine),
  }),
  documents: Type.Array(AttachedDocument, { description: 'Documents attached through update_rfi.' }),
  funds_available: Type.Boolean(),
  settlement_id: Type.Optional(Type.String({ description: 'The settlement that sent its funds to your bank, once settled.', examples: ['setl_6878e266jt1P3'] })),
  payment_method: Type.Object({ type: Type.Enum([...PAYMENT_METHOD_TYPES]), details: Type.Optional(BankTransferDetails) }, {
    description: 'The method type; `details` for a bank transfer received on a virtual account (decision 0032).',
  }),
});
export type Payment = Static<typeof Payment>;

export const CreateMockPaymentBody = Type.Object({
  amount: Type.Integer({ minimum: 100, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units, at least 100; must equal the amount due in `currency` (the payin amount, plus a customer-borne fee, converted when `currency` is not the payin\'s).', examples: [10_000] }),
  currency: Type.String({ description: 'The currency paid in: the payin\'s, or another the FX source quotes (converted, with the markup as `fx_fee`).', examples: ['USD'] }),
  payin_id: Type.Optional(Type.String({ description: 'The active order (order_…) or payment link (plink_…, or an older payin_…) to pay. Required for Card. A BankTransfer without it is a transfer naming no payin: it pays the one active payin priced at its amount, or waits `action_required` (PAYIN_NOT_FOUND) with its funds held.', examples: ['order_6819d8046mpKt'] })),
  payment_method: Type.Optional(Type.Enum(['BankTransfer', 'Card'], {
    description: 'Default BankTransfer. Card (extension) takes `card_number`, a sandbox test card whose outcome notes §7.5 define.',
  })),
  card_number: Type.Optional(Type.String({ maxLength: 32, description: 'Extension: a sandbox test card number (spaces allowed); only its network and last four are kept.', examples: ['4532 4911 1111 1111'] })),
  remitter_name: Type.Optional(Type.Enum(['Sanctioned_Entity', 'Non_Sanctioned_Entity'], { description: 'Sanctioned_Entity (or the amount 6623) records an `action_required` payment with `SANCTION_HIT`.' })),
});
export type CreateMockPaymentBody = Static<typeof CreateMockPaymentBody>;

export const EligiblePayin = Type.Object({
  payin_id: Type.String({ examples: ['order_6819d8046mpKt'] }),
  payin_type: Type.Enum([...PAYIN_TYPES]),
  customer_id: Type.String(),
  requested_currency: Type.String(),
  requested_amount: Type.Integer(),
  payment_currency: Type.String({ description: 'The transfer\'s currency.' }),
  payment_amount: Type.Integer({ description: 'What paying the payin in the transfer\'s currency costs: the transfer\'s amount.' }),
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
});
export const EligiblePayinList = Type.Object({ data: Type.Array(EligiblePayin) });

export const ConnectPayinBody = Type.Object({
  payin_id: Type.String({ maxLength: 64, description: 'An active order (order_…) or payment link (plink_…, or an older payin_…) accepting bank transfers whose amount due in the payment\'s currency equals what was received.', examples: ['order_6819d8046mpKt'] }),
});
export type ConnectPayinBody = Static<typeof ConnectPayinBody>;

export const FundsAvailableResponse = Type.Object({
  data: Payment,
  message: Type.String({ examples: ['Payment funds available status updated successfully'] }),
});

export const ListPaymentsQuery = Type.Object({
  customer_id: Type.Optional(Type.String()),
  status: Type.Optional(Type.Enum(['success', 'failed', 'action_required', 'in_progress'])),
  compliance_status: Type.Optional(Type.Enum(['under_review', 'action_required', 'approved', 'rejected'])),
  payin_id: Type.Optional(Type.String()),
  payment_type: Type.Optional(Type.Enum(['payment_link', 'orders', 'add_funds'])),
  subscription_id: Type.Optional(Type.String()),
  currency: Type.Optional(Type.String({ description: 'The requested (order) currency, case-insensitive.' })),
  request_id: Type.Optional(Type.String()),
  ...PaginationQuery,
});
export type ListPaymentsQuery = Static<typeof ListPaymentsQuery>;

export const PaymentList = ListOf(Payment);

/** The card of a server-to-server payment: only network, last four and expiry are kept, never the number or the CVV. */
export const ServerPaymentCard = Type.Object({
  number: Type.String({ maxLength: 32, description: 'Digits; spaces and dashes are ignored. In sandbox only the test cards (notes-payins §7.5).', examples: ['4532 4911 1111 1111'] }),
  exp_month: Type.Integer({ description: '1 to 12.', examples: [12] }),
  exp_year: Type.Integer({ description: 'Two or four digits; not before the current month.', examples: [2030] }),
  cvv: Type.String({ maxLength: 8, description: '3 digits (4 for Amex).', examples: ['123'] }),
  holder_name: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

export const CreatePaymentBody = Type.Object({
  order_id: Type.Optional(Type.String({ description: 'The active order to pay (order_…). Exactly one of order_id and subscription_id.', examples: ['order_6819d8046mpKt'] })),
  subscription_id: Type.Optional(Type.String({ description: 'The subscription whose first instalment (or, with `sequence: subsequent`, whose as-presented charge) this pays.', examples: ['sub_6819d8046mpKt'] })),
  request_id: Type.Optional(Type.String({ maxLength: 255, description: 'Required: a repeat answers 400 `Payment already exists for this request_id`.', examples: ['pay-8f2c1'] })),
  method: Type.Optional(Type.Enum(['card'], { description: 'The initial payment\'s method: `card`.' })),
  card: Type.Optional(ServerPaymentCard),
  callback_url: Type.Optional(Type.String({ maxLength: 2048, description: 'An absolute https URL: where the customer is sent (303) after the card authentication, with `payment_id`, `status`, `signature` and `order_id` or `subscription_id` in the query.', examples: ['https://shop.example.com/payments/callback'] })),
  sequence: Type.Optional(Type.Enum(['initial', 'subsequent'], { description: '`subsequent`: a charge of an as_presented subscription with the card of its last successful payment (`amount`, `currency`; no card, callback or method).' })),
  amount: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Subsequent charges: minor units, at most the subscription\'s max_amount.' })),
  currency: Type.Optional(Type.String({ description: 'Subsequent charges: the subscription\'s currency.', examples: ['USD'] })),
}, { additionalProperties: false });
export type CreatePaymentBody = Static<typeof CreatePaymentBody>;

/** The created payment, and where the customer authenticates the card when it asks for a one-time password. */
export const CreatePaymentResponse = Type.Object({
  ...Payment.properties,
  next_steps: Type.Optional(Type.Object({
    redirect_url: Type.String({ format: 'uri', description: 'This server\'s page where the customer enters the one-time password (3DS); send the customer there. Valid until the step expires (15 minutes).' }),
  }, { description: 'Only while the payment is `in_progress` waiting for the card\'s authentication.' })),
});
export type CreatePaymentResponse = Static<typeof CreatePaymentResponse>;
