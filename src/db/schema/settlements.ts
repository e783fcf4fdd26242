// Settlements: a merchant environment's available funds sent to its own bank (its withdrawal account), by amount or
// as a set of payments, held while the sandbox rail carries them. A settled payment names its settlement
// (payments.settlement_id), so no payment is settled twice.
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const SETTLEMENT_STATUSES = ['in_progress', 'success', 'failed'] as const;
export type SettlementStatus = (typeof SETTLEMENT_STATUSES)[number];

/** How a settlement was asked for: an amount of a balance, a list of payments, the sandbox's trigger, or the merchant's schedule. */
export const SETTLEMENT_KINDS = ['amount', 'payments', 'trigger', 'schedule'] as const;
export type SettlementKind = (typeof SETTLEMENT_KINDS)[number];

export const settlements = pgTable('settlements', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  status: text('status').$type<SettlementStatus>().notNull(),
  kind: text('kind').$type<SettlementKind>().notNull(),
  /** What leaves the available balance of `currency` and reaches the bank (settlements carry no fee of their own). */
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  withdrawalAccountId: text('withdrawal_account_id').notNull(),
  /** The hold on the available balance; set in the transaction that creates the settlement, right after its insert. */
  holdId: text('hold_id'),
  /** The bank's reference, once the rail has carried it. */
  utr: text('utr'),
  errorCode: text('error_code'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('settlements_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  envCheck('settlements', t.env),
  check('settlements_status_ck', sql`${t.status} in ('in_progress', 'success', 'failed')`),
  check('settlements_kind_ck', sql`${t.kind} in ('amount', 'payments', 'trigger', 'schedule')`),
  check('settlements_amount_ck', sql`${t.amount} > 0`),
]);
