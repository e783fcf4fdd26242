import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.js';
import { systemClock } from '../../core/clock.js';
import { holdFunds, postJournal } from '../../ledger/index.js';
import { bearer, buildTestApp, createTestMerchant } from '../../../test/support/app.js';
import { expectResponse } from '../../../test/support/contract.js';
import { testEnv } from '../../../test/support/env.js';
import { fundMerchant } from '../../../test/support/ledger.js';
import { describeSecurity } from '../../../test/support/security.js';

describe('GET /api/v1/balances', () => {
  let app: App;
  beforeAll(async () => {
    ({ app } = await buildTestApp());
  });

  const get = (key: string) => app.inject({ method: 'GET', url: '/api/v1/balances', headers: bearer(key) });

  it('answers empty lists for a merchant that never held money', async () => {
    const merchant = await createTestMerchant();
    const response = await get(merchant.sandboxSecret);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ available: [], pending: [] });
    expectResponse('get', '/balances', 200, response.json());
  });

  it('answers the ledger: available and pending per currency, held funds in neither', async () => {
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    await fundMerchant(merchant.id, 'USD', 150_000n);
    await fundMerchant(merchant.id, 'JPY', 5000n);
    const { database } = await testEnv();
    await database.db.transaction(async (tx) => {
      // A payment received but not yet released sits in pending.
      const received = await postJournal({ tx, clock: systemClock, tenant }, {
        kind: 'test_payment', cause: { type: 'test', id: 'payt_test' },
        entries: [
          { account: { purpose: 'clearing', currency: 'EUR' }, amount: -2500n },
          { account: { purpose: 'pending', currency: 'EUR' }, amount: 2500n },
        ],
      });
      expect(received.ok).toBe(true);
      expect((await holdFunds({ tx, clock: systemClock, tenant }, { currency: 'USD', amount: 50_000n, cause: { type: 'test', id: 'pout_test' } })).ok).toBe(true);
    });
    const response = await get(merchant.sandboxSecret);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expectResponse('get', '/balances', 200, body);
    expect(body).toEqual({
      available: [{ currency: 'EUR', amount: 0 }, { currency: 'JPY', amount: 5000 }, { currency: 'USD', amount: 100_000 }],
      pending: [{ currency: 'EUR', amount: 2500 }, { currency: 'JPY', amount: 0 }, { currency: 'USD', amount: 0 }],
    });
  });

  it("shows each environment its own money", async () => {
    const merchant = await createTestMerchant();
    await fundMerchant(merchant.id, 'GBP', 700n, 'production');
    expect((await get(merchant.productionSecret)).json()).toEqual({ available: [{ currency: 'GBP', amount: 700 }], pending: [{ currency: 'GBP', amount: 0 }] });
    expect((await get(merchant.sandboxSecret)).json()).toEqual({ available: [], pending: [] });
  });
});

describeSecurity('GET /api/v1/balances', { method: 'GET', url: () => '/api/v1/balances' });
