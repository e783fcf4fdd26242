// A merchant's own key operations (/api/v1/api-keys). Keys live in real time: a key's validity and expiry never
// follow the sandbox test clock, so this service holds the process clock rather than reading the request's.
import { rotateSecretKey } from '../../core/auth/api-keys.js';
import type { KeyRing } from '../../core/auth/signing-keys.js';
import type { Clock } from '../../core/clock.js';
import type { TenantContext } from '../../core/context.js';
import type { Db } from '../../db/client.js';

export interface ApiKeyDeps {
  db: Db;
  keyRing: KeyRing;
  /** The process clock (real time), never a test clock. */
  realTime: Clock;
  /** Called once a merchant's keys changed (committed): brings DATA_DIR/credentials.json up to date. */
  keysChanged?: (merchantId: string) => Promise<void>;
}

/** The API key operations the routes call, built once by the composition root. */
export function createApiKeyService(deps: ApiKeyDeps) {
  return Object.freeze({
    /** A new secret key now; the environment's previous keys keep working for `expireAfterSeconds`. */
    rotate: async (ctx: TenantContext, expireAfterSeconds: number) => {
      const rotated = await deps.db.transaction((tx) => rotateSecretKey(tx, deps.keyRing, deps.realTime, ctx.tenant, expireAfterSeconds));
      await deps.keysChanged?.(ctx.tenant.merchantId);
      return rotated;
    },
  });
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
