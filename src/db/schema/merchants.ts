import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, text, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Environment } from './columns.js';
import { createdAt, updatedAt } from './columns.js';

/** What a platform said of a child merchant when onboarding it (`CreateMerchantRequest`, notes-payouts §21.1). */
export interface MerchantProfile {
  entity_type: 'individual' | 'business';
  category: string;
  sub_category: string;
  registration_number: string;
  registration_country: string;
  address: { address_line1: string; address_line2: string | null; city: string; state: string; pincode: string; country: string };
  operation_countries: string[];
  date_of_birth: string | null;
  gender: 'male' | 'female' | 'undefined' | null;
}

export const ONBOARDING_STATUSES = ['pending', 'success', 'failed'] as const;
export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number];

/** A merchant's automatic settlement (`settlement_schedule` on the operator API). */
export interface SettlementSchedule {
  delay_days: number;
  currencies: string[];
}

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
  status: text('status').notNull().default('active'),
  /**
   * Who bears pay-in fees (notes-payins §10.3): `merchant` (the default; netted from the credit) or `customer`
   * (added to what the payer is asked for). Switched by the operator, as Glomo's support does.
   */
  payinFeeBearer: text('payin_fee_bearer').$type<'merchant' | 'customer'>().notNull().default('merchant'),
  /** New v2 beneficiaries start `pending` until reviewed (sandbox: mock-review) instead of `active`. */
  beneficiaryReview: boolean('beneficiary_review').notNull().default(false),
  /** `notes` keys every new v2 beneficiary must carry (422 `Validation failed: Notes <key> is required`). */
  beneficiaryRequiredNotes: jsonb('beneficiary_required_notes').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  /** Payout queueing (notes-payouts §13.6): payouts wait `queued`, FIFO per source currency, until the balance covers them. */
  payoutQueueing: boolean('payout_queueing').notNull().default(false),
  /** Maker-checker: payouts wait `pending_approval` until the operator approves or rejects them. */
  makerChecker: boolean('maker_checker').notNull().default(false),
  /**
   * Automatic settlement, set by the operator: once a day, the available funds of payments at least `delay_days` old
   * in `currencies` are settled to the withdrawal account. Null (the default): settlements are asked for only.
   */
  settlementSchedule: jsonb('settlement_schedule').$type<SettlementSchedule | null>(),
  /** A platform (set by the operator) onboards child merchants and moves money between itself and them. */
  isPlatform: boolean('is_platform').notNull().default(false),
  /** Partial refunds (notes-payins §9.2): cards only, and only once the operator enables them for the business. */
  partialRefunds: boolean('partial_refunds').notNull().default(false),
  /** A child merchant's platform; null for every other merchant. A child is never a platform itself. */
  ownerMerchantId: text('owner_merchant_id').references((): AnyPgColumn => merchants.id),
  /** The one environment a child lives in: its platform's, where it was onboarded (it has keys there only). */
  ownerEnv: text('owner_env').$type<Environment>(),
  /** A child's onboarding (KYB) status: `pending` until reviewed (sandbox: status-update). */
  onboardingStatus: text('onboarding_status').$type<OnboardingStatus>(),
  /** A child's onboarding details, as its platform gave them. */
  profile: jsonb('profile').$type<MerchantProfile>(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('merchants_created_idx').on(t.createdAt.desc(), t.id.desc()),
  index('merchants_owner_created_idx').on(t.ownerMerchantId, t.ownerEnv, t.createdAt.desc(), t.id.desc()),
  check('merchants_payin_fee_bearer_ck', sql`${t.payinFeeBearer} in ('merchant', 'customer')`),
  // A child has its platform, environment, onboarding status and profile, and is no platform; others have none of them.
  check('merchants_child_ck', sql`(${t.ownerMerchantId} is null) = (${t.ownerEnv} is null) and (${t.ownerMerchantId} is null) = (${t.onboardingStatus} is null) and (${t.ownerMerchantId} is null) = (${t.profile} is null) and (${t.ownerMerchantId} is null or not ${t.isPlatform})`),
  check('merchants_owner_env_ck', sql`${t.ownerEnv} is null or ${t.ownerEnv} in ('sandbox', 'production')`),
  check('merchants_onboarding_status_ck', sql`${t.onboardingStatus} is null or ${t.onboardingStatus} in ('pending', 'success', 'failed')`),
]);

/** RS256 key pairs that sign secret keys. The newest active row signs; every row still verifies. */
export const signingKeys = pgTable('signing_keys', {
  id: text('id').primaryKey(),
  privateKeyPem: text('private_key_pem').notNull(),
  publicKeyPem: text('public_key_pem').notNull(),
  createdAt: createdAt(),
});
