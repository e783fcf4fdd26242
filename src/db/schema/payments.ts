// Payments: one attempt by a customer to pay a payin (an order or a payment link), by the sandbox's mock or at
// checkout, or to pay an instalment of a subscription (its first one, a renewal, an as-presented charge).
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const PAYMENT_STATUSES = ['success', 'failed', 'action_required', 'in_progress', 'under_review'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYIN_TYPES = ['orders', 'payment_link'] as const;
export type PayinType = (typeof PAYIN_TYPES)[number];

export const FEE_BEARERS = ['merchant', 'customer'] as const;
export type FeeBearer = (typeof FEE_BEARERS)[number];

/** A document attached to a payment or a refund through update_rfi (the contract's `AttachedDocument`). */
export interface AttachedDocumentRef {
  id: string;
  /** The document's type, copied when attached, so that responses need no join. */
  type: string;
  rfi_doc_id: string | null;
}

/** What the sending bank said of an incoming transfer (the contract's `Bank Transfer Details`, the fields we fill). */
export interface TransferDetails {
  sender_name: string;
  sender_account_number: string | null;
  receiver_account_number: string | null;
  remittance_information: string | null;
  transfer_type: 'local' | 'swift' | null;
  /** The inbound transfer this payment records (`itr_…`), for reconciliation. */
  external_reference: string | null;
}

export const PAYMENT_METHOD_TYPES = ['bank_transfer', 'pay_via_bank', 'card'] as const;
export type PaymentMethodType = (typeof PAYMENT_METHOD_TYPES)[number];

export const payments = pgTable('payments', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  /**
   * The payin paid, `payin_id` on the wire: an `order_…` (payin_type `orders`) or a `plink_…`/older `payin_…` (`payment_link`). The
   * column keeps its first name, `order_id`, from before payment links could be paid. Null for a subscription's
   * payment, which names its subscription instead (exactly one of the two is set).
   */
  payinId: text('order_id'),
  payinType: text('payin_type').$type<PayinType>(),
  /**
   * What the payin had been paid before this successful payment (its currency): 0 but for a later part of a link paid
   * in parts (decision 0037). With the payin it is unique among successful payments, the row lock's backstop.
   */
  payinPaidBefore: bigint('payin_paid_before', { mode: 'bigint' }).notNull().default(sql`0`),
  subscriptionId: text('subscription_id'),
  /**
   * Which of its subscription's cycles the payment bills (1 = the first instalment), or which as-presented charge;
   * a cycle is billed by one successful payment at most (the unique index below).
   */
  billingCycle: integer('billing_cycle'),
  /** `auto_debit?` on the wire: true for the scheduler's renewals, false for the customer's and the merchant's own. */
  autoDebit: boolean('auto_debit'),
  /** The settlement that sent this payment's net amount to the merchant's bank; null until settled. */
  settlementId: text('settlement_id'),
  /** The `request_id` of a server-to-server `POST /payment` (claimed in request_ids; kept here for the list filter). */
  requestId: text('request_id'),
  /** Null only for a bank transfer that matched no payin (until it is connected to one). */
  customerId: text('customer_id'),
  status: text('status').$type<PaymentStatus>().notNull(),
  /**
   * What settles to the merchant (`converted_*` on the wire): always the payin's currency. The amount includes a
   * customer-borne fee; the merchant is credited `amount − fee_amount`.
   */
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  /** The payin's own amount (`requested_amount`), in `currency`, without customer-borne fees. */
  requestedAmount: bigint('requested_amount', { mode: 'bigint' }).notNull(),
  /** The transaction fee the price took (`txn_fee`), in `currency`; 0 without a price. */
  feeAmount: bigint('fee_amount', { mode: 'bigint' }).notNull(),
  /** Who bore `fee_amount`: the merchant (netted from the credit) or the customer (added to what they paid). */
  feeBearer: text('fee_bearer').$type<FeeBearer>().notNull().default('merchant'),
  /** What the customer paid (`payment_*`): another currency than `currency` when converted through FX. */
  paymentCurrency: text('payment_currency').notNull(),
  paymentAmount: bigint('payment_amount', { mode: 'bigint' }).notNull(),
  /** The FX markup (`fx_fee`), in `payment_currency`; 0 when no conversion took place. */
  fxFeeAmount: bigint('fx_fee_amount', { mode: 'bigint' }).notNull().default(sql`0`),
  /** The mid rate used (units of `currency` per unit of `payment_currency`), as an exact decimal; null without FX. */
  fxRate: text('fx_rate'),
  priceId: text('price_id'),
  methodType: text('method_type').$type<PaymentMethodType>().notNull(),
  /** Card payments keep the network and the last four digits, never the number. */
  cardNetwork: text('card_network'),
  cardLast4: text('card_last4'),
  cardExpMonth: integer('card_exp_month'),
  cardExpYear: integer('card_exp_year'),
  /**
   * A bank transfer's own details, as the sending bank gave them (`payment_method.details` on the wire): who sent it,
   * from which account, to which virtual account, with what reference. Null for other payments.
   */
  transferDetails: jsonb('transfer_details').$type<TransferDetails>(),
  /**
   * The ledger hold on the funds of a bank transfer that arrived but is `action_required` (no payin matched, the
   * wrong amount, a sanctions hit): received, held off the merchant's balances until it is connected to a payin.
   */
  holdId: text('hold_id'),
  documents: jsonb('documents').$type<AttachedDocumentRef[]>().notNull().default(sql`'[]'::jsonb`),
  errorCode: text('error_code'),
  errorDescription: text('error_description'),
  customerErrorDescription: text('customer_error_description'),
  purposeCode: text('purpose_code'),
  productName: text('product_name'),
  productDescription: text('product_description'),
  /** False while the net amount sits in the merchant's `pending` balance; true once moved to `available`. */
  fundsAvailable: boolean('funds_available').notNull(),
  paidAt: timestamp('paid_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('payments_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('payments_tenant_order_created_idx').on(t.merchantId, t.env, t.payinId, t.createdAt.desc(), t.id.desc()),
  index('payments_tenant_customer_created_idx').on(t.merchantId, t.env, t.customerId, t.createdAt.desc(), t.id.desc()),
  index('payments_tenant_subscription_created_idx').on(t.merchantId, t.env, t.subscriptionId, t.createdAt.desc(), t.id.desc())
    .where(sql`${t.subscriptionId} is not null`),
  index('payments_tenant_settlement_created_idx').on(t.merchantId, t.env, t.settlementId, t.createdAt.desc(), t.id.desc())
    .where(sql`${t.settlementId} is not null`),
  index('payments_tenant_request_id_idx').on(t.merchantId, t.env, t.requestId).where(sql`${t.requestId} is not null`),
  // No cycle of a subscription is ever charged twice, whatever runs the charge.
  uniqueIndex('payments_subscription_cycle_success_uq').on(t.merchantId, t.env, t.subscriptionId, t.billingCycle)
    .where(sql`${t.status} = 'success' and ${t.subscriptionId} is not null`),
  // Backstop of the payin's row lock: an order or a payment link is paid by one payment at most, and each part of a
  // link paid in parts (decision 0037) by one payment, after what was paid before it.
  uniqueIndex('payments_payin_success_uq').on(t.merchantId, t.env, t.payinId, t.payinPaidBefore).where(sql`${t.status} = 'success'`),
  envCheck('payments', t.env),
  check('payments_status_ck', sql`${t.status} in ('success', 'failed', 'action_required', 'in_progress', 'under_review')`),
  check('payments_method_ck', sql`${t.methodType} in ('bank_transfer', 'pay_via_bank', 'card')`),
  check('payments_amounts_ck', sql`${t.amount} > 0 and ${t.feeAmount} >= 0 and ${t.feeAmount} <= ${t.amount}`),
  check('payments_payment_amounts_ck', sql`${t.paymentAmount} > 0 and ${t.fxFeeAmount} >= 0 and ${t.fxFeeAmount} < ${t.paymentAmount} and ${t.requestedAmount} > 0`),
  check('payments_payin_type_ck', sql`${t.payinType} is null or ${t.payinType} in ('orders', 'payment_link')`),
  // A payment names its payin or its subscription, never both; a transfer that matched nothing names neither (and no
  // customer) while it waits, action_required, for the merchant to connect it.
  check('payments_payin_or_subscription_ck', sql`(${t.payinId} is null) = (${t.payinType} is null) and (${t.payinId} is null or ${t.subscriptionId} is null) and (${t.subscriptionId} is null) = (${t.billingCycle} is null)`),
  check('payments_unlinked_ck', sql`(${t.payinId} is not null or ${t.subscriptionId} is not null) or (${t.status} = 'action_required' and ${t.methodType} = 'bank_transfer')`),
  check('payments_customer_ck', sql`${t.customerId} is not null or (${t.payinId} is null and ${t.subscriptionId} is null)`),
  check('payments_fee_bearer_ck', sql`${t.feeBearer} in ('merchant', 'customer')`),
]);
