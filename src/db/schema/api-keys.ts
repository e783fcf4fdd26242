import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

/**
 * API keys of a merchant environment. Secret keys are JWTs that are not stored: the row is what makes one
 * valid (its id is the JWT's `jti`). Publishable keys are public by design and stored as they are.
 */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  kind: text('kind').$type<'secret' | 'publishable'>().notNull(),
  publishableKey: text('publishable_key'),
  createdAt: createdAt(),
  /** Set by rotation: the key keeps working until then. */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
}, (t) => [
  index('api_keys_merchant_idx').on(t.merchantId, t.env, t.kind),
  uniqueIndex('api_keys_publishable_key_uq').on(t.publishableKey),
  envCheck('api_keys', t.env),
  check('api_keys_kind_ck', sql`${t.kind} in ('secret', 'publishable')`),
  check('api_keys_publishable_ck', sql`(${t.kind} = 'publishable') = (${t.publishableKey} is not null)`),
]);
