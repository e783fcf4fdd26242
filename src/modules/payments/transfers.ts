// Inbound bank transfers: money that arrives without a checkout (a transfer to a virtual account, the sandbox's mock
// with BankTransfer) is recorded as a payment. A transfer that names or matches exactly one payable payin at the
// right amount pays it through the same pricing, journal and events as any payment; one that matches nothing, the
// wrong amount, or a sanctions hit is `action_required`, its funds held (clearing → held) until connect-payin moves
// them, in one journal, to where they belong. Decision 0032.
import { isoSeconds } from '../../core/clock.js';
import { ApiError, errors } from '../../core/errors.js';
import { unitOf, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { recordEvent } from '../../core/events.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCurrency } from '../../core/iso.js';
import { tenantFilter } from '../../core/tenancy.js';
import { and, eq } from 'drizzle-orm';
import { payments, type PayinType, type TransferDetails } from '../../db/schema/index.js';
import { holdIncomingFunds, postHold, type EntryInput } from '../../ledger/index.js';
import { PAYIN_ID_FORMAT, assertPayable, findPayin, findPayinsAwaitingTransfer, markPayinPaid, payinErrors, payinTypeOf, type Payin } from './payins.js';
import { payinFeeBearerOf } from '../merchants/service.js';
import type { PaymentLinkOrigin } from '../payment-links/service.js';
import { priceAttemptOrNothing } from './partial-payments.js';
import { pricedColumns, pricePayment, type PaymentPricing, type PricingDeps } from './pricing.js';
import {
  hasPaymentInProgress, lockPayment, NO_ERROR, PAYMENT_ENTITY_TYPE, paymentEntries, paymentLifecycle, postPaymentJournal,
  presentPayment, SANCTION_HIT, SANCTIONS_MAGIC_AMOUNT, type PaymentDeps, type PaymentRow,
} from './rows.js';
import type { Payment } from './schemas.js';

/** A bank transfer that reached the merchant, as a virtual account or the sandbox's mock hands it over. */
export interface IncomingTransfer {
  /** Any case; a currency the FX source does not quote is refused (400). */
  currency: string;
  /** Minor units received, positive. */
  amount: bigint;
  /** The payin the sender named explicitly (the mock's `payin_id`); otherwise the reference, then the amount, match. */
  payinId?: string;
  /** The sender's reference (remittance information): a payin id in it names that payin. */
  reference: string | null;
  /** The remitter is a sanctioned entity (the sandbox's `Sanctioned_Entity`). */
  sanctionedRemitter: boolean;
  /** What the sending bank said (`payment_method.details`); null for the mock, which has no bank. */
  details: TransferDetails | null;
}

/** Why a received transfer waits for the merchant (notes-payins §8.6; the guides' bank-transfer holds). */
const PAYIN_NOT_FOUND = {
  errorCode: 'PAYIN_NOT_FOUND',
  errorDescription: 'The bank transfer did not match an active order or payment link. The funds are held until the payment is connected to a payin (connect-payin).',
  customerErrorDescription: null,
};
const PAYIN_AMOUNT_MISMATCH = {
  errorCode: 'PAYIN_AMOUNT_MISMATCH',
  errorDescription: 'The bank transfer amount does not equal the amount due for the payin it names. The funds are held until the payment is connected to a payin of that amount (connect-payin).',
  customerErrorDescription: null,
};
type HoldReason = typeof PAYIN_NOT_FOUND | typeof PAYIN_AMOUNT_MISMATCH | typeof SANCTION_HIT;
/** What connect-payin resolves: SANCTION_HIT cannot be released through the API. */
const CONNECTABLE_CODES: ReadonlySet<string> = new Set([PAYIN_NOT_FOUND.errorCode, PAYIN_AMOUNT_MISMATCH.errorCode]);

/** How many payable payins the amount match and eligible-payins look at (newest first). */
const CANDIDATE_LIMIT = 50;

/** Payin ids (`order_…`, `plink_…`, `payin_…`) quoted in a transfer's reference, in order. */
export function payinIdsIn(reference: string | null): string[] {
  if (reference === null) return [];
  return [...reference.matchAll(/\b(?:order|plink|payin)_[0-9A-Za-z]{8,}/g)].map((match) => match[0]);
}

/** The payin's price of a payment in `currency`, or undefined when it cannot be priced in it (no FX rate, too small). */
async function priceOrNothing(uow: UnitOfWork, deps: PricingDeps, payin: Payin, currency: string): Promise<PaymentPricing | undefined> {
  try {
    return await pricePayment(uow.tx, deps, uow.tenant, payin, currency);
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}

/** Whether the payin takes a bank transfer now (active, unexpired, offers it, no card payment waiting on it). */
async function takesTransfer(uow: UnitOfWork, payin: Payin): Promise<boolean> {
  try {
    assertPayable(payin, 'bank_transfer', uow.clock.now());
  } catch (error) {
    if (error instanceof ApiError) return false;
    throw error;
  }
  return !(await hasPaymentInProgress(uow.tx, uow.tenant, payin.id));
}

/** `named`: the transfer named the payin (its reference or `payinId`), rather than matching it by amount. */
type Match =
  | { payin: Payin; pricing: PaymentPricing; named: boolean }
  | { payin: Payin | null; pricing: PaymentPricing | null; held: HoldReason };

/**
 * The active payins whose price in `currency` is exactly `amount`, of the newest CANDIDATE_LIMIT that could be;
 * `complete` is false when there may be more than were looked at. Without `quoted` and with the merchant bearing the
 * fee, only payins of exactly that amount in that currency can fit, and the query asks for just those.
 */
async function payinsPricedAt(
  uow: UnitOfWork, deps: PricingDeps, currency: string, amount: bigint, quoted: boolean,
): Promise<{ fits: Array<{ payin: Payin; pricing: PaymentPricing }>; complete: boolean }> {
  const exact = !quoted && (await payinFeeBearerOf(uow.tx, uow.tenant.merchantId)) === 'merchant';
  const candidates = await findPayinsAwaitingTransfer(uow.tx, uow.tenant, {
    currency, now: uow.clock.now(), quoted, ...(exact ? { exactAmount: amount } : { maxAmount: amount }),
  }, CANDIDATE_LIMIT);
  const fits: Array<{ payin: Payin; pricing: PaymentPricing }> = [];
  for (const payin of candidates) {
    if (await hasPaymentInProgress(uow.tx, uow.tenant, payin.id)) continue;
    const pricing = await priceOrNothing(uow, deps, payin, currency);
    if (pricing?.paymentAmount === amount) fits.push({ payin, pricing });
  }
  return { fits, complete: candidates.length < CANDIDATE_LIMIT };
}

/**
 * What the transfer pays: the payin it names (`payinId`, else the first of its reference's payin ids that exists),
 * which must take a transfer now (else PAYIN_NOT_FOUND) at exactly this amount (else PAYIN_AMOUNT_MISMATCH); or, naming
 * none, the one payable payin in its currency priced at its amount (none or several: PAYIN_NOT_FOUND).
 */
async function matchTransfer(uow: UnitOfWork, deps: PricingDeps, transfer: IncomingTransfer & { currency: string }): Promise<Match> {
  let named: Payin | undefined;
  if (transfer.payinId !== undefined) {
    named = await findPayin(uow.tx, uow.tenant, transfer.payinId);
    if (!named) throw payinErrors.notFound(payinTypeOf(transfer.payinId) ?? 'orders');
  } else {
    for (const id of payinIdsIn(transfer.reference)) {
      named = await findPayin(uow.tx, uow.tenant, id);
      if (named) break;
    }
  }
  if (named) {
    if (!(await takesTransfer(uow, named))) return { payin: named, pricing: null, held: PAYIN_NOT_FOUND };
    // Exactly what is due, or a part of a link that allows partial payments (decision 0037); anything else is held.
    const priced = await priceAttemptOrNothing(uow.tx, deps, uow.tenant, named, { currency: transfer.currency, amount: transfer.amount });
    if (!priced) return { payin: named, pricing: null, held: PAYIN_AMOUNT_MISMATCH };
    return { payin: priced.payin, pricing: priced.pricing, named: true };
  }
  // Exactly one fit among every candidate: a second one unseen past the limit would make it a guess.
  const { fits, complete } = await payinsPricedAt(uow, deps, transfer.currency, transfer.amount, false);
  return fits.length === 1 && complete ? { ...fits[0]!, named: false } : { payin: null, pricing: null, held: PAYIN_NOT_FOUND };
}

/** The columns of a held transfer that no price decided: what arrived, as requested, converted and paid, no fee. */
function receivedColumns(currency: string, amount: bigint) {
  return {
    currency, amount, requestedAmount: amount, feeAmount: 0n, feeBearer: 'merchant' as const,
    paymentCurrency: currency, paymentAmount: amount, fxFeeAmount: 0n, fxRate: null, priceId: null,
  };
}

/** The payin's columns a payment copies. */
function payinColumns(payin: Payin | null) {
  return {
    payinId: payin?.id ?? null,
    payinType: (payin?.type ?? null) as PayinType | null,
    customerId: payin?.customerId ?? null,
    purposeCode: payin?.purposeCode ?? null,
    productName: payin?.productName ?? null,
    productDescription: payin?.productDescription ?? null,
  };
}

/**
 * Records a received bank transfer as a payment, in the caller's transaction, with its event: `success` when it pays
 * its payin (marked paid, journal posted), else `action_required` with its funds held. A payin another payment pays
 * first (its row lock decides) leaves this one PAYIN_NOT_FOUND. 400 for a currency the FX source does not quote; 404
 * for a `payinId` the tenant does not have.
 */
export async function receiveTransfer(
  deps: PricingDeps & PaymentLinkOrigin, uow: UnitOfWork, transfer: IncomingTransfer,
): Promise<{ row: PaymentRow; payment: Payment }> {
  const currency = normalizeCurrency(transfer.currency.trim());
  if (currency === undefined) throw errors.validation('Currency must be a valid ISO 4217 currency code (e.g., USD)');
  if (!deps.fxRates.currencies().includes(currency)) throw errors.unsupportedCurrency(currency, 'payments');
  let match = await matchTransfer(uow, deps, { ...transfer, currency });
  const sanctioned = transfer.sanctionedRemitter || transfer.amount === SANCTIONS_MAGIC_AMOUNT;
  if (sanctioned) match = { payin: match.payin, pricing: match.pricing, held: SANCTION_HIT };
  let paidBefore = 0n;
  if (!('held' in match)) {
    try {
      paidBefore = await markPayinPaid(uow, match.payin, deps);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // Another payment paid it first: held, naming the payin only if the transfer did.
      match = { payin: match.named ? match.payin : null, pricing: null, held: PAYIN_NOT_FOUND };
    }
  }
  const now = uow.clock.now();
  const id = newId(ID_PREFIXES.payment, now);
  const held = 'held' in match;
  const hold = held ? await holdIncomingFunds(uow, { currency, amount: transfer.amount, cause: { type: 'payment', id } }) : null;
  const [row] = await uow.tx.insert(payments).values({
    id,
    ...uow.tenant,
    ...payinColumns(match.payin),
    payinPaidBefore: paidBefore,
    status: held ? 'action_required' : 'success',
    ...(match.pricing ? pricedColumns(match.pricing) : receivedColumns(currency, transfer.amount)),
    methodType: 'bank_transfer',
    ...('held' in match ? match.held : NO_ERROR),
    transferDetails: transfer.details,
    holdId: hold?.id ?? null,
    fundsAvailable: false,
    paidAt: held ? null : now,
    createdAt: now,
    updatedAt: now,
  }).returning();
  if (!held) await postPaymentJournal(uow, row!);
  const payment = presentPayment(row!);
  await recordEvent(uow, { entityType: PAYMENT_ENTITY_TYPE, eventType: row!.status, entityId: row!.id, data: payment });
  return { row: row!, payment };
}

/** `receiveTransfer` in its own transaction. */
export async function receiveTransferPayment(deps: PaymentDeps, ctx: TenantContext, transfer: IncomingTransfer): Promise<Payment> {
  return deps.db.transaction(async (tx) => (await receiveTransfer(deps, unitOf(tx, ctx), transfer)).payment);
}

/** A payin a held transfer can be connected to, with what paying it by this transfer costs. */
export interface EligiblePayin {
  payin_id: string;
  payin_type: PayinType;
  customer_id: string;
  requested_currency: string;
  requested_amount: number;
  payment_currency: string;
  payment_amount: number;
  created_at: string;
  expires_at: string;
}

/** The payment, which must be a held transfer connect-payin can resolve (else 400 naming its state). */
function assertConnectable(row: PaymentRow | undefined): asserts row is PaymentRow & { holdId: string } {
  if (!row) throw errors.notFound('Payment');
  if (row.status !== 'action_required' || row.holdId === null || row.errorCode === null || !CONNECTABLE_CODES.has(row.errorCode)) {
    throw errors.paymentNotConnectable(row.status === 'action_required' && row.errorCode ? row.errorCode : row.status);
  }
}

/**
 * `GET /payment/{id}/eligible-payins`: the active payins (newest first) that this held transfer pays exactly, in its
 * currency or through an order's payin quote from its currency (the guides' fix: a quote for the received amount and
 * an order from it). 400 for a payment connect-payin cannot resolve.
 */
export async function eligiblePayins(deps: PaymentDeps, ctx: TenantContext, id: string): Promise<{ data: EligiblePayin[] }> {
  assertIdPrefix(ID_PREFIXES.payment, id);
  return deps.db.transaction(async (tx) => {
    const uow = unitOf(tx, ctx);
    const [row] = await tx.select().from(payments).where(and(tenantFilter(payments, ctx.tenant), eq(payments.id, id)));
    assertConnectable(row);
    const { fits } = await payinsPricedAt(uow, deps, row.paymentCurrency, row.paymentAmount, true);
    return {
      data: fits.map(({ payin, pricing }) => ({
        payin_id: payin.id,
        payin_type: payin.type,
        customer_id: payin.customerId,
        requested_currency: payin.currency,
        requested_amount: Number(payin.amount),
        payment_currency: pricing.paymentCurrency,
        payment_amount: Number(pricing.paymentAmount),
        // As the order and the payment link show them (whole seconds).
        created_at: isoSeconds(payin.createdAt),
        expires_at: isoSeconds(payin.expiresAt),
      })),
    };
  });
}

/**
 * The journal that posts a held transfer to where a successful payment's funds go: the payment's entries with the
 * held account in place of clearing (its payment-currency legs are the hold's destinations, the rest other legs).
 */
function heldPaymentLegs(row: PaymentRow): { destinations: Array<{ account: EntryInput['account']; amount: bigint }>; otherLegs: EntryInput[] } {
  const entries = paymentEntries(row).filter((entry) => !(entry.account.purpose === 'clearing' && entry.account.currency === row.paymentCurrency));
  return {
    destinations: entries.filter((entry) => entry.account.currency === row.paymentCurrency),
    otherLegs: entries.filter((entry) => entry.account.currency !== row.paymentCurrency),
  };
}

/**
 * `POST /payment/{id}/connect-payin`: pays `payinId` with a held transfer. The payment's row lock serialises
 * concurrent connects; the payin must take a transfer now and be priced at exactly the received amount in its
 * currency. The payin is marked paid, the payment moves to `success` with the payin's pricing, and the hold is posted
 * to pending and fees (through FX when converted) in one journal, with `payment.success`.
 */
export async function connectPayin(
  deps: PaymentDeps, ctx: TenantContext, id: string, payinId: string,
): Promise<Payment> {
  assertIdPrefix(ID_PREFIXES.payment, id);
  const target = payinId.trim();
  if (target === '') throw errors.blank('payin_id');
  if (payinTypeOf(target) === undefined) throw errors.validation(PAYIN_ID_FORMAT);
  return deps.db.transaction(async (tx) => {
    const uow = unitOf(tx, ctx);
    const row = await lockPayment(tx, ctx.tenant, id);
    assertConnectable(row);
    const payin = await findPayin(tx, ctx.tenant, target);
    if (!payin) throw payinErrors.notFound(payinTypeOf(target)!);
    assertPayable(payin, 'bank_transfer', ctx.clock.now());
    if (await hasPaymentInProgress(tx, ctx.tenant, payin.id)) throw errors.payinPaymentInProgress(payin.type === 'orders' ? 'order' : 'payment link');
    const pricing = await pricePayment(tx, deps, ctx.tenant, payin, row.paymentCurrency);
    if (pricing.paymentAmount !== row.paymentAmount) throw errors.paymentAmountMismatch(pricing.paymentCurrency, pricing.paymentAmount);
    const paidBefore = await markPayinPaid(uow, payin, deps);
    const written = await paymentLifecycle.write(uow, row, 'success', {
      ...payinColumns(payin),
      payinPaidBefore: paidBefore,
      ...pricedColumns(pricing),
      ...NO_ERROR,
      paidAt: ctx.clock.now(),
    });
    const posted = await postHold(uow, row.holdId, { ...heldPaymentLegs(written), cause: { type: 'payment', id: row.id } });
    if (!posted.ok) throw new Error(`hold ${row.holdId} of ${row.id} could not be posted: ${posted.reason}`);
    return paymentLifecycle.record(uow, written);
  });
}
