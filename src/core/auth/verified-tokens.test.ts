// Verified tokens (api-keys.ts verifiedTokens): a token's signature is verified once per process, and the cache changes
// no answer: `exp` still ends a token, a revoked key is refused on its next request, a token signed by another ring
// is refused by this one, and the cache stays bounded.
import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { bearer, buildTestApp, createTestMerchant } from '../../../test/support/app.js';
import { testEnv } from '../../../test/support/env.js';
import { apiKeys } from '../../db/schema/index.js';
import { systemClock } from '../clock.js';
import { authenticateSecretKey, signSecretKey, verifiedTokens } from './api-keys.js';
import { loadKeyRing } from './signing-keys.js';

describe('verified tokens', () => {
  it('answer a remembered token\'s claims until its exp, and not before its nbf', () => {
    const cache = verifiedTokens();
    const at = (seconds: number) => new Date(seconds * 1000);
    cache.remember('a', { sub: 'merch_x', exp: 100 });
    cache.remember('b', { sub: 'merch_y', nbf: 50 });
    expect(cache.get('a', at(99.9))).toEqual({ sub: 'merch_x', exp: 100 });
    expect(cache.get('a', at(100))).toBeUndefined();
    expect(cache.get('b', at(49))).toBeUndefined();
    expect(cache.get('b', at(50))).toEqual({ sub: 'merch_y', nbf: 50 });
    expect(cache.get('c', at(0))).toBeUndefined();
  });

  it('keep at most their bound, forgetting the oldest first', () => {
    const cache = verifiedTokens(3);
    for (const digest of ['a', 'b', 'c', 'd']) cache.remember(digest, { sub: digest });
    expect(cache.size).toBe(3);
    expect(cache.get('a', new Date())).toBeUndefined();
    expect(cache.get('d', new Date())).toEqual({ sub: 'd' });
  });

  it('refuse a key revoked after it was verified, on its very next request', async () => {
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const { database } = await testEnv();
    expect((await app.inject({ url: '/api/v1/balances', headers: bearer(merchant.sandboxSecret) })).statusCode).toBe(200);
    await database.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, decodeJwt(merchant.sandboxSecret).jti!));
    expect((await app.inject({ url: '/api/v1/balances', headers: bearer(merchant.sandboxSecret) })).statusCode).toBe(401);
  });

  it('end a remembered token at its exp', async () => {
    const { database, keyRing } = await testEnv();
    const merchant = await createTestMerchant();
    const payload = decodeJwt(merchant.sandboxSecret);
    const now = Date.now();
    const token = await signSecretKey(keyRing, {
      merchantId: merchant.id, env: 'sandbox', keyId: payload.jti!, issuedAt: new Date(payload.iat! * 1000),
      audience: payload.aud as string, expiresAt: new Date(now + 60_000),
    });
    for (let i = 0; i < 2; i++) {
      expect(await authenticateSecretKey(database.db, keyRing, systemClock, token)).toMatchObject({ merchantId: merchant.id });
    }
    expect(await authenticateSecretKey(database.db, keyRing, { now: () => new Date(now + 61_000) }, token)).toBeUndefined();
  });

  it('are the ring\'s own: a token another ring verified is refused by this one', async () => {
    const { database, keyRing } = await testEnv();
    const merchant = await createTestMerchant();
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, merchant.sandboxSecret)).toBeDefined();
    // Another ring with another signing key (JWT_PRIVATE_KEY) over the same database: the token is not its.
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = await loadKeyRing(database.db, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { apiAudience: keyRing.apiAudience });
    const forged = await signSecretKey(other, { merchantId: merchant.id, env: 'sandbox', keyId: decodeJwt(merchant.sandboxSecret).jti!, issuedAt: new Date(), audience: keyRing.apiAudience });
    expect(await authenticateSecretKey(database.db, other, systemClock, forged)).toBeDefined();
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, forged)).toBeUndefined();
  });
});
