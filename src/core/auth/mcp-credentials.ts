// MCP credentials: RS256 JWTs that Glomo's MCP server (glomo-mcp-server) verifies with this server's published public
// key (`aud` the MCP audience, `exp` and `iat` required) and then forwards to this API as the bearer. Each is an
// api_keys row of kind 'mcp' (its id the `jti`, its expiry the `exp`), so it authenticates like a secret key of its
// merchant environment (api-keys.ts) and is revoked like one. Shown once: the JWT itself is never stored.
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { apiKeys, type Environment } from '../../db/schema/index.js';
import type { Clock } from '../clock.js';
import { ID_PREFIXES, newId } from '../ids.js';
import { listPage, type PageMeta, type PageRequest } from '../pagination.js';
import type { Tenant } from '../tenancy.js';
import { signSecretKey } from './api-keys.js';
import type { KeyRing } from './signing-keys.js';

export type McpCredentialRow = typeof apiKeys.$inferSelect;

/** Whose credentials: a tenant (merchant and environment), or for the operator a merchant in both environments. */
export interface McpCredentialOwner {
  merchantId: string;
  env?: Environment | undefined;
}

function ownedBy(owner: McpCredentialOwner): SQL[] {
  const where: SQL[] = [eq(apiKeys.merchantId, owner.merchantId)];
  if (owner.env) where.push(eq(apiKeys.env, owner.env));
  where.push(eq(apiKeys.kind, 'mcp'));
  return where;
}

export interface MintedMcpCredential {
  row: McpCredentialRow;
  /** The JWT, answered once. */
  token: string;
}

/** A new credential for the tenant with the given audience, valid for `lifetimeSeconds` from now (real time). */
export async function mintMcpCredential(
  tx: Tx,
  ring: KeyRing,
  realTime: Clock,
  tenant: Tenant,
  options: { audience: string; lifetimeSeconds: number },
): Promise<MintedMcpCredential> {
  const now = realTime.now();
  // `exp` is whole seconds; the row expires at the same instant, so the token and its row agree.
  const expiresAt = new Date((Math.floor(now.getTime() / 1000) + options.lifetimeSeconds) * 1000);
  const id = newId(ID_PREFIXES.apiKey, now);
  const [row] = await tx
    .insert(apiKeys)
    .values({ id, ...tenant, kind: 'mcp', audience: options.audience, createdAt: now, expiresAt })
    .returning();
  const token = await signSecretKey(ring, { ...tenant, keyId: id, issuedAt: now, audience: options.audience, expiresAt });
  return { row: row!, token };
}

/** A merchant's MCP credentials (of one environment, or both), newest first, revoked and expired ones included. */
export function listMcpCredentials(db: DbOrTx, owner: McpCredentialOwner, page: PageRequest): Promise<{ rows: McpCredentialRow[]; meta: PageMeta }> {
  return listPage(db, apiKeys, ownedBy(owner), page);
}

/**
 * Revokes one of the owner's credentials at once (every process: the row is read on each request). Revoking a revoked
 * one changes nothing. Undefined when the owner has no credential of that id.
 */
export async function revokeMcpCredential(tx: Tx, realTime: Clock, owner: McpCredentialOwner, id: string): Promise<McpCredentialRow | undefined> {
  const theOne = and(...ownedBy(owner), eq(apiKeys.id, id));
  const [revoked] = await tx.update(apiKeys).set({ revokedAt: realTime.now() }).where(and(theOne, isNull(apiKeys.revokedAt))).returning();
  if (revoked) return revoked;
  const [existing] = await tx.select().from(apiKeys).where(theOne);
  return existing;
}
