import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, type Environment } from './columns.js';

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
  status: text('status').notNull().default('active'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('merchants_created_idx').on(t.createdAt.desc(), t.id.desc())]);

/** RS256 key pairs that sign secret keys. The newest active row signs; every row still verifies. */
export const signingKeys = pgTable('signing_keys', {
  id: text('id').primaryKey(),
  privateKeyPem: text('private_key_pem').notNull(),
  publicKeyPem: text('public_key_pem').notNull(),
  createdAt: createdAt(),
});

/**
 * API keys of a merchant environment. Secret keys are JWTs that are not stored: the row is what makes one
 * valid (its id is the JWT's `jti`). Publishable keys are public by design and stored as they are.
 */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  env: text('env').$type<Environment>().notNull(),
  kind: text('kind').$type<'secret' | 'publishable'>().notNull(),
  publishableKey: text('publishable_key'),
  createdAt: createdAt(),
  /** Set by rotation: the key keeps working until then. */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
}, (t) => [
  index('api_keys_merchant_idx').on(t.merchantId, t.env, t.kind),
  uniqueIndex('api_keys_publishable_key_uq').on(t.publishableKey),
  check('api_keys_env_ck', sql`${t.env} in ('sandbox', 'production')`),
  check('api_keys_kind_ck', sql`${t.kind} in ('secret', 'publishable')`),
  check('api_keys_publishable_ck', sql`(${t.kind} = 'publishable') = (${t.publishableKey} is not null)`),
]);
