// Ledger tables: accounts with a stored balance, immutable journals of signed entries, and holds.
// Only src/ledger/ writes these tables.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

/**
 * One account per merchant, environment, currency and purpose. `balance` is credits minus debits (entries are
 * signed: credit positive), so the balances of every account in a currency always sum to zero. Merchant-side
 * accounts (available, pending, held) are what the platform owes the merchant and may never go negative; the
 * database enforces it. The row is also the lock every balance check takes.
 */
export const ledgerAccounts = pgTable('ledger_accounts', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  currency: text('currency').notNull(),
  purpose: text('purpose').notNull(),
  allowNegative: boolean('allow_negative').notNull(),
  balance: bigint('balance', { mode: 'bigint' }).notNull().default(sql`0`),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('ledger_accounts_key_uq').on(t.merchantId, t.env, t.currency, t.purpose),
  envCheck('ledger_accounts', t.env),
  check('ledger_accounts_non_negative_ck', sql`${t.allowNegative} or ${t.balance} >= 0`),
]);

/** A journal: a balanced set of entries, written once, never changed (a trigger refuses UPDATE and DELETE). */
export const ledgerJournals = pgTable('ledger_journals', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  kind: text('kind').notNull(),
  /** What caused it: the resource type and id (`balance_conversion` / `conv_…`). */
  causeType: text('cause_type').notNull(),
  causeId: text('cause_id').notNull(),
  holdId: text('hold_id'),
  memo: text('memo'),
  createdAt: createdAt(),
}, (t) => [
  index('ledger_journals_cause_idx').on(t.merchantId, t.env, t.causeType, t.causeId),
  // A hold is created by one journal and resolved (posted or voided) by at most one: the database decides.
  uniqueIndex('ledger_journals_hold_created_uq').on(t.holdId).where(sql`${t.kind} = 'hold'`),
  uniqueIndex('ledger_journals_hold_resolved_uq').on(t.holdId).where(sql`${t.kind} in ('hold_post', 'hold_void')`),
  envCheck('ledger_journals', t.env),
]);

export const ledgerEntries = pgTable('ledger_entries', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  journalId: text('journal_id').notNull().references(() => ledgerJournals.id),
  accountId: text('account_id').notNull().references(() => ledgerAccounts.id),
  ...tenantColumns(),
  currency: text('currency').notNull(),
  /** Signed minor units: credit positive, debit negative. */
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  createdAt: createdAt(),
}, (t) => [
  index('ledger_entries_journal_idx').on(t.journalId),
  // (account, id): an account's entries newest first, for the balance history (and the account's entries at all).
  index('ledger_entries_account_idx').on(t.accountId, t.id),
  check('ledger_entries_nonzero_ck', sql`${t.amount} <> 0`),
  envCheck('ledger_entries', t.env),
]);

/** Funds reserved from an available balance (moved to the held account) until posted or voided, once. */
export const ledgerHolds = pgTable('ledger_holds', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  status: text('status').$type<'pending' | 'posted' | 'voided'>().notNull(),
  causeType: text('cause_type').notNull(),
  causeId: text('cause_id').notNull(),
  createdAt: createdAt(),
  resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
}, (t) => [
  index('ledger_holds_cause_idx').on(t.merchantId, t.env, t.causeType, t.causeId),
  check('ledger_holds_amount_ck', sql`${t.amount} > 0`),
  check('ledger_holds_status_ck', sql`${t.status} in ('pending', 'posted', 'voided')`),
  check('ledger_holds_resolved_ck', sql`(${t.status} = 'pending') = (${t.resolvedAt} is null)`),
  envCheck('ledger_holds', t.env),
]);

/** Operator adjustments: the audit trail of a manual credit or debit (the journal itself is the money). */
export const ledgerAdjustments = pgTable('ledger_adjustments', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  direction: text('direction').$type<'credit' | 'debit'>().notNull(),
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  reason: text('reason').notNull(),
  journalId: text('journal_id').notNull().references(() => ledgerJournals.id),
  createdAt: createdAt(),
}, (t) => [
  index('ledger_adjustments_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  check('ledger_adjustments_amount_ck', sql`${t.amount} > 0`),
  check('ledger_adjustments_direction_ck', sql`${t.direction} in ('credit', 'debit')`),
  envCheck('ledger_adjustments', t.env),
]);
