// `POST /payouts`: the body's checks, the beneficiary and its rail, the documents its purpose code requires, the
// price (direct, or the quote's), then the insert and, when the payout is released at once, its hold.
import { and, eq } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { payouts, type AttachedDocumentRef, type PayoutStatus } from '../../db/schema/index.js';
import { ApiError, duplicateRequest, errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import { claimRequestId } from '../../core/idempotency.js';
import { formatRate } from '../../core/money.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { findBeneficiary, type BeneficiaryRow } from '../beneficiaries/service.js';
import { findDocument } from '../documents/service.js';
import { payoutSettingsOf } from '../merchants/service.js';
import { MAX_NOTES } from '../../core/validation.js';
import { consumeQuote, findQuote, priceFx, quoteError, type QuoteRow } from '../quotes/service.js';
import { resolveAttachedDocuments } from '../rfis/service.js';
import type { PayoutDeps } from './deps.js';
import { scheduleQueueRelease } from './queue.js';
import { payoutTxnFee } from './fees.js';
import { holdForProcessing, PAYOUT_ENTITY_TYPE, sendToRail } from './lifecycle.js';
import { presentPayout } from './presenter.js';
import { checkPayoutPurpose, purposeRefusalMessage, requiredDocuments, type DocumentKind } from './purpose-codes.js';
import {
  checkRailAmount, chooseRail, isPaymentRail, PAYOUT_DESTINATION_CURRENCIES, PAYOUT_SOURCE_CURRENCIES, railRefusalMessage,
  type PaymentRail, type RailTarget,
} from './rails.js';
import type { CreatePayoutBody, Payout } from './schemas.js';
import type { TenantContext } from '../../core/context.js';

const REQUEST_ID_SCOPE = 'payouts';

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
    for (const field of QUOTE_LOCKED) if (body[field] !== undefined) throw errors.quoteLockedField(field);
    const quoteId = body.quote_id.trim();
    if (quoteId === '') throw errors.blank('quote_id');
    return { kind: 'quote', quoteId, common };
  }
  if (body.source_currency === undefined || body.source_currency.trim() === '') throw errors.blank('source_currency');
  if (body.destination_currency === undefined || body.destination_currency.trim() === '') throw errors.blank('destination_currency');
  const sourceCurrency = body.source_currency.trim().toUpperCase();
  const destinationCurrency = body.destination_currency.trim().toUpperCase();
  if (!(PAYOUT_SOURCE_CURRENCIES as readonly string[]).includes(sourceCurrency)) throw errors.unsupportedCurrency(sourceCurrency, 'payouts');
  if (!(PAYOUT_DESTINATION_CURRENCIES as readonly string[]).includes(destinationCurrency)) throw errors.unsupportedCurrency(destinationCurrency, 'payouts');
  // The legacy body sends both amounts; the current contract allows one. Both are refused rather than one ignored.
  if (body.source_amount !== undefined && body.destination_amount !== undefined) throw errors.oneAmount('source_amount', 'destination_amount');
  if (body.source_amount === undefined && body.destination_amount === undefined) throw errors.noAmount('source_amount', 'destination_amount');
  const amount = body.source_amount !== undefined ? { sourceAmount: BigInt(body.source_amount) } : { destinationAmount: BigInt(body.destination_amount!) };
  return { kind: 'direct', common, sourceCurrency, destinationCurrency, amount, requestedRail: body.payment_rail?.trim() };
}

/** An active payout beneficiary of the tenant, or the contract's refusals. */
async function payableBeneficiary(db: DbOrTx, tenant: Tenant, id: string): Promise<BeneficiaryRow> {
  const beneficiary = await findBeneficiary(db, tenant, id);
  if (!beneficiary) throw errors.notFound('Beneficiary');
  if (beneficiary.status === 'pending') throw errors.payoutBeneficiaryPending();
  if (beneficiary.status === 'rejected') throw errors.payoutBeneficiaryRejected();
  if (beneficiary.category !== 'payout') throw errors.payoutNotPayoutBeneficiary();
  return beneficiary;
}

/** The rail for the beneficiary in `destinationCurrency` (swift unless asked), within the rail's limit. */
function railFor(beneficiary: BeneficiaryRow, destinationCurrency: string, requested: string | undefined, destinationAmount: bigint | null): PaymentRail {
  if (beneficiary.currency !== null && beneficiary.currency !== destinationCurrency) throw errors.payoutCurrencyMismatch(beneficiary.currency);
  const chosen = chooseRail(railTarget(beneficiary, destinationCurrency), requested);
  if (!chosen.ok) throw errors.payoutNoRails(railRefusalMessage(chosen.error, requested));
  if (destinationAmount !== null) {
    const limit = checkRailAmount(chosen.rail, destinationCurrency, destinationAmount);
    if (!limit.ok) throw errors.payoutRailLimit(chosen.rail, limit.limit.max, destinationCurrency);
  }
  return chosen.rail;
}

/** The sent document ids as attached documents, each the tenant's; then the purpose code's required kinds. */
async function attachDocuments(db: DbOrTx, tenant: Tenant, ids: string[], purpose: { code: string; kinds: DocumentKind[] }): Promise<AttachedDocumentRef[]> {
  const attached = ids.length === 0 ? [] : await resolveAttachedDocuments(db, tenant, { documents: ids.map((id) => ({ id })) }, [], findDocument);
  // A kind is covered by a document whose name says it (`invoice`, `shipping_date`, `trade_documents`, `consent_letter`).
  const names = attached.map((doc) => doc.type.toLowerCase());
  const missing = purpose.kinds.filter((kind) => !names.some((name) => name.includes(kind.split('_')[0]!)));
  if (missing.length > 0) throw errors.payoutMissingDocuments(purpose.code, missing);
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
  if (!isPaymentRail(quotedRail)) throw errors.payoutQuoteIncompatible();
  try {
    railFor(beneficiary, quote.destinationCurrency, quotedRail, quote.destinationAmount);
  } catch (err) {
    if (err instanceof ApiError) throw errors.payoutQuoteIncompatible();
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
export async function createPayout(deps: PayoutDeps, ctx: TenantContext, body: CreatePayoutBody): Promise<Payout> {
  const { tenant, clock } = ctx;
  const input = validateCreate(body);
  const now = clock.now();
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
  if (!purpose.ok) throw errors.payoutInvalidPurpose(purposeRefusalMessage(purpose.error, input.common.purposeCode));
  if (priced.txnFee >= priced.sourceAmount) throw errors.invalidParameter('Fees must be less than the source amount');

  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
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
      const claim = await claimRequestId(uow, REQUEST_ID_SCOPE, input.common.requestId, inserted.id);
      if (!claim.claimed) throw duplicateRequest('payout');
    }
    if (priced.quoteId !== null) {
      const consumed = await consumeQuote(uow, priced.quoteId, 'payout', inserted.id);
      if (!consumed.ok) throw quoteError(consumed.reason, 'payout');
    }
    const payout = presentPayout(inserted);
    await recordEvent(uow, { entityType: PAYOUT_ENTITY_TYPE, eventType: inserted.status, entityId: inserted.id, data: payout });
    // Held back (maker-checker, queueing): nothing is held until release. Otherwise released at once: the rail's job
    // and the event are written first, so that the balance row, locked by the hold, stays locked for the fewest
    // statements before the commit (the hold id is not in the response or the event).
    if (initial === 'queued') await scheduleQueueRelease(uow);
    if (initial === 'in_progress') {
      await sendToRail(uow, deps, inserted.id);
      const holdId = await holdForProcessing(uow, inserted);
      await tx.update(payouts).set({ holdId }).where(and(tenantFilter(payouts, tenant), eq(payouts.id, inserted.id)));
    }
    return payout;
  });
}

/** Maker-checker first, then queueing, else released at once (notes-payouts §13.2). */
async function initialStatus(tx: Tx, tenant: Tenant): Promise<PayoutStatus> {
  const merchant = await payoutSettingsOf(tx, tenant.merchantId);
  if (merchant.makerChecker) return 'pending_approval';
  return merchant.payoutQueueing ? 'queued' : 'in_progress';
}
