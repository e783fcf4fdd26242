// Prices (referral fees): a fixed amount in one currency or basis points of the payment amount. The first price of
// a merchant environment is its default; a partial unique index keeps exactly one default per tenant.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const PRICING_TYPES = ['fixed', 'percentage'] as const;
export type PricingType = (typeof PRICING_TYPES)[number];

export const prices = pgTable('prices', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  pricingType: text('pricing_type').$type<PricingType>().notNull(),
  /** Fixed prices: minor units of `fees_currency`. */
  feesAmount: bigint('fees_amount', { mode: 'bigint' }),
  feesCurrency: text('fees_currency'),
  /** Percentage prices: basis points of the payment amount. */
  bps: integer('bps'),
  /** Internal: the contract's Price has no field for it. */
  isDefault: boolean('is_default').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('prices_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  uniqueIndex('prices_tenant_default_uq').on(t.merchantId, t.env).where(sql`${t.isDefault}`),
  check('prices_type_ck', sql`${t.pricingType} in ('fixed', 'percentage')`),
  check('prices_terms_ck', sql`(${t.pricingType} = 'fixed' and ${t.feesAmount} > 0 and ${t.feesCurrency} is not null and ${t.bps} is null)
    or (${t.pricingType} = 'percentage' and ${t.bps} between 1 and 10000 and ${t.feesAmount} is null and ${t.feesCurrency} is null)`),
  envCheck('prices', t.env),
]);
