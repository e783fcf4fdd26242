// Platforms and their child merchants for tests: a platform made so by the operator's setting, children onboarded
// through the merchants module (what POST /api/v1/platform/merchants does), each with its key for its one environment.
import type { Clock } from '../../src/core/clock.js';
import { systemClock } from '../../src/core/clock.js';
import type { Environment, MerchantProfile } from '../../src/db/schema/index.js';
import { createChildMerchant, updateMerchantSettings } from '../../src/modules/merchants/service.js';
import { randomBase62 } from '../../src/core/ids.js';
import { createTestMerchant, type TestMerchant } from './app.js';
import { testEnv } from './env.js';

export interface TestChild {
  id: string;
  env: Environment;
  /** The child's secret key, for its one environment. */
  secret: string;
  publishable: string;
}

/** A valid onboarding profile of a business child. */
export const CHILD_PROFILE: MerchantProfile = {
  entity_type: 'business', category: 'Retail and Goods', sub_category: 'Family Clothing Stores', registration_number: 'REG123456',
  registration_country: 'IND',
  address: { address_line1: '456 Commerce Street', address_line2: null, city: 'Mumbai', state: 'Maharashtra', pincode: '400001', country: 'IND' },
  operation_countries: ['IND'], date_of_birth: null, gender: null,
};

/** A merchant the operator made a platform. */
export async function createTestPlatform(clock: Clock = systemClock): Promise<TestMerchant> {
  const platform = await createTestMerchant(clock);
  const { database } = await testEnv();
  await updateMerchantSettings({ db: database.db, clock }, platform.id, { isPlatform: true });
  return platform;
}

/** A child onboarded under `platform` in `env` (still `pending`). */
export async function createTestChild(platform: TestMerchant, env: Environment = 'sandbox', clock: Clock = systemClock): Promise<TestChild> {
  const { database, keyRing } = await testEnv();
  const created = await createChildMerchant({ db: database.db, keyRing, clock }, { tenant: { merchantId: platform.id, env }, clock }, {
    name: `Test child ${randomBase62(6)}`, profile: CHILD_PROFILE,
  });
  if (!created) throw new Error(`${platform.id} is not a platform`);
  return { id: created.merchant.id, env, secret: created.keys.secretKey, publishable: created.keys.publishableKey };
}
