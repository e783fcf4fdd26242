// What a payment pays: an order (`order_…`, payin_type `orders`) or a payment link (`plink_…`, or an older
// `payin_…`; payin_type `payment_link`), seen through one shape, so that pricing, the mock and the checkout need not know which.
import type { DbOrTx } from '../../db/client.js';
import type { PayinType, PaymentMethodType } from '../../db/schema/index.js';
import { ApiError, errors } from '../../core/errors.js';
import { ID_PREFIXES } from '../../core/ids.js';
import type { Tenant } from '../../core/tenancy.js';
import { findOrder, findOrdersAwaitingTransfer, transitionOrder, type AwaitingTransferQuery, type OrderRow } from '../orders/service.js';
import {
  findPaymentLink, findPaymentLinksAwaitingTransfer, PAYABLE_STATUSES, recordPaymentLinkPayment, remainingOf, type PaymentLinkOrigin,
  type PaymentLinkRow,
} from '../payment-links/service.js';
import type { UnitOfWork } from '../../core/context.js';

export interface Payin {
  type: PayinType;
  id: string;
  status: string;
  customerId: string;
  currency: string;
  /** What is due now: an order's amount; what remains to be paid of a link (all of it until a part is paid). */
  amount: bigint;
  /** A payment may pay less than `amount` (a link that allows partial payments, decision 0037). */
  allowsPartial: boolean;
  priceId: string | null;
  /** The payin quote an order was created from: its rate prices payments in the quote's source currency. */
  quoteId: string | null;
  paymentMethods: readonly PaymentMethodType[];
  purposeCode: string | null;
  productName: string | null;
  productDescription: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/** An order row seen as a payin (for callers that already read it). */
export function payinOfOrder(row: OrderRow): Payin {
  return {
    type: 'orders', id: row.id, status: row.status, customerId: row.customerId, currency: row.currency,
    amount: row.amount, allowsPartial: false, priceId: row.priceId, quoteId: row.quoteId, paymentMethods: row.paymentMethods,
    purposeCode: row.purposeCode, productName: row.product?.name ?? null, productDescription: row.product?.description ?? null,
    expiresAt: row.expiresAt, createdAt: row.createdAt,
  };
}

function fromPaymentLink(row: PaymentLinkRow): Payin {
  return {
    type: 'payment_link', id: row.id, status: row.status, customerId: row.customerId, currency: row.currency,
    amount: remainingOf(row), allowsPartial: row.allowPartialPayments, priceId: row.priceId, quoteId: null, paymentMethods: row.paymentMethods,
    purposeCode: row.purposeCode, productName: row.product?.name ?? null, productDescription: row.product?.description ?? null,
    expiresAt: row.expiresAt, createdAt: row.createdAt,
  };
}

/** What a payin id must look like (the mock, connect-payin, the payments list's filter). */
export const PAYIN_ID_FORMAT = 'Payin ID must start with order_, plink_ or payin_ and be valid.';

/** The prefix of a payin id names its kind (`plink_` and the older `payin_` are links); anything else is no payin. */
export function payinTypeOf(id: string): PayinType | undefined {
  if (id.startsWith(`${ID_PREFIXES.order}_`)) return 'orders';
  if (id.startsWith(`${ID_PREFIXES.paymentLink}_`) || id.startsWith(`${ID_PREFIXES.legacyPaymentLink}_`)) return 'payment_link';
  return undefined;
}

/** The tenant's order or payment link by id, or undefined. */
export async function findPayin(db: DbOrTx, tenant: Tenant, id: string): Promise<Payin | undefined> {
  switch (payinTypeOf(id)) {
    case 'orders': {
      const row = await findOrder(db, tenant, id);
      return row && payinOfOrder(row);
    }
    case 'payment_link': {
      const row = await findPaymentLink(db, tenant, id);
      return row && fromPaymentLink(row);
    }
    default:
      return undefined;
  }
}

/**
 * The tenant's orders and payment links a bank transfer could pay (active, unexpired, accepting bank transfers; in
 * the transfer's currency, or with `quoted` also orders made from a payin quote), newest first, at most `limit`.
 */
export async function findPayinsAwaitingTransfer(
  db: DbOrTx, tenant: Tenant, query: Omit<AwaitingTransferQuery, 'quotedColumn'> & { quoted?: boolean }, limit: number,
): Promise<Payin[]> {
  const { quoted: _quoted, ...linkQuery } = query;
  // One after the other: inside a transaction the two share its connection. Payment links have no quote.
  const orderRows = await findOrdersAwaitingTransfer(db, tenant, query, limit);
  const linkRows = await findPaymentLinksAwaitingTransfer(db, tenant, linkQuery, limit);
  return [...orderRows.map(payinOfOrder), ...linkRows.map(fromPaymentLink)]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, limit);
}

/** What the error texts call a payin of this type. */
const payinLabel = (type: PayinType) => (type === 'orders' ? 'Order' : 'Payment link');

/** The registry's pay-in answers, worded with the payin's label. */
export const payinErrors = {
  notFound: (type: PayinType) => errors.notFound(payinLabel(type)),
  notActive: (type: PayinType, status: string) => errors.payinNotActive(payinLabel(type), status),
  methodNotAccepted: (type: PayinType, method: string) => errors.payinMethodNotAccepted(payinLabel(type), method),
};

/** Whether the payin's status takes payments: `active`, and a link's `partially_paid` (the rest of it). */
function payableStatus(payin: Payin): boolean {
  return payin.status === 'active' || (payin.type === 'payment_link' && (PAYABLE_STATUSES as readonly string[]).includes(payin.status));
}

/**
 * Whether the payin takes a payment by `method` now: it must offer the method and be `active` (a link also
 * `partially_paid`), and not past its `expires_at` (the expiry job may not have run yet: a payin is not payable a
 * moment past its expiry either way).
 */
export function assertPayable(payin: Payin, method: PaymentMethodType, now: Date): void {
  if (!payin.paymentMethods.includes(method)) throw payinErrors.methodNotAccepted(payin.type, method);
  if (!payableStatus(payin)) throw payinErrors.notActive(payin.type, payin.status);
  if (payin.expiresAt.getTime() <= now.getTime()) throw payinErrors.notActive(payin.type, 'expired');
}

/**
 * `payin` with `part` of what is due as its amount, when the payment pays only that: at least 1, at most what is due,
 * and less only where the payin allows partial payments (400 otherwise). Undefined `part`: all that is due.
 */
export function payinPart(payin: Payin, part: bigint | undefined): Payin {
  if (part === undefined || part === payin.amount) return payin;
  if (part < 1n) throw errors.validation('Amount must be a positive whole number in the smallest currency unit (e.g., cents)');
  if (part > payin.amount) throw errors.paymentLinkPartTooLarge(payin.currency, payin.amount);
  if (!payin.allowsPartial) throw errors.paymentLinkPartialNotAllowed();
  return { ...payin, amount: part };
}

/**
 * Marks the payin paid by `payin.amount` (all that is due, or the part of `payinPart`) in the payment's transaction,
 * with its event: an order `paid`, a link `paid` or `partially_paid`. The payin's row lock decides between concurrent
 * payments: the loser sees the status the winner left, or (a part) that the part no longer fits what remains.
 * Answers what the payin had been paid before (the payment's `payin_paid_before`: 0 but for a later part).
 */
export async function markPayinPaid(uow: UnitOfWork, payin: Payin, origin: PaymentLinkOrigin): Promise<bigint> {
  const { tx, tenant } = uow;
  try {
    if (payin.type === 'orders') {
      await transitionOrder(uow, payin.id, { to: 'paid' });
      return 0n;
    }
    return (await recordPaymentLinkPayment(origin, uow, payin.id, payin.amount)).paidBefore;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'INVALID_STATE') {
      throw payinErrors.notActive(payin.type, (await findPayin(tx, tenant, payin.id))?.status ?? 'gone');
    }
    throw err;
  }
}
