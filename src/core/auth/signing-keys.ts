// The RS256 key ring that signs and verifies secret keys and MCP credentials. The signing key comes from
// JWT_PRIVATE_KEY, or is generated on first start and stored in the database so that every process behind a load
// balancer shares it. Its public keys are published (GET /.well-known/jwks.json, decision 0036).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI } from 'jose';
import type { Db } from '../../db/client.js';
import { signingKeys } from '../../db/schema/index.js';
import type { Clock } from '../clock.js';
import { ID_PREFIXES, newId } from '../ids.js';
import { DEFAULT_API_AUDIENCE } from './audiences.js';

export const JWT_ALGORITHM = 'RS256' as const;

/** A verification key as it is published: its kid, its SPKI PEM and its JWK (kty, n, e). */
export interface PublishedKey {
  kid: string;
  publicKeyPem: string;
  jwk: { kty: 'RSA'; n: string; e: string };
}

export interface KeyRing {
  readonly signingKid: string;
  readonly signingKey: CryptoKey | KeyObject;
  /** The SPKI PEM of the signing key's public half (what glomo-mcp-server's GLOMO_MCP_PUBLIC_KEY takes). */
  readonly signingPublicKeyPem: string;
  /** The `aud` new secret keys are signed with (API_AUDIENCE). */
  readonly apiAudience: string;
  verificationKey(kid: string): Promise<CryptoKey | KeyObject | undefined>;
  /** Every verification key, the signing key's included, oldest first (reloaded as verificationKey is). */
  publishedKeys(): Promise<PublishedKey[]>;
}

/** Makes sure a signing key exists. Call under the start-up lock so that concurrent starts create one. */
export async function ensureSigningKey(db: Db, clock: Clock): Promise<void> {
  const existing = await db.select({ id: signingKeys.id }).from(signingKeys).limit(1);
  if (existing.length > 0) return;
  const { privateKey, publicKey } = await generateKeyPair(JWT_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const now = clock.now();
  await db.insert(signingKeys).values({
    id: newId(ID_PREFIXES.signingKey, now),
    privateKeyPem: await exportPKCS8(privateKey),
    publicKeyPem: await exportSPKI(publicKey),
    createdAt: now,
  });
}

function published(kid: string, publicKey: KeyObject): PublishedKey {
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (!n || !e) throw new Error(`signing key ${kid} is not an RSA key`);
  return { kid, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, jwk: { kty: 'RSA', n, e } };
}

export async function loadKeyRing(db: Db, configuredPrivateKeyPem?: string, options: { apiAudience?: string } = {}): Promise<KeyRing> {
  const verifiers = new Map<string, CryptoKey | KeyObject>();
  const publishedByKid = new Map<string, PublishedKey>();
  const loadStored = async () => {
    const rows = await db.select().from(signingKeys).orderBy(asc(signingKeys.createdAt));
    for (const row of rows) {
      if (verifiers.has(row.id)) continue;
      verifiers.set(row.id, await importSPKI(row.publicKeyPem, JWT_ALGORITHM));
      publishedByKid.set(row.id, published(row.id, createPublicKey(row.publicKeyPem)));
    }
    return rows;
  };
  const rows = await loadStored();

  let signingKid: string;
  let signingKey: CryptoKey | KeyObject;
  if (configuredPrivateKeyPem) {
    signingKey = await importPKCS8(configuredPrivateKeyPem, JWT_ALGORITHM);
    const publicKey = createPublicKey(configuredPrivateKeyPem);
    signingKid = `cfg_${(await calculateJwkThumbprint(await exportJWK(publicKey))).slice(0, 16)}`;
    verifiers.set(signingKid, publicKey);
    publishedByKid.set(signingKid, published(signingKid, publicKey));
  } else {
    const newest = rows.at(-1);
    if (!newest) throw new Error('No signing key: ensureSigningKey must run before loadKeyRing');
    signingKid = newest.id;
    signingKey = await importPKCS8(newest.privateKeyPem, JWT_ALGORITHM);
  }

  // A kid we do not know may be a key another process stored after we started: look again, at most every 10 s.
  let lastReload = Date.now();
  const reloadIfDue = async () => {
    if (Date.now() - lastReload < 10_000) return;
    lastReload = Date.now();
    await loadStored();
  };
  return {
    signingKid,
    signingKey,
    signingPublicKeyPem: publishedByKid.get(signingKid)!.publicKeyPem,
    apiAudience: options.apiAudience ?? DEFAULT_API_AUDIENCE,
    async verificationKey(kid) {
      const known = verifiers.get(kid);
      if (known) return known;
      await reloadIfDue();
      return verifiers.get(kid);
    },
    async publishedKeys() {
      await reloadIfDue();
      return [...publishedByKid.values()];
    },
  };
}
