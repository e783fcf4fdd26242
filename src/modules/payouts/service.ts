// Payouts: money from a merchant's balance to a beneficiary on a rail. Created with or without a quote (fees and
// rate fixed then), held on the source balance while processed (source amount + transaction fee), posted on
// success, released on failure or cancellation; every status change records a `payout` event in its transaction.
// The lifecycle and its sandbox mock follow notes-payouts §13 (docs/decisions/0015-payouts.md).
import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { merchants, payouts, type AttachedDocumentRef, type PayoutStatus } from '../../db/schema/index.js';
import { money, jsonAmount } from '../../core/amount.js';
import type { Clock } from '../../core/clock.js';
import { isoSeconds } from '../../core/clock.js';
import { ApiError, errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { enqueueJob } from '../../core/jobs.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { assertIdPrefix, ID_PREFIXES, newId, randomBase62 } from '../../core/ids.js';
import { claimRequestId } from '../../core/idempotency.js';
import { formatRate, parseRate, rateToNumber } from '../../core/money.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import {
  checkRailAmount, chooseRail, isPaymentRail, PAYOUT_DESTINATION_CURRENCIES, PAYOUT_SOURCE_CURRENCIES, railRefusalMessage,
  type PaymentRail, type RailTarget,
} from '../../core/payment-rails.js';
import { MAX_NOTES } from '../../core/payin-fields.js';
import { checkPayoutPurpose, purposeRefusalMessage, requiredDocuments, type DocumentKind } from '../../core/purpose-codes.js';
import { presentAttachedDocuments, resolveAttachedDocuments, type UpdateRfiBody } from '../../core/rfi-documents.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { FxRateSource } from '../../fx/rates.js';
import { voidHold, type InsufficientFunds } from '../../ledger/index.js';
import { findBeneficiary, type BeneficiaryRow } from '../beneficiaries/service.js';
import { findDocument } from '../documents/service.js';
import { consumeQuote, findQuote, fxErrors, priceFx, quoteError, type QuoteRow } from '../quotes/service.js';
import { closeRfi, lockRfiToAnswer, raiseRfi, recordRfiAnswer, type RfiRow } from '../rfis/lifecycle.js';
import { payoutTxnFee } from './fees.js';
import { holdOutbound, settleOutbound, type OutboundAmounts } from './outbound.js';
import type { CreatePayoutBody, ListPayoutsQuery, MockPayoutBody, Payout } from './schemas.js';

export interface PayoutDeps {
  db: Db;
  clock: Clock;
  fxRates: FxRateSource;
  markupBps: number;
  /** Sandbox: when the simulated rail completes a released payout (SANDBOX_RAIL_DELAY_SECONDS). */
  railDelaySeconds: number;
}

export type PayoutRow = typeof payouts.$inferSelect;

export const PAYOUT_ENTITY_TYPE = 'payout';
/** The sandbox rail simulator's queue (src/modules/payouts/jobs.ts). */
export const PAYOUT_RAIL_QUEUE = 'payouts.rail';
const REQUEST_ID_SCOPE = 'payouts';

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

/** What the notes call the beneficiary's destination, for the rail rules. */
function railTarget(beneficiary: BeneficiaryRow, destinationCurrency: string): RailTarget {
  return {
    currency: destinationCurrency,
    ...(beneficiary.accountNumber !== null ? { accountNumber: beneficiary.accountNumber } : {}),
    ...(beneficiary.swiftCode !== null ? { swiftCode: beneficiary.swiftCode } : {}),
    ...(beneficiary.localRoutingNumber !== null ? { localRoutingNumber: beneficiary.localRoutingNumber } : {}),
    ...(beneficiary.upiId !== null ? { upiId: beneficiary.upiId } : {}),
    ...(beneficiary.bankAddress?.country_code ? { bankCountry: beneficiary.bankAddress.country_code } : {}),
  };
}

type Validated =
  | { kind: 'quote'; quoteId: string; common: Common }
  | {
    kind: 'direct';
    common: Common;
    sourceCurrency: string;
    destinationCurrency: string;
    amount: { sourceAmount: bigint } | { destinationAmount: bigint };
    requestedRail: string | undefined;
  };

interface Common {
  beneficiaryId: string;
  purposeCode: string;
  invoiceNumber: string | null;
  requestId: string | null;
  documentIds: string[];
  notes: Record<string, string> | null;
}

const QUOTE_LOCKED = ['source_amount', 'destination_amount', 'source_currency', 'destination_currency', 'payment_rail'] as const;

/** The checks that need no database, for the three body variants (with quote, without, legacy 2025). */
function validateCreate(body: CreatePayoutBody): Validated {
  const beneficiaryId = body.beneficiary_id.trim();
  if (beneficiaryId === '') throw errors.blank('beneficiary_id');
  if (!beneficiaryId.startsWith(`${ID_PREFIXES.beneficiary}_`)) throw errors.validation('Beneficiary ID must start with bene_ and be valid.');
  const purposeCode = body.purpose_code.trim().toUpperCase();
  if (purposeCode === '') throw errors.blank('purpose_code');
  const requestId = body.request_id?.trim();
  if (requestId === '') throw errors.blank('request_id');
  const documentIds = (body.documents ?? []).map((id) => id.trim());
  if (new Set(documentIds).size !== documentIds.length) throw errors.validation('Documents repeat an id');
  if (body.notes && Object.keys(body.notes).length > MAX_NOTES) throw errors.validation(`Notes can have at most ${MAX_NOTES} keys`);
  const common: Common = {
    beneficiaryId, purposeCode, requestId: requestId ?? null, documentIds, notes: body.notes ?? null,
    invoiceNumber: body.invoice_number?.trim() || null,
  };
  if (body.quote_id !== undefined) {
    for (const field of QUOTE_LOCKED) if (body[field] !== undefined) throw payoutErrors.quoteLocked(field);
    const quoteId = body.quote_id.trim();
    if (quoteId === '') throw errors.blank('quote_id');
    return { kind: 'quote', quoteId, common };
  }
  if (body.source_currency === undefined || body.source_currency.trim() === '') throw errors.blank('source_currency');
  if (body.destination_currency === undefined || body.destination_currency.trim() === '') throw errors.blank('destination_currency');
  const sourceCurrency = body.source_currency.trim().toUpperCase();
  const destinationCurrency = body.destination_currency.trim().toUpperCase();
  if (!(PAYOUT_SOURCE_CURRENCIES as readonly string[]).includes(sourceCurrency)) throw fxErrors.unsupportedCurrency(sourceCurrency, 'payouts');
  if (!(PAYOUT_DESTINATION_CURRENCIES as readonly string[]).includes(destinationCurrency)) throw fxErrors.unsupportedCurrency(destinationCurrency, 'payouts');
  // The legacy body sends both amounts; the current contract allows one. Both are refused rather than one ignored.
  if (body.source_amount !== undefined && body.destination_amount !== undefined) throw fxErrors.oneAmount('source_amount', 'destination_amount');
  if (body.source_amount === undefined && body.destination_amount === undefined) throw fxErrors.noAmount('source_amount', 'destination_amount');
  const amount = body.source_amount !== undefined ? { sourceAmount: BigInt(body.source_amount) } : { destinationAmount: BigInt(body.destination_amount!) };
  return { kind: 'direct', common, sourceCurrency, destinationCurrency, amount, requestedRail: body.payment_rail?.trim() };
}

/** An active payout beneficiary of the tenant, or the contract's refusals. */
async function payableBeneficiary(db: DbOrTx, tenant: Tenant, id: string): Promise<BeneficiaryRow> {
  const beneficiary = await findBeneficiary(db, tenant, id);
  if (!beneficiary) throw errors.notFound('Beneficiary');
  if (beneficiary.status === 'pending') throw payoutErrors.beneficiaryPending();
  if (beneficiary.status === 'rejected') throw payoutErrors.beneficiaryRejected();
  if (beneficiary.category !== 'payout') throw payoutErrors.notPayoutBeneficiary();
  return beneficiary;
}

/** The rail for the beneficiary in `destinationCurrency` (swift unless asked), within the rail's limit. */
function railFor(beneficiary: BeneficiaryRow, destinationCurrency: string, requested: string | undefined, destinationAmount: bigint | null): PaymentRail {
  if (beneficiary.currency !== null && beneficiary.currency !== destinationCurrency) throw payoutErrors.currencyMismatch(beneficiary.currency);
  const chosen = chooseRail(railTarget(beneficiary, destinationCurrency), requested);
  if (!chosen.ok) throw payoutErrors.noRails(railRefusalMessage(chosen.error, requested));
  if (destinationAmount !== null) {
    const limit = checkRailAmount(chosen.rail, destinationCurrency, destinationAmount);
    if (!limit.ok) throw payoutErrors.railLimit(chosen.rail, limit.limit.max, destinationCurrency);
  }
  return chosen.rail;
}

/** The sent document ids as attached documents, each the tenant's; then the purpose code's required kinds. */
async function attachDocuments(db: DbOrTx, tenant: Tenant, ids: string[], purpose: { code: string; kinds: DocumentKind[] }): Promise<AttachedDocumentRef[]> {
  const attached = ids.length === 0 ? [] : await resolveAttachedDocuments(db, tenant, { documents: ids.map((id) => ({ id })) }, [], findDocument);
  // A kind is covered by a document whose name says it (`invoice`, `shipping_date`, `trade_documents`, `consent_letter`).
  const names = attached.map((doc) => doc.type.toLowerCase());
  const missing = purpose.kinds.filter((kind) => !names.some((name) => name.includes(kind.split('_')[0]!)));
  if (missing.length > 0) throw payoutErrors.missingDocuments(purpose.code, missing);
  return attached;
}

interface Priced {
  sourceCurrency: string;
  destinationCurrency: string;
  sourceAmount: bigint;
  destinationAmount: bigint;
  midRate: string;
  fxFee: bigint;
  txnFee: bigint;
  rail: PaymentRail;
  quoteId: string | null;
}

async function priceDirect(deps: PayoutDeps, beneficiary: BeneficiaryRow, input: Extract<Validated, { kind: 'direct' }>): Promise<Priced> {
  const destinationGiven = 'destinationAmount' in input.amount ? input.amount.destinationAmount : null;
  // The rail first (without the amount when only the source is known), so that its refusals come before pricing.
  let rail = railFor(beneficiary, input.destinationCurrency, input.requestedRail, destinationGiven);
  const fx = await priceFx(deps.fxRates, deps.markupBps, { sourceCurrency: input.sourceCurrency, destinationCurrency: input.destinationCurrency, ...input.amount }, 'payouts');
  if (destinationGiven === null) rail = railFor(beneficiary, input.destinationCurrency, input.requestedRail, fx.destinationAmount);
  return {
    sourceCurrency: input.sourceCurrency, destinationCurrency: input.destinationCurrency,
    sourceAmount: fx.sourceAmount, destinationAmount: fx.destinationAmount, midRate: formatRate(fx.mid), fxFee: fx.fee,
    txnFee: await payoutTxnFee(deps.fxRates, rail, input.sourceCurrency), rail, quoteId: null,
  };
}

function priceFromQuote(beneficiary: BeneficiaryRow, quote: QuoteRow): Priced {
  if (quote.resource !== 'payout') throw quoteError('wrong_resource', 'payout');
  const quotedRail = quote.paymentRail ?? 'swift';
  if (!isPaymentRail(quotedRail)) throw payoutErrors.quoteIncompatible();
  try {
    railFor(beneficiary, quote.destinationCurrency, quotedRail, quote.destinationAmount);
  } catch (err) {
    if (err instanceof ApiError) throw payoutErrors.quoteIncompatible();
    throw err;
  }
  return {
    sourceCurrency: quote.sourceCurrency, destinationCurrency: quote.destinationCurrency,
    sourceAmount: quote.sourceAmount, destinationAmount: quote.destinationAmount, midRate: quote.midRate,
    fxFee: quote.fxFee, txnFee: quote.txnFee, rail: quotedRail, quoteId: quote.id,
  };
}

/**
 * `POST /payouts`: validates, prices (or takes the quote), and in one transaction inserts the payout, claims its
 * request_id (a duplicate answers 409, also concurrently), consumes the quote, holds source amount + transaction
 * fee on the available balance (a shortfall answers 400 INSUFFICIENT_BALANCE with nothing stored) and records
 * `payout`/`in_progress`.
 */
export async function createPayout(deps: PayoutDeps, tenant: Tenant, body: CreatePayoutBody): Promise<Payout> {
  const input = validateCreate(body);
  const now = deps.clock.now();
  const beneficiary = await payableBeneficiary(deps.db, tenant, input.common.beneficiaryId);
  let priced: Priced;
  if (input.kind === 'quote') {
    const quote = await findQuote(deps.db, tenant, input.quoteId);
    if (!quote) throw quoteError('not_found', 'payout');
    priced = priceFromQuote(beneficiary, quote);
  } else {
    priced = await priceDirect(deps, beneficiary, input);
  }
  const purpose = checkPayoutPurpose(input.common.purposeCode, priced.rail);
  if (!purpose.ok) throw payoutErrors.purpose(purposeRefusalMessage(purpose.error, input.common.purposeCode));
  if (priced.txnFee >= priced.sourceAmount) throw errors.invalidParameter('Fees must be less than the source amount');

  return deps.db.transaction(async (tx) => {
    const documents = await attachDocuments(tx, tenant, input.common.documentIds, { code: purpose.entry.code, kinds: requiredDocuments(purpose.entry) });
    const initial = await initialStatus(tx, tenant);
    const inserted = await insertWithFreshId(tx, payouts, () => newId(ID_PREFIXES.payout, now), {
      ...tenant,
      beneficiaryId: beneficiary.id,
      status: initial,
      queuedAt: initial === 'queued' ? now : null,
      sourceCurrency: priced.sourceCurrency,
      sourceAmount: priced.sourceAmount,
      destinationCurrency: priced.destinationCurrency,
      destinationAmount: priced.destinationAmount,
      midRate: priced.midRate,
      fxFee: priced.fxFee,
      txnFee: priced.txnFee,
      paymentRail: priced.rail,
      purposeCode: purpose.entry.code,
      invoiceNumber: input.common.invoiceNumber,
      requestId: input.common.requestId,
      quoteId: priced.quoteId,
      documents,
      notes: input.common.notes,
      sentToRail: initial === 'in_progress',
      createdAt: now,
      updatedAt: now,
    });
    if (input.common.requestId !== null) {
      const claim = await claimRequestId(tx, deps.clock, tenant, REQUEST_ID_SCOPE, input.common.requestId, inserted.id);
      if (!claim.claimed) throw payoutErrors.duplicateRequest();
    }
    if (priced.quoteId !== null) {
      const consumed = await consumeQuote(tx, deps.clock, tenant, priced.quoteId, 'payout', inserted.id);
      if (!consumed.ok) throw quoteError(consumed.reason, 'payout');
    }
    const payout = presentPayout(inserted);
    await recordEvent(tx, deps.clock, tenant, { entityType: PAYOUT_ENTITY_TYPE, eventType: inserted.status, entityId: inserted.id, data: payout });
    // Held back (maker-checker, queueing): nothing is held until release. Otherwise released at once: the rail's job
    // and the event are written first, so that the balance row, locked by the hold, stays locked for the fewest
    // statements before the commit (the hold id is not in the response or the event).
    if (initial === 'in_progress') {
      await sendToRail(tx, deps, tenant, inserted.id);
      const holdId = await holdForProcessing(tx, deps.clock, tenant, inserted);
      await tx.update(payouts).set({ holdId }).where(and(tenantFilter(payouts, tenant), eq(payouts.id, inserted.id)));
    }
    return payout;
  });
}

/** Maker-checker first, then queueing, else released at once (notes-payouts §13.2). */
async function initialStatus(tx: Tx, tenant: Tenant): Promise<PayoutStatus> {
  const [merchant] = await tx.select({ makerChecker: merchants.makerChecker, queueing: merchants.payoutQueueing })
    .from(merchants).where(eq(merchants.id, tenant.merchantId));
  if (merchant?.makerChecker) return 'pending_approval';
  return merchant?.queueing ? 'queued' : 'in_progress';
}

/**
 * Releases a payout for processing: holds source amount + fee (400 INSUFFICIENT_BALANCE otherwise, nothing
 * changed), marks it processing and hands it to the rail. Writes no event: callers record the status they reach.
 */
async function releaseHeld(tx: Tx, deps: Pick<PayoutDeps, 'clock' | 'railDelaySeconds'>, tenant: Tenant, row: PayoutRow): Promise<PayoutRow> {
  const released = await release(tx, deps, tenant, row);
  if (!released.ok) throw errors.insufficientBalance(released.shortfall);
  return released.row;
}

/** As releaseHeld, with a shortfall answered as a value (the queue stops at it rather than failing the run). */
async function release(
  tx: Tx, deps: Pick<PayoutDeps, 'clock' | 'railDelaySeconds'>, tenant: Tenant, row: PayoutRow,
): Promise<{ ok: true; row: PayoutRow } | InsufficientFunds> {
  const held = await holdOutbound(tx, deps.clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, outboundOf(row));
  if (!held.ok) return held;
  const [updated] = await tx.update(payouts)
    .set({ status: 'in_progress', sentToRail: true, holdId: held.holdId, queuedAt: null, updatedAt: deps.clock.now() })
    .where(and(tenantFilter(payouts, tenant), eq(payouts.id, row.id)))
    .returning();
  await sendToRail(tx, deps, tenant, row.id);
  return { ok: true, row: updated! };
}

async function recordStatus(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<Payout> {
  const payout = presentPayout(row);
  await recordEvent(tx, clock, tenant, { entityType: PAYOUT_ENTITY_TYPE, eventType: row.status, entityId: row.id, data: payout });
  return payout;
}

const approvalErrors = {
  notPendingApproval: (status: string) =>
    new ApiError(400, `Payout is ${status}: only a pending_approval payout can be approved or rejected`, 'INVALID_STATE'),
};

/**
 * Maker-checker approval (the operator API stands in for Glomo's dashboard): a `pending_approval` payout joins the
 * queue when queueing is on, else is released (a shortfall answers 400 INSUFFICIENT_BALANCE and it keeps waiting).
 */
export async function approvePayout(deps: PayoutDeps, tenant: Tenant, id: string): Promise<Payout> {
  return deps.db.transaction(async (tx) => {
    const row = await lockPayout(tx, tenant, id);
    if (row.status !== 'pending_approval') throw approvalErrors.notPendingApproval(row.status);
    const [merchant] = await tx.select({ queueing: merchants.payoutQueueing }).from(merchants).where(eq(merchants.id, tenant.merchantId));
    if (merchant?.queueing) return writeStatus(tx, deps.clock, tenant, row, { status: 'queued', queuedAt: deps.clock.now() });
    return recordStatus(tx, deps.clock, tenant, await releaseHeld(tx, deps, tenant, row));
  });
}

/** Maker-checker rejection: the payout is cancelled; nothing was held. */
export async function rejectPayout(deps: PayoutDeps, tenant: Tenant, id: string): Promise<Payout> {
  return deps.db.transaction(async (tx) => {
    const row = await lockPayout(tx, tenant, id);
    if (row.status !== 'pending_approval') throw approvalErrors.notPendingApproval(row.status);
    return writeStatus(tx, deps.clock, tenant, row, { status: 'cancelled' });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The payout queue (notes-payouts §13.6): released at :02, :17, :32 and :47 past every hour, strictly FIFO per
// merchant environment and source currency, a payout only when the balance covers it (an uncovered head blocks the
// rest), and after 30 days in the queue failed with QUEUE_EXPIRED.

export const QUEUE_RELEASE_MINUTES = [2, 17, 32, 47] as const;
const QUEUE_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
const QUEUE_EXPIRED: PayoutError = {
  code: 'QUEUE_EXPIRED',
  description: 'The payout stayed queued for 30 days without a balance to cover it. No funds were held.',
  customerDescription: null,
};

/** The first release time strictly after `after` (UTC minutes 2, 17, 32, 47, on the minute). */
export function nextQueueRelease(after: Date): Date {
  const slot = new Date(after.getTime());
  slot.setUTCSeconds(0, 0);
  for (let i = 0; i < 2; i++) {
    for (const minute of QUEUE_RELEASE_MINUTES) {
      const candidate = new Date(slot.getTime());
      candidate.setUTCMinutes(minute);
      if (candidate.getTime() > after.getTime()) return candidate;
    }
    slot.setUTCHours(slot.getUTCHours() + 1, 0);
  }
  throw new Error('unreachable: a release slot exists within the next hour');
}

export interface QueueRelease {
  released: string[];
  expired: string[];
}

/**
 * One release run: every merchant environment's queue of each source currency, each in its own transaction with its
 * queued rows locked in FIFO order. Finds the queues across tenants (an operator job), then works tenant by tenant.
 */
export async function releaseQueues(deps: Pick<PayoutDeps, 'db' | 'clock' | 'railDelaySeconds'>): Promise<QueueRelease> {
  const queues = await deps.db.selectDistinct({ merchantId: payouts.merchantId, env: payouts.env, currency: payouts.sourceCurrency })
    .from(payouts).where(eq(payouts.status, 'queued'));
  const result: QueueRelease = { released: [], expired: [] };
  for (const queue of queues) {
    const tenant: Tenant = { merchantId: queue.merchantId, env: queue.env };
    await deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const queued = await tx.select().from(payouts)
        .where(and(tenantFilter(payouts, tenant), eq(payouts.status, 'queued'), eq(payouts.sourceCurrency, queue.currency)))
        .orderBy(asc(payouts.queuedAt), asc(payouts.id))
        .for('update');
      let blocked = false;
      for (const row of queued) {
        if (row.queuedAt !== null && now.getTime() - row.queuedAt.getTime() >= QUEUE_LIFETIME_MS) {
          await writeStatus(tx, deps.clock, tenant, row, {
            status: 'failed', queuedAt: null, errorCode: QUEUE_EXPIRED.code, errorDescription: QUEUE_EXPIRED.description, customerErrorDescription: null,
          });
          result.expired.push(row.id);
          continue;
        }
        if (blocked) continue;
        const released = await release(tx, deps, tenant, row);
        // The head is not covered: it and everything behind it wait for the next run.
        if (!released.ok) {
          blocked = true;
          continue;
        }
        await recordStatus(tx, deps.clock, tenant, released.row);
        result.released.push(row.id);
      }
    });
  }
  return result;
}

async function findPayout(db: DbOrTx, tenant: Tenant, id: string): Promise<PayoutRow | undefined> {
  const [row] = await db.select().from(payouts).where(and(tenantFilter(payouts, tenant), eq(payouts.id, id)));
  return row;
}

async function lockPayout(tx: Tx, tenant: Tenant, id: string): Promise<PayoutRow> {
  assertIdPrefix(ID_PREFIXES.payout, id);
  const row = await lockPayoutRow(tx, tenant, id);
  if (!row) throw errors.notFound('Payout');
  return row;
}

export async function getPayout(deps: Pick<PayoutDeps, 'db'>, tenant: Tenant, id: string): Promise<Payout> {
  assertIdPrefix(ID_PREFIXES.payout, id);
  const row = await findPayout(deps.db, tenant, id);
  if (!row) throw errors.notFound('Payout');
  return presentPayout(row);
}

export async function listPayouts(deps: Pick<PayoutDeps, 'db'>, tenant: Tenant, query: ListPayoutsQuery): Promise<{ data: Payout[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(payouts, tenant)];
  if (query.beneficiary_id !== undefined) where.push(eq(payouts.beneficiaryId, query.beneficiary_id.trim()));
  if (query.request_id !== undefined) where.push(eq(payouts.requestId, query.request_id.trim()));
  if (query.status === 'under_review') where.push(eq(payouts.status, 'in_progress'), eq(payouts.sentToRail, false));
  else if (query.status !== undefined) where.push(eq(payouts.status, query.status));
  const page = await listPage(deps.db, payouts, where, pageRequest(query));
  return { data: page.rows.map(presentPayout), page_meta: page.meta };
}

// ---------------------------------------------------------------------------------------------------------------
// Status changes. `in_progress` has two faces: released for processing (funds held, with the rail: `sentToRail`)
// and back under compliance review after an RFI answer (nothing held, still cancellable).

const isUnderReview = (row: PayoutRow) => row.status === 'in_progress' && !row.sentToRail;
export const isProcessing = (row: PayoutRow) => row.status === 'in_progress' && row.sentToRail;

function cancellable(row: PayoutRow): boolean {
  return row.status === 'pending_approval' || row.status === 'queued' || row.status === 'action_required' || isUnderReview(row);
}

/** A sandbox UTR: the bank reference a rail answers on success. */
function sandboxUtr(): string {
  return `GLMOSB${randomBase62(14).toUpperCase()}`;
}

async function writeStatus(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow, changes: Partial<PayoutRow> & { status: PayoutStatus }): Promise<Payout> {
  const [updated] = await tx
    .update(payouts)
    .set({ ...changes, updatedAt: clock.now() })
    .where(and(tenantFilter(payouts, tenant), eq(payouts.id, row.id)))
    .returning();
  const payout = presentPayout(updated!);
  await recordEvent(tx, clock, tenant, { entityType: PAYOUT_ENTITY_TYPE, eventType: updated!.status, entityId: row.id, data: payout });
  return payout;
}

/** Releases the payout's hold back to the balance, if it has one. */
async function releaseHold(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<void> {
  if (row.holdId === null || !row.sentToRail) return;
  const voided = await voidHold(tx, clock, tenant, row.holdId);
  if (!voided.ok) throw new Error(`payout ${row.id}: hold ${row.holdId} could not be released: ${voided.reason}`);
}

/** Holds source amount + fee for processing; a shortfall answers 400 INSUFFICIENT_BALANCE and changes nothing. */
async function holdForProcessing(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<string> {
  const held = await holdOutbound(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, outboundOf(row));
  if (!held.ok) throw errors.insufficientBalance(held.shortfall);
  return held.holdId;
}

const outboundOf = (row: PayoutRow): OutboundAmounts =>
  ({ currency: row.sourceCurrency, amount: row.sourceAmount, fxFee: row.fxFee, txnFee: row.txnFee });

/** What the rail answered for a processing payout. */
export type RailOutcome = { status: 'success' } | { status: 'failed'; error: PayoutError | null };

export interface PayoutError {
  code: string;
  description: string;
  customerDescription: string | null;
}

/**
 * Finishes a processing payout (its row locked by the caller): success posts the hold (the transfer to clearing,
 * the fees to fees) with a sandbox UTR; failure releases it.
 */
export async function finishPayout(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow, outcome: RailOutcome): Promise<Payout> {
  if (!isProcessing(row) || row.holdId === null) throw new Error(`payout ${row.id} is not processing`);
  if (outcome.status === 'failed') {
    await releaseHold(tx, clock, tenant, row);
    return writeStatus(tx, clock, tenant, row, {
      status: 'failed', sentToRail: false,
      errorCode: outcome.error?.code ?? null,
      errorDescription: outcome.error?.description ?? null,
      customerErrorDescription: outcome.error?.customerDescription ?? null,
    });
  }
  await settleOutbound(tx, clock, tenant, row.holdId, outboundOf(row));
  return writeStatus(tx, clock, tenant, row, { status: 'success', utr: sandboxUtr() });
}

/** The tenant's payout locked for the rest of the transaction, or undefined (for jobs: no 404). */
export async function lockPayoutRow(tx: Tx, tenant: Tenant, id: string): Promise<PayoutRow | undefined> {
  const [row] = await tx.select().from(payouts).where(and(tenantFilter(payouts, tenant), eq(payouts.id, id))).for('update');
  return row;
}

/**
 * Hands a released payout to the rail: in the sandbox, the simulated rail's job completes it after
 * SANDBOX_RAIL_DELAY_SECONDS. Production has no rail connector: a released payout waits for one.
 */
async function sendToRail(tx: Tx, deps: Pick<PayoutDeps, 'clock' | 'railDelaySeconds'>, tenant: Tenant, payoutId: string): Promise<void> {
  if (tenant.env !== 'sandbox') return;
  await enqueueJob(tx, deps.clock, {
    queue: PAYOUT_RAIL_QUEUE,
    payload: { merchantId: tenant.merchantId, env: tenant.env, payoutId },
    runAt: new Date(deps.clock.now().getTime() + deps.railDelaySeconds * 1000),
    uniqueKey: `rail:${payoutId}`,
  });
}

async function cancelLocked(tx: Tx, clock: Clock, tenant: Tenant, row: PayoutRow): Promise<Payout> {
  await releaseHold(tx, clock, tenant, row);
  await closeRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'rejected');
  return writeStatus(tx, clock, tenant, row, { status: 'cancelled', sentToRail: false });
}

/** `PATCH /payouts/{id}/cancel`: before the payout reaches the bank; its hold (if any) is released. */
export async function cancelPayout(deps: PayoutDeps, tenant: Tenant, id: string): Promise<Payout> {
  return deps.db.transaction(async (tx) => {
    const row = await lockPayout(tx, tenant, id);
    if (!cancellable(row)) throw payoutErrors.notCancellable();
    return cancelLocked(tx, deps.clock, tenant, row);
  });
}

/**
 * `PATCH /payouts/mock` (sandbox): only the lifecycle's transitions, else 400 `State change not allowed`.
 * - `pending`: a held-back payout (pending_approval, queued, under review) is released: funds held, `in_progress`.
 * - `success` / `failed`: a processing payout's hold is posted (with a sandbox UTR) or released (`error_code` null).
 * - `action_required`: from pending_approval, queued or under review (not from a processing payout).
 * - `cancelled`: as the cancel operation.
 */
export async function mockPayoutStatus(deps: PayoutDeps, tenant: Tenant, body: MockPayoutBody): Promise<Payout> {
  return deps.db.transaction(async (tx) => {
    const row = await lockPayout(tx, tenant, body.id.trim());
    const { clock } = deps;
    switch (body.status) {
      case 'pending': {
        if (!(row.status === 'pending_approval' || row.status === 'queued' || isUnderReview(row))) throw payoutErrors.stateChange();
        const holdId = await holdForProcessing(tx, clock, tenant, row);
        // Released from review: its RFI was answered well enough.
        await closeRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'approved');
        return writeStatus(tx, clock, tenant, row, { status: 'in_progress', sentToRail: true, holdId, queuedAt: null });
      }
      case 'success': {
        if (!isProcessing(row)) throw payoutErrors.stateChange();
        return finishPayout(tx, clock, tenant, row, { status: 'success' });
      }
      case 'failed': {
        // A mocked failure carries no error code (notes-payouts §13.7).
        if (isProcessing(row)) return finishPayout(tx, clock, tenant, row, { status: 'failed', error: null });
        if (!(isUnderReview(row) || row.status === 'queued')) throw payoutErrors.stateChange();
        await closeRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, 'rejected');
        return writeStatus(tx, clock, tenant, row, { status: 'failed', sentToRail: false, queuedAt: null });
      }
      case 'action_required': {
        if (!(row.status === 'pending_approval' || row.status === 'queued' || isUnderReview(row))) throw payoutErrors.stateChange();
        // The RFI the merchant answers (a new one, or the one under review asked again): notes-payouts §13.8.
        await raiseRfi(tx, clock, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, body.rfi_document_ids);
        return writeStatus(tx, clock, tenant, row, { status: 'action_required', queuedAt: null });
      }
      case 'cancelled': {
        if (!cancellable(row)) throw payoutErrors.stateChange();
        return cancelLocked(tx, clock, tenant, row);
      }
    }
  });
}

/**
 * `PATCH /payouts/{id}/update_rfi` (legacy RFI answer): documents for an `action_required` payout, which goes back
 * under review (`in_progress`, nothing held, still cancellable) until the sandbox mock or compliance moves it on.
 */
export async function updatePayoutRfi(deps: Pick<PayoutDeps, 'db' | 'clock'>, tenant: Tenant, id: string, body: UpdateRfiBody): Promise<Payout> {
  return deps.db.transaction(async (tx) => (await answerPayoutRfi(tx, deps.clock, tenant, id, body)).payout);
}

/**
 * An RFI answer, from `update_rfi` or from `PATCH /rfis/{id}/respond` (`rfiId`, which must answer every requirement):
 * under the payout's row lock, then the RFI's, the payout's open RFI goes `under_review` with the answer and the
 * payout back under review with the documents attached.
 */
export async function answerPayoutRfi(
  tx: Tx, clock: Clock, tenant: Tenant, id: string, body: UpdateRfiBody, rfiId?: string,
): Promise<{ payout: Payout; rfi: RfiRow | undefined }> {
  const row = await lockPayout(tx, tenant, id);
  const open = await lockRfiToAnswer(tx, tenant, { type: PAYOUT_ENTITY_TYPE, id: row.id }, rfiId);
  if (row.status !== 'action_required') throw payoutErrors.noPendingRfi(row.status);
  const rfi = open && await recordRfiAnswer(tx, clock, tenant, open, body, { complete: rfiId !== undefined });
  const documents = await resolveAttachedDocuments(tx, tenant, body, row.documents, findDocument);
  const payout = await writeStatus(tx, clock, tenant, row, { status: 'in_progress', sentToRail: false, documents });
  return { payout, rfi };
}
