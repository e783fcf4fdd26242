// The sandbox rail simulator (queue `payouts.rail`, enqueued when a payout is released for processing): after
// SANDBOX_RAIL_DELAY_SECONDS it completes the payout, successfully unless the beneficiary's account number (or UPI
// id) ends in one of the magic endings below, each of which fails it with one of the contract's error codes.
import { inUnitOfWork } from '../../core/context.js';
import { tenantRowPayload, type JobHandler } from '../../core/jobs.js';
import { tenantContext } from '../../core/tenant-clock.js';
import type { Db } from '../../db/client.js';
import { findBeneficiary, type BeneficiaryRow } from '../beneficiaries/service.js';
import {
  finishPayout, isProcessing, lockPayoutRow, PAYOUT_QUEUE_RELEASE_QUEUE, PAYOUT_RAIL_QUEUE, releaseQueuesOf, scheduleAllQueueReleases,
  type PayoutDeps, type PayoutError, type RailOutcome,
} from './service.js';


/** Beneficiary account-number endings that make the simulated rail fail a payout (docs/decisions/0015). */
export const SIMULATED_RAIL_FAILURES: Readonly<Record<string, PayoutError>> = Object.freeze({
  '9901': { code: 'INVALID_BENE_ACCOUNT_NUMBER', description: 'The beneficiary bank rejected the account number.', customerDescription: 'The account number is invalid.' },
  '9902': { code: 'INVALID_BENE_ACCOUNT_TYPE', description: 'The beneficiary bank rejected the account type.', customerDescription: 'The account type is invalid.' },
  '9903': { code: 'INVALID_BENE_IFSC', description: 'The IFSC of the beneficiary account is invalid.', customerDescription: 'The IFSC is invalid.' },
  '9904': { code: 'INVALID_VPA', description: 'The UPI VPA of the beneficiary is invalid.', customerDescription: 'The UPI ID is invalid.' },
  '9905': { code: 'INVALID_BENE_NAME', description: 'The beneficiary name was rejected by the bank.', customerDescription: 'The beneficiary name is invalid.' },
  '9906': { code: 'INVALID_BENE_ADDRESS', description: 'The beneficiary address or PIN/ZIP code was rejected.', customerDescription: 'The beneficiary address is invalid.' },
  '9907': { code: 'INVALID_BENE_EMAIL', description: 'The beneficiary email address was rejected.', customerDescription: 'The beneficiary email is invalid.' },
  '9908': { code: 'INVALID_BENE_CONTACT', description: 'The beneficiary contact number was rejected.', customerDescription: 'The beneficiary contact number is invalid.' },
  '9909': { code: 'NAME_MISMATCH', description: 'The remitter and beneficiary names differ for the chosen purpose.', customerDescription: null },
  '9910': { code: 'PAYOUT_REJECTED', description: 'The beneficiary bank rejected the payout.', customerDescription: null },
});

/** The simulated rail's answer for a beneficiary: the magic ending of its account number or UPI id, else success. */
export function simulatedOutcome(beneficiary: Pick<BeneficiaryRow, 'accountNumber' | 'upiId'> | undefined): RailOutcome {
  const digits = (beneficiary?.accountNumber ?? beneficiary?.upiId?.split('@')[0] ?? '').replace(/\s/g, '');
  const failure = SIMULATED_RAIL_FAILURES[digits.slice(-4)];
  return failure ? { status: 'failed', error: failure } : { status: 'success' };
}

export function payoutJobHandlers(deps: Pick<PayoutDeps, 'railDelaySeconds'> & { db: Db }): Record<string, JobHandler> {
  return {
    [PAYOUT_QUEUE_RELEASE_QUEUE]: async (job) => {
      if (job.tenant === undefined) {
        // The platform-wide release job of earlier versions: each queue gets its own runs from now on.
        await scheduleAllQueueReleases(deps.db, async (tenant) => (await tenantContext(deps.db, job.clock, tenant)).clock);
        return { status: 'done' };
      }
      await releaseQueuesOf(deps, { tenant: job.tenant, clock: job.clock });
      return { status: 'done' };
    },
    [PAYOUT_RAIL_QUEUE]: async (job) => {
      const target = tenantRowPayload(job.payload, 'payoutId');
      if (!target) return { status: 'dead', error: 'malformed payouts.rail payload' };
      await inUnitOfWork(deps.db, { tenant: target.tenant, clock: job.clock }, async (uow) => {
        const { tx } = uow;
        const row = await lockPayoutRow(tx, target.tenant, target.id);
        // Cancelled, finished by the mock, or never released: nothing left for the rail to do.
        if (!row || !isProcessing(row)) return;
        const beneficiary = await findBeneficiary(tx, target.tenant, row.beneficiaryId);
        await finishPayout(uow, row, simulatedOutcome(beneficiary));
      });
      return { status: 'done' };
    },
  };
}
