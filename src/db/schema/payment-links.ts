// Payment links (`/payin`): a shareable request for an amount from one customer that stops working at `expires_at`.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const PAYMENT_LINK_STATUSES = [
  'active', 'paid', 'failed', 'action_required', 'cancelled', 'partially_paid', 'under_review', 'expired',
] as const;
export type PaymentLinkStatus = (typeof PAYMENT_LINK_STATUSES)[number];

export const PAYMENT_LINK_PAYMENT_METHODS = ['bank_transfer', 'pay_via_bank', 'card'] as const;
export type PaymentLinkPaymentMethod = (typeof PAYMENT_LINK_PAYMENT_METHODS)[number];

export interface PaymentLinkProduct {
  name: string;
  description?: string;
}

export type PaymentLinkBankAccountDetails = {
  account_number: string;
  bic_primary: string | null;
  bic_secondary: string | null;
  bank_customer_id: string | null;
};

/** A document compliance asked for (`action_required`), and what the merchant submitted for it. */
export interface PaymentLinkRfiDocument {
  rfi_doc_id: string;
  name: string;
  /** The `doc_…` submitted through update_rfi, once submitted. */
  document_id?: string;
}

export const paymentLinks = pgTable('payment_links', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  customerId: text('customer_id').notNull(),
  documentId: text('document_id'),
  status: text('status').$type<PaymentLinkStatus>().notNull(),
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  purposeCode: text('purpose_code').notNull(),
  invoiceNumber: text('invoice_number'),
  invoiceDescription: text('invoice_description'),
  invoiceAmount: bigint('invoice_amount', { mode: 'bigint' }),
  referenceNumber: text('reference_number'),
  product: jsonb('product').$type<PaymentLinkProduct>(),
  notes: jsonb('notes').$type<Record<string, string>>(),
  bankAccountDetails: jsonb('bank_account_details').$type<PaymentLinkBankAccountDetails>(),
  paymentMethods: jsonb('payment_methods').$type<PaymentLinkPaymentMethod[]>().notNull(),
  priceId: text('price_id'),
  /** Days between reminders: 1, 2, 7 or 14. */
  reminderFrequency: integer('reminder_frequency'),
  lastReminderSentAt: timestamp('last_reminder_sent_at', { withTimezone: true, mode: 'date' }),
  /**
   * When the next reminder is due (the `payment_links.remind` job's time), null when none is: a job whose time is not
   * this one was superseded (reminder_frequency changed) and does nothing.
   */
  nextReminderAt: timestamp('next_reminder_at', { withTimezone: true, mode: 'date' }),
  /** Extension (decision 0037): the customer may pay the link in parts, each less than what remains. */
  allowPartialPayments: boolean('allow_partial_payments').notNull().default(false),
  /** What successful payments have paid of `amount` so far, in its currency (net of a customer-borne fee). */
  amountPaid: bigint('amount_paid', { mode: 'bigint' }).notNull().default(sql`0`),
  rfiDocuments: jsonb('rfi_documents').$type<PaymentLinkRfiDocument[]>(),
  /** The `payment_links.expire` job moves the link to `expired` at this time (src/modules/payment-links/jobs.ts). */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('payment_links_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('payment_links_tenant_customer_created_idx').on(t.merchantId, t.env, t.customerId, t.createdAt.desc(), t.id.desc()),
  index('payment_links_tenant_status_created_idx').on(t.merchantId, t.env, t.status, t.createdAt.desc(), t.id.desc()),
  envCheck('payment_links', t.env),
  check('payment_links_status_ck', sql`${t.status} in ('active', 'paid', 'failed', 'action_required', 'cancelled', 'partially_paid', 'under_review', 'expired')`),
  check('payment_links_amount_ck', sql`${t.amount} > 0 and (${t.invoiceAmount} is null or ${t.invoiceAmount} >= 0)`),
  check('payment_links_amount_paid_ck', sql`${t.amountPaid} >= 0 and ${t.amountPaid} <= ${t.amount}`),
  check('payment_links_reminder_frequency_ck', sql`${t.reminderFrequency} is null or ${t.reminderFrequency} in (1, 2, 7, 14)`),
]);
