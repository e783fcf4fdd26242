// FX resources: quotes (a locked rate, used once) and balance conversions.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const QUOTE_RESOURCES = ['payin', 'payout', 'balance_conversion'] as const;
export type QuoteResource = (typeof QUOTE_RESOURCES)[number];

export const quotes = pgTable('quotes', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  resource: text('resource').$type<QuoteResource>().notNull(),
  sourceCurrency: text('source_currency').notNull(),
  destinationCurrency: text('destination_currency').notNull(),
  sourceAmount: bigint('source_amount', { mode: 'bigint' }).notNull(),
  destinationAmount: bigint('destination_amount', { mode: 'bigint' }).notNull(),
  /** Decimal strings: the mid-market rate and the markup applied as a fee in the source currency. */
  midRate: text('mid_rate').notNull(),
  markupBps: integer('markup_bps').notNull(),
  fxFee: bigint('fx_fee', { mode: 'bigint' }).notNull(),
  txnFee: bigint('txn_fee', { mode: 'bigint' }).notNull(),
  paymentMethod: text('payment_method'),
  subtype: text('subtype'),
  paymentRail: text('payment_rail'),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** Set once, by the resource that consumed the quote (a conditional update makes it single-use). */
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  usedBy: text('used_by'),
  createdAt: createdAt(),
}, (t) => [
  index('quotes_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  check('quotes_resource_ck', sql`${t.resource} in ('payin', 'payout', 'balance_conversion')`),
  check('quotes_amounts_ck', sql`${t.sourceAmount} > 0 and ${t.destinationAmount} > 0 and ${t.fxFee} >= 0 and ${t.txnFee} >= 0`),
  check('quotes_used_ck', sql`(${t.usedAt} is null) = (${t.usedBy} is null)`),
  envCheck('quotes', t.env),
]);

export const balanceConversions = pgTable('balance_conversions', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  sourceCurrency: text('source_currency').notNull(),
  targetCurrency: text('target_currency').notNull(),
  sourceAmount: bigint('source_amount', { mode: 'bigint' }).notNull(),
  targetAmount: bigint('target_amount', { mode: 'bigint' }).notNull(),
  /** In the source currency. */
  feeAmount: bigint('fee_amount', { mode: 'bigint' }).notNull(),
  midRate: text('mid_rate').notNull(),
  markupBps: integer('markup_bps').notNull(),
  status: text('status').$type<'success' | 'failed' | 'pending'>().notNull(),
  /** The quote it consumed, if any. Its journal is found by cause (`balance_conversion`, id). */
  quoteId: text('quote_id'),
  createdAt: createdAt(),
}, (t) => [
  index('balance_conversions_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('balance_conversions_tenant_source_idx').on(t.merchantId, t.env, t.sourceCurrency, t.createdAt.desc(), t.id.desc()),
  index('balance_conversions_tenant_target_idx').on(t.merchantId, t.env, t.targetCurrency, t.createdAt.desc(), t.id.desc()),
  check('balance_conversions_amounts_ck', sql`${t.sourceAmount} > 0 and ${t.targetAmount} > 0 and ${t.feeAmount} >= 0`),
  check('balance_conversions_status_ck', sql`${t.status} in ('success', 'failed', 'pending')`),
  check('balance_conversions_currencies_ck', sql`${t.sourceCurrency} <> ${t.targetCurrency}`),
  envCheck('balance_conversions', t.env),
]);
