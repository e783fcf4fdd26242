// MCP credentials of a merchant environment, for Glomo's MCP server: minted by the merchant (its secret key) or by
// the operator, listed and revoked. Keys live in real time: this service holds the process clock, never a test clock.
import { listMcpCredentials, mintMcpCredential, revokeMcpCredential, type McpCredentialOwner, type McpCredentialRow } from '../../core/auth/mcp-credentials.js';
import type { KeyRing } from '../../core/auth/signing-keys.js';
import { isoSeconds, type Clock } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { assertIdPrefix, ID_PREFIXES } from '../../core/ids.js';
import type { PageMeta, PageRequest } from '../../core/pagination.js';
import type { Tenant } from '../../core/tenancy.js';
import type { Db } from '../../db/client.js';
import type { Environment } from '../../db/schema/index.js';

export interface McpCredentialDeps {
  db: Db;
  keyRing: KeyRing;
  /** The process clock (real time), never a test clock. */
  realTime: Clock;
  /** MCP_AUDIENCE: the `aud` of new credentials. */
  audience: string;
  /** MCP_CREDENTIAL_MAX_SECONDS: the longest (and the default) lifetime. */
  maxLifetimeSeconds: number;
}

export interface McpCredential {
  id: string;
  env: Environment;
  audience: string;
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

function present(row: McpCredentialRow, now: Date): McpCredential {
  // An 'mcp' row always has both (the table's api_keys_mcp_ck).
  const expiresAt = row.expiresAt!;
  return {
    id: row.id,
    env: row.env,
    audience: row.audience!,
    status: row.revokedAt ? 'revoked' : expiresAt <= now ? 'expired' : 'active',
    created_at: isoSeconds(row.createdAt),
    expires_at: isoSeconds(expiresAt),
    revoked_at: row.revokedAt ? isoSeconds(row.revokedAt) : null,
  };
}

/** The MCP credential operations the routes call, built once by the composition root. */
export function createMcpCredentialService(deps: McpCredentialDeps) {
  return Object.freeze({
    maxLifetimeSeconds: deps.maxLifetimeSeconds,

    /** A new credential for the tenant: `lifetimeSeconds` (default the maximum) until its exp. Answers the JWT once. */
    mint: async (tenant: Tenant, lifetimeSeconds?: number): Promise<McpCredential & { token: string }> => {
      const lifetime = lifetimeSeconds ?? deps.maxLifetimeSeconds;
      // The routes' schemas hold the same bounds; this keeps every caller inside them.
      if (!Number.isInteger(lifetime) || lifetime < 60 || lifetime > deps.maxLifetimeSeconds) {
        throw errors.validation(`Expires in must be between 60 and ${deps.maxLifetimeSeconds}`);
      }
      const minted = await deps.db.transaction((tx) =>
        mintMcpCredential(tx, deps.keyRing, deps.realTime, tenant, { audience: deps.audience, lifetimeSeconds: lifetime }));
      return { ...present(minted.row, deps.realTime.now()), token: minted.token };
    },

    /** A merchant's credentials in one environment (or both, for the operator), newest first. */
    list: async (owner: McpCredentialOwner, request: PageRequest): Promise<{ data: McpCredential[]; page_meta: PageMeta }> => {
      const page = await listMcpCredentials(deps.db, owner, request);
      const now = deps.realTime.now();
      return { data: page.rows.map((row) => present(row, now)), page_meta: page.meta };
    },

    /** Revokes one of the owner's credentials at once; another tenant's id answers 404. */
    revoke: async (owner: McpCredentialOwner, id: string): Promise<McpCredential> => {
      assertIdPrefix(ID_PREFIXES.apiKey, id);
      const row = await deps.db.transaction((tx) => revokeMcpCredential(tx, deps.realTime, owner, id));
      if (!row) throw errors.notFound('MCP credential');
      return present(row, deps.realTime.now());
    },
  });
}

export type McpCredentialService = ReturnType<typeof createMcpCredentialService>;
