// Beneficiaries (v1 and v2 share one table and the `bene_` id space) and bank account validations.
import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export interface StoredAddress {
  address_line1: string;
  address_line2?: string;
  city: string;
  state: string;
  country_code: string;
  postal_code: string;
}

export interface StoredIntermediateBank {
  name?: string;
  country?: string;
  swift_code?: string;
  account_number?: string;
}

export const beneficiaries = pgTable('beneficiaries', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  /** Which API created it: v1 rows have no currency, notes or duplicate key; both APIs show every row. */
  apiVersion: text('api_version').$type<'v1' | 'v2'>().notNull(),
  category: text('category').$type<'payout' | 'lrs'>().notNull(),
  status: text('status').$type<'pending' | 'active' | 'rejected'>().notNull(),
  name: text('name').notNull(),
  beneficiaryType: text('beneficiary_type').$type<'individual' | 'business'>().notNull(),
  email: text('email'),
  phone: text('phone'),
  nickname: text('nickname').notNull(),
  addressLine1: text('address_line1').notNull(),
  addressLine2: text('address_line2'),
  city: text('city').notNull(),
  state: text('state').notNull(),
  countryCode: text('country_code').notNull(),
  postalCode: text('postal_code').notNull(),
  /** Bank account (null for a UPI beneficiary). */
  accountNumber: text('account_number'),
  bankName: text('bank_name'),
  swiftCode: text('swift_code'),
  localRoutingNumber: text('local_routing_number'),
  currency: text('currency'),
  bankAddress: jsonb('bank_address').$type<StoredAddress>(),
  intermediateBank: jsonb('intermediate_bank').$type<StoredIntermediateBank>(),
  upiId: text('upi_id'),
  documents: jsonb('documents').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  notes: jsonb('notes').$type<Record<string, string>>(),
  /**
   * `<category>|<transfer method>|<normalised account number or UPI id>` for v2 rows: the database refuses a second
   * beneficiary of the tenant with the same one (the 422 duplicate), also under concurrent creates. Null for v1.
   */
  accountKey: text('account_key'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('beneficiaries_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  uniqueIndex('beneficiaries_tenant_account_key_uq').on(t.merchantId, t.env, t.accountKey).where(sql`${t.accountKey} is not null`),
  envCheck('beneficiaries', t.env),
  check('beneficiaries_api_version_ck', sql`${t.apiVersion} in ('v1', 'v2')`),
  check('beneficiaries_category_ck', sql`${t.category} in ('payout', 'lrs')`),
  check('beneficiaries_status_ck', sql`${t.status} in ('pending', 'active', 'rejected')`),
  check('beneficiaries_type_ck', sql`${t.beneficiaryType} in ('individual', 'business')`),
  check('beneficiaries_account_ck', sql`(${t.accountNumber} is null) <> (${t.upiId} is null)`),
]);

export const bankAccountValidations = pgTable('bank_account_validations', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  /** The saved beneficiary validated (`{id: bene_…}` body), or null for a bank account sent in full. */
  beneficiaryId: text('beneficiary_id').references(() => beneficiaries.id),
  country: text('country').notNull(),
  holderName: text('holder_name').notNull(),
  accountNumber: text('account_number').notNull(),
  bicPrimary: text('bic_primary'),
  bicSecondary: text('bic_secondary'),
  status: text('status').$type<'success' | 'failed'>().notNull(),
  validationMessage: text('validation_message').notNull(),
  feeCurrency: text('fee_currency').notNull(),
  feeAmount: bigint('fee_amount', { mode: 'bigint' }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('bank_account_validations_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('bank_account_validations_tenant_beneficiary_idx').on(t.merchantId, t.env, t.beneficiaryId),
  envCheck('bank_account_validations', t.env),
  check('bank_account_validations_status_ck', sql`${t.status} in ('success', 'failed')`),
  check('bank_account_validations_fee_ck', sql`${t.feeAmount} >= 0`),
]);
