// Orders: create (plain or from a payin quote, idempotent on request_id), retrieve, list, the RFI answer, and the
// status changes other modules (payments) make in their own transactions.
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { orders, type OrderPaymentMethod, type OrderStatus } from '../../db/schema/index.js';
import { jsonAmount } from '../../core/amount.js';
import { isoSeconds } from '../../core/clock.js';
import type { TenantContext, UnitOfWork } from '../../core/context.js';
import { duplicateRequest, errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { claimRequestId } from '../../core/idempotency.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { addMonths, awaitingTransferFilter, checkNotesAndMethods, isPayinCurrency, optionalText, PAYIN_CURRENCIES, parseBankAccountDetails, parseProduct, PURPOSE_CODE, type AwaitingTransferQuery } from './payin-fields.js';
import { answerRfiRequirements, newRfiRequirements } from '../rfis/service.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { findCustomer } from '../customers/service.js';
import { findDocument } from '../documents/service.js';
import { findPrice } from '../prices/service.js';
import { consumeQuote, findQuote, quoteError } from '../quotes/service.js';
import { type CreateOrderBody, type ListOrdersQuery, type Order, type UpdateOrderRfiBody } from './schemas.js';

// What payment links share with orders (and payouts' notes limit), for the modules that use them.
export { addMonths, awaitingTransferFilter, checkNotesAndMethods, isPayinCurrency, optionalText, PAYIN_CURRENCIES, parseBankAccountDetails, parseProduct, PURPOSE_CODE, type AwaitingTransferQuery, type StoredBankAccount, type StoredProduct } from './payin-fields.js';

export interface OrderDeps {
  db: Db;
}

export type OrderRow = typeof orders.$inferSelect;

/** The webhook catalogue's entity type for orders (plural, as Glomo sends it). */
export const ORDER_ENTITY_TYPE = 'orders';
/** The queue of the job that expires an order at its `expires_at` (jobs.ts). */
export const ORDER_EXPIRE_QUEUE = 'orders.expire';
/** `request_id` claims of orders are scoped apart from payments' and refunds'. */
const REQUEST_ID_SCOPE = 'orders';
/** Orders take no `expires_at`: they expire three months after creation (notes-payins §6.2). */
const ORDER_LIFETIME_MONTHS = 3;
const ALL_PAYMENT_METHODS: OrderPaymentMethod[] = ['bank_transfer', 'pay_via_bank', 'card'];
/** Fields a quote decides: sending them with `quote_id` is refused. */
const QUOTE_LOCKED_FIELDS = ['amount', 'currency', 'price_id', 'payment_methods', 'split_ids'] as const;
/**
 * Statuses an order still expires from: while it waits for payment or for documents. An order `under_review` waits
 * for compliance, not for the payer, and keeps its status (as `paid`, `failed`, `cancelled` and `expired` do).
 */
export const EXPIRABLE_ORDER_STATUSES: readonly OrderStatus[] = ['active', 'action_required'];

export function presentOrder(row: OrderRow): Order {
  return withoutNulls({
    id: row.id,
    customer_id: row.customerId,
    document_id: row.documentId,
    status: row.status,
    currency: row.currency,
    amount: jsonAmount(row.amount),
    purpose_code: row.purposeCode,
    invoice_number: row.invoiceNumber,
    invoice_description: row.invoiceDescription,
    invoice_amount: row.invoiceAmount === null ? null : jsonAmount(row.invoiceAmount),
    reference_number: row.referenceNumber,
    product: row.product,
    notes: row.notes,
    // The contract's allOf types these strings in one part and string|null in the other: only omission fits both.
    bank_account_details: row.bankAccountDetails && withoutNulls(row.bankAccountDetails),
    payment_methods: row.paymentMethods,
    // Only an order waiting for documents shows what it waits for.
    rfi_documents: row.status === 'action_required' && row.rfiDocuments
      ? row.rfiDocuments.map((doc) => ({ rfi_doc_id: doc.rfi_doc_id, name: doc.name }))
      : null,
    request_id: row.requestId,
    quote_id: row.quoteId,
    price_id: row.priceId,
    split_ids: row.splitIds,
    expires_at: isoSeconds(row.expiresAt),
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  });
}

/** The body's checks that need no database: quote exclusivity, required fields, formats and limits. */
function validateCreate(body: CreateOrderBody) {
  if (body.quote_id !== undefined) {
    if (body.quote_id.trim() === '') throw errors.blank('quote_id');
    for (const field of QUOTE_LOCKED_FIELDS) if (body[field] !== undefined) throw errors.quoteLockedField(field);
  } else {
    if (body.amount === undefined) throw errors.blank('amount');
    if (body.currency === undefined || body.currency.trim() === '') throw errors.blank('currency');
    if (body.payment_methods === undefined || body.payment_methods.length === 0) throw errors.blank('payment_methods');
  }
  const customerId = body.customer_id.trim();
  if (customerId === '') throw errors.blank('customer_id');
  if (!customerId.startsWith(`${ID_PREFIXES.customer}_`)) throw errors.validation('Customer ID must start with cust_ and be valid.');
  const documentId = optionalText(body.document_id);
  if (documentId !== null && !documentId.startsWith(`${ID_PREFIXES.document}_`)) {
    throw errors.validation('Document ID must start with doc_ and be valid.');
  }
  if (body.amount !== undefined && (body.amount < 1 || body.amount > Number.MAX_SAFE_INTEGER)) {
    throw errors.validation('Amount must be a positive whole number in the smallest currency unit (e.g., cents)');
  }
  const currency = body.currency?.trim().toUpperCase();
  if (currency !== undefined && !isPayinCurrency(currency)) throw errors.unsupportedPayinCurrency(PAYIN_CURRENCIES);
  checkNotesAndMethods(body.notes, body.payment_methods);
  const purposeCode = optionalText(body.purpose_code)?.toUpperCase() ?? null;
  if (purposeCode !== null && !PURPOSE_CODE.test(purposeCode)) throw errors.validation('Purpose code is invalid');
  const product = parseProduct(body.product);
  const bankAccountDetails = parseBankAccountDetails(body.bank_account_details);
  const priceId = optionalText(body.price_id);
  if (priceId !== null && !priceId.startsWith('price_')) throw errors.validation('Price ID must start with price_ and be valid.');
  const requestId = body.request_id?.trim();
  if (requestId === '') throw errors.blank('request_id');
  return {
    customerId,
    documentId,
    currency: currency ?? null,
    amount: body.amount === undefined ? null : BigInt(body.amount),
    purposeCode,
    invoiceNumber: optionalText(body.invoice_number),
    invoiceDescription: optionalText(body.invoice_description),
    invoiceAmount: body.invoice_amount === undefined ? null : BigInt(body.invoice_amount),
    referenceNumber: optionalText(body.reference_number),
    product,
    notes: body.notes ?? null,
    bankAccountDetails,
    paymentMethods: body.payment_methods ?? null,
    requestId: requestId ?? null,
    quoteId: optionalText(body.quote_id),
    priceId,
    splitIds: body.split_ids ?? null,
  };
}

/**
 * Creates an order, its expiry job and its `orders`/`active` event in one transaction. With `request_id`, the claim is taken after
 * the insert: a concurrent duplicate blocks on it until the first commits, then rolls back its own row.
 */
export async function createOrder(deps: OrderDeps, ctx: TenantContext, body: CreateOrderBody): Promise<Order> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  const { quoteId, currency, amount, paymentMethods, ...fields } = validateCreate(body);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    if (!(await findCustomer(tx, tenant, fields.customerId))) throw errors.notFound('Customer');
    if (fields.documentId !== null && !(await findDocument(tx, tenant, fields.documentId))) throw errors.notFound('Document');
    if (fields.priceId !== null && !(await findPrice(tx, tenant, fields.priceId))) throw errors.notFound('Price');

    let priced: { currency: string; amount: bigint; expiresAt: Date; paymentMethods: OrderPaymentMethod[] };
    if (quoteId !== null) {
      const quote = await findQuote(tx, tenant, quoteId);
      if (!quote) throw quoteError('not_found', 'payin', 'Quote');
      if (quote.resource !== 'payin') throw quoteError('wrong_resource', 'payin', 'Quote');
      if (!isPayinCurrency(quote.destinationCurrency)) throw errors.unsupportedPayinCurrency(PAYIN_CURRENCIES);
      // The quote fixes the amount; the checkout offers every method (a quote carries none for payins).
      priced = { currency: quote.destinationCurrency, amount: quote.destinationAmount, expiresAt: quote.expiresAt, paymentMethods: ALL_PAYMENT_METHODS };
    } else {
      priced = { currency: currency!, amount: amount!, expiresAt: addMonths(now, ORDER_LIFETIME_MONTHS), paymentMethods: paymentMethods! };
    }

    const row = await insertWithFreshId(tx, orders, () => newId(ID_PREFIXES.order, now), {
      ...tenant,
      ...fields,
      quoteId,
      currency: priced.currency,
      amount: priced.amount,
      paymentMethods: priced.paymentMethods,
      status: 'active',
      rfiDocuments: null,
      expiresAt: priced.expiresAt,
      createdAt: now,
      updatedAt: now,
    });
    if (fields.requestId !== null) {
      const claim = await claimRequestId(uow, REQUEST_ID_SCOPE, fields.requestId, row.id);
      if (!claim.claimed) throw duplicateRequest('order');
    }
    if (quoteId !== null) {
      const consumed = await consumeQuote(uow, quoteId, 'payin', row.id);
      if (!consumed.ok) throw quoteError(consumed.reason, 'payin', 'Quote');
    }
    // An order's expires_at never moves, so one job per order; the handler re-reads it, so a paid order's job does nothing.
    await orderLifecycle.scheduleExpiry(uow, row.id, row.expiresAt);
    return orderLifecycle.record(uow, row);
  });
}

/** The tenant's order row, or undefined: for other modules (payments) in their own queries or transactions. */
export async function findOrder(db: DbOrTx, tenant: Tenant, id: string): Promise<OrderRow | undefined> {
  const [row] = await db.select().from(orders).where(and(tenantFilter(orders, tenant), eq(orders.id, id)));
  return row;
}

/**
 * The tenant's orders a bank transfer could pay (`AwaitingTransferQuery`), newest first, at most `limit`: with
 * `quoted`, also orders in another currency made from a payin quote (whose rate may price the transfer's currency).
 */
export async function findOrdersAwaitingTransfer(
  db: DbOrTx, tenant: Tenant, query: Omit<AwaitingTransferQuery, 'quotedColumn'> & { quoted?: boolean }, limit: number,
): Promise<OrderRow[]> {
  const filter = awaitingTransferFilter(orders, { ...query, ...(query.quoted ? { quotedColumn: orders.quoteId } : {}) });
  return db.select().from(orders).where(and(tenantFilter(orders, tenant), filter))
    .orderBy(desc(orders.createdAt), desc(orders.id)).limit(limit);
}

export async function getOrder(deps: Pick<OrderDeps, 'db'>, tenant: Tenant, id: string): Promise<Order> {
  assertIdPrefix(ID_PREFIXES.order, id);
  const row = await findOrder(deps.db, tenant, id);
  if (!row) throw errors.notFound('Order');
  return presentOrder(row);
}

export async function listOrders(
  deps: Pick<OrderDeps, 'db'>,
  tenant: Tenant,
  query: ListOrdersQuery,
): Promise<{ data: Order[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(orders, tenant)];
  if (query.customer_id !== undefined) {
    const customerId = query.customer_id.trim();
    if (!customerId.startsWith(`${ID_PREFIXES.customer}_`)) throw errors.invalidParameter('Invalid customer_id');
    where.push(eq(orders.customerId, customerId));
  }
  if (query.status !== undefined) where.push(eq(orders.status, query.status as OrderStatus));
  if (query.request_id !== undefined) where.push(eq(orders.requestId, query.request_id.trim()));
  const page = await listPage(deps.db, orders, where, pageRequest(query));
  return { data: page.rows.map(presentOrder), page_meta: page.meta };
}

/**
 * The status changes the lifecycle allows (notes-payins §6.6). `paid`, `failed`, `cancelled` and `expired` are
 * terminal: nothing revives an order.
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  active: ['paid', 'failed', 'action_required', 'cancelled', 'expired'],
  action_required: ['under_review', 'failed', 'cancelled', 'expired'],
  under_review: ['active', 'action_required', 'failed', 'cancelled', 'expired'],
  paid: [],
  failed: [],
  cancelled: [],
  expired: [],
};

export interface OrderTransition {
  to: OrderStatus;
  /** Required when moving to `action_required`: the names of the documents compliance needs (e.g. `Passport`). */
  requiredDocuments?: string[];
}

/** The orders' lock, moves and expiry: the lifecycle kernel over their table; a move keeps the RFI documents unless it sets them. */
const orderLifecycle = defineLifecycle({
  table: orders,
  entity: 'Order',
  entityType: ORDER_ENTITY_TYPE,
  transitions: TRANSITIONS,
  present: presentOrder,
  // An action_required order that expires keeps the RFI documents it waited for.
  expiry: { statuses: EXPIRABLE_ORDER_STATUSES, to: 'expired', expiresAt: (row) => row.expiresAt, job: { queue: ORDER_EXPIRE_QUEUE, idKey: 'orderId' } },
});

/**
 * Moves an order to another status and records the `orders`/<status> event, with the caller's transaction handle
 * so that the change commits with whatever caused it (a payment, a compliance decision). Locks the order row
 * first, so concurrent changes of one order apply one after the other. Throws 404 for an order that is not the
 * tenant's and 400 for a change the lifecycle does not allow.
 */
export async function transitionOrder(
  uow: UnitOfWork,
  orderId: string,
  transition: OrderTransition,
): Promise<Order> {
  const { tx, clock, tenant } = uow;
  const current = await orderLifecycle.mustLock(tx, tenant, orderId);
  const rfiDocuments = transition.to === 'action_required'
    ? newRfiRequirements(transition.requiredDocuments ?? [], clock, 'an order')
    : current.rfiDocuments;
  return (await orderLifecycle.apply(uow, current, transition.to, { rfiDocuments })).presented;
}

/** The runner's handler of `orders.expire` (the lifecycle kernel's: idempotent, a paid order's job does nothing). */
export const orderJobHandlers = (deps: { db: Db }) => orderLifecycle.expiryJobHandlers(deps.db);

/**
 * `PATCH /orders/{id}/update_rfi`: one document per required `rfi_doc_id`, each the tenant's; the order moves to
 * `under_review` with its event, in one transaction.
 */
export async function updateOrderRfi(deps: OrderDeps, ctx: TenantContext, id: string, body: UpdateOrderRfiBody): Promise<Order> {
  const { tenant } = ctx;
  assertIdPrefix(ID_PREFIXES.order, id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const current = await orderLifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'action_required') throw errors.documentsOnlyWhenActionRequired('Order', current.status);
    const rfiDocuments = await answerRfiRequirements(tx, tenant, current.rfiDocuments ?? [], body.documents, 'order', findDocument);
    return (await orderLifecycle.apply(uow, current, 'under_review', { rfiDocuments })).presented;
  });
}

/** The order operations the routes and the checkout call, built once by the composition root. */
export function createOrderService(deps: OrderDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateOrderBody) => createOrder(deps, ctx, body),
    list: (ctx: TenantContext, query: ListOrdersQuery) => listOrders(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getOrder(deps, ctx.tenant, id),
    /** The tenant's order row, or undefined (the checkout presents it itself). */
    find: (ctx: TenantContext, id: string) => findOrder(deps.db, ctx.tenant, id),
    updateRfi: (ctx: TenantContext, id: string, body: UpdateOrderRfiBody) => updateOrderRfi(deps, ctx, id, body),
  });
}

export type OrderService = ReturnType<typeof createOrderService>;
