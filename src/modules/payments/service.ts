// Payments of orders: the sandbox's mock payments (bank transfer or test card), funds becoming available,
// retrieve and list. A successful payment pays its order and credits the merchant's `pending` balance, net of
// the price's fee, in one transaction with its events.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { payments, type PaymentMethodType } from '../../db/schema/index.js';
import { jsonAmount, money } from '../../core/amount.js';
import type { Clock } from '../../core/clock.js';
import { ApiError, errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { postJournal, type EntryInput } from '../../ledger/index.js';
import { findOrder, transitionOrder, type OrderRow } from '../orders/service.js';
import { priceFee } from '../prices/fees.js';
import { defaultPrice, findPrice } from '../prices/service.js';
import type { CreateMockPaymentBody, ListPaymentsQuery, Payment } from './schemas.js';

export interface PaymentDeps {
  db: Db;
  clock: Clock;
}

export type PaymentRow = typeof payments.$inferSelect;

/** The webhook catalogue's entity type for payments (singular, as Glomo sends it). */
export const PAYMENT_ENTITY_TYPE = 'payment';

export const FUNDS_AVAILABLE_MESSAGE = 'Payment funds available status updated successfully';

export function presentPayment(row: PaymentRow): Payment {
  const feeLines = row.feeAmount > 0n
    ? [{ ...money(row.currency, row.feeAmount), bearer: 'merchant' as const, collection_mode: 'immediate' as const, taxes: [] }]
    : [];
  return withoutNulls({
    id: row.id,
    payin_id: row.orderId,
    payin_type: 'orders' as const,
    status: row.status,
    // One currency throughout until FX payments exist: paid, converted and requested are the order's.
    payment_currency: row.currency,
    payment_amount: jsonAmount(row.amount),
    converted_currency: row.currency,
    converted_amount: jsonAmount(row.amount),
    requested_currency: row.currency,
    requested_amount: jsonAmount(row.amount),
    purpose_code: row.purposeCode,
    error_code: row.errorCode,
    error_description: row.errorDescription,
    customer_error_description: row.customerErrorDescription,
    paid_at: row.paidAt?.toISOString() ?? null,
    fee_bearer: 'merchant' as const,
    fee_collection_mode: 'immediate' as const,
    // Payments carry the contract's millisecond timestamps (notes-payins §1.4).
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    customer_id: row.customerId,
    merchant_id: row.merchantId,
    product_name: row.productName,
    product_description: row.productDescription,
    fees: row.feeAmount > 0n ? { referral_fee: money(row.currency, row.feeAmount) } : {},
    fee_breakdown: { fx_fee: [], txn_fee: [], referral_fee: feeLines },
    funds_available: row.fundsAvailable,
    payment_method: { type: row.methodType },
  });
}

export const paymentErrors = {
  orderNotActive: (status: string) =>
    new ApiError(400, `Order is ${status}: a payment can only be made while it is active`, 'INVALID_STATE'),
  notTestCard: () => errors.invalidParameter('Card is not a valid test card'),
  notSuccess: () => new ApiError(400, 'Payment must be in success status', 'INVALID_STATE'),
  alreadyAvailable: () => new ApiError(400, 'Transaction already has funds available', 'INVALID_STATE'),
};

type TestCardOutcome = 'success' | 'failure';

/** The sandbox test cards (notes-payins §7.5): the number decides the outcome; OTP cards behave the same here. */
const TEST_CARDS: ReadonlyMap<string, { network: string; outcome: TestCardOutcome }> = new Map([
  ['3466241111111111', { network: 'Amex', outcome: 'success' }],
  ['3469122222222222', { network: 'Amex', outcome: 'success' }],
  ['3490881111111112', { network: 'Amex', outcome: 'failure' }],
  ['3790802222222223', { network: 'Amex', outcome: 'failure' }],
  ['4916531111111111', { network: 'Mastercard', outcome: 'success' }],
  ['4376702222222222', { network: 'Mastercard', outcome: 'success' }],
  ['4532271111111112', { network: 'Mastercard', outcome: 'failure' }],
  ['4556822222222223', { network: 'Mastercard', outcome: 'failure' }],
  ['4532491111111111', { network: 'Visa', outcome: 'success' }],
  ['4532442222222222', { network: 'Visa', outcome: 'success' }],
  ['4556891111111112', { network: 'Visa', outcome: 'failure' }],
  ['4597262222222223', { network: 'Visa', outcome: 'failure' }],
]);

const DECLINED = {
  errorCode: 'PAYMENT_DECLINED',
  errorDescription: 'The payment attempt was declined. This could be due to issuer rejection, risk assessment, or restrictions on the card or account. The customer should contact their bank or try a different payment method.',
  customerErrorDescription: 'Your payment could not be completed. Please try a different payment method or contact your bank.',
};

interface MockAttempt {
  orderId: string;
  method: PaymentMethodType;
  card: { network: string; last4: string } | null;
  outcome: TestCardOutcome;
}

/** The body's checks that need no database; the card number is dropped here, once its outcome is known. */
function validateMock(body: CreateMockPaymentBody): MockAttempt {
  const orderId = body.payin_id?.trim() ?? '';
  if (orderId === '') throw errors.blank('payin_id');
  if (!orderId.startsWith(`${ID_PREFIXES.order}_`)) throw errors.validation('Payin ID must start with order_ and be valid.');
  if (body.remitter_name === 'Sanctioned_Entity') throw errors.invalidParameter('Sanctions screening is not simulated yet: remitter_name must be Non_Sanctioned_Entity');
  if (body.payment_method === 'Card') {
    const number = body.card_number?.replace(/[\s-]/g, '') ?? '';
    if (number === '') throw errors.blank('card_number');
    const card = TEST_CARDS.get(number);
    if (!card) throw paymentErrors.notTestCard();
    return { orderId, method: 'card', card: { network: card.network, last4: number.slice(-4) }, outcome: card.outcome };
  }
  if (body.card_number !== undefined) throw errors.invalidParameter('card_number can only be sent with payment_method Card');
  return { orderId, method: 'bank_transfer', card: null, outcome: 'success' };
}

/** The order's referral fee on `amount`: its price, else the merchant's default price, else none. */
async function orderFee(tx: Tx, tenant: Tenant, order: OrderRow): Promise<{ fee: bigint; priceId: string | null }> {
  const price = order.priceId !== null ? await findPrice(tx, tenant, order.priceId) : await defaultPrice(tx, tenant);
  if (!price) return { fee: 0n, priceId: null };
  const fee = priceFee(price, order.amount, order.currency);
  if (!fee.ok) {
    throw errors.invalidParameter(`The price's fee is in ${price.feesCurrency}, not the order's ${order.currency}: fee conversion is not supported yet`);
  }
  return { fee: fee.fee, priceId: price.id };
}

/**
 * `POST /payment/mock` (sandbox): a payment of an active order. Success pays the order (its row lock decides
 * between concurrent payments), posts clearing → fees + merchant pending, and records the events, in one
 * transaction. A declined test card records a `failed` payment and leaves the order active for another attempt.
 */
export async function createMockPayment(deps: PaymentDeps, tenant: Tenant, body: CreateMockPaymentBody): Promise<Payment> {
  const attempt = validateMock(body);
  const order = await findOrder(deps.db, tenant, attempt.orderId);
  if (!order) throw errors.notFound('Order');
  const currency = body.currency.trim().toUpperCase();
  if (currency !== order.currency) {
    throw errors.invalidParameter(`Currency must be the order's currency ${order.currency}: payments in another currency are not supported yet`);
  }
  if (BigInt(body.amount) !== order.amount) throw errors.invalidParameter(`Amount must equal the order amount ${order.amount}`);
  if (!order.paymentMethods.includes(attempt.method)) throw errors.invalidParameter(`Order does not accept ${attempt.method} payments`);
  if (order.status !== 'active') throw paymentErrors.orderNotActive(order.status);

  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    let fee = { fee: 0n, priceId: order.priceId };
    if (attempt.outcome === 'success') {
      try {
        await transitionOrder(tx, deps.clock, tenant, order.id, { to: 'paid' });
      } catch (err) {
        // Another payment (or an expiry) changed the order since it was read: report its status as it is now.
        if (err instanceof ApiError && err.code === 'INVALID_STATE') {
          throw paymentErrors.orderNotActive((await findOrder(tx, tenant, order.id))?.status ?? 'gone');
        }
        throw err;
      }
      fee = await orderFee(tx, tenant, order);
    }
    const row = await insertWithFreshId(tx, payments, () => newId(ID_PREFIXES.payment, now), {
      ...tenant,
      orderId: order.id,
      customerId: order.customerId,
      status: attempt.outcome === 'success' ? 'success' : 'failed',
      currency: order.currency,
      amount: order.amount,
      feeAmount: fee.fee,
      priceId: fee.priceId,
      methodType: attempt.method,
      cardNetwork: attempt.card?.network ?? null,
      cardLast4: attempt.card?.last4 ?? null,
      ...(attempt.outcome === 'failure' ? DECLINED : { errorCode: null, errorDescription: null, customerErrorDescription: null }),
      purposeCode: order.purposeCode,
      productName: order.product?.name ?? null,
      productDescription: order.product?.description ?? null,
      fundsAvailable: false,
      paidAt: attempt.outcome === 'success' ? now : null,
      createdAt: now,
      updatedAt: now,
    });
    if (row.status === 'success') {
      const net = row.amount - row.feeAmount;
      const entries: EntryInput[] = [
        { account: { purpose: 'clearing', currency: row.currency }, amount: -row.amount },
        { account: { purpose: 'fees', currency: row.currency }, amount: row.feeAmount },
        { account: { purpose: 'pending', currency: row.currency }, amount: net },
      ];
      const posted = await postJournal(tx, deps.clock, tenant, {
        kind: 'payment',
        cause: { type: 'payment', id: row.id },
        entries: entries.filter((entry) => entry.amount !== 0n),
      });
      // Only platform accounts are debited, and they may go negative.
      if (!posted.ok) throw new Error(`payment journal refused: ${posted.reason}`);
    }
    const payment = presentPayment(row);
    await recordEvent(tx, deps.clock, tenant, { entityType: PAYMENT_ENTITY_TYPE, eventType: row.status, entityId: row.id, data: payment });
    return payment;
  });
}

/**
 * `PATCH /payment/{id}/mock-funds-available` (sandbox): moves a successful payment's net amount from the
 * merchant's `pending` to `available` balance, once. The conditional update decides between concurrent calls.
 */
export async function markFundsAvailable(deps: PaymentDeps, tenant: Tenant, id: string): Promise<Payment> {
  assertIdPrefix(ID_PREFIXES.payment, id);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(payments)
      .set({ fundsAvailable: true, updatedAt: deps.clock.now() })
      .where(and(tenantFilter(payments, tenant), eq(payments.id, id), eq(payments.status, 'success'), eq(payments.fundsAvailable, false)))
      .returning();
    if (!row) {
      const current = await findPayment(tx, tenant, id);
      if (!current) throw errors.notFound('Payment');
      throw current.status === 'success' ? paymentErrors.alreadyAvailable() : paymentErrors.notSuccess();
    }
    const net = row.amount - row.feeAmount;
    if (net > 0n) {
      const posted = await postJournal(tx, deps.clock, tenant, {
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
    await recordEvent(tx, deps.clock, tenant, { entityType: PAYMENT_ENTITY_TYPE, eventType: 'funds_available', entityId: row.id, data: payment });
    return payment;
  });
}

/** The tenant's payment row, or undefined. */
/** The tenant's payment locked (`FOR UPDATE`) in the caller's transaction: refunds of one payment serialise on it. */
export async function lockPayment(tx: Tx, tenant: Tenant, id: string): Promise<PaymentRow | undefined> {
  const [row] = await tx.select().from(payments).where(and(tenantFilter(payments, tenant), eq(payments.id, id))).for('update');
  return row;
}

export async function findPayment(db: DbOrTx, tenant: Tenant, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(and(tenantFilter(payments, tenant), eq(payments.id, id)));
  return row;
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
  // Filters on what no payment has yet (subscriptions, compliance, request_id, other payin types) match nothing.
  const nothing = query.subscription_id !== undefined || query.compliance_status !== undefined ||
    query.request_id !== undefined || (query.payment_type !== undefined && query.payment_type !== 'orders');
  if (nothing) where.push(sql`false`);
  if (query.customer_id !== undefined) where.push(eq(payments.customerId, query.customer_id.trim()));
  if (query.payin_id !== undefined) where.push(eq(payments.orderId, query.payin_id.trim()));
  if (query.status !== undefined) where.push(eq(payments.status, query.status));
  if (query.currency !== undefined) where.push(eq(payments.currency, query.currency.trim().toUpperCase()));
  const page = await listPage(deps.db, payments, where, pageRequest(query));
  return { data: page.rows.map(presentPayment), page_meta: page.meta };
}
