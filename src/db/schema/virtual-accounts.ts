// Virtual accounts: a merchant environment's own collection account for one currency and rail (`local` or `swift`),
// into which customers wire funds. One active account per environment, payment type and currency; a closed one stays
// (`inactive`) with its number, which is never given to another account.
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const VIRTUAL_ACCOUNT_STATUSES = ['active', 'inactive', 'disabled'] as const;
export type VirtualAccountStatus = (typeof VIRTUAL_ACCOUNT_STATUSES)[number];

export const VIRTUAL_ACCOUNT_PAYMENT_TYPES = ['local', 'swift'] as const;
export type VirtualAccountPaymentType = (typeof VIRTUAL_ACCOUNT_PAYMENT_TYPES)[number];

export const virtualAccounts = pgTable('virtual_accounts', {
  /** `account_id` on the wire. */
  id: text('id').primaryKey(),
  ...tenantColumns(),
  paymentType: text('payment_type').$type<VirtualAccountPaymentType>().notNull(),
  currency: text('currency').notNull(),
  status: text('status').$type<VirtualAccountStatus>().notNull(),
  /** The account holder: the merchant's business name when the account was opened. */
  name: text('name').notNull(),
  /** Formatted for the rail and the currency's country: an IBAN where that country uses IBANs. Unique everywhere. */
  accountNumber: text('account_number').notNull(),
  /** ISO 3166-1 alpha-3 country of the account's bank. */
  bankCountry: text('bank_country').notNull(),
  bankName: text('bank_name').notNull(),
  /** The bank's BIC (every account; what a `swift` sender quotes). */
  bic: text('bic').notNull(),
  /** The domestic bank code a local sender quotes with the number: a US ABA routing number, a UK sort code, … */
  localBankCode: text('local_bank_code'),
  closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('virtual_accounts_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  uniqueIndex('virtual_accounts_account_number_uq').on(t.accountNumber),
  // "Virtual Account already exists": one active account per environment, payment type and currency.
  uniqueIndex('virtual_accounts_tenant_active_uq').on(t.merchantId, t.env, t.paymentType, t.currency)
    .where(sql`${t.status} = 'active'`),
  envCheck('virtual_accounts', t.env),
  check('virtual_accounts_status_ck', sql`${t.status} in ('active', 'inactive', 'disabled')`),
  check('virtual_accounts_payment_type_ck', sql`${t.paymentType} in ('local', 'swift')`),
  check('virtual_accounts_closed_ck', sql`(${t.status} = 'active') = (${t.closedAt} is null)`),
]);

/**
 * What happened to a transfer that reached a virtual account: `credited` (recorded as a payment, matched or waiting
 * action_required) or `returned` (the account was closed; the funds go back to the remitter, no payment).
 */
export const INBOUND_TRANSFER_STATUSES = ['credited', 'returned'] as const;
export type InboundTransferStatus = (typeof INBOUND_TRANSFER_STATUSES)[number];

/**
 * Bank transfers received on a merchant environment's virtual accounts: from the sandbox's mock-transfer or from a
 * bank connector through the operator API. The connector's key makes a transfer delivered twice one transfer.
 */
export const inboundTransfers = pgTable('inbound_transfers', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  virtualAccountId: text('virtual_account_id').notNull(),
  status: text('status').$type<InboundTransferStatus>().notNull(),
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  remitterName: text('remitter_name').notNull(),
  remitterAccountNumber: text('remitter_account_number'),
  reference: text('reference'),
  /** The bank connector's own id for the transfer; unique per merchant environment. Null for the sandbox's mock. */
  connectorKey: text('connector_key'),
  /** The payment that records a credited transfer; null for a returned one. */
  paymentId: text('payment_id'),
  returnReason: text('return_reason'),
  createdAt: createdAt(),
}, (t) => [
  index('inbound_transfers_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  uniqueIndex('inbound_transfers_connector_key_uq').on(t.merchantId, t.env, t.connectorKey).where(sql`${t.connectorKey} is not null`),
  envCheck('inbound_transfers', t.env),
  check('inbound_transfers_status_ck', sql`${t.status} in ('credited', 'returned')`),
  check('inbound_transfers_amount_ck', sql`${t.amount} > 0`),
  check('inbound_transfers_outcome_ck', sql`(${t.status} = 'credited') = (${t.paymentId} is not null) and (${t.status} = 'returned') = (${t.returnReason} is not null)`),
]);
