// A stored payout as the API answers it (`Payout`), in responses and in `payout` events alike.
import type { payouts } from '../../db/schema/index.js';
import { money, jsonAmount } from '../../core/amount.js';
import { isoSeconds } from '../../core/clock.js';
import { parseRate, rateToNumber } from '../../core/money.js';
import { presentAttachedDocuments } from '../rfis/service.js';
import type { Payout } from './schemas.js';

export type PayoutRow = typeof payouts.$inferSelect;

export function presentPayout(row: PayoutRow): Payout {
  return {
    id: row.id,
    status: row.status,
    source_currency: row.sourceCurrency,
    source_amount: jsonAmount(row.sourceAmount),
    destination_currency: row.destinationCurrency,
    destination_amount: jsonAmount(row.destinationAmount),
    beneficiary_id: row.beneficiaryId,
    documents: presentAttachedDocuments(row.documents),
    purpose_code: row.purposeCode,
    mid_market_rate: { currency: row.destinationCurrency, rate: rateToNumber(parseRate(row.midRate)) },
    fees: { fx_fee: money(row.sourceCurrency, row.fxFee), txn_fee: money(row.sourceCurrency, row.txnFee) },
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
    utr: row.utr,
    request_id: row.requestId,
    payment_rail: row.paymentRail,
    invoice_number: row.invoiceNumber,
    fee_collection_mode: 'merchant',
    error_code: row.errorCode,
    error_description: row.errorDescription,
    customer_error_description: row.customerErrorDescription,
    quote_id: row.quoteId,
    taxes: [],
    notes: row.notes,
  };
}
