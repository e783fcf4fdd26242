// The RS256 key ring that signs and verifies secret keys. The signing key comes from JWT_PRIVATE_KEY, or is
// generated on first start and stored in the database so that every process behind a load balancer shares it.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { asc } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI } from 'jose';
import type { Db } from '../../db/client.js';
import { signingKeys } from '../../db/schema/index.js';
import type { Clock } from '../clock.js';
import { ID_PREFIXES, newId } from '../ids.js';

export const JWT_ALGORITHM = 'RS256';

export interface KeyRing {
  readonly signingKid: string;
  readonly signingKey: CryptoKey | KeyObject;
  verificationKey(kid: string): Promise<CryptoKey | KeyObject | undefined>;
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

export async function loadKeyRing(db: Db, configuredPrivateKeyPem?: string): Promise<KeyRing> {
  const verifiers = new Map<string, CryptoKey | KeyObject>();
  const loadStored = async () => {
    const rows = await db.select().from(signingKeys).orderBy(asc(signingKeys.createdAt));
    for (const row of rows) {
      if (!verifiers.has(row.id)) verifiers.set(row.id, await importSPKI(row.publicKeyPem, JWT_ALGORITHM));
    }
    return rows;
  };
  const rows = await loadStored();

  let signingKid: string;
  let signingKey: CryptoKey | KeyObject;
  if (configuredPrivateKeyPem) {
    signingKey = await importPKCS8(configuredPrivateKeyPem, JWT_ALGORITHM);
    const publicJwk = await exportJWK(createPublicKey(configuredPrivateKeyPem));
    signingKid = `cfg_${(await calculateJwkThumbprint(publicJwk)).slice(0, 16)}`;
    verifiers.set(signingKid, createPublicKey(configuredPrivateKeyPem));
  } else {
    const newest = rows.at(-1);
    if (!newest) throw new Error('No signing key: ensureSigningKey must run before loadKeyRing');
    signingKid = newest.id;
    signingKey = await importPKCS8(newest.privateKeyPem, JWT_ALGORITHM);
  }

  // A kid we do not know may be a key another process stored after we started: look again, at most every 10 s.
  let lastReload = Date.now();
  return {
    signingKid,
    signingKey,
    async verificationKey(kid) {
      const known = verifiers.get(kid);
      if (known || Date.now() - lastReload < 10_000) return known;
      lastReload = Date.now();
      await loadStored();
      return verifiers.get(kid);
    },
  };
}
