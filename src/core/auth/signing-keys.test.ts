import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createTestMerchant } from '../../../test/support/app.js';
import { systemClock } from '../clock.js';
import { authenticateSecretKey, signSecretKey } from './api-keys.js';
import { loadKeyRing } from './signing-keys.js';

describe('signing keys', () => {
  it('sign with JWT_PRIVATE_KEY when configured, and still accept keys signed by the stored key', async () => {
    const { database, keyRing: storedRing } = await testEnv();
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const configured = await loadKeyRing(database.db, pem);
    expect(configured.signingKid).toMatch(/^cfg_[A-Za-z0-9_-]{16}$/);
    expect(configured.signingKid).not.toBe(storedRing.signingKid);

    const merchant = await createTestMerchant();
    const claims = JSON.parse(Buffer.from(merchant.sandboxSecret.split('.')[1]!, 'base64url').toString()) as { jti: string };
    const token = await signSecretKey(configured, { merchantId: merchant.id, env: 'sandbox', keyId: claims.jti, issuedAt: new Date() });
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
    expect(payload).toEqual({ sub: merchant.id, env: 'sandbox', jti: expect.stringMatching(/^key_/), iat: expect.any(Number) });
  });
});
