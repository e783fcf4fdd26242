import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';

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
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('merchants_created_idx').on(t.createdAt.desc(), t.id.desc()),
  check('merchants_payin_fee_bearer_ck', sql`${t.payinFeeBearer} in ('merchant', 'customer')`),
]);

/** RS256 key pairs that sign secret keys. The newest active row signs; every row still verifies. */
export const signingKeys = pgTable('signing_keys', {
  id: text('id').primaryKey(),
  privateKeyPem: text('private_key_pem').notNull(),
  publicKeyPem: text('public_key_pem').notNull(),
  createdAt: createdAt(),
});
