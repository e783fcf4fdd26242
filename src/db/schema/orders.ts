// Orders: a merchant's request to receive an amount from one of its customers (the checkout's subject).
import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const ORDER_STATUSES = ['active', 'paid', 'failed', 'action_required', 'cancelled', 'under_review', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_PAYMENT_METHODS = ['bank_transfer', 'pay_via_bank', 'card'] as const;
export type OrderPaymentMethod = (typeof ORDER_PAYMENT_METHODS)[number];

export interface OrderProduct {
  name: string;
  description?: string;
}

export type OrderBankAccountDetails = {
  account_number: string;
  bic_primary: string | null;
  bic_secondary: string | null;
  bank_customer_id: string | null;
};

/** A document compliance asked for (`action_required`), and what the merchant submitted for it. */
export interface OrderRfiDocument {
  rfi_doc_id: string;
  name: string;
  /** The `doc_…` submitted through update-rfi, once submitted. */
  document_id?: string;
}

export const orders = pgTable('orders', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  customerId: text('customer_id').notNull(),
  documentId: text('document_id'),
  status: text('status').$type<OrderStatus>().notNull(),
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  purposeCode: text('purpose_code'),
  invoiceNumber: text('invoice_number'),
  invoiceDescription: text('invoice_description'),
  invoiceAmount: bigint('invoice_amount', { mode: 'bigint' }),
  referenceNumber: text('reference_number'),
  product: jsonb('product').$type<OrderProduct>(),
  notes: jsonb('notes').$type<Record<string, string>>(),
  bankAccountDetails: jsonb('bank_account_details').$type<OrderBankAccountDetails>(),
  paymentMethods: jsonb('payment_methods').$type<OrderPaymentMethod[]>().notNull(),
  requestId: text('request_id'),
  quoteId: text('quote_id'),
  priceId: text('price_id'),
  splitIds: jsonb('split_ids').$type<string[]>(),
  rfiDocuments: jsonb('rfi_documents').$type<OrderRfiDocument[]>(),
  /** Three months after creation, or the quote's expiry for an order created from a quote. */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('orders_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('orders_tenant_customer_created_idx').on(t.merchantId, t.env, t.customerId, t.createdAt.desc(), t.id.desc()),
  index('orders_tenant_status_created_idx').on(t.merchantId, t.env, t.status, t.createdAt.desc(), t.id.desc()),
  // Serves the `request_id` filter. Not unique: the request_ids claim decides duplicates (it is taken after the
  // insert, so a concurrent duplicate must not fail on this index first).
  index('orders_tenant_request_id_idx').on(t.merchantId, t.env, t.requestId).where(sql`${t.requestId} is not null`),
  envCheck('orders', t.env),
  check('orders_status_ck', sql`${t.status} in ('active', 'paid', 'failed', 'action_required', 'cancelled', 'under_review', 'expired')`),
  check('orders_amount_ck', sql`${t.amount} > 0 and (${t.invoiceAmount} is null or ${t.invoiceAmount} >= 0)`),
]);
