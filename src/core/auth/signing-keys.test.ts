import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { buildTestApp, createTestMerchant } from '../../../test/support/app.js';
import { systemClock } from '../clock.js';
import { authenticateSecretKey, signSecretKey } from './api-keys.js';
import { loadKeyRing } from './signing-keys.js';

describe('signing keys', () => {
  // The worker's database is migrated in a hook (its longer timeout), not in the first test.
  beforeAll(async () => {
    await testEnv();
  });

  it('sign with JWT_PRIVATE_KEY when configured, and still accept keys signed by the stored key', async () => {
    const { database, keyRing: storedRing } = await testEnv();
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const configured = await loadKeyRing(database.db, pem);
    expect(configured.signingKid).toMatch(/^cfg_[A-Za-z0-9_-]{16}$/);
    expect(configured.signingKid).not.toBe(storedRing.signingKid);

    const merchant = await createTestMerchant();
    const claims = JSON.parse(Buffer.from(merchant.sandboxSecret.split('.')[1]!, 'base64url').toString()) as { jti: string; aud: string };
    const token = await signSecretKey(configured, { merchantId: merchant.id, env: 'sandbox', keyId: claims.jti, issuedAt: new Date(), audience: claims.aud });
    expect(decodeProtectedHeader(token).kid).toBe(configured.signingKid);
    expect(await authenticateSecretKey(database.db, configured, systemClock, token)).toMatchObject({ merchantId: merchant.id, env: 'sandbox' });
    // A key issued earlier by the generated, stored key keeps working after the switch.
    expect(await authenticateSecretKey(database.db, configured, systemClock, merchant.sandboxSecret)).toMatchObject({ merchantId: merchant.id });
    // A ring that does not know the configured key refuses its tokens.
    expect(await authenticateSecretKey(database.db, storedRing, systemClock, token)).toBeUndefined();
  });

  it('reject a configured key that is not an RSA private key in PEM', async () => {
    const { database } = await testEnv();
    await expect(loadKeyRing(database.db, 'not a pem')).rejects.toThrow();
  });

  it('are RS256 with the signing kid in the header of every issued key', async () => {
    const { keyRing } = await testEnv();
    const merchant = await createTestMerchant();
    const header = decodeProtectedHeader(merchant.sandboxSecret);
    expect(header).toEqual({ alg: 'RS256', kid: keyRing.signingKid, typ: 'JWT' });
    const payload = JSON.parse(Buffer.from(merchant.sandboxSecret.split('.')[1]!, 'base64url').toString());
    expect(payload).toEqual({
      sub: merchant.id, env: 'sandbox', jti: expect.stringMatching(/^key_/), iat: expect.any(Number), aud: 'glomo-external-api',
    });
  });

  it('publish every verification key (the stored and the configured one), the signing one as the PEM', async () => {
    const { database, keyRing: storedRing } = await testEnv();
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const configured = await loadKeyRing(database.db, pem);
    const kids = (await configured.publishedKeys()).map((key) => key.kid);
    expect(kids).toContain(storedRing.signingKid);
    expect(kids.at(-1)).toBe(configured.signingKid);
    expect(configured.signingPublicKeyPem).toBe(createPublicKey(pem).export({ type: 'spki', format: 'pem' }));
    // The stored ring publishes no configured key it was never given.
    expect((await storedRing.publishedKeys()).map((key) => key.kid)).not.toContain(configured.signingKid);
  });
});

describe('GET /.well-known/jwks.json and /.well-known/glomo-mcp-public-key.pem', () => {
  it('answer the public keys without a key: a JWKS that verifies issued keys, and the signing key in SPKI PEM', async () => {
    const { keyRing } = await testEnv();
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();

    const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.statusCode).toBe(200);
    expect(jwks.headers['content-type']).toContain('application/json');
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = jwks.json() as { keys: Array<Record<string, string>> };
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    }
    expect(keys.map((key) => key.kid)).toContain(keyRing.signingKid);
    await expect(jwtVerify(merchant.sandboxSecret, createLocalJWKSet({ keys }), { algorithms: ['RS256'] })).resolves.toBeDefined();

    const pem = await app.inject({ method: 'GET', url: '/.well-known/glomo-mcp-public-key.pem' });
    expect(pem.statusCode).toBe(200);
    expect(pem.headers['content-type']).toContain('application/x-pem-file');
    expect(pem.body).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(pem.body).toBe(keyRing.signingPublicKeyPem);
    // The PEM is the JWKS's signing key.
    const signing = keys.find((key) => key.kid === keyRing.signingKid)!;
    expect(createPublicKey(pem.body).export({ format: 'jwk' })).toMatchObject({ n: signing.n, e: signing.e });
    await expect(jwtVerify(merchant.sandboxSecret, await importSPKI(pem.body, 'RS256'))).resolves.toBeDefined();
  });
});
