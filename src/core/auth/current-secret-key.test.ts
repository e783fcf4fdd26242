// currentSecretKey reproduces the secret-key string a merchant holds (for the checkout's payment signature).
import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { bearer, buildTestApp, createTestMerchant } from '../../../test/support/app.js';
import { systemClock } from '../clock.js';
import { currentSecretKey, revokeKeys } from './api-keys.js';

describe('currentSecretKey', () => {
  // The worker's database is migrated in a hook (its longer timeout), not in the first test.
  beforeAll(async () => {
    await testEnv();
  });

  it('reproduces the issued key of each environment exactly', async () => {
    const { database, keyRing } = await testEnv();
    const merchant = await createTestMerchant();
    expect(await currentSecretKey(database.db, keyRing, systemClock, { merchantId: merchant.id, env: 'sandbox' })).toBe(merchant.sandboxSecret);
    expect(await currentSecretKey(database.db, keyRing, systemClock, { merchantId: merchant.id, env: 'production' })).toBe(merchant.productionSecret);
  });

  it('is the new key during a rotation, and undefined once every key is revoked', async () => {
    const { database, keyRing } = await testEnv();
    const { app } = await buildTestApp();
    const merchant = await createTestMerchant();
    const rotated = await app.inject({
      method: 'POST', url: '/api/v1/api-keys/rotate', headers: bearer(merchant.sandboxSecret), payload: { expire_after_in_seconds: 3600 },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const current = await currentSecretKey(database.db, keyRing, systemClock, tenant);
    // The new key, although the old one still works for an hour.
    expect(current).toBe(rotated.json().secret_key);
    expect(current).not.toBe(merchant.sandboxSecret);

    await database.db.transaction((tx) => revokeKeys(tx, systemClock, tenant, ['secret']));
    expect(await currentSecretKey(database.db, keyRing, systemClock, tenant)).toBeUndefined();
  });
});
