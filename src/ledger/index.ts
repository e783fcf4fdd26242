// The ledger: the only code that writes ledger tables. Modules move money through these functions only.
export { MERCHANT_PURPOSES, PLATFORM_PURPOSES, type AccountPurpose, type AccountRef } from './accounts.js';
export { LedgerInvariantError, postJournal, type Cause, type EntryInput, type InsufficientFunds, type Journal, type JournalInput } from './journal.js';
export { findHold, holdFunds, holdIncomingFunds, postHold, voidHold, type Hold, type HoldResolutionFailure, type HoldStatus, type PostHoldInput } from './holds.js';
export { getBalanceHistory, getBalances, MAX_BALANCE_HISTORY, type BalancePoint, type CurrencyAmount, type MerchantBalances } from './balances.js';
export { adjustBalance, findAdjustment, listAdjustments, type Adjustment, type AdjustmentInput } from './adjustments.js';
export { verifyLedger, type LedgerCheck, type LedgerProblem, type LedgerReport } from './verify.js';
