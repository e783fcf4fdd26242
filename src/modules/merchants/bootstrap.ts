// First start: with no merchant at all, create a default one and keep its keys in DATA_DIR/credentials.json,
// so `npm start` alone gives a working sandbox key.
import { readCredentials, refreshCredentials, writeCredentials, type Credentials } from './credentials-file.js';
import { anyMerchantExists, createMerchant, type MerchantDeps } from './service.js';

export { credentialsPath, readCredentials, type Credentials } from './credentials-file.js';

/**
 * Creates the default merchant when none exists; otherwise brings credentials.json up to the merchant's current keys
 * (a reissue or a rotation since the last start issued new ones: the secret key is re-signed from its stored claims,
 * `currentSecretKey`). An environment left without a live key keeps what the file had (the banner then says it no
 * longer works). Run under the start-up lock.
 */
export async function ensureDefaultMerchant(deps: MerchantDeps, dataDir: string): Promise<{ created: boolean; credentials?: Credentials }> {
  if (await anyMerchantExists(deps.db)) {
    const stored = readCredentials(dataDir);
    return { created: false, credentials: stored && await refreshCredentials(deps, dataDir, stored) };
  }
  const { merchant, keys } = await createMerchant(deps, { name: 'Default merchant' });
  const credentials: Credentials = {
    merchant_id: merchant.id,
    merchant_name: merchant.name,
    sandbox: { secret_key: keys.sandbox.secretKey, public_key: keys.sandbox.publishableKey },
    production: { secret_key: keys.production.secretKey, public_key: keys.production.publishableKey },
  };
  writeCredentials(dataDir, credentials);
  return { created: true, credentials };
}

