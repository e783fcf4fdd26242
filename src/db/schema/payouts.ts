// Payouts: money sent from a merchant's balance to a beneficiary on a rail, held while it is processed.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import type { AttachedDocumentRef } from './payments.js';
import { envCheck, tenantColumns } from './tenant.js';

export const PAYOUT_STATUSES = ['pending_approval', 'queued', 'in_progress', 'action_required', 'success', 'failed', 'cancelled'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export const payouts = pgTable('payouts', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  beneficiaryId: text('beneficiary_id').notNull(),
  status: text('status').$type<PayoutStatus>().notNull(),
  /** What leaves the merchant's balance (the FX fee included); the transaction fee is held on top. */
  sourceCurrency: text('source_currency').notNull(),
  sourceAmount: bigint('source_amount', { mode: 'bigint' }).notNull(),
  destinationCurrency: text('destination_currency').notNull(),
  destinationAmount: bigint('destination_amount', { mode: 'bigint' }).notNull(),
  /** Destination currency per unit of source currency, an exact decimal; fixed at creation (or by the quote). */
  midRate: text('mid_rate').notNull(),
  /** Both in the source currency. */
  fxFee: bigint('fx_fee', { mode: 'bigint' }).notNull(),
  txnFee: bigint('txn_fee', { mode: 'bigint' }).notNull(),
  paymentRail: text('payment_rail').notNull(),
  purposeCode: text('purpose_code').notNull(),
  invoiceNumber: text('invoice_number'),
  requestId: text('request_id'),
  quoteId: text('quote_id'),
  documents: jsonb('documents').$type<AttachedDocumentRef[]>().notNull().default(sql`'[]'::jsonb`),
  notes: jsonb('notes').$type<Record<string, string>>(),
  utr: text('utr'),
  errorCode: text('error_code'),
  errorDescription: text('error_description'),
  customerErrorDescription: text('customer_error_description'),
  /**
   * The ledger hold of source amount + transaction fee, taken at release for processing. Kept after the hold resolves
   * (it names the journals); `sent_to_rail` says whether it is still pending.
   */
  holdId: text('hold_id'),
  /** Handed to the rail: from then on it cannot be cancelled (an `in_progress` payout under review can). */
  sentToRail: boolean('sent_to_rail').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  /** Set while `queued`: FIFO order per source currency, and the 30-day expiry. */
  queuedAt: timestamp('queued_at', { withTimezone: true, mode: 'date' }),
}, (t) => [
  index('payouts_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('payouts_tenant_status_created_idx').on(t.merchantId, t.env, t.status, t.createdAt.desc(), t.id.desc()),
  index('payouts_tenant_beneficiary_created_idx').on(t.merchantId, t.env, t.beneficiaryId, t.createdAt.desc(), t.id.desc()),
  index('payouts_queue_idx').on(t.merchantId, t.env, t.sourceCurrency, t.queuedAt, t.id).where(sql`${t.status} = 'queued'`),
  envCheck('payouts', t.env),
  check('payouts_status_ck', sql`${t.status} in ('pending_approval', 'queued', 'in_progress', 'action_required', 'success', 'failed', 'cancelled')`),
  check('payouts_amounts_ck', sql`${t.sourceAmount} > 0 and ${t.destinationAmount} > 0 and ${t.fxFee} >= 0 and ${t.fxFee} < ${t.sourceAmount} and ${t.txnFee} >= 0`),
]);

/** The merchant's own bank accounts that withdrawals pay into; created by the operator. */
export const withdrawalAccounts = pgTable('withdrawal_accounts', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  holderName: text('holder_name').notNull(),
  accountNumber: text('account_number').notNull(),
  bankName: text('bank_name').notNull(),
  bicPrimary: text('bic_primary'),
  bicSecondary: text('bic_secondary'),
  currency: text('currency').notNull(),
  email: text('email'),
  addressLine1: text('address_line1'),
  addressLine2: text('address_line2'),
  city: text('city'),
  state: text('state'),
  country: text('country').notNull(),
  pincode: text('pincode'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('withdrawal_accounts_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  envCheck('withdrawal_accounts', t.env),
]);

export const WITHDRAWAL_STATUSES = ['in_progress', 'success', 'failed', 'action_required', 'cancelled', 'under_review'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

/** Deprecated in the contract but served: a payout of the merchant's balance to its own withdrawal account. */
export const withdrawals = pgTable('withdrawals', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  withdrawalAccountId: text('withdrawal_account_id').notNull(),
  status: text('status').$type<WithdrawalStatus>().notNull(),
  /** The balance debited. */
  balanceCurrency: text('balance_currency').notNull(),
  balanceAmount: bigint('balance_amount', { mode: 'bigint' }).notNull(),
  /** What the withdrawal account receives (its currency). */
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  midRate: text('mid_rate').notNull(),
  fxFee: bigint('fx_fee', { mode: 'bigint' }).notNull(),
  txnFee: bigint('txn_fee', { mode: 'bigint' }).notNull(),
  purposeCode: text('purpose_code').notNull(),
  holdId: text('hold_id'),
  errorCode: text('error_code'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('withdrawals_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  envCheck('withdrawals', t.env),
  check('withdrawals_status_ck', sql`${t.status} in ('in_progress', 'success', 'failed', 'action_required', 'cancelled', 'under_review')`),
  check('withdrawals_amounts_ck', sql`${t.balanceAmount} > 0 and ${t.amount} > 0 and ${t.fxFee} >= 0 and ${t.txnFee} >= 0`),
]);
