// Internal transfers: money moved between merchants of one platform hierarchy (platform → child, child → platform,
// child → child), in one environment. The row belongs to the platform (its tenant columns); both parties read it.
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { merchants } from './merchants.js';
import { envCheck, tenantColumns } from './tenant.js';

export const internalTransfers = pgTable('internal_transfers', {
  id: text('id').primaryKey(),
  /** `merchant_id` is the platform of the hierarchy (`owner_merchant_id` on the wire). */
  ...tenantColumns(),
  fromMerchantId: text('from_merchant_id').notNull().references(() => merchants.id),
  toMerchantId: text('to_merchant_id').notNull().references(() => merchants.id),
  /** Who asked for it: the platform or the paying merchant. */
  initiatedBy: text('initiated_by').notNull().references(() => merchants.id),
  currency: text('currency').notNull(),
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  reference: text('reference').notNull(),
  /** The caller's idempotency key (an extension), unique per caller and environment. */
  requestId: text('request_id'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('internal_transfers_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('internal_transfers_from_created_idx').on(t.fromMerchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('internal_transfers_to_created_idx').on(t.toMerchantId, t.env, t.createdAt.desc(), t.id.desc()),
  uniqueIndex('internal_transfers_request_id_uq').on(t.initiatedBy, t.env, t.requestId).where(sql`${t.requestId} is not null`),
  envCheck('internal_transfers', t.env),
  check('internal_transfers_amount_ck', sql`${t.amount} > 0`),
  check('internal_transfers_parties_ck', sql`${t.fromMerchantId} <> ${t.toMerchantId}`),
]);
