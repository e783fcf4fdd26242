// Payments: one attempt by a customer to pay an order (today only the sandbox's mock payments create them).
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const PAYMENT_STATUSES = ['success', 'failed', 'action_required', 'in_progress', 'under_review'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_METHOD_TYPES = ['bank_transfer', 'pay_via_bank', 'card'] as const;
export type PaymentMethodType = (typeof PAYMENT_METHOD_TYPES)[number];

export const payments = pgTable('payments', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  /** The order paid (`payin_id` on the wire, with `payin_type: orders`). */
  orderId: text('order_id').notNull(),
  customerId: text('customer_id').notNull(),
  status: text('status').$type<PaymentStatus>().notNull(),
  /** The order's currency and amount: FX payments (paid in another currency) do not exist yet. */
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  /** The referral fee the price took (merchant-borne, collected immediately); 0 without a price. */
  feeAmount: bigint('fee_amount', { mode: 'bigint' }).notNull(),
  priceId: text('price_id'),
  methodType: text('method_type').$type<PaymentMethodType>().notNull(),
  /** Card payments keep the network and the last four digits, never the number. */
  cardNetwork: text('card_network'),
  cardLast4: text('card_last4'),
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
  index('payments_tenant_order_created_idx').on(t.merchantId, t.env, t.orderId, t.createdAt.desc(), t.id.desc()),
  index('payments_tenant_customer_created_idx').on(t.merchantId, t.env, t.customerId, t.createdAt.desc(), t.id.desc()),
  // Backstop of the order row lock: an order is paid by one payment at most.
  uniqueIndex('payments_order_success_uq').on(t.merchantId, t.env, t.orderId).where(sql`${t.status} = 'success'`),
  envCheck('payments', t.env),
  check('payments_status_ck', sql`${t.status} in ('success', 'failed', 'action_required', 'in_progress', 'under_review')`),
  check('payments_method_ck', sql`${t.methodType} in ('bank_transfer', 'pay_via_bank', 'card')`),
  check('payments_amounts_ck', sql`${t.amount} > 0 and ${t.feeAmount} >= 0 and ${t.feeAmount} <= ${t.amount}`),
]);
