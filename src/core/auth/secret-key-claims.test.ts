// The claims of secret keys: `aud` (the external API's audience in force at issue) besides sub, env, iat and jti;
// checked when present, `exp` honoured, and keys issued before keys carried an aud keep working and re-sign exactly.
import { eq } from 'drizzle-orm';
import { decodeJwt, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { bearer, buildTestApp, createTestMerchant } from '../../../test/support/app.js';
import { apiKeys } from '../../db/schema/index.js';
import { createMerchant } from '../../modules/merchants/service.js';
import { systemClock } from '../clock.js';
import { authenticateSecretKey, currentSecretKey, signSecretKey, type KeyClaims } from './api-keys.js';
import { loadKeyRing } from './signing-keys.js';

/** A key's claims as its token carries them. */
function claimsOf(token: string): KeyClaims & { jti: string } {
  const payload = decodeJwt(token);
  return {
    merchantId: payload.sub!, env: payload.env as 'sandbox', keyId: payload.jti!, jti: payload.jti!,
    issuedAt: new Date(payload.iat! * 1000), audience: payload.aud as string | undefined,
  };
}

describe('secret key claims', () => {
  // The worker's database is migrated in a hook (its longer timeout), not in the first test.
  beforeAll(async () => {
    await testEnv();
  });

  it("carry the external API's audience, glomo-external-api unless API_AUDIENCE says otherwise", async () => {
    const { keyRing } = await testEnv();
    expect(keyRing.apiAudience).toBe('glomo-external-api');
    const merchant = await createTestMerchant();
    expect(decodeJwt(merchant.sandboxSecret)).toEqual({
      sub: merchant.id, env: 'sandbox', jti: expect.stringMatching(/^key_/), iat: expect.any(Number), aud: 'glomo-external-api',
    });
  });

  it('keep the audience they were issued with when API_AUDIENCE changes: still accepted, re-signed byte for byte', async () => {
    const { database, keyRing } = await testEnv();
    const earlier = await loadKeyRing(database.db, undefined, { apiAudience: 'https://api.example.com' });
    const { merchant, keys } = await createMerchant({ db: database.db, keyRing: earlier, clock: systemClock }, { name: 'Earlier audience' });
    expect(decodeJwt(keys.sandbox.secretKey).aud).toBe('https://api.example.com');
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    // The process now runs with the default audience.
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, keys.sandbox.secretKey)).toMatchObject({ ...tenant, kind: 'secret' });
    expect(await currentSecretKey(database.db, keyRing, systemClock, tenant)).toBe(keys.sandbox.secretKey);
  });

  it('issued before keys carried an aud keep working, and currentSecretKey reproduces them exactly', async () => {
    const { database, keyRing } = await testEnv();
    const merchant = await createTestMerchant();
    const claims = claimsOf(merchant.sandboxSecret);
    // A key of the previous release: its row has no audience, its token was signed without one.
    await database.db.update(apiKeys).set({ audience: null }).where(eq(apiKeys.id, claims.jti));
    const [row] = await database.db.select().from(apiKeys).where(eq(apiKeys.id, claims.jti));
    const legacy = await new SignJWT({ env: 'sandbox' })
      .setProtectedHeader({ alg: 'RS256', kid: keyRing.signingKid, typ: 'JWT' })
      .setSubject(merchant.id)
      .setJti(claims.jti)
      .setIssuedAt(Math.floor(row!.createdAt.getTime() / 1000))
      .sign(keyRing.signingKey);
    expect(decodeJwt(legacy)).not.toHaveProperty('aud');

    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    expect(await currentSecretKey(database.db, keyRing, systemClock, tenant)).toBe(legacy);
    const { app } = await buildTestApp();
    expect((await app.inject({ url: '/api/v1/balances', headers: bearer(legacy) })).statusCode).toBe(200);
    // Such a key re-signed with an aud is not the key that was issued.
    const withAud = await signSecretKey(keyRing, { ...claims, issuedAt: row!.createdAt, audience: 'glomo-external-api' });
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, withAud)).toBeUndefined();
  });

  it('with another aud than the one issued, or none, answer 401', async () => {
    const { keyRing } = await testEnv();
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const claims = claimsOf(merchant.sandboxSecret);
    const status = async (token: string) => (await app.inject({ url: '/api/v1/balances', headers: bearer(token) })).statusCode;
    expect(await status(await signSecretKey(keyRing, claims))).toBe(200);
    for (const audience of ['glomo-mcp', 'glomo-external-api ', 'https://api.glomopay.com', null]) {
      const token = await signSecretKey(keyRing, { ...claims, audience });
      expect(await status(token), String(audience)).toBe(401);
    }
    // An aud list, even one naming the right audience, is not what was issued.
    const list = await new SignJWT({ env: 'sandbox' })
      .setProtectedHeader({ alg: 'RS256', kid: keyRing.signingKid, typ: 'JWT' })
      .setSubject(merchant.id).setJti(claims.jti).setIssuedAt(Math.floor(claims.issuedAt.getTime() / 1000))
      .setAudience(['glomo-external-api', 'glomo-mcp'])
      .sign(keyRing.signingKey);
    expect(await status(list)).toBe(401);
  });

  it('honour exp: a past one answers 401, a future one works until then', async () => {
    const { database, keyRing } = await testEnv();
    const merchant = await createTestMerchant();
    const claims = claimsOf(merchant.sandboxSecret);
    const now = Date.now();
    const past = await signSecretKey(keyRing, { ...claims, expiresAt: new Date(now - 1000) });
    const future = await signSecretKey(keyRing, { ...claims, expiresAt: new Date(now + 60_000) });
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, past)).toBeUndefined();
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, future)).toMatchObject({ merchantId: merchant.id });
    const later = { now: () => new Date(now + 61_000) };
    expect(await authenticateSecretKey(database.db, keyRing, later, future)).toBeUndefined();
  });

  it("are not an MCP credential's: its claims with the external API's aud answer 401", async () => {
    const { database, keyRing } = await testEnv();
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const minted = await app.inject({ method: 'POST', url: '/api/v1/mcp_credentials', headers: bearer(merchant.sandboxSecret), payload: {} });
    const claims = claimsOf(minted.json().token);
    const exp = decodeJwt(minted.json().token).exp!;
    const asApiKey = await signSecretKey(keyRing, { ...claims, audience: 'glomo-external-api', expiresAt: new Date(exp * 1000) });
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, asApiKey)).toBeUndefined();
    expect(await authenticateSecretKey(database.db, keyRing, systemClock, minted.json().token)).toMatchObject({ kind: 'mcp' });
  });
});
