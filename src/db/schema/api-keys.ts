import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

/** What a key is: a secret key, a publishable key (checkout only), or an MCP credential (a secret key with an expiry). */
export type ApiKeyKind = 'secret' | 'publishable' | 'mcp';

/**
 * API keys of a merchant environment. Secret keys and MCP credentials are JWTs that are not stored: the row is what
 * makes one valid (its id is the JWT's `jti`). Publishable keys are public by design and stored as they are.
 */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  kind: text('kind').$type<ApiKeyKind>().notNull(),
  publishableKey: text('publishable_key'),
  /**
   * The JWT's `aud`, as it was signed: re-signing reproduces the key byte for byte (the checkout's signature). Null for
   * secret keys issued before keys carried one (they were signed without it) and for publishable keys.
   */
  audience: text('audience'),
  createdAt: createdAt(),
  /** Set by rotation: the key keeps working until then. An MCP credential's `exp`. */
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
}, (t) => [
  // Also the list of a tenant's MCP credentials, newest first.
  index('api_keys_merchant_idx').on(t.merchantId, t.env, t.kind, t.createdAt.desc(), t.id.desc()),
  uniqueIndex('api_keys_publishable_key_uq').on(t.publishableKey),
  envCheck('api_keys', t.env),
  check('api_keys_kind_ck', sql`${t.kind} in ('secret', 'publishable', 'mcp')`),
  check('api_keys_mcp_ck', sql`${t.kind} <> 'mcp' or (${t.expiresAt} is not null and ${t.audience} is not null)`),
  check('api_keys_publishable_ck', sql`(${t.kind} = 'publishable') = (${t.publishableKey} is not null)`),
]);
