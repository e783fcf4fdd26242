// The API errors of payouts (the contract's codes and texts), and the rail's error on a failed payout.
import { ApiError, errors } from '../../core/errors.js';
import type { DocumentKind } from './purpose-codes.js';

export const payoutErrors = {
  duplicateRequest: () => new ApiError(409, 'A payout with this request_id already exists', 'DUPLICATE_REQUEST_ID'),
  quoteLocked: (field: string) => errors.invalidParameter(`${field} cannot be specified when quote_id is present`),
  beneficiaryPending: () => new ApiError(400, 'Beneficiary verification is pending: payouts can be made once it is active', 'BENEFICIARY_NOT_ACTIVE'),
  beneficiaryRejected: () => new ApiError(400, 'Beneficiary has been rejected: payouts cannot be made to it', 'BENEFICIARY_NOT_ACTIVE'),
  notPayoutBeneficiary: () => errors.invalidParameter('Beneficiary is an LRS beneficiary: payouts need a payout beneficiary'),
  currencyMismatch: (currency: string) => errors.invalidParameter(`destination_currency must be the beneficiary's account currency ${currency}`),
  quoteIncompatible: () => errors.invalidParameter('Quote is not compatible with the selected beneficiary'),
  noRails: (message: string) => new ApiError(400, message, 'NO_RAILS_AVAILABLE'),
  railLimit: (rail: string, limit: bigint, currency: string) =>
    errors.invalidParameter(`destination_amount exceeds the ${rail} limit of ${limit} ${currency}`),
  purpose: (message: string) => new ApiError(400, message, 'INVALID_PURPOSE_CODE'),
  missingDocuments: (code: string, kinds: DocumentKind[]) =>
    errors.invalidParameter(`Purpose code ${code} requires documents: ${kinds.join(', ')}`),
  notCancellable: () => new ApiError(400, 'Payout cannot be cancelled in its current state', 'INVALID_STATE'),
  stateChange: () => new ApiError(400, 'State change not allowed', 'INVALID_STATE'),
  noPendingRfi: (status: string) => new ApiError(400, `Payout is ${status}: it has no pending RFI`, 'INVALID_STATE'),
};

export interface PayoutError {
  code: string;
  description: string;
  customerDescription: string | null;
}
