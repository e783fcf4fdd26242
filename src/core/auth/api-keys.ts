// Merchant API keys: issuing, authenticating, rotating and revoking. A secret key is an RS256 JWT
// (`sub` merchant, `env`, `iat`, `jti` = key id, `aud` = the external API's audience, the one in force when it was
// issued); it is valid while its api_keys row is neither revoked nor expired. MCP credentials (mcp-credentials.ts)
// are rows of the same table and authenticate here too.
// Keys live in real time (`realTime`, the process clock), not in an environment's time: the sandbox test clock
// moves no key's issue, expiry or revocation.
import { createHash } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { DbOrTx, Tx } from '../../db/client.js';
import { apiKeys, merchants, sandboxClocks, type ApiKeyKind, type Environment } from '../../db/schema/index.js';
import type { Clock } from '../clock.js';
import { hexSeconds, ID_PREFIXES, newId, randomBase62 } from '../ids.js';
import { tenantFilter, type Tenant } from '../tenancy.js';
import { JWT_ALGORITHM, type KeyRing } from './signing-keys.js';

export const PUBLISHABLE_PREFIX: Record<Environment, string> = { sandbox: 'test_', production: 'live_' };

/** What the SDKs treat as a publishable key; never valid on a server route. */
export function looksPublishable(token: string): boolean {
  return /^(test|live|mock)_/.test(token);
}

/** The kinds of key a server route accepts as its bearer. */
export type BearerKind = Exclude<ApiKeyKind, 'publishable'>;

export interface AuthenticatedKey extends Tenant {
  keyId: string;
  /** A secret key, or an MCP credential (which may not manage keys: plugin.ts `secretKeyOnly`). */
  kind: BearerKind;
  /** How far the environment's test clock is ahead of real time (0 in production), read with the key. */
  clockOffsetMs: number;
}

/** A tenant found by a publishable key, with its test clock's offset (0 in production). */
export interface PublishableTenant extends Tenant {
  clockOffsetMs: number;
}

/** The key's environment clock, read in the same statement as the key (a left join: production has no clock row). */
const clockOfKey = and(eq(sandboxClocks.merchantId, apiKeys.merchantId), eq(sandboxClocks.env, apiKeys.env));

export interface KeyPair {
  secretKey: string;
  publishableKey: string;
}

export interface KeyClaims {
  merchantId: string;
  env: Environment;
  keyId: string;
  issuedAt: Date;
  /** The `aud` claim; null or absent for keys issued before keys carried one (signed without it, and so re-signed). */
  audience?: string | null | undefined;
  /** The `exp` claim (MCP credentials), whole seconds. */
  expiresAt?: Date | undefined;
}

/**
 * The JWT of a key's claims. Deterministic (RS256 is PKCS#1 v1.5 and the claims go in a fixed order), so the same
 * claims always sign to the same string: currentSecretKey relies on it.
 */
export async function signSecretKey(ring: KeyRing, claims: KeyClaims): Promise<string> {
  const jwt = new SignJWT({ env: claims.env })
    .setProtectedHeader({ alg: JWT_ALGORITHM, kid: ring.signingKid, typ: 'JWT' })
    .setSubject(claims.merchantId)
    .setJti(claims.keyId)
    .setIssuedAt(Math.floor(claims.issuedAt.getTime() / 1000));
  if (claims.audience) jwt.setAudience(claims.audience);
  if (claims.expiresAt) jwt.setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000));
  return jwt.sign(ring.signingKey);
}

export async function issueSecretKey(tx: Tx, ring: KeyRing, realTime: Clock, tenant: Tenant): Promise<{ id: string; token: string }> {
  const now = realTime.now();
  const id = newId(ID_PREFIXES.apiKey, now);
  const audience = ring.apiAudience;
  await tx.insert(apiKeys).values({ id, merchantId: tenant.merchantId, env: tenant.env, kind: 'secret', audience, createdAt: now });
  return { id, token: await signSecretKey(ring, { ...tenant, keyId: id, issuedAt: now, audience }) };
}

export async function issuePublishableKey(tx: Tx, realTime: Clock, tenant: Tenant): Promise<string> {
  const now = realTime.now();
  const key = `${PUBLISHABLE_PREFIX[tenant.env]}${hexSeconds(now)}${randomBase62(16)}`;
  await tx.insert(apiKeys).values({
    id: newId(ID_PREFIXES.apiKey, now),
    merchantId: tenant.merchantId,
    env: tenant.env,
    kind: 'publishable',
    publishableKey: key,
    createdAt: now,
  });
  return key;
}

export async function issueKeyPair(tx: Tx, ring: KeyRing, realTime: Clock, tenant: Tenant): Promise<KeyPair> {
  const secret = await issueSecretKey(tx, ring, realTime, tenant);
  return { secretKey: secret.token, publishableKey: await issuePublishableKey(tx, realTime, tenant) };
}

function stillValid(realTime: Clock) {
  return and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, realTime.now())));
}

/** Whether a token's `aud` is the one its key was issued with (none for keys issued before keys carried one). */
function audienceMatches(claim: JWTPayload['aud'], issued: string | null): boolean {
  return issued === null ? claim === undefined : claim === issued;
}

/** At most this many verified tokens are remembered per key ring (the oldest verified goes first). */
export const VERIFIED_TOKENS_MAX = 10_000;

/**
 * The tokens whose RS256 signature this process has verified, by the token's SHA-256, with their claims: a signature
 * that verified once verifies for ever (a ring only ever adds verification keys), so each token is verified once
 * per process instead of on every request. Only what is time-bound in the token itself is checked again at each use
 * (`exp`, `nbf`); revocation, rotation, expiry of the key's row and the merchant's status are read from the database on
 * every request as before, so the cache changes no answer, only the CPU spent (issue 18). Only tokens that verified
 * are kept, so requests with forged or random tokens cannot fill it; it is bounded all the same.
 */
export function verifiedTokens(max = VERIFIED_TOKENS_MAX) {
  const claims = new Map<string, JWTPayload>();
  return {
    get size() {
      return claims.size;
    },
    /** The claims of a token verified before, while its `exp` and `nbf` allow it at `now`. */
    get(digest: string, now: Date): JWTPayload | undefined {
      const payload = claims.get(digest);
      if (!payload) return undefined;
      const seconds = Math.floor(now.getTime() / 1000);
      if ((payload.exp !== undefined && payload.exp <= seconds) || (payload.nbf !== undefined && payload.nbf > seconds)) return undefined;
      return payload;
    },
    remember(digest: string, payload: JWTPayload): void {
      if (claims.size >= max) claims.delete(claims.keys().next().value!);
      claims.set(digest, payload);
    },
  };
}

type VerifiedTokens = ReturnType<typeof verifiedTokens>;

/** One cache per key ring: a token is verified against the ring that will answer for it. */
const verifiedByRing = new WeakMap<KeyRing, VerifiedTokens>();

function verifiedOf(ring: KeyRing): VerifiedTokens {
  let cache = verifiedByRing.get(ring);
  if (!cache) verifiedByRing.set(ring, (cache = verifiedTokens()));
  return cache;
}

/** The claims of a token signed by one of the ring's keys (RS256 only), verified once per process; undefined otherwise. */
async function verifiedClaims(ring: KeyRing, realTime: Clock, token: string): Promise<JWTPayload | undefined> {
  const cache = verifiedOf(ring);
  const digest = createHash('sha256').update(token).digest('base64url');
  const now = realTime.now();
  const known = cache.get(digest, now);
  if (known) return known;
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
  const key = kid ? await ring.verificationKey(kid) : undefined;
  if (!key) return undefined;
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: [JWT_ALGORITHM], currentDate: now });
    cache.remember(digest, payload);
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return undefined;
    throw error;
  }
}

/**
 * The tenant a secret key or an MCP credential stands for, or undefined for anything that is not a live one of an
 * active merchant: bad signature, `alg: none`, HS256 forgeries, expired `exp`, an `aud` other than the key's,
 * revoked or rotated-out keys. The signature is verified once per process (verifiedClaims); the key's row is read
 * on every call.
 */
export async function authenticateSecretKey(
  db: DbOrTx,
  ring: KeyRing,
  realTime: Clock,
  token: string,
): Promise<AuthenticatedKey | undefined> {
  if (looksPublishable(token)) return undefined;
  const payload = await verifiedClaims(ring, realTime, token);
  if (!payload) return undefined;
  const { sub, env, jti } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string' || (env !== 'sandbox' && env !== 'production')) return undefined;
  const [row] = await db
    .select({ kind: apiKeys.kind, audience: apiKeys.audience, offsetMs: sandboxClocks.offsetMs })
    .from(apiKeys)
    .innerJoin(merchants, eq(merchants.id, apiKeys.merchantId))
    .leftJoin(sandboxClocks, clockOfKey)
    .where(
      and(
        eq(apiKeys.id, jti),
        eq(apiKeys.merchantId, sub),
        eq(apiKeys.env, env),
        inArray(apiKeys.kind, ['secret', 'mcp']),
        eq(merchants.status, 'active'),
        stillValid(realTime),
      ),
    );
  if (!row || !audienceMatches(payload.aud, row.audience)) return undefined;
  return { merchantId: sub, env, keyId: jti, kind: row.kind as BearerKind, clockOffsetMs: Number(row.offsetMs ?? 0n) };
}

/**
 * The secret-key string the merchant's server holds now, for the checkout's payment signature (an HMAC keyed
 * with it, notes-payins §7.4). Keys are not stored, but an RS256 signature is deterministic: re-signing the
 * newest live key's claims with the signing key reproduces the token that was issued. During a rotation the
 * newest key (the one without an expiry) is used; its `aud` is the one it was issued with (none for keys issued before
 * keys carried one). MCP credentials are never it. Undefined when the tenant has no live secret key.
 * Limit: a key issued under an earlier signing key (JWT_PRIVATE_KEY changed since) re-signs differently; reissue
 * keys after changing the signing key (docs/decisions/0002).
 */
export async function currentSecretKey(db: DbOrTx, ring: KeyRing, realTime: Clock, tenant: Tenant): Promise<string | undefined> {
  const [row] = await db
    .select({ id: apiKeys.id, createdAt: apiKeys.createdAt, audience: apiKeys.audience })
    .from(apiKeys)
    .where(and(tenantFilter(apiKeys, tenant), eq(apiKeys.kind, 'secret'), stillValid(realTime)))
    .orderBy(sql`${apiKeys.expiresAt} is not null`, desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(1);
  return row ? signSecretKey(ring, { ...tenant, keyId: row.id, issuedAt: row.createdAt, audience: row.audience }) : undefined;
}

/** The tenant of a publishable key (checkout pages and the public order read). */
export async function resolvePublishableKey(db: DbOrTx, realTime: Clock, key: string): Promise<PublishableTenant | undefined> {
  if (!looksPublishable(key)) return undefined;
  const [row] = await db
    .select({ merchantId: apiKeys.merchantId, env: apiKeys.env, offsetMs: sandboxClocks.offsetMs })
    .from(apiKeys)
    .innerJoin(merchants, eq(merchants.id, apiKeys.merchantId))
    .leftJoin(sandboxClocks, clockOfKey)
    .where(and(eq(apiKeys.publishableKey, key), eq(apiKeys.kind, 'publishable'), eq(merchants.status, 'active'), stillValid(realTime)));
  return row && { merchantId: row.merchantId, env: row.env, clockOffsetMs: Number(row.offsetMs ?? 0n) };
}

/**
 * Issues a new secret key for the tenant; every other live secret key of the tenant (the calling one included)
 * keeps working until `expireAfterSeconds` from now, or its own earlier expiry.
 */
export async function rotateSecretKey(
  tx: Tx,
  ring: KeyRing,
  realTime: Clock,
  tenant: Tenant,
  expireAfterSeconds: number,
): Promise<{ secretKey: string; previousKeyExpiresAt: Date }> {
  const previousKeyExpiresAt = new Date(realTime.now().getTime() + expireAfterSeconds * 1000);
  const live = await tx
    .select({ id: apiKeys.id, expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .where(and(tenantFilter(apiKeys, tenant), eq(apiKeys.kind, 'secret'), stillValid(realTime)))
    .for('update');
  for (const key of live) {
    if (key.expiresAt === null || key.expiresAt > previousKeyExpiresAt) {
      await tx.update(apiKeys).set({ expiresAt: previousKeyExpiresAt }).where(eq(apiKeys.id, key.id));
    }
  }
  const fresh = await issueSecretKey(tx, ring, realTime, tenant);
  return { secretKey: fresh.token, previousKeyExpiresAt };
}

/** Revokes every live key of the given kinds in one environment of a merchant, at once. */
export async function revokeKeys(
  tx: Tx,
  realTime: Clock,
  tenant: Tenant,
  kinds: readonly ApiKeyKind[],
): Promise<number> {
  let revoked = 0;
  for (const kind of kinds) {
    const rows = await tx
      .update(apiKeys)
      .set({ revokedAt: realTime.now() })
      .where(and(tenantFilter(apiKeys, tenant), eq(apiKeys.kind, kind), stillValid(realTime)))
      .returning({ id: apiKeys.id });
    revoked += rows.length;
  }
  return revoked;
}

/** The tenant's newest live publishable key (the one the checkout takes now), or undefined when none is live. */
export async function currentPublishableKey(db: DbOrTx, realTime: Clock, tenant: Tenant): Promise<string | undefined> {
  const [row] = await db
    .select({ key: apiKeys.publishableKey })
    .from(apiKeys)
    .where(and(tenantFilter(apiKeys, tenant), eq(apiKeys.kind, 'publishable'), stillValid(realTime)))
    .orderBy(sql`${apiKeys.expiresAt} is not null`, desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(1);
  return row?.key ?? undefined;
}
