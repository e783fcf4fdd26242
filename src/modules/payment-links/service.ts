// Payment links (`/payin`): create (with the job that expires it), retrieve, list, update while active, cancel,
// the RFI answer and the sandbox review, and the status changes other code (compliance, the expiry job) makes.
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import {
  paymentLinks,
  type PaymentLinkStatus,
} from '../../db/schema/index.js';
import { jsonAmount } from '../../core/amount.js';
import { isoSeconds } from '../../core/clock.js';
import type { TenantContext, UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { addMonths, awaitingTransferFilter, checkNotesAndMethods, isPayinCurrency, optionalText, PAYIN_CURRENCIES, parseBankAccountDetails, parseProduct, PURPOSE_CODE, type AwaitingTransferQuery } from '../orders/service.js';
import { answerRfiRequirements, newRfiRequirements } from '../rfis/service.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { findCustomer } from '../customers/service.js';
import { findDocument } from '../documents/service.js';
import { findPrice } from '../prices/service.js';
import {
  REMINDER_FREQUENCIES,
  type CreatePaymentLinkBody,
  type ListPaymentLinksQuery,
  type PaymentLink,
  type UpdatePaymentLinkBody,
  type UpdatePaymentLinkRfiBody,
} from './schemas.js';

export interface PaymentLinkDeps {
  db: Db;
}

export type PaymentLinkRow = typeof paymentLinks.$inferSelect;

/** The webhook catalogue's entity type for payment links. */
export const PAYMENT_LINK_ENTITY_TYPE = 'payment_link';
/** The queue of the job that expires a link at its `expires_at` (jobs.ts). */
export const PAYMENT_LINK_EXPIRE_QUEUE = 'payment_links.expire';
/** `expires_at` may be at most this many months ahead (the contract's "up to 6 months in the future"). */
const MAX_LIFETIME_MONTHS = 6;

/**
 * Statuses a link still expires from: while it waits for payment or for compliance. `paid`, `partially_paid`,
 * `failed`, `cancelled` and `expired` keep their status when `expires_at` passes.
 */
export const EXPIRABLE_STATUSES: readonly PaymentLinkStatus[] = ['active', 'action_required', 'under_review'];

export function presentPaymentLink(row: PaymentLinkRow): PaymentLink {
  return withoutNulls({
    id: row.id,
    customer_id: row.customerId,
    document_id: row.documentId,
    status: row.status,
    payment_methods: row.paymentMethods,
    currency: row.currency,
    amount: jsonAmount(row.amount),
    purpose_code: row.purposeCode,
    invoice_number: row.invoiceNumber,
    invoice_description: row.invoiceDescription,
    reference_number: row.referenceNumber,
    expires_at: isoSeconds(row.expiresAt),
    last_reminder_sent_at: row.lastReminderSentAt === null ? null : isoSeconds(row.lastReminderSentAt),
    invoice_amount: row.invoiceAmount === null ? null : jsonAmount(row.invoiceAmount),
    reminder_frequency: row.reminderFrequency,
    price_id: row.priceId,
    product: row.product,
    notes: row.notes,
    // The contract's allOf types these strings in one part and string|null in the other: only omission fits both.
    bank_account_details: row.bankAccountDetails && withoutNulls(row.bankAccountDetails),
    // Only a link waiting for documents shows what it waits for.
    rfi_documents: row.status === 'action_required' && row.rfiDocuments
      ? row.rfiDocuments.map((doc) => ({ rfi_doc_id: doc.rfi_doc_id, name: doc.name }))
      : null,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  });
}

/**
 * `expires_at` as stored: whole seconds (the API answers timestamps to the second, and the expiry job compares the
 * stored value), after now and at most 6 months ahead.
 */
function parseExpiresAt(value: string, now: Date): Date {
  const expiresAt = new Date(Math.floor(Date.parse(value) / 1000) * 1000);
  if (expiresAt.getTime() <= now.getTime()) throw errors.validation('Expires at must be in the future');
  if (expiresAt.getTime() > addMonths(now, MAX_LIFETIME_MONTHS).getTime()) {
    throw errors.validation(`Expires at can be at most ${MAX_LIFETIME_MONTHS} months in the future`);
  }
  return expiresAt;
}

function parseReminderFrequency(value: number | undefined): number | null {
  if (value === undefined) return null;
  if (!(REMINDER_FREQUENCIES as readonly number[]).includes(value)) {
    throw errors.validation(`Reminder frequency must be one of: ${REMINDER_FREQUENCIES.join(', ')}`);
  }
  return value;
}

/** The body's checks that need no database: required fields, formats and limits. */
function validateCreate(body: CreatePaymentLinkBody, now: Date) {
  const customerId = body.customer_id.trim();
  if (customerId === '') throw errors.blank('customer_id');
  if (!customerId.startsWith(`${ID_PREFIXES.customer}_`)) throw errors.validation('Customer ID must start with cust_ and be valid.');
  const documentId = optionalText(body.document_id);
  if (documentId !== null && !documentId.startsWith(`${ID_PREFIXES.document}_`)) {
    throw errors.validation('Document ID must start with doc_ and be valid.');
  }
  if (body.amount < 1 || body.amount > Number.MAX_SAFE_INTEGER) {
    throw errors.validation('Amount must be a positive whole number in the smallest currency unit (e.g., cents)');
  }
  const currency = body.currency.trim().toUpperCase();
  if (currency === '') throw errors.blank('currency');
  if (!isPayinCurrency(currency)) throw errors.unsupportedPayinCurrency(PAYIN_CURRENCIES);
  if (body.payment_methods.length === 0) throw errors.blank('payment_methods');
  checkNotesAndMethods(body.notes, body.payment_methods);
  const purposeCode = body.purpose_code.trim().toUpperCase();
  if (purposeCode === '') throw errors.blank('purpose_code');
  if (!PURPOSE_CODE.test(purposeCode)) throw errors.validation('Purpose code is invalid');
  const expiresAt = parseExpiresAt(body.expires_at, now);
  const product = parseProduct(body.product);
  const bankAccountDetails = parseBankAccountDetails(body.bank_account_details);
  const priceId = optionalText(body.price_id);
  if (priceId !== null && !priceId.startsWith(`${ID_PREFIXES.price}_`)) throw errors.validation('Price ID must start with price_ and be valid.');
  return {
    customerId,
    documentId,
    currency,
    amount: BigInt(body.amount),
    purposeCode,
    expiresAt,
    paymentMethods: body.payment_methods,
    invoiceNumber: optionalText(body.invoice_number),
    invoiceDescription: optionalText(body.invoice_description),
    invoiceAmount: body.invoice_amount === undefined ? null : BigInt(body.invoice_amount),
    referenceNumber: optionalText(body.reference_number),
    reminderFrequency: parseReminderFrequency(body.reminder_frequency),
    priceId,
    product,
    notes: body.notes ?? null,
    bankAccountDetails,
  };
}

/**
 * Schedules the expiry check of a link at `expiresAt`, with the caller's transaction handle. One job per
 * (link, expiry): the first under `expire:<id>`, each later expiry under its own key, so that moving `expires_at`
 * back to a time already scheduled adds nothing. The handler re-reads the link, so stale jobs do nothing.
 */
function scheduleExpiry(uow: UnitOfWork, id: string, expiresAt: Date, first: boolean): Promise<void> {
  return paymentLinkLifecycle.scheduleExpiry(uow, id, expiresAt, first ? `expire:${id}` : `expire:${id}:${expiresAt.toISOString()}`);
}

/** Creates an active link, its expiry job and its `payment_link`/`active` event in one transaction. */
export async function createPaymentLink(deps: PaymentLinkDeps, ctx: TenantContext, body: CreatePaymentLinkBody): Promise<PaymentLink> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  const fields = validateCreate(body, now);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    if (!(await findCustomer(tx, tenant, fields.customerId))) throw errors.notFound('Customer');
    if (fields.documentId !== null && !(await findDocument(tx, tenant, fields.documentId))) throw errors.notFound('Document');
    if (fields.priceId !== null && !(await findPrice(tx, tenant, fields.priceId))) throw errors.notFound('Price');
    const row = await insertWithFreshId(tx, paymentLinks, () => newId(ID_PREFIXES.paymentLink, now), {
      ...tenant,
      ...fields,
      status: 'active',
      lastReminderSentAt: null,
      rfiDocuments: null,
      createdAt: now,
      updatedAt: now,
    });
    await scheduleExpiry(uow, row.id, row.expiresAt, true);
    return paymentLinkLifecycle.record(uow, row);
  });
}

/** The tenant's link row, or undefined: for other modules in their own queries or transactions. */
/** The tenant's payment links a bank transfer could pay (`AwaitingTransferQuery`), newest first, at most `limit`. */
export async function findPaymentLinksAwaitingTransfer(
  db: DbOrTx, tenant: Tenant, query: Omit<AwaitingTransferQuery, 'quotedColumn'>, limit: number,
): Promise<PaymentLinkRow[]> {
  return db.select().from(paymentLinks).where(and(tenantFilter(paymentLinks, tenant), awaitingTransferFilter(paymentLinks, query)))
    .orderBy(desc(paymentLinks.createdAt), desc(paymentLinks.id)).limit(limit);
}

/** A payment link's path id: `plink_`, or the `payin_` of a link made before (400 `Id must start with 'plink_'`). */
function assertPaymentLinkId(id: string): void {
  if (!id.startsWith(`${ID_PREFIXES.legacyPaymentLink}_`)) assertIdPrefix(ID_PREFIXES.paymentLink, id);
}

export async function findPaymentLink(db: DbOrTx, tenant: Tenant, id: string): Promise<PaymentLinkRow | undefined> {
  const [row] = await db.select().from(paymentLinks).where(and(tenantFilter(paymentLinks, tenant), eq(paymentLinks.id, id)));
  return row;
}

export async function getPaymentLink(deps: Pick<PaymentLinkDeps, 'db'>, tenant: Tenant, id: string): Promise<PaymentLink> {
  assertPaymentLinkId(id);
  const row = await findPaymentLink(deps.db, tenant, id);
  if (!row) throw errors.notFound('Payment link');
  return presentPaymentLink(row);
}

export async function listPaymentLinks(
  deps: Pick<PaymentLinkDeps, 'db'>,
  tenant: Tenant,
  query: ListPaymentLinksQuery,
): Promise<{ data: PaymentLink[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(paymentLinks, tenant)];
  if (query.customer_id !== undefined) {
    const customerId = query.customer_id.trim();
    if (!customerId.startsWith(`${ID_PREFIXES.customer}_`)) throw errors.invalidParameter('Invalid customer_id');
    where.push(eq(paymentLinks.customerId, customerId));
  }
  if (query.status !== undefined) where.push(eq(paymentLinks.status, query.status as PaymentLinkStatus));
  const page = await listPage(deps.db, paymentLinks, where, pageRequest(query));
  return { data: page.rows.map(presentPaymentLink), page_meta: page.meta };
}

/**
 * The status changes the lifecycle allows (the orders' lifecycle, notes-payins §6.6, plus cancel). `paid`,
 * `failed`, `cancelled` and `expired` are terminal.
 */
const TRANSITIONS: Record<PaymentLinkStatus, readonly PaymentLinkStatus[]> = {
  active: ['paid', 'partially_paid', 'failed', 'action_required', 'cancelled', 'expired'],
  action_required: ['under_review', 'failed', 'cancelled', 'expired'],
  under_review: ['active', 'action_required', 'failed', 'cancelled', 'expired'],
  partially_paid: ['paid', 'failed'],
  paid: [],
  failed: [],
  cancelled: [],
  expired: [],
};

/** The links' lock, moves and expiry: the lifecycle kernel over their table; a move keeps the RFI documents unless it sets them. */
const paymentLinkLifecycle = defineLifecycle({
  table: paymentLinks,
  entity: 'Payment link',
  entityType: PAYMENT_LINK_ENTITY_TYPE,
  transitions: TRANSITIONS,
  present: presentPaymentLink,
  expiry: { statuses: EXPIRABLE_STATUSES, to: 'expired', expiresAt: (row) => row.expiresAt, job: { queue: PAYMENT_LINK_EXPIRE_QUEUE, idKey: 'paymentLinkId' } },
});

/** Locks the tenant's link row for the rest of the transaction; undefined when there is none. */
export function lockPaymentLink(tx: Tx, tenant: Tenant, id: string): Promise<PaymentLinkRow | undefined> {
  return paymentLinkLifecycle.lock(tx, tenant, id);
}

export interface PaymentLinkTransition {
  to: PaymentLinkStatus;
  /** Required when moving to `action_required`: the names of the documents compliance needs (e.g. `Passport`). */
  requiredDocuments?: string[];
}

/**
 * Moves a link to another status and records its event, with the caller's transaction handle (a payment, a
 * compliance decision). Locks the row first. 404 for a link that is not the tenant's, 400 for a change the
 * lifecycle does not allow.
 */
export async function transitionPaymentLink(
  uow: UnitOfWork,
  id: string,
  transition: PaymentLinkTransition,
): Promise<PaymentLink> {
  const { tx, clock, tenant } = uow;
  const current = await paymentLinkLifecycle.mustLock(tx, tenant, id);
  const rfiDocuments = transition.to === 'action_required'
    ? newRfiRequirements(transition.requiredDocuments ?? [], clock, 'a payment link')
    : current.rfiDocuments;
  return (await paymentLinkLifecycle.apply(uow, current, transition.to, { rfiDocuments })).presented;
}

/**
 * `PATCH /payin/{id}`: `reminder_frequency` and `expires_at`, only while the link is active. A new `expires_at`
 * gets its own expiry job; the earlier one finds the link not yet due and does nothing. No event: the catalogue
 * has none for a changed link.
 */
export async function updatePaymentLink(deps: PaymentLinkDeps, ctx: TenantContext, id: string, body: UpdatePaymentLinkBody): Promise<PaymentLink> {
  const { tenant, clock } = ctx;
  assertPaymentLinkId(id);
  const now = clock.now();
  const reminderFrequency = parseReminderFrequency(body.reminder_frequency);
  const expiresAt = body.expires_at === undefined ? null : parseExpiresAt(body.expires_at, now);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const current = await paymentLinkLifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'active') throw errors.paymentLinkNotActive(current.status, 'updated');
    const changes: Partial<PaymentLinkRow> = { updatedAt: now };
    if (reminderFrequency !== null) changes.reminderFrequency = reminderFrequency;
    if (expiresAt !== null) changes.expiresAt = expiresAt;
    const [row] = await tx.update(paymentLinks).set(changes)
      .where(and(tenantFilter(paymentLinks, tenant), eq(paymentLinks.id, id)))
      .returning();
    if (expiresAt !== null && expiresAt.getTime() !== current.expiresAt.getTime()) {
      await scheduleExpiry(uow, id, expiresAt, false);
    }
    return presentPaymentLink(row!);
  });
}

/** `PATCH /payin/{id}/cancel`: active → cancelled with its event; any other status answers 400. */
export async function cancelPaymentLink(deps: PaymentLinkDeps, ctx: TenantContext, id: string): Promise<PaymentLink> {
  const { tenant } = ctx;
  assertPaymentLinkId(id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const current = await paymentLinkLifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'active') throw errors.paymentLinkNotActive(current.status, 'cancelled');
    return (await paymentLinkLifecycle.apply(uow, current, 'cancelled')).presented;
  });
}

/** The runner's handler of `payment_links.expire` (the lifecycle kernel's: a moved, paid or cancelled link's job does nothing). */
export const paymentLinkJobHandlers = (deps: { db: Db }) => paymentLinkLifecycle.expiryJobHandlers(deps.db);

/**
 * `PATCH /payin/{id}/update_rfi`: one document per required `rfi_doc_id`, each the tenant's; the link moves to
 * `under_review` with its event, in one transaction.
 */
export async function updatePaymentLinkRfi(
  deps: PaymentLinkDeps,
  ctx: TenantContext,
  id: string,
  body: UpdatePaymentLinkRfiBody,
): Promise<PaymentLink> {
  const { tenant } = ctx;
  assertPaymentLinkId(id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const current = await paymentLinkLifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'action_required') throw errors.documentsOnlyWhenActionRequired('Payment link', current.status);
    const rfiDocuments = await answerRfiRequirements(tx, tenant, current.rfiDocuments ?? [], body.documents, 'payment link', findDocument);
    return (await paymentLinkLifecycle.apply(uow, current, 'under_review', { rfiDocuments })).presented;
  });
}

/**
 * Sandbox `PATCH /payin/{id}/mock_mark_reviewed`: an `under_review` link goes back to `active` (notes-payins §13).
 * A link whose `expires_at` passed while it was under review expires instead of reviving.
 */
export async function mockMarkPaymentLinkReviewed(deps: PaymentLinkDeps, ctx: TenantContext, id: string): Promise<PaymentLink> {
  const { tenant, clock } = ctx;
  assertPaymentLinkId(id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const current = await paymentLinkLifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'under_review') throw errors.paymentLinkNotUnderReview();
    const due = paymentLinkLifecycle.isDue(current, clock);
    return (await paymentLinkLifecycle.apply(uow, current, due ? 'expired' : 'active')).presented;
  });
}

/** The payment link operations the routes call, built once by the composition root. */
export function createPaymentLinkService(deps: PaymentLinkDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreatePaymentLinkBody) => createPaymentLink(deps, ctx, body),
    list: (ctx: TenantContext, query: ListPaymentLinksQuery) => listPaymentLinks(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getPaymentLink(deps, ctx.tenant, id),
    update: (ctx: TenantContext, id: string, body: UpdatePaymentLinkBody) =>
      updatePaymentLink(deps, ctx, id, body),
    cancel: (ctx: TenantContext, id: string) => cancelPaymentLink(deps, ctx, id),
    updateRfi: (ctx: TenantContext, id: string, body: UpdatePaymentLinkRfiBody) =>
      updatePaymentLinkRfi(deps, ctx, id, body),
    mockMarkReviewed: (ctx: TenantContext, id: string) => mockMarkPaymentLinkReviewed(deps, ctx, id),
  });
}

export type PaymentLinkService = ReturnType<typeof createPaymentLinkService>;
