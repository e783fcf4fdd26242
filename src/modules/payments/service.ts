// Payments of payins (orders and payment links): recording an attempt (the sandbox's mock, the hosted checkout),
// funds becoming available, retrieve and list. A successful payment marks its payin paid and credits the merchant's
// `pending` balance, net of the price's fee and converted through FX when paid in another currency, in one
// transaction with its events.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { payments, type PaymentMethodType } from '../../db/schema/index.js';
import { unitOf, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { ApiError, duplicateRequest, errors } from '../../core/errors.js';
import { claimRequestId } from '../../core/idempotency.js';
import { recordEvent } from '../../core/events.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { postJournal } from '../../ledger/index.js';
import { sandboxTestCard, type CardOutcome } from './cards.js';
import { PAYIN_ID_FORMAT, assertPayable, findPayin, markPayinPaid, payinErrors, payinTypeOf, type Payin } from './payins.js';
import { priceAttempt } from './partial-payments.js';
import { pricedColumns, pricePayment, type PaymentPricing } from './pricing.js';
import {
  DECLINED, findPayment, hasPaymentInProgress, NO_ERROR, PAYMENT_ENTITY_TYPE, paymentLifecycle, postPaymentJournal, presentPayment,
  SANCTION_HIT, SANCTIONS_MAGIC_AMOUNT, type PaymentDeps, type PaymentRow,
} from './rows.js';
import type { CreateMockPaymentBody, ListPaymentsQuery, Payment } from './schemas.js';
import { connectPayin, eligiblePayins, receiveTransfer, receiveTransferPayment, type IncomingTransfer } from './transfers.js';

// What settlements read and write of payments (src/modules/settlements reaches them through this file).
export {
  isSettleable, lockPaymentsForSettlement, lockSettleablePayments, markSettled, netOf, releaseSettled, settleableCurrencies,
  settlementLines, type SettlementLineRow,
} from './settlement-lines.js';


// The payment row's presentation, lifecycle, journal and lookups, for the modules that reach payments through here.
export {
  DECLINED, findPayment, lockPayment, NO_ERROR, PAYMENT_ENTITY_TYPE, paymentLifecycle, postPaymentJournal, presentPayment,
  type PaymentDeps, type PaymentRow,
} from './rows.js';

// The types the subscriptions module reads of payments (its payments' recording is handed to it by the composition root).
export type { CardOutcome } from './cards.js';
export type { Payment } from './schemas.js';


export const FUNDS_AVAILABLE_MESSAGE = 'Payment funds available status updated successfully';


/** A card authentication (3DS/OTP) the customer never completed: the step expired and the card was not charged. */
const AUTHENTICATION_EXPIRED = {
  errorCode: 'AUTHENTICATION_EXPIRED',
  errorDescription: 'The customer did not complete the card authentication (3DS) in time. The card was not charged.',
  customerErrorDescription: 'Your card could not be verified in time. Please try again.',
};
/** The payin stopped being payable while the card was being authenticated (paid by another payment, or expired). */
const PAYIN_NOT_PAYABLE = {
  errorCode: 'PAYIN_NOT_ACTIVE',
  errorDescription: 'The payin was no longer active when the card authentication completed. The card was not charged.',
  customerErrorDescription: 'This payment can no longer be completed.',
};

/** The subscription stopped being payable while the card was being authenticated (paid, cancelled, expired). */
const SUBSCRIPTION_NOT_PAYABLE = {
  errorCode: 'SUBSCRIPTION_NOT_PAYABLE',
  errorDescription: 'The subscription could no longer be paid when the card authentication completed. The card was not charged.',
  customerErrorDescription: 'This payment can no longer be completed.',
};

/** Why a card payment waiting for its authentication failed. */
export type CardPaymentFailure = 'declined' | 'authentication_expired';
const FAILURE_TEXTS = { declined: DECLINED, authentication_expired: AUTHENTICATION_EXPIRED } as const;


/** The `request_id` scope of server-to-server payments, apart from orders' and refunds'. */
export const PAYMENT_REQUEST_ID_SCOPE = 'payments';


/** One attempt to pay a payin, as the mock or the checkout's payment step hands it over. */
export interface PaymentAttempt {
  payinId: string;
  /** The currency the payer pays in (any case); the payin's own, or another through FX. */
  currency: string;
  /** The amount the payer sent (the mock's `amount`); it must equal the priced amount. The checkout sends none. */
  amount?: bigint;
  /** What this payment pays of the payin, in its currency: a part of a link that allows it (the hosted link page). */
  part?: bigint;
  method: PaymentMethodType;
  /** A checked card: only these fields, never the number or the CVV. */
  card: { network: string; last4: string; expMonth: number | null; expYear: number | null; outcome: CardOutcome } | null;
  /** The remitter is a sanctioned entity (the mock's `remitter_name`). */
  sanctionedRemitter: boolean;
}

type Outcome = 'success' | 'failed' | 'action_required' | 'in_progress';

/** How a payment is recorded besides its attempt (server-to-server payments). */
export interface PaymentRecording {
  /** Claimed (scope `payments`) first in the payment's transaction, and kept on the row; a repeat answers 400. */
  requestId?: string;
  /** The card asks for the customer's authentication first: recorded `in_progress`, no money moves yet. */
  awaitingAuthentication?: boolean;
  /** More work in the payment's transaction once its row is written (the pending authentication and its expiry). */
  alsoInTransaction?: (uow: UnitOfWork, row: PaymentRow) => Promise<void>;
}

/** Cards decide by their number; other methods succeed unless screening hits (a sanctioned remitter or 6623). */
function outcomeOf(attempt: PaymentAttempt, pricing: PaymentPricing, recording: PaymentRecording): Outcome {
  if (attempt.card && recording.awaitingAuthentication) return 'in_progress';
  if (attempt.card) return attempt.card.outcome === 'success' ? 'success' : 'failed';
  if (attempt.sanctionedRemitter || pricing.paymentAmount === SANCTIONS_MAGIC_AMOUNT) return 'action_required';
  return 'success';
}




/**
 * Records one attempt to pay a payin. Success marks the payin paid (its row lock decides between concurrent
 * payments), posts the journal and records the events, in one transaction. A declined card records a `failed`
 * payment and a sanctions hit an `action_required` one (`SANCTION_HIT`, no journal: the funds stay with the
 * platform); both leave the payin active. A card waiting for its authentication records an `in_progress` payment
 * (no journal, the payin stays active) that `settleCardPayment` ends; until then the payin takes no other attempt.
 */
export async function makePayment(
  deps: PaymentDeps, ctx: TenantContext, attempt: PaymentAttempt, recording: PaymentRecording = {},
): Promise<{ row: PaymentRow; payment: Payment }> {
  const { tenant, clock } = ctx;
  const payin = await findPayin(deps.db, tenant, attempt.payinId);
  if (!payin) throw payinErrors.notFound(payinTypeOf(attempt.payinId) ?? 'orders');
  assertPayable(payin, attempt.method, clock.now());

  return deps.db.transaction(async (tx) => {
    const uow = unitOf(tx, ctx);
    const now = clock.now();
    const id = newId(ID_PREFIXES.payment, now);
    if (recording.requestId !== undefined) {
      // First, so that a repeat answers the duplicate rather than waiting on the payin's lock and finding it paid.
      const claim = await claimRequestId(uow, PAYMENT_REQUEST_ID_SCOPE, recording.requestId, id);
      if (!claim.claimed) throw duplicateRequest('payment');
    }
    if (await hasPaymentInProgress(tx, tenant, payin.id)) throw errors.payinPaymentInProgress(payin.type === 'orders' ? 'order' : 'payment link');
    // All that is due, or the part of it this payment pays (decision 0037), at its price.
    const { payin: paid, pricing } = await priceAttempt(tx, deps, tenant, payin, attempt);
    const outcome = outcomeOf(attempt, pricing, recording);
    const paidBefore = outcome === 'success' ? await markPayinPaid(uow, paid, deps) : 0n;
    const row = await insertPaymentRow(tx, tenant, paid, attempt, pricing, outcome, now, { id, requestId: recording.requestId ?? null, paidBefore });
    if (row.status === 'success') await postPaymentJournal(uow, row);
    await recording.alsoInTransaction?.(uow, row);
    const payment = presentPayment(row);
    await recordEvent(uow, { entityType: PAYMENT_ENTITY_TYPE, eventType: row.status, entityId: row.id, data: payment });
    return { row, payment };
  });
}

/**
 * Ends a card payment that waited for its authentication, in the caller's transaction, which holds the payment's
 * lock (`lockPayment`): `success` marks its payin paid (or tells its subscription), posts the journal and records
 * `payment.success`; a payin or subscription no longer payable by then fails the payment instead (nothing charged);
 * `failed` records why. Only an `in_progress` payment moves (the lifecycle refuses anything else).
 */
export async function settleCardPayment(
  deps: Pick<PaymentDeps, 'subscriptionPaymentSucceeded' | 'publicUrl'>,
  uow: UnitOfWork,
  row: PaymentRow,
  outcome: { status: 'success' } | { status: 'failed'; reason: CardPaymentFailure },
): Promise<{ row: PaymentRow; payment: Payment }> {
  paymentLifecycle.assertMove(row, outcome.status);
  if (outcome.status === 'failed') {
    const moved = await paymentLifecycle.apply(uow, row, 'failed', FAILURE_TEXTS[outcome.reason]);
    return { row: moved.row, payment: moved.presented };
  }
  let paidBefore = 0n;
  if (row.payinId !== null) {
    const payin = await findPayin(uow.tx, uow.tenant, row.payinId);
    if (!payin || !isPayable(payin, row.methodType, uow.clock.now())) {
      const moved = await paymentLifecycle.apply(uow, row, 'failed', PAYIN_NOT_PAYABLE);
      return { row: moved.row, payment: moved.presented };
    }
    paidBefore = await markPayinPaid(uow, payin, deps);
  } else {
    if (!deps.subscriptionPaymentSucceeded) throw new Error(`no subscription hook to settle ${row.id}`);
    try {
      // Before the payment's own write: a subscription no longer payable refuses before it changes anything.
      await deps.subscriptionPaymentSucceeded(uow, row);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const moved = await paymentLifecycle.apply(uow, row, 'failed', SUBSCRIPTION_NOT_PAYABLE);
      return { row: moved.row, payment: moved.presented };
    }
  }
  const written = await paymentLifecycle.write(uow, row, 'success', { paidAt: uow.clock.now(), payinPaidBefore: paidBefore });
  await postPaymentJournal(uow, written);
  return { row: written, payment: await paymentLifecycle.record(uow, written) };
}

function isPayable(payin: Payin, method: PaymentMethodType, now: Date): boolean {
  try {
    assertPayable(payin, method, now);
    return true;
  } catch (error) {
    if (error instanceof ApiError) return false;
    throw error;
  }
}

/**
 * Inserts the payment under the id its request_id claim already names: a plain insert (a taken id, about one chance in
 * 900 million, fails the request; drawing another would break the claim's link to it).
 */
async function insertPaymentRow(
  tx: Tx, tenant: Tenant, payin: Payin, attempt: PaymentAttempt, pricing: PaymentPricing, outcome: Outcome, now: Date,
  fixed: { id: string; requestId: string | null; paidBefore: bigint },
): Promise<PaymentRow> {
  const [row] = await tx.insert(payments).values({
    id: fixed.id,
    ...tenant,
    requestId: fixed.requestId,
    payinId: payin.id,
    payinType: payin.type,
    payinPaidBefore: fixed.paidBefore,
    customerId: payin.customerId,
    status: outcome,
    ...pricedColumns(pricing),
    methodType: attempt.method,
    cardNetwork: attempt.card?.network ?? null,
    cardLast4: attempt.card?.last4 ?? null,
    cardExpMonth: attempt.card?.expMonth ?? null,
    cardExpYear: attempt.card?.expYear ?? null,
    ...(outcome === 'failed' ? DECLINED : outcome === 'action_required' ? SANCTION_HIT : NO_ERROR),
    purposeCode: payin.purposeCode,
    productName: payin.productName,
    productDescription: payin.productDescription,
    fundsAvailable: false,
    paidAt: outcome === 'success' ? now : null,
    createdAt: now,
    updatedAt: now,
  }).returning();
  return row!;
}

/** The mock's payin id, when it names one: it must look like an order's or a payment link's. */
function mockPayinId(body: CreateMockPaymentBody): string | undefined {
  const payinId = body.payin_id?.trim() ?? '';
  if (payinId === '') return undefined;
  if (payinTypeOf(payinId) === undefined) throw errors.validation(PAYIN_ID_FORMAT);
  return payinId;
}

/** The mock body's card checks that need no database; the number is dropped here, once its outcome is known. */
function mockCardAttempt(body: CreateMockPaymentBody): PaymentAttempt {
  const payinId = mockPayinId(body);
  if (payinId === undefined) throw errors.blank('payin_id');
  const number = body.card_number?.trim() ?? '';
  if (number === '') throw errors.blank('card_number');
  const card = sandboxTestCard(number);
  if (!card) throw errors.paymentNotTestCard();
  return {
    payinId, currency: body.currency, amount: BigInt(body.amount), sanctionedRemitter: body.remitter_name === 'Sanctioned_Entity',
    method: 'card', card: { ...card, expMonth: null, expYear: null },
  };
}

/** The mock's bank transfer: to the payin it names, or naming none (matched by amount, else held). */
function mockTransfer(body: CreateMockPaymentBody): IncomingTransfer {
  if (body.card_number !== undefined) throw errors.invalidParameter('card_number can only be sent with payment_method Card');
  const payinId = mockPayinId(body);
  return {
    currency: body.currency, amount: BigInt(body.amount), ...(payinId === undefined ? {} : { payinId }), reference: null,
    sanctionedRemitter: body.remitter_name === 'Sanctioned_Entity', details: null,
  };
}

/**
 * `POST /payment/mock` (sandbox): a card payment of an active payin with exactly the amount due, or an incoming bank
 * transfer (`BankTransfer`, the default) that pays the payin it names or matches, or waits `action_required`.
 */
export async function createMockPayment(deps: PaymentDeps, ctx: TenantContext, body: CreateMockPaymentBody): Promise<Payment> {
  if (body.payment_method === 'Card') return (await makePayment(deps, ctx, mockCardAttempt(body))).payment;
  return receiveTransferPayment(deps, ctx, mockTransfer(body));
}

/**
 * `PATCH /payment/{id}/mock-funds-available` (sandbox): moves a successful payment's net amount from the
 * merchant's `pending` to `available` balance, once. The conditional update decides between concurrent calls.
 */
export async function markFundsAvailable(deps: PaymentDeps, ctx: TenantContext, id: string): Promise<Payment> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.payment, id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const [row] = await tx
      .update(payments)
      .set({ fundsAvailable: true, updatedAt: clock.now() })
      .where(and(tenantFilter(payments, tenant), eq(payments.id, id), eq(payments.status, 'success'), eq(payments.fundsAvailable, false)))
      .returning();
    if (!row) {
      const current = await findPayment(tx, tenant, id);
      if (!current) throw errors.notFound('Payment');
      throw current.status === 'success' ? errors.fundsAlreadyAvailable() : errors.paymentNotSuccess();
    }
    const net = row.amount - row.feeAmount;
    if (net > 0n) {
      const posted = await postJournal(uow, {
        kind: 'payment_funds_available',
        cause: { type: 'payment', id: row.id },
        entries: [
          { account: { purpose: 'pending', currency: row.currency }, amount: -net },
          { account: { purpose: 'available', currency: row.currency }, amount: net },
        ],
      });
      // The payment's own journal credited pending with exactly this amount; a shortfall is a ledger bug.
      if (!posted.ok) throw new Error(`funds-available journal refused for ${row.id}: ${posted.reason}`);
    }
    const payment = presentPayment(row);
    await recordEvent(uow, { entityType: PAYMENT_ENTITY_TYPE, eventType: 'funds_available', entityId: row.id, data: payment });
    return payment;
  });
}



export async function getPayment(deps: Pick<PaymentDeps, 'db'>, tenant: Tenant, id: string): Promise<Payment> {
  assertIdPrefix(ID_PREFIXES.payment, id);
  const row = await findPayment(deps.db, tenant, id);
  if (!row) throw errors.notFound('Payment');
  return presentPayment(row);
}

export async function listPayments(
  deps: Pick<PaymentDeps, 'db'>,
  tenant: Tenant,
  query: ListPaymentsQuery,
): Promise<{ data: Payment[]; page_meta: PageMeta }> {
  if (query.payin_id !== undefined && query.subscription_id !== undefined) {
    throw errors.invalidParameter('payin_id and subscription_id cannot be used together');
  }
  const where: SQL[] = [tenantFilter(payments, tenant)];
  // Filters on what no payment has yet (compliance, add_funds) match nothing.
  if (query.compliance_status !== undefined || query.payment_type === 'add_funds') where.push(sql`false`);
  if (query.subscription_id !== undefined) where.push(eq(payments.subscriptionId, query.subscription_id.trim()));
  if (query.request_id !== undefined) where.push(eq(payments.requestId, query.request_id.trim()));
  if (query.customer_id !== undefined) where.push(eq(payments.customerId, query.customer_id.trim()));
  if (query.payin_id !== undefined) {
    const payinId = query.payin_id.trim();
    if (payinTypeOf(payinId) === undefined) throw errors.validation(PAYIN_ID_FORMAT);
    where.push(eq(payments.payinId, payinId));
  }
  if (query.payment_type !== undefined && query.payment_type !== 'add_funds') where.push(eq(payments.payinType, query.payment_type));
  if (query.status !== undefined) where.push(eq(payments.status, query.status));
  // The requested (= converted) currency, not the one paid in (notes-payins §8.3).
  if (query.currency !== undefined) where.push(eq(payments.currency, query.currency.trim().toUpperCase()));
  const page = await listPage(deps.db, payments, where, pageRequest(query));
  return { data: page.rows.map(presentPayment), page_meta: page.meta };
}

/**
 * The payment operations the routes and the checkout call, built once by the composition root. The RFI documents of
 * a payment are `createPaymentRfiService` (rfi.ts imports this file).
 */
export function createPaymentService(deps: PaymentDeps) {
  return Object.freeze({
    createMock: (ctx: TenantContext, body: CreateMockPaymentBody) => createMockPayment(deps, ctx, body),
    list: (ctx: TenantContext, query: ListPaymentsQuery) => listPayments(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getPayment(deps, ctx.tenant, id),
    markFundsAvailable: (ctx: TenantContext, id: string) => markFundsAvailable(deps, ctx, id),
    /** What paying `payin` in `paymentCurrency` costs: the checkout shows it, `pay` records it. */
    price: (ctx: TenantContext, payin: Payin, paymentCurrency: string) => pricePayment(deps.db, deps, ctx.tenant, payin, paymentCurrency),
    /** Records a payment attempt of the hosted checkout. */
    pay: (ctx: TenantContext, attempt: PaymentAttempt) => makePayment(deps, ctx, attempt),
    eligiblePayins: (ctx: TenantContext, id: string) => eligiblePayins(deps, ctx, id),
    connectPayin: (ctx: TenantContext, id: string, payinId: string) => connectPayin(deps, ctx, id, payinId),
    /** Records a bank transfer received on a virtual account, in the caller's transaction (virtual accounts). */
    receiveTransfer: (uow: UnitOfWork, transfer: IncomingTransfer) => receiveTransfer(deps, uow, transfer),
  });
}

export type PaymentService = ReturnType<typeof createPaymentService>;
export type { EligiblePayin, IncomingTransfer } from './transfers.js';
