// The payment row: how it is presented, the statuses it moves between, the journal of a successful one, and its
// lookups. Shared by the payment engine (service.ts) and inbound transfers (transfers.ts); service.ts re-exports it.
import { and, eq } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { payments, type TransferDetails } from '../../db/schema/index.js';
import { jsonAmount, money } from '../../core/amount.js';
import type { UnitOfWork } from '../../core/context.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { postJournal, type EntryInput } from '../../ledger/index.js';
import { presentAttachedDocuments } from '../rfis/service.js';
import type { PaymentLinkOrigin } from '../payment-links/service.js';
import type { PricingDeps } from './pricing.js';
import type { Payment } from './schemas.js';

/** `PaymentLinkOrigin`: a payment that pays a link presents it (its `payment_link`) in the link's event. */
export interface PaymentDeps extends PricingDeps, PaymentLinkOrigin {
  db: Db;
  /**
   * What a subscription's first instalment settling `success` does to its subscription, in the payment's transaction
   * and before the payment's own write (it activates the subscription; an ApiError means the subscription can no longer
   * be paid, and the payment fails instead). Handed in by the composition root: payments import no subscriptions.
   */
  subscriptionPaymentSucceeded?: (uow: UnitOfWork, row: PaymentRow) => Promise<void>;
}

export type PaymentRow = typeof payments.$inferSelect;

/** The webhook catalogue's entity type for payments (singular, as Glomo sends it). */
export const PAYMENT_ENTITY_TYPE = 'payment';

/** A bank transfer's details as the contract's `Bank Transfer Details` (its non-nullable fields omitted when unknown). */
function presentTransferDetails(details: TransferDetails) {
  return withoutNulls({
    sender_name: details.sender_name,
    sender_account_number: details.sender_account_number,
    receiver_account_number: details.receiver_account_number,
    remittance_information: details.remittance_information,
    transfer_type: details.transfer_type,
    external_reference: details.external_reference,
  });
}

/** A fee as one `fee_breakdown` line (no taxes are modelled). */
function feeLine(currency: string, amount: bigint, bearer: 'merchant' | 'customer') {
  return amount > 0n ? [{ ...money(currency, amount), bearer, collection_mode: 'immediate' as const, taxes: [] }] : [];
}

export function presentPayment(row: PaymentRow): Payment {
  const fees: Payment['fees'] = {};
  if (row.feeAmount > 0n) fees.txn_fee = money(row.currency, row.feeAmount);
  if (row.fxFeeAmount > 0n) fees.fx_fee = money(row.paymentCurrency, row.fxFeeAmount);
  const present = withoutNulls({
    id: row.id,
    'auto_debit?': row.autoDebit,
    status: row.status,
    payment_currency: row.paymentCurrency,
    payment_amount: jsonAmount(row.paymentAmount),
    converted_currency: row.currency,
    converted_amount: jsonAmount(row.amount),
    requested_currency: row.currency,
    requested_amount: jsonAmount(row.requestedAmount),
    purpose_code: row.purposeCode,
    error_code: row.errorCode,
    error_description: row.errorDescription,
    customer_error_description: row.customerErrorDescription,
    paid_at: row.paidAt?.toISOString() ?? null,
    fee_bearer: row.feeBearer,
    fee_collection_mode: 'immediate' as const,
    // Payments carry the contract's millisecond timestamps (notes-payins §1.4).
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    customer_id: row.customerId,
    merchant_id: row.merchantId,
    product_name: row.productName,
    product_description: row.productDescription,
    fees,
    fee_breakdown: {
      // The markup raises what the payer pays, so the payer bears it.
      fx_fee: feeLine(row.paymentCurrency, row.fxFeeAmount, 'customer'),
      txn_fee: feeLine(row.currency, row.feeAmount, row.feeBearer),
      referral_fee: [],
    },
    documents: presentAttachedDocuments(row.documents),
    funds_available: row.fundsAvailable,
    settlement_id: row.settlementId,
    payment_method: row.transferDetails === null ? { type: row.methodType } : { type: row.methodType, details: presentTransferDetails(row.transferDetails) },
  });
  // The contract's nullable links are sent as null, not omitted: a payment names its payin or its subscription.
  // `payin_type` is left out of a subscription's payment instead: the contract's enum for it has no null.
  return {
    ...present,
    payin_id: row.payinId,
    ...(row.payinType === null ? {} : { payin_type: row.payinType }),
    subscription_id: row.subscriptionId,
  };
}

/** The outcome texts of the contract (declines) and of the sandbox's sanctions screening (notes-payins §8.7, §8.8). */
export const DECLINED = {
  errorCode: 'PAYMENT_DECLINED',
  errorDescription: 'The payment attempt was declined. This could be due to issuer rejection, risk assessment, or restrictions on the card or account. The customer should contact their bank or try a different payment method.',
  customerErrorDescription: 'Your payment could not be completed. Please try a different payment method or contact your bank.',
};
export const SANCTION_HIT = {
  errorCode: 'SANCTION_HIT',
  errorDescription: 'The remitter matched a sanctions screening list. The funds are held for compliance review and cannot be released through the API.',
  customerErrorDescription: null,
};
export const NO_ERROR = { errorCode: null, errorDescription: null, customerErrorDescription: null };

/**
 * The statuses a payment moves between after its creation: a card payment waiting for its authentication settles
 * once. (A payment with an RFI moves to under_review in rfi.ts, which writes no event, as the catalogue has none.)
 */
export const paymentLifecycle = defineLifecycle({
  table: payments,
  entity: 'Payment',
  entityType: PAYMENT_ENTITY_TYPE,
  transitions: {
    in_progress: ['success', 'failed'],
    success: [],
    failed: [],
    // A held bank transfer connected to its payin (connect-payin).
    action_required: ['success'],
    under_review: [],
  },
  present: presentPayment,
});

/** The sandbox's magic amount (minor units, any currency) that forces a sanctions hit (notes-payins §8.8). */
export const SANCTIONS_MAGIC_AMOUNT = 6623n;

/**
 * The journal of a successful payment. Same currency: clearing −settled, fees +fee, pending +(settled − fee).
 * Another currency: the payment leg clearing −paid, fees +fx_fee, fx +(paid − fx_fee); the settlement leg fx
 * −settled, fees +fee, pending +(settled − fee). Balanced per currency.
 */
export function paymentEntries(row: PaymentRow): EntryInput[] {
  const settle: EntryInput[] = [
    { account: { purpose: 'fees', currency: row.currency }, amount: row.feeAmount },
    { account: { purpose: 'pending', currency: row.currency }, amount: row.amount - row.feeAmount },
  ];
  const entries: EntryInput[] = row.paymentCurrency === row.currency
    ? [{ account: { purpose: 'clearing', currency: row.currency }, amount: -row.amount }, ...settle]
    : [
      { account: { purpose: 'clearing', currency: row.paymentCurrency }, amount: -row.paymentAmount },
      { account: { purpose: 'fees', currency: row.paymentCurrency }, amount: row.fxFeeAmount },
      { account: { purpose: 'fx', currency: row.paymentCurrency }, amount: row.paymentAmount - row.fxFeeAmount },
      { account: { purpose: 'fx', currency: row.currency }, amount: -row.amount },
      ...settle,
    ];
  return entries.filter((entry) => entry.amount !== 0n);
}

/** Posts a successful payment's journal (only platform accounts are debited, and they may go negative). */
export async function postPaymentJournal(uow: UnitOfWork, row: PaymentRow): Promise<void> {
  const posted = await postJournal(uow, { kind: 'payment', cause: { type: 'payment', id: row.id }, entries: paymentEntries(row) });
  if (!posted.ok) throw new Error(`payment journal refused: ${posted.reason}`);
}

/** Whether the payin has a payment waiting for its card authentication: a new attempt waits for it to end. */
export async function hasPaymentInProgress(tx: Tx, tenant: Tenant, payinId: string): Promise<boolean> {
  const [row] = await tx.select({ id: payments.id }).from(payments)
    .where(and(tenantFilter(payments, tenant), eq(payments.payinId, payinId), eq(payments.status, 'in_progress'))).limit(1);
  return row !== undefined;
}

/** The tenant's payment locked (`FOR UPDATE`) in the caller's transaction: refunds of one payment serialise on it. */
export async function lockPayment(tx: Tx, tenant: Tenant, id: string): Promise<PaymentRow | undefined> {
  const [row] = await tx.select().from(payments).where(and(tenantFilter(payments, tenant), eq(payments.id, id))).for('update');
  return row;
}

export async function findPayment(db: DbOrTx, tenant: Tenant, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(and(tenantFilter(payments, tenant), eq(payments.id, id)));
  return row;
}
