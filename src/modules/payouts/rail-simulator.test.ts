// The sandbox rail simulator: released payouts complete by themselves after SANDBOX_RAIL_DELAY_SECONDS, failing
// with the error code of a magic account-number ending. A database of the suite's own, for its job runner.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { jobs } from '../../db/schema/index.js';
import { adjustBalance, verifyLedger } from '../../ledger/index.js';
import { bearer } from '../../../test/support/app.js';
import { accountNumber, v2Body } from '../../../test/support/beneficiaries.js';
import { jobSuite, type JobSuite } from '../../../test/support/jobs.js';
import { payoutJobHandlers, SIMULATED_RAIL_FAILURES, simulatedOutcome } from './jobs.js';
import { PAYOUT_RAIL_QUEUE } from './service.js';

describe('simulatedOutcome', () => {
  it('fails on each magic ending with its error code and succeeds otherwise', () => {
    expect(simulatedOutcome({ accountNumber: '1234567', upiId: null })).toEqual({ status: 'success' });
    expect(simulatedOutcome({ accountNumber: null, upiId: 'ravi9904@ybl' })).toMatchObject({ status: 'failed', error: { code: 'INVALID_VPA' } });
    for (const [ending, error] of Object.entries(SIMULATED_RAIL_FAILURES)) {
      expect(simulatedOutcome({ accountNumber: `12345${ending}`, upiId: null })).toEqual({ status: 'failed', error });
    }
    expect(new Set(Object.values(SIMULATED_RAIL_FAILURES).map((e) => e.code)).size).toBe(10);
  });
});

describe('the sandbox rail (payouts.rail job)', () => {
  const clock = new ManualClock('2026-07-01T10:00:00Z');
  let suite: JobSuite;
  let key: string;

  beforeAll(async () => {
    suite = await jobSuite('payouts_rail', clock, (deps) => payoutJobHandlers({ ...deps, railDelaySeconds: 60 }));
    key = suite.merchant.sandboxSecret;
    const funded = await suite.database.db.transaction((tx) => adjustBalance({ tx, clock, tenant: { merchantId: suite.merchant.id, env: 'sandbox' } },
      { direction: 'credit', currency: 'USD', amount: 1_000_000n, reason: 'test funding' }));
    expect(funded.ok).toBe(true);
  });
  afterAll(async () => {
    await suite?.close();
  });

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
    suite.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  async function payoutTo(account: string): Promise<string> {
    const beneficiary = await api('POST', '/api/v2/beneficiaries', v2Body({ bank_account: { account_number: account, swift_code: 'CITIUS33', currency: 'USD' } }));
    expect(beneficiary.statusCode, beneficiary.body).toBe(201);
    const payout = await api('POST', '/api/v1/payouts', {
      beneficiary_id: beneficiary.json().id, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: 10_000,
    });
    expect(payout.statusCode, payout.body).toBe(201);
    return payout.json().id;
  }

  const read = async (id: string) => (await api('GET', `/api/v1/payouts/${id}`)).json();
  const available = async () => (await api('GET', '/api/v1/balances')).json().available.find((b: { currency: string }) => b.currency === 'USD').amount;
  const ledgerOk = async () => expect((await verifyLedger(suite.database.db, { merchantId: suite.merchant.id })).problems).toEqual([]);

  it('completes a released payout after the delay, with a UTR, and only once', async () => {
    const before = await available();
    const id = await payoutTo(accountNumber());
    clock.advance(59_000);
    await suite.runner.runDue();
    expect((await read(id)).status).toBe('in_progress');
    clock.advance(1_000);
    await suite.runner.runDue();
    expect(await read(id)).toMatchObject({ status: 'success', utr: expect.stringMatching(/^GLMOSB/) });
    expect(await available()).toBe(before - 11_500);
    await ledgerOk();
  });

  it('fails a payout to a magic account with its error code, and releases the funds', async () => {
    const before = await available();
    const id = await payoutTo(`${accountNumber()}9901`);
    clock.advance(60_000);
    await suite.runner.runDue();
    expect(await read(id)).toMatchObject({
      status: 'failed', error_code: 'INVALID_BENE_ACCOUNT_NUMBER', error_description: 'The beneficiary bank rejected the account number.',
      customer_error_description: 'The account number is invalid.', utr: null,
    });
    expect(await available()).toBe(before);
    await ledgerOk();
  });

  it('leaves a payout the mock finished first alone', async () => {
    const id = await payoutTo(accountNumber());
    const mocked = await api('PATCH', '/api/v1/payouts/mock', { id, status: 'failed' });
    expect(mocked.statusCode, mocked.body).toBe(200);
    clock.advance(60_000);
    await suite.runner.runDue();
    expect(await read(id)).toMatchObject({ status: 'failed', error_code: null });
    const [job] = await suite.database.db.select().from(jobs).where(and(eq(jobs.queue, PAYOUT_RAIL_QUEUE), eq(jobs.uniqueKey, `rail:${id}`)));
    expect(job?.status).toBe('done');
    await ledgerOk();
  });

  it('sends nothing to the simulated rail in production', async () => {
    const production = suite.merchant.productionSecret;
    const funded = await suite.database.db.transaction((tx) => adjustBalance({ tx, clock, tenant: { merchantId: suite.merchant.id, env: 'production' } },
      { direction: 'credit', currency: 'USD', amount: 100_000n, reason: 'test funding' }));
    expect(funded.ok).toBe(true);
    const beneficiary = await suite.app.inject({ method: 'POST', url: '/api/v2/beneficiaries', headers: bearer(production), payload: v2Body() });
    const payout = await suite.app.inject({
      method: 'POST', url: '/api/v1/payouts', headers: bearer(production),
      payload: { beneficiary_id: beneficiary.json().id, purpose_code: 'S0017', source_currency: 'USD', destination_currency: 'USD', source_amount: 10_000 },
    });
    expect(payout.statusCode, payout.body).toBe(201);
    const railJobs = await suite.database.db.select().from(jobs).where(eq(jobs.uniqueKey, `rail:${payout.json().id}`));
    expect(railJobs).toEqual([]);
  });
});
