// Refunds: money a merchant sends back to the payer of a successful payment, funded from the merchant's available
// balance through a ledger hold that a sandbox mock (later the bank's answer) posts or voids.
import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import type { AttachedDocumentRef, PaymentMethodType } from './payments.js';
import { envCheck, tenantColumns } from './tenant.js';

/** `in_progress` is what the live API answers; the published enum's `pending` is read as it (notes-payins §9.6). */
export const REFUND_STATUSES = ['in_progress', 'success', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const REFUND_REASONS = ['Requested By Customer', 'Duplicate', 'Fradulent', 'Others'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export const refunds = pgTable('refunds', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  paymentId: text('payment_id').notNull(),
  customerId: text('customer_id').notNull(),
  /** Copied from the payment, so that the list's `payment_method` filter needs no other module's table. */
  paymentMethodType: text('payment_method_type').$type<PaymentMethodType>().notNull(),
  status: text('status').$type<RefundStatus>().notNull(),
  reason: text('reason').$type<RefundReason>().notNull(),
  /** The payment's currency: refunds go back the way the money came. */
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  /**
   * The ledger hold that carries the amount until the refund resolves. Null only inside the creating transaction,
   * between the insert (which draws the id the hold's cause names) and the hold.
   */
  holdId: text('hold_id'),
  requestId: text('request_id'),
  /** Documents attached through update_rfi, in the order they were attached. */
  documents: jsonb('documents').$type<AttachedDocumentRef[]>().notNull().default(sql`'[]'::jsonb`),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('refunds_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  // The refundable-remainder sum and the payment_id filter.
  index('refunds_tenant_payment_created_idx').on(t.merchantId, t.env, t.paymentId, t.createdAt.desc(), t.id.desc()),
  envCheck('refunds', t.env),
  check('refunds_status_ck', sql`${t.status} in ('in_progress', 'success', 'failed')`),
  check('refunds_amount_ck', sql`${t.amount} > 0`),
]);
