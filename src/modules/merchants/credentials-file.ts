// DATA_DIR/credentials.json: the default merchant's keys, as `npm start` prints them. Written at the first start, and
// brought up to the merchant's current keys whenever they change (a reissue or a rotation, and at every start).
import fs from 'node:fs';
import path from 'node:path';
import type { Environment } from '../../db/schema/index.js';
import { currentPublishableKey, currentSecretKey } from '../../core/auth/api-keys.js';
import type { MerchantDeps } from './service.js';

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

export function writeCredentials(dataDir: string, credentials: Credentials): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(credentialsPath(dataDir), `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(credentialsPath(dataDir), 0o600);
}

/** credentials.json with the default merchant's current keys, rewritten when they changed. */
export async function refreshCredentials(deps: MerchantDeps, dataDir: string, stored: Credentials): Promise<Credentials> {
  const current = async (env: Environment, previous: Credentials['sandbox']) => {
    const tenant = { merchantId: stored.merchant_id, env };
    return {
      secret_key: await currentSecretKey(deps.db, deps.keyRing, deps.clock, tenant) ?? previous.secret_key,
      public_key: await currentPublishableKey(deps.db, deps.clock, tenant) ?? previous.public_key,
    };
  };
  const refreshed: Credentials = {
    ...stored,
    sandbox: await current('sandbox', stored.sandbox),
    production: await current('production', stored.production),
  };
  if (JSON.stringify(refreshed) !== JSON.stringify(stored)) writeCredentials(dataDir, refreshed);
  return refreshed;
}

/** After a key change of `merchantId`: rewrites credentials.json when it is that merchant's (the default one's). */
export async function refreshCredentialsOf(deps: MerchantDeps, dataDir: string, merchantId: string): Promise<void> {
  const stored = readCredentials(dataDir);
  if (stored?.merchant_id === merchantId) await refreshCredentials(deps, dataDir, stored);
}
