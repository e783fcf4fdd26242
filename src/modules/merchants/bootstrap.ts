// First start: with no merchant at all, create a default one and keep its keys in DATA_DIR/credentials.json,
// so `npm start` alone gives a working sandbox key.
import fs from 'node:fs';
import path from 'node:path';
import { anyMerchantExists, createMerchant, type MerchantDeps } from './service.js';

export interface Credentials {
  merchant_id: string;
  merchant_name: string;
  sandbox: { secret_key: string; public_key: string };
  production: { secret_key: string; public_key: string };
}

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, 'credentials.json');
}

export function readCredentials(dataDir: string): Credentials | undefined {
  try {
    return JSON.parse(fs.readFileSync(credentialsPath(dataDir), 'utf8')) as Credentials;
  } catch {
    return undefined;
  }
}

/** Creates the default merchant when none exists. Run under the start-up lock. */
export async function ensureDefaultMerchant(deps: MerchantDeps, dataDir: string): Promise<{ created: boolean; credentials?: Credentials }> {
  if (await anyMerchantExists(deps.db)) return { created: false, credentials: readCredentials(dataDir) };
  const { merchant, keys } = await createMerchant(deps, { name: 'Default merchant' });
  const credentials: Credentials = {
    merchant_id: merchant.id,
    merchant_name: merchant.name,
    sandbox: { secret_key: keys.sandbox.secretKey, public_key: keys.sandbox.publishableKey },
    production: { secret_key: keys.production.secretKey, public_key: keys.production.publishableKey },
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(credentialsPath(dataDir), `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { created: true, credentials };
}
