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
import { inUnitOfWork, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { enqueueJob, tenantRowPayload, type JobHandler } from '../../core/jobs.js';
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

/** What presenting a link needs: the server's public origin, the base of its `payment_link` URL. */
export interface PaymentLinkOrigin {
  publicUrl: string;
}

export interface PaymentLinkDeps extends PaymentLinkOrigin {
  db: Db;
  /**
   * Sends one reminder of the link to its customer, in the reminder's transaction (decision 0037): the composition
   * root queues the customer mail there (decision 0041). Without it the reminder is only recorded (`last_reminder_sent_at`).
   */
  sendReminder?: PaymentLinkReminderSender;
  /** Sends a new link to its customer, in the creating transaction (decision 0041: the contract is silent, so always). */
  sendLink?: PaymentLinkReminderSender;
}

/**
 * What a reminder (or a new link) hands the mail: the link as the API presents it, with its transaction handle, and
 * the customer when the caller holds its row already (creation), so the mail does not read it again.
 */
export type PaymentLinkReminderSender = (uow: UnitOfWork, link: PaymentLink, customer?: { email: string; name: string }) => Promise<void>;

export type PaymentLinkRow = typeof paymentLinks.$inferSelect;

/** The webhook catalogue's entity type for payment links. */
export const PAYMENT_LINK_ENTITY_TYPE = 'payment_link';
/** The queue of the job that expires a link at its `expires_at` (jobs.ts). */
export const PAYMENT_LINK_EXPIRE_QUEUE = 'payment_links.expire';
/** The queue of the job that records a link's reminder on its `reminder_frequency` and schedules the next (decision 0037). */
export const PAYMENT_LINK_REMIND_QUEUE = 'payment_links.remind';
const DAY_MS = 24 * 60 * 60 * 1000;
/** `expires_at` may be at most this many months ahead (the contract's "up to 6 months in the future"). */
const MAX_LIFETIME_MONTHS = 6;

/**
 * Statuses a link still expires from: while it waits for payment or for compliance. `paid`, `partially_paid`,
 * `failed`, `cancelled` and `expired` keep their status when `expires_at` passes.
 */
export const EXPIRABLE_STATUSES: readonly PaymentLinkStatus[] = ['active', 'action_required', 'under_review'];

/** The statuses a customer can pay a link in (a partial link stays payable until it is paid in full). */
export const PAYABLE_STATUSES: readonly PaymentLinkStatus[] = ['active', 'partially_paid'];

/** The hosted page of a link, where its `payment_link` points (decision 0037; the contract's example is `…/payin/pl/…`). */
export const paymentLinkPagePath = (id: string) => `/payin/pl/${id}`;

/** What remains to be paid of the link, in its currency. */
export const remainingOf = (row: Pick<PaymentLinkRow, 'amount' | 'amountPaid'>): bigint => row.amount - row.amountPaid;

export function presentPaymentLink(row: PaymentLinkRow, origin: PaymentLinkOrigin): PaymentLink {
  return withoutNulls({
    id: row.id,
    // Only once the link can be paid (the contract: generated after review), and while it can.
    payment_link: PAYABLE_STATUSES.includes(row.status) ? `${origin.publicUrl}${paymentLinkPagePath(row.id)}` : null,
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
    allow_partial_payments: row.allowPartialPayments,
    // A link paid before amount_paid existed (migration 0023) reads 0 there; paid means paid in full.
    amount_paid: jsonAmount(row.amountPaid),
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
    allowPartialPayments: body.allow_partial_payments ?? false,
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
  return paymentLinkLifecycleFor(NO_ORIGIN).scheduleExpiry(uow, id, expiresAt, first ? `expire:${id}` : `expire:${id}:${expiresAt.toISOString()}`);
}

/**
 * The next reminder after `from`: `reminder_frequency` days later, or null when there is no frequency or the link
 * expires first (no reminder of a link that can no longer be paid).
 */
function nextReminderAfter(row: Pick<PaymentLinkRow, 'reminderFrequency' | 'expiresAt'>, from: Date): Date | null {
  if (row.reminderFrequency === null) return null;
  const at = new Date(from.getTime() + row.reminderFrequency * DAY_MS);
  return at.getTime() < row.expiresAt.getTime() ? at : null;
}

/**
 * Sets the link's next reminder (null: none) and enqueues its job, with the caller's handle. One job per (link, time);
 * a job whose time is no longer the link's `next_reminder_at` (the frequency changed since) does nothing.
 */
async function scheduleReminder(uow: UnitOfWork, id: string, at: Date | null): Promise<void> {
  await uow.tx.update(paymentLinks).set({ nextReminderAt: at }).where(and(tenantFilter(paymentLinks, uow.tenant), eq(paymentLinks.id, id)));
  if (at === null) return;
  await enqueueJob(uow, {
    queue: PAYMENT_LINK_REMIND_QUEUE,
    payload: { merchantId: uow.tenant.merchantId, env: uow.tenant.env, paymentLinkId: id, at: at.toISOString() },
    runAt: at,
    uniqueKey: `remind:${id}:${at.toISOString()}`,
  });
}

/** Creates an active link, its expiry job, its `payment_link`/`active` event and its mail to the customer in one transaction. */
export async function createPaymentLink(deps: PaymentLinkDeps, ctx: TenantContext, body: CreatePaymentLinkBody): Promise<PaymentLink> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  const fields = validateCreate(body, now);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const customer = await findCustomer(tx, tenant, fields.customerId);
    if (!customer) throw errors.notFound('Customer');
    if (fields.documentId !== null && !(await findDocument(tx, tenant, fields.documentId))) throw errors.notFound('Document');
    if (fields.priceId !== null && !(await findPrice(tx, tenant, fields.priceId))) throw errors.notFound('Price');
    const row = await insertWithFreshId(tx, paymentLinks, () => newId(ID_PREFIXES.paymentLink, now), {
      ...tenant,
      ...fields,
      status: 'active',
      lastReminderSentAt: null,
      nextReminderAt: nextReminderAfter(fields, now),
      amountPaid: 0n,
      rfiDocuments: null,
      createdAt: now,
      updatedAt: now,
    });
    await scheduleExpiry(uow, row.id, row.expiresAt, true);
    await scheduleReminder(uow, row.id, row.nextReminderAt);
    const link = await paymentLinkLifecycleFor(deps).record(uow, row);
    await deps.sendLink?.(uow, link, customer);
    return link;
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

/** The link with this id in any tenant, with its tenant; undefined for an unknown id or one that is no link's. */
export async function locatePaymentLink(db: DbOrTx, id: string): Promise<{ tenant: Tenant; row: PaymentLinkRow } | undefined> {
  if (!id.startsWith(`${ID_PREFIXES.paymentLink}_`) && !id.startsWith(`${ID_PREFIXES.legacyPaymentLink}_`)) return undefined;
  const [row] = await db.select().from(paymentLinks).where(eq(paymentLinks.id, id));
  return row && { tenant: { merchantId: row.merchantId, env: row.env }, row };
}

export async function findPaymentLink(db: DbOrTx, tenant: Tenant, id: string): Promise<PaymentLinkRow | undefined> {
  const [row] = await db.select().from(paymentLinks).where(and(tenantFilter(paymentLinks, tenant), eq(paymentLinks.id, id)));
  return row;
}

export async function getPaymentLink(deps: Pick<PaymentLinkDeps, 'db' | 'publicUrl'>, tenant: Tenant, id: string): Promise<PaymentLink> {
  assertPaymentLinkId(id);
  const row = await findPaymentLink(deps.db, tenant, id);
  if (!row) throw errors.notFound('Payment link');
  return presentPaymentLink(row, deps);
}

export async function listPaymentLinks(
  deps: Pick<PaymentLinkDeps, 'db' | 'publicUrl'>,
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
  return { data: page.rows.map((row) => presentPaymentLink(row, deps)), page_meta: page.meta };
}

/**
 * The status changes the lifecycle allows (the orders' lifecycle, notes-payins §6.6, plus cancel). `paid`,
 * `failed`, `cancelled` and `expired` are terminal. `partially_paid` → `partially_paid` is a further part paid.
 */
const TRANSITIONS: Record<PaymentLinkStatus, readonly PaymentLinkStatus[]> = {
  active: ['paid', 'partially_paid', 'failed', 'action_required', 'cancelled', 'expired'],
  action_required: ['under_review', 'failed', 'cancelled', 'expired'],
  under_review: ['active', 'action_required', 'failed', 'cancelled', 'expired'],
  partially_paid: ['partially_paid', 'paid', 'failed'],
  paid: [],
  failed: [],
  cancelled: [],
  expired: [],
};

/**
 * The links' lock, moves and expiry: the lifecycle kernel over their table, presenting (in every event) with the
 * server's origin; a move keeps the RFI documents unless it sets them. One per origin (in practice one per process).
 */
function definePaymentLinkLifecycle(origin: PaymentLinkOrigin) {
  return defineLifecycle({
    table: paymentLinks,
    entity: 'Payment link',
    entityType: PAYMENT_LINK_ENTITY_TYPE,
    transitions: TRANSITIONS,
    present: (row: PaymentLinkRow) => presentPaymentLink(row, origin),
    expiry: { statuses: EXPIRABLE_STATUSES, to: 'expired', expiresAt: (row) => row.expiresAt, job: { queue: PAYMENT_LINK_EXPIRE_QUEUE, idKey: 'paymentLinkId' } },
  });
}
type PaymentLinkLifecycle = ReturnType<typeof definePaymentLinkLifecycle>;
const lifecycles = new Map<string, PaymentLinkLifecycle>();
function paymentLinkLifecycleFor(origin: PaymentLinkOrigin): PaymentLinkLifecycle {
  let lifecycle = lifecycles.get(origin.publicUrl);
  if (!lifecycle) lifecycles.set(origin.publicUrl, lifecycle = definePaymentLinkLifecycle(origin));
  return lifecycle;
}
/** For what presents nothing (locks, job scheduling). */
const NO_ORIGIN: PaymentLinkOrigin = { publicUrl: '' };

/** Locks the tenant's link row for the rest of the transaction; undefined when there is none. */
export function lockPaymentLink(tx: Tx, tenant: Tenant, id: string): Promise<PaymentLinkRow | undefined> {
  return paymentLinkLifecycleFor(NO_ORIGIN).lock(tx, tenant, id);
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
  origin: PaymentLinkOrigin,
  uow: UnitOfWork,
  id: string,
  transition: PaymentLinkTransition,
): Promise<PaymentLink> {
  const { tx, clock, tenant } = uow;
  const lifecycle = paymentLinkLifecycleFor(origin);
  const current = await lifecycle.mustLock(tx, tenant, id);
  const rfiDocuments = transition.to === 'action_required'
    ? newRfiRequirements(transition.requiredDocuments ?? [], clock, 'a payment link')
    : current.rfiDocuments;
  return (await lifecycle.apply(uow, current, transition.to, { rfiDocuments })).presented;
}

/**
 * A successful payment of `part` of the link (its currency, net of a customer-borne fee), in the payment's
 * transaction: under the link's row lock, so that concurrent parts never pay more than the amount. The link moves to
 * `paid` once paid in full, else `partially_paid` (each part its event); a part larger than what remains is refused
 * (400), and so is less than all of it on a link that does not allow partial payments. A link that is not payable
 * answers the lifecycle's INVALID_STATE. Answers the link and what it had been paid before (the payment's
 * `payin_paid_before`).
 */
export async function recordPaymentLinkPayment(
  origin: PaymentLinkOrigin, uow: UnitOfWork, id: string, part: bigint,
): Promise<{ link: PaymentLink; paidBefore: bigint }> {
  const lifecycle = paymentLinkLifecycleFor(origin);
  const current = await lifecycle.mustLock(uow.tx, uow.tenant, id);
  if (!PAYABLE_STATUSES.includes(current.status)) lifecycle.assertMove(current, 'paid');
  const remaining = remainingOf(current);
  if (part > remaining) throw errors.paymentLinkPartTooLarge(current.currency, remaining);
  if (part < remaining && !current.allowPartialPayments) throw errors.paymentLinkPartialNotAllowed();
  const amountPaid = current.amountPaid + part;
  const to = amountPaid === current.amount ? 'paid' : 'partially_paid';
  // A paid link sends no more reminders.
  const fields = to === 'paid' ? { amountPaid, nextReminderAt: null } : { amountPaid };
  return { link: (await lifecycle.apply(uow, current, to, fields)).presented, paidBefore: current.amountPaid };
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
    const current = await paymentLinkLifecycleFor(deps).mustLock(tx, tenant, id);
    if (current.status !== 'active') throw errors.paymentLinkNotActive(current.status, 'updated');
    const changes: Partial<PaymentLinkRow> = { updatedAt: now };
    if (reminderFrequency !== null) changes.reminderFrequency = reminderFrequency;
    if (expiresAt !== null) changes.expiresAt = expiresAt;
    let [row] = await tx.update(paymentLinks).set(changes)
      .where(and(tenantFilter(paymentLinks, tenant), eq(paymentLinks.id, id)))
      .returning();
    if (expiresAt !== null && expiresAt.getTime() !== current.expiresAt.getTime()) {
      await scheduleExpiry(uow, id, expiresAt, false);
    }
    // A new frequency counts from now; a new expiry may end (or, moved later, allow) the pending reminder.
    const frequencyChanged = reminderFrequency !== null && reminderFrequency !== current.reminderFrequency;
    const next = frequencyChanged || row!.nextReminderAt === null
      ? nextReminderAfter(row!, now)
      : (row!.nextReminderAt.getTime() < row!.expiresAt.getTime() ? row!.nextReminderAt : null);
    if ((next?.getTime() ?? null) !== (row!.nextReminderAt?.getTime() ?? null)) {
      await scheduleReminder(uow, id, next);
      row = { ...row!, nextReminderAt: next };
    }
    return presentPaymentLink(row!, deps);
  });
}

/** `PATCH /payin/{id}/cancel`: active → cancelled with its event; any other status answers 400. */
export async function cancelPaymentLink(deps: PaymentLinkDeps, ctx: TenantContext, id: string): Promise<PaymentLink> {
  const { tenant } = ctx;
  assertPaymentLinkId(id);
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const lifecycle = paymentLinkLifecycleFor(deps);
    const current = await lifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'active') throw errors.paymentLinkNotActive(current.status, 'cancelled');
    return (await lifecycle.apply(uow, current, 'cancelled', { nextReminderAt: null })).presented;
  });
}

/**
 * The reminder job's work, under the link's lock: the reminder due at `at` is sent (`sendReminder`) and recorded as
 * `last_reminder_sent_at` (the tenant's now), and the next one scheduled, while the link is payable and not expired.
 * A job for another time (the frequency changed since), or for a link paid, cancelled or expired, ends the schedule
 * or does nothing. No event: the webhook catalogue has none for a reminder.
 */
export async function remindPaymentLink(deps: PaymentLinkDeps, uow: UnitOfWork, id: string, at: Date): Promise<boolean> {
  const row = await lockPaymentLink(uow.tx, uow.tenant, id);
  if (!row || row.nextReminderAt === null || row.nextReminderAt.getTime() !== at.getTime()) return false;
  const now = uow.clock.now();
  if (!PAYABLE_STATUSES.includes(row.status) || row.expiresAt.getTime() <= now.getTime()) {
    await scheduleReminder(uow, id, null);
    return false;
  }
  const [reminded] = await uow.tx.update(paymentLinks).set({ lastReminderSentAt: now })
    .where(and(tenantFilter(paymentLinks, uow.tenant), eq(paymentLinks.id, id))).returning();
  await deps.sendReminder?.(uow, presentPaymentLink(reminded!, deps));
  await scheduleReminder(uow, id, nextReminderAfter(row, now));
  return true;
}

/**
 * The runner's handlers: `payment_links.expire` (the lifecycle kernel's: a moved, paid or cancelled link's job does
 * nothing) and `payment_links.remind`.
 */
export function paymentLinkJobHandlers(deps: PaymentLinkDeps): Record<string, JobHandler> {
  return {
    ...paymentLinkLifecycleFor(deps).expiryJobHandlers(deps.db),
    [PAYMENT_LINK_REMIND_QUEUE]: async (job) => {
      const target = tenantRowPayload(job.payload, 'paymentLinkId');
      const at = typeof job.payload.at === 'string' ? new Date(job.payload.at) : null;
      if (!target || at === null || Number.isNaN(at.getTime())) return { status: 'dead', error: `malformed ${PAYMENT_LINK_REMIND_QUEUE} payload` };
      await inUnitOfWork(deps.db, { tenant: target.tenant, clock: job.clock }, (uow) => remindPaymentLink(deps, uow, target.id, at));
      return { status: 'done' };
    },
  };
}

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
    const lifecycle = paymentLinkLifecycleFor(deps);
    const current = await lifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'action_required') throw errors.documentsOnlyWhenActionRequired('Payment link', current.status);
    const rfiDocuments = await answerRfiRequirements(tx, tenant, current.rfiDocuments ?? [], body.documents, 'payment link', findDocument);
    return (await lifecycle.apply(uow, current, 'under_review', { rfiDocuments })).presented;
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
    const lifecycle = paymentLinkLifecycleFor(deps);
    const current = await lifecycle.mustLock(tx, tenant, id);
    if (current.status !== 'under_review') throw errors.paymentLinkNotUnderReview();
    const due = lifecycle.isDue(current, clock);
    return (await lifecycle.apply(uow, current, due ? 'expired' : 'active')).presented;
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
    /** The tenant's link row, or undefined (the hosted page). */
    find: (ctx: TenantContext, id: string) => findPaymentLink(deps.db, ctx.tenant, id),
    /** The link of a page URL by its id alone, with its tenant: the one cross-tenant read (the hosted page, decision 0037). */
    locate: (id: string) => locatePaymentLink(deps.db, id),
    present: (row: PaymentLinkRow) => presentPaymentLink(row, deps),
    /** The runner's handlers of the links' queues (jobs.ts). */
    jobHandlers: () => paymentLinkJobHandlers(deps),
  });
}

export type PaymentLinkService = ReturnType<typeof createPaymentLinkService>;
