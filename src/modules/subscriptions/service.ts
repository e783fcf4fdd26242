// Subscriptions: create (with the job that expires an unpaid link), retrieve, list, pause, resume, cancel, a moved
// next payment date, the sandbox's renewal outcome; the first instalment (the hosted page and server-to-server
// payments call it), as-presented charges, and the renewals and dunning the scheduler runs as jobs. Every status
// change goes through the lifecycle kernel with its `subscription` event; every charge is a payment of
// subscription-payments.ts in the same transaction as the subscription's change, under the subscription's row lock.
import { and, eq, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { subscriptions, type SubscriptionStatus } from '../../db/schema/index.js';
import { jsonAmount } from '../../core/amount.js';
import { inUnitOfWork, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { enqueueJob, tenantRowPayload, type Job, type JobOutcome } from '../../core/jobs.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { findCustomer } from '../customers/service.js';
import { checkNotesAndMethods, isPayinCurrency, optionalText, PAYIN_CURRENCIES } from '../orders/service.js';
import { presentPayment, type CardOutcome, type Payment, type PaymentRow } from '../payments/service.js';
import { daysBetween, isCalendarDate, plusDays, plusMonths, utcDate, type CalendarDate } from '../../core/calendar.js';
import {
  attemptDueAt,
  cycleOn,
  endDate,
  maxBillingCycles,
  MAX_ATTEMPTS,
  movedTo,
  nextAfterBilled,
  nextOnResume,
  type Schedule,
} from './schedule.js';
import type { CreateSubscriptionBody, ListSubscriptionsQuery, Subscription } from './schemas.js';

/** The card charged: only these fields, never the number or the CVV. */
export interface ChargedCard {
  network: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
}

/**
 * What the subscriptions module needs of payments, handed in by the composition root (payments' subscription-payments.ts
 * is it; a module reaches another only through its service.ts, and payments' must not import this one back).
 */
export interface SubscriptionPayments {
  /** Records a payment of cycle `cycle` in the caller's transaction (for success with its journal), and its event. */
  record(uow: UnitOfWork, input: {
    subscription: SubscriptionRow;
    cycle: number;
    amount?: bigint;
    card: ChargedCard;
    autoDebit: boolean;
    requestId: string | null;
    outcome: 'success' | 'failed';
    /** The caller's writes, after the payment's row and event and before its journal (which locks the merchant's accounts). */
    beforeJournal?: (row: PaymentRow) => Promise<void>;
  }): Promise<PaymentRow>;
  /** The highest cycle of the subscription a successful payment billed, 0 when none did. */
  lastBilledCycle(db: DbOrTx, tenant: Tenant, subscriptionId: string): Promise<number>;
}

export interface SubscriptionDeps {
  db: Db;
  /** The server's public origin: `subscription_link_url` is `<publicUrl>/subscription/<id>`. */
  publicUrl: string;
  payments: SubscriptionPayments;
  /**
   * Tells the customer of a change, in the change's transaction: called only for subscriptions created with
   * `notify_customer: true`. The composition root queues the customer mail there (decision 0041).
   */
  notifyCustomer?: SubscriptionNotifier;
}

/** A change of a subscription its customer is told of (with `notify_customer: true`). */
export type SubscriptionNotice =
  /** Created: the link to pay the first instalment or authorise the card. */
  | { kind: 'created' }
  /** The card saved for a future start date (pre-authorisation). */
  | { kind: 'authorized' }
  /** A charge of the card succeeded: the first instalment, a renewal or an as_presented charge. */
  | { kind: 'charged'; amount: bigint }
  /** A renewal was declined; it is retried at `retryAt`. */
  | { kind: 'payment_failed'; amount: bigint; retryAt: Date }
  /** The last retry was declined: halted. */
  | { kind: 'halted' }
  | { kind: 'cancelled' };

/**
 * The seam of the customer notices: the subscription as the API presents it after the change, what changed, and the
 * customer when the caller holds its row already (creation), so the mail does not read it again.
 */
export type SubscriptionNotifier = (
  uow: UnitOfWork, subscription: Subscription, notice: SubscriptionNotice, customer?: { email: string; name: string },
) => Promise<void>;

export type SubscriptionRow = typeof subscriptions.$inferSelect;

/** The webhook catalogue's entity type for subscriptions. */
export const SUBSCRIPTION_ENTITY_TYPE = 'subscription';
/** The queue of the job that expires an unpaid subscription link after its `expires_at` day. */
export const SUBSCRIPTION_EXPIRE_QUEUE = 'subscriptions.expire';
/** The queue of the renewal attempts: a cycle's charge on its date and the dunning retries. */
export const SUBSCRIPTION_RENEW_QUEUE = 'subscriptions.renew';
/** `expires_at` may be at most this many months after `start_date`. */
const MAX_LINK_MONTHS = 6;
/** A moved next payment date: at least this many days after today, and at most the second. */
const NEXT_DATE_MIN_DAYS = 2;
const NEXT_DATE_MAX_DAYS = 28;
/** The statuses a subscription can still be cancelled from. */
const CANCELLABLE: readonly SubscriptionStatus[] = ['created', 'authorized', 'active', 'paused', 'halted', 'action_required', 'under_review'];

/** The card the customer gave for the first instalment: checked already; never the number or the CVV. */
export interface InstalmentCard {
  network: string;
  last4: string;
  expMonth: number;
  expYear: number;
  outcome: CardOutcome;
}

export function presentSubscription(row: SubscriptionRow, publicUrl: string): Subscription {
  const present = withoutNulls({
    id: row.id,
    customer_id: row.customerId,
    product_name: row.productName,
    product_description: row.productDescription,
    plan_name: row.planName,
    plan_description: row.planDescription,
    reference_number: row.referenceNumber,
    status: row.status,
    amount: jsonAmount(row.amount),
    currency: row.currency,
    interval_type: row.intervalType,
    interval_count: row.intervalCount,
    billing_cycles: row.billingCycles,
    max_amount: row.maxAmount === null ? null : jsonAmount(row.maxAmount),
    // Every subscription has a start date (as_presented ones the day they were created).
    start_date: row.startDate!,
    end_date: row.endDate,
    expires_at: row.expiresAt!,
    subscription_link_url: `${publicUrl}/subscription/${row.id}`,
    notes: row.notes,
  });
  // The contract's nullables are sent as null: `next_payment_date` is null while none is scheduled.
  return { ...present, next_payment_date: row.nextPaymentDate, cancelled_at: row.cancelledAt === null ? null : utcDate(row.cancelledAt) };
}

/** The schedule of a fixed-frequency row (undefined for as_presented). */
function scheduleOf(row: SubscriptionRow): Schedule | undefined {
  if (row.intervalType === 'as_presented' || row.scheduleAnchor === null) return undefined;
  return {
    intervalType: row.intervalType,
    intervalCount: row.intervalCount!,
    billingCycles: row.billingCycles!,
    anchor: row.scheduleAnchor,
    anchorCycle: row.scheduleAnchorCycle,
  };
}

const TRANSITIONS: Record<SubscriptionStatus, readonly SubscriptionStatus[]> = {
  created: ['active', 'authorized', 'expired', 'cancelled'],
  authorized: ['active', 'halted', 'cancelled'],
  active: ['paused', 'halted', 'completed', 'cancelled'],
  paused: ['active', 'completed', 'cancelled'],
  halted: ['active', 'completed', 'cancelled'],
  // Not produced by this server (no RFI at creation), but cancellable like any open subscription.
  action_required: ['cancelled'],
  under_review: ['cancelled'],
  completed: [],
  cancelled: [],
  expired: [],
  failed: [],
};

/** The end of the link's last day (UTC): `expires_at` names a day, and the link can be paid all of it. */
const linkExpiresAt = (row: Pick<SubscriptionRow, 'expiresAt'>) => new Date(`${plusDays(row.expiresAt!, 1)}T00:00:00Z`);

function subscriptionLifecycle(publicUrl: string) {
  return defineLifecycle({
    table: subscriptions,
    entity: 'Subscription',
    entityType: SUBSCRIPTION_ENTITY_TYPE,
    transitions: TRANSITIONS,
    present: (row: SubscriptionRow) => presentSubscription(row, publicUrl),
    expiry: { statuses: ['created'], to: 'expired', expiresAt: linkExpiresAt, job: { queue: SUBSCRIPTION_EXPIRE_QUEUE, idKey: 'subscriptionId' } },
  });
}
type SubscriptionLifecycle = ReturnType<typeof subscriptionLifecycle>;

/** What the operations share: the dependencies and the lifecycle over the table, built once per service. */
interface Module extends SubscriptionDeps {
  lifecycle: SubscriptionLifecycle;
}

// ---------------------------------------------------------------------------------------------------------------
// The card on file.

/**
 * A saved card's token. A sandbox token names its test card's outcome class (as Stripe's test tokens do:
 * `tok_chargeDeclined`), so that renewals know how the saved card ends without keeping its number.
 */
function cardToken(tenant: Tenant, outcome: CardOutcome, now: Date): string {
  const id = newId(ID_PREFIXES.cardToken, now);
  return tenant.env === 'sandbox' ? id.replace(`${ID_PREFIXES.cardToken}_`, `${ID_PREFIXES.cardToken}_test_${outcome}_`) : id;
}

const TEST_TOKEN = new RegExp(`^${ID_PREFIXES.cardToken}_test_(success|failure)_`);

/**
 * How a charge of the saved card ends: in the sandbox, the subscription's mock outcome if set, else the saved test
 * card's. In production this server has no card processor: a charge fails.
 */
function chargeOutcome(tenant: Tenant, row: SubscriptionRow): 'success' | 'failed' {
  if (tenant.env !== 'sandbox') return 'failed';
  if (row.mockRenewalOutcome !== null) return row.mockRenewalOutcome;
  return TEST_TOKEN.exec(row.cardToken ?? '')?.[1] === 'success' ? 'success' : 'failed';
}

const cardOnFile = (row: SubscriptionRow): ChargedCard =>
  ({ network: row.cardNetwork, last4: row.cardLast4, expMonth: row.cardExpMonth, expYear: row.cardExpYear });

// ---------------------------------------------------------------------------------------------------------------
// Jobs.

/** The renewal attempt a job makes: cycle `cycle` due on `date`, attempt `attempt` (0 = the first, then retries). */
interface RenewalTarget {
  cycle: number;
  date: CalendarDate;
  attempt: number;
}

/**
 * Enqueues a renewal attempt with the unit of work's handle, due at its time of day (or now, when that passed: a
 * resume on the due day). The key names the subscription, cycle, attempt and due time: a repeat of the same
 * scheduling is a no-op, and a rescheduled attempt (moved date, resume) gets a job of its own, the stale one
 * finding the subscription changed.
 */
async function scheduleRenewal(uow: UnitOfWork, id: string, target: RenewalTarget): Promise<void> {
  const due = attemptDueAt(target.date, target.attempt);
  const now = uow.clock.now();
  const runAt = due.getTime() < now.getTime() ? new Date(Math.floor(now.getTime() / 1000) * 1000) : due;
  await enqueueJob(uow, {
    queue: SUBSCRIPTION_RENEW_QUEUE,
    payload: { merchantId: uow.tenant.merchantId, env: uow.tenant.env, subscriptionId: id, ...target },
    runAt,
    uniqueKey: `renew:${id}:${target.cycle}:${target.attempt}:${runAt.toISOString()}`,
  });
}


/**
 * Tells the customer of a change of `row` (as it is after the change) when it was created with notify_customer, in the
 * change's transaction. Pauses, resumes, moved dates and expiries are the merchant's business and tell nothing.
 */
async function notify(
  m: Module, uow: UnitOfWork, row: SubscriptionRow, notice: SubscriptionNotice, customer?: { email: string; name: string },
): Promise<void> {
  if (!row.notifyCustomer || !m.notifyCustomer) return;
  await m.notifyCustomer(uow, presentSubscription(row, m.publicUrl), notice, customer);
}

/** A change that is no status move (a billed cycle, a moved date, a saved card): written and sent as `updated`. */
async function update(m: Module, uow: UnitOfWork, row: SubscriptionRow, fields: Partial<SubscriptionRow>, eventType = 'updated'): Promise<SubscriptionRow> {
  const [updated] = await uow.tx.update(subscriptions).set({ ...fields, updatedAt: uow.clock.now() })
    .where(and(tenantFilter(subscriptions, uow.tenant), eq(subscriptions.id, row.id)))
    .returning();
  await recordEvent(uow, { entityType: SUBSCRIPTION_ENTITY_TYPE, eventType, entityId: row.id, data: presentSubscription(updated!, m.publicUrl) });
  return updated!;
}

// ---------------------------------------------------------------------------------------------------------------
// Create.

function parseDate(value: string, field: string): CalendarDate {
  const date = value.trim();
  if (date === '') throw errors.blank(field);
  if (!isCalendarDate(date)) throw errors.validation(`${field === 'start_date' ? 'Start date' : 'Expires at'} must be a date in YYYY-MM-DD format`);
  return date;
}

/** The body's checks that need no database, against the environment's today. */
function validateCreate(body: CreateSubscriptionBody, today: CalendarDate) {
  const customerId = body.customer_id.trim();
  if (customerId === '') throw errors.blank('customer_id');
  if (!customerId.startsWith(`${ID_PREFIXES.customer}_`)) throw errors.validation('Customer ID must start with cust_ and be valid.');
  const productName = body.product_name.trim();
  if (productName === '') throw errors.blank('product_name');
  const productDescription = body.product_description.trim();
  if (productDescription === '') throw errors.blank('product_description');
  if (body.amount < 1 || body.amount > Number.MAX_SAFE_INTEGER) {
    throw errors.validation('Amount must be a positive whole number in the smallest currency unit (e.g., cents)');
  }
  const currency = body.currency.trim().toUpperCase();
  if (currency === '') throw errors.blank('currency');
  if (!isPayinCurrency(currency)) throw errors.unsupportedPayinCurrency(PAYIN_CURRENCIES);
  const intervalType = body.interval_type.trim();
  if (intervalType === '') throw errors.blank('interval_type');
  if (intervalType !== 'month' && intervalType !== 'year' && intervalType !== 'as_presented') {
    throw errors.validation('Interval type must be one of: month, year, as_presented');
  }
  let intervalCount: number | null = null;
  let billingCycles: number | null = null;
  let maxAmount: bigint | null = null;
  if (intervalType === 'as_presented') {
    if (body.interval_count !== undefined) throw errors.validation('Interval count must not be sent for an as_presented subscription');
    if (body.billing_cycles !== undefined) throw errors.validation('Billing cycles must not be sent for an as_presented subscription');
    if (body.max_amount === undefined) throw errors.blank('max_amount');
    if (body.max_amount < 1 || body.max_amount > Number.MAX_SAFE_INTEGER) {
      throw errors.validation('Max amount must be a positive whole number in the smallest currency unit (e.g., cents)');
    }
    if (body.amount > body.max_amount) throw errors.validation('Amount must not exceed max amount');
    maxAmount = BigInt(body.max_amount);
  } else {
    if (body.max_amount !== undefined) throw errors.validation('Max amount can only be sent for an as_presented subscription');
    if (body.interval_count === undefined) throw errors.blank('interval_count');
    const allowed = intervalType === 'month' ? [1, 3, 6] : [1];
    if (!allowed.includes(body.interval_count)) {
      throw errors.validation('Interval count must be 1, 3 or 6 for interval_type month, and 1 for interval_type year');
    }
    intervalCount = body.interval_count;
    if (body.billing_cycles === undefined) throw errors.blank('billing_cycles');
    if (body.billing_cycles < 2) throw errors.validation('Billing cycles must be at least 2');
    const most = maxBillingCycles({ intervalType, intervalCount });
    if (body.billing_cycles > most) {
      throw errors.validation(`Billing cycles can be at most ${most} for this interval (a subscription lasts at most 10 years)`);
    }
    billingCycles = body.billing_cycles;
  }
  if (body.start_date === undefined && intervalType !== 'as_presented') throw errors.blank('start_date');
  const startDate = body.start_date === undefined ? today : parseDate(body.start_date, 'start_date');
  if (startDate < today) throw errors.validation('Start date must be today or in the future');
  const expiresAt = parseDate(body.expires_at, 'expires_at');
  if (expiresAt < startDate) throw errors.validation('Expires at must be on or after start date');
  if (expiresAt > plusMonths(startDate, MAX_LINK_MONTHS)) {
    throw errors.validation(`Expires at can be at most ${MAX_LINK_MONTHS} months after start date`);
  }
  checkNotesAndMethods(body.notes, undefined);
  return {
    customerId,
    productName,
    productDescription,
    planName: optionalText(body.plan_name),
    planDescription: optionalText(body.plan_description),
    referenceNumber: optionalText(body.reference_number),
    amount: BigInt(body.amount),
    currency,
    intervalType,
    intervalCount,
    billingCycles,
    maxAmount,
    startDate,
    expiresAt,
    notifyCustomer: body.notify_customer,
    startsWithFirstPayment: body.starts_with_first_payment,
    notes: body.notes ?? null,
  } as const;
}

/** `POST /subscriptions`: a `created` subscription and the job that expires its link, in one transaction. */
async function createSubscription(m: Module, ctx: TenantContext, body: CreateSubscriptionBody): Promise<Subscription> {
  const now = ctx.clock.now();
  const fields = validateCreate(body, utcDate(now));
  return inUnitOfWork(m.db, ctx, async (uow) => {
    const customer = await findCustomer(uow.tx, uow.tenant, fields.customerId);
    if (!customer) throw errors.notFound('Customer');
    const fixed = fields.intervalType !== 'as_presented';
    const schedule: Schedule | undefined = fields.intervalType === 'as_presented' ? undefined : {
      intervalType: fields.intervalType, intervalCount: fields.intervalCount!, billingCycles: fields.billingCycles!,
      anchor: fields.startDate, anchorCycle: 1,
    };
    const row = await insertWithFreshId(uow.tx, subscriptions, () => newId(ID_PREFIXES.subscription, now), {
      ...uow.tenant,
      ...fields,
      status: 'created',
      scheduleAnchor: fixed ? fields.startDate : null,
      scheduleAnchorCycle: 1,
      endDate: schedule ? endDate(schedule) : null,
      nextPaymentDate: fixed ? fields.startDate : null,
      createdAt: now,
      updatedAt: now,
    });
    await m.lifecycle.scheduleExpiry(uow, row.id, linkExpiresAt(row));
    await notify(m, uow, row, { kind: 'created' }, customer);
    // The catalogue has no `created` event: the first event is the activation (or the expiry).
    return presentSubscription(row, m.publicUrl);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reads.

/** The tenant's subscription row, or undefined: for other modules in their own queries or transactions. */
export async function findSubscription(db: DbOrTx, tenant: Tenant, id: string): Promise<SubscriptionRow | undefined> {
  const [row] = await db.select().from(subscriptions).where(and(tenantFilter(subscriptions, tenant), eq(subscriptions.id, id)));
  return row;
}

async function getSubscription(m: Module, tenant: Tenant, id: string): Promise<Subscription> {
  assertIdPrefix(ID_PREFIXES.subscription, id);
  const row = await findSubscription(m.db, tenant, id);
  if (!row) throw errors.notFound('Subscription');
  return presentSubscription(row, m.publicUrl);
}

async function listSubscriptions(m: Module, tenant: Tenant, query: ListSubscriptionsQuery): Promise<{ data: Subscription[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(subscriptions, tenant)];
  if (query.customer_id !== undefined) {
    const customerId = query.customer_id.trim();
    if (!customerId.startsWith(`${ID_PREFIXES.customer}_`)) throw errors.invalidParameter('Invalid customer_id');
    where.push(eq(subscriptions.customerId, customerId));
  }
  if (query.status !== undefined) where.push(eq(subscriptions.status, query.status));
  for (const [field, column] of [['start_date', subscriptions.startDate], ['end_date', subscriptions.endDate]] as const) {
    const value = query[field]?.trim();
    if (value === undefined) continue;
    if (!isCalendarDate(value)) throw errors.invalidParameter(`Invalid ${field}: expected YYYY-MM-DD`);
    where.push(eq(column, value));
  }
  const page = await listPage(m.db, subscriptions, where, pageRequest(query));
  return { data: page.rows.map((row) => presentSubscription(row, m.publicUrl)), page_meta: page.meta };
}

/** The hosted page's one cross-tenant read: a subscription by its id alone (the link carries no key). */
async function locateSubscription(m: Module, id: string): Promise<{ tenant: Tenant; row: SubscriptionRow } | undefined> {
  if (!id.startsWith(`${ID_PREFIXES.subscription}_`)) return undefined;
  const [row] = await m.db.select().from(subscriptions).where(eq(subscriptions.id, id));
  return row && { tenant: { merchantId: row.merchantId, env: row.env }, row };
}

// ---------------------------------------------------------------------------------------------------------------
// The merchant's changes.

/** Locks the tenant's subscription for a merchant's change: 400 for a wrong prefix, 404 for none. */
async function lockForChange(m: Module, uow: UnitOfWork, id: string): Promise<SubscriptionRow> {
  assertIdPrefix(ID_PREFIXES.subscription, id);
  return m.lifecycle.mustLock(uow.tx, uow.tenant, id);
}

/** `PATCH /subscriptions/{id}/pause`: an active fixed-frequency subscription stops being charged. */
async function pauseSubscription(m: Module, ctx: TenantContext, id: string): Promise<Subscription> {
  return inUnitOfWork(m.db, ctx, async (uow) => {
    const row = await lockForChange(m, uow, id);
    if (row.status !== 'active') throw errors.subscriptionInvalidState('paused', row.status);
    if (row.intervalType === 'as_presented') throw errors.subscriptionAsPresented('paused');
    // Retries of a cycle in dunning stop too: resume starts from the next scheduled date.
    return (await m.lifecycle.apply(uow, row, 'paused', { nextPaymentDate: null, failedAttempts: 0 })).presented;
  });
}

/**
 * `PATCH /subscriptions/{id}/resume`: a paused or halted subscription is active again from the next date of its
 * original schedule on or after today, after the last cycle billed; cycles whose dates passed are never charged.
 * When none is left it is completed.
 */
async function resumeSubscription(m: Module, ctx: TenantContext, id: string): Promise<Subscription> {
  return inUnitOfWork(m.db, ctx, async (uow) => {
    const row = await lockForChange(m, uow, id);
    if (row.status !== 'paused' && row.status !== 'halted') throw errors.subscriptionInvalidState('resumed', row.status);
    const schedule = scheduleOf(row)!;
    const lastBilled = await m.payments.lastBilledCycle(uow.tx, uow.tenant, row.id);
    const next = nextOnResume(schedule, lastBilled, utcDate(uow.clock.now()));
    if (!next) return (await m.lifecycle.apply(uow, row, 'completed', { nextPaymentDate: null, failedAttempts: 0 })).presented;
    const moved = await m.lifecycle.apply(uow, row, 'active', { nextPaymentDate: next.date, failedAttempts: 0 });
    await scheduleRenewal(uow, row.id, { cycle: next.cycle, date: next.date, attempt: 0 });
    return moved.presented;
  });
}

/** `PATCH /subscriptions/{id}/cancel`: permanent, from any open status; nothing is charged after it. */
async function cancelSubscription(m: Module, ctx: TenantContext, id: string): Promise<Subscription> {
  return inUnitOfWork(m.db, ctx, async (uow) => {
    const row = await lockForChange(m, uow, id);
    if (!CANCELLABLE.includes(row.status)) throw errors.subscriptionInvalidState('cancelled', row.status);
    const cancelled = await m.lifecycle.apply(uow, row, 'cancelled', { cancelledAt: uow.clock.now(), nextPaymentDate: null });
    await notify(m, uow, cancelled.row, { kind: 'cancelled' });
    return cancelled.presented;
  });
}

/**
 * `PATCH /subscriptions/{id}/next-payment-date`: an active fixed-frequency subscription's next charge moves to a
 * date 2 to 28 days after today; the schedule re-anchors there (later cycles follow the new date, and `end_date`).
 */
async function updateNextPaymentDate(m: Module, ctx: TenantContext, id: string, value: string): Promise<Subscription> {
  const date = value.trim();
  if (date === '') throw errors.blank('next_payment_date');
  if (!isCalendarDate(date)) throw errors.validation('Next payment date must be a date in YYYY-MM-DD format');
  return inUnitOfWork(m.db, ctx, async (uow) => {
    const row = await lockForChange(m, uow, id);
    if (row.status !== 'active') throw errors.subscriptionInvalidState('rescheduled', row.status);
    if (row.intervalType === 'as_presented') throw errors.subscriptionAsPresented('rescheduled');
    const days = daysBetween(utcDate(uow.clock.now()), date);
    if (days < NEXT_DATE_MIN_DAYS) throw errors.validation(`Next payment date must be at least ${NEXT_DATE_MIN_DAYS} days after today`);
    if (days > NEXT_DATE_MAX_DAYS) throw errors.validation(`Next payment date must be within ${NEXT_DATE_MAX_DAYS} days of today`);
    const schedule = scheduleOf(row)!;
    const cycle = cycleOn(schedule, row.nextPaymentDate!)!;
    const moved = movedTo(schedule, cycle, date);
    const updated = await update(m, uow, row, {
      scheduleAnchor: date, scheduleAnchorCycle: cycle, nextPaymentDate: date, endDate: endDate(moved), failedAttempts: 0,
    });
    await scheduleRenewal(uow, row.id, { cycle, date, attempt: 0 });
    return presentSubscription(updated, m.publicUrl);
  });
}

/** Sandbox `PATCH /subscriptions/{id}/mock_renewal_outcome`: how this subscription's next charges end. */
async function mockRenewalOutcome(m: Module, ctx: TenantContext, id: string, outcome: 'success' | 'failed'): Promise<Subscription> {
  return inUnitOfWork(m.db, ctx, async (uow) => {
    const row = await lockForChange(m, uow, id);
    const [updated] = await uow.tx.update(subscriptions).set({ mockRenewalOutcome: outcome, updatedAt: uow.clock.now() })
      .where(and(tenantFilter(subscriptions, uow.tenant), eq(subscriptions.id, row.id)))
      .returning();
    return presentSubscription(updated!, m.publicUrl);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The first instalment.

/**
 * The card saved and the subscription activated, in the caller's transaction, on the locked `created` row: a
 * fixed-frequency schedule anchored on today with cycle 1 billed (`payment` given) and cycle 2's renewal scheduled;
 * or, with no payment (a pre-authorisation for a future start_date), anchored on start_date, `authorized`, cycle 1's
 * renewal scheduled on it. An as_presented subscription is active with its first charge billed.
 */
async function activate(m: Module, uow: UnitOfWork, row: SubscriptionRow, card: ChargedCard & { outcome: CardOutcome }, payment: PaymentRow | null): Promise<SubscriptionRow> {
  const now = uow.clock.now();
  const saved = {
    cardToken: cardToken(uow.tenant, card.outcome, now),
    cardNetwork: card.network, cardLast4: card.last4, cardExpMonth: card.expMonth, cardExpYear: card.expYear,
  };
  if (row.intervalType === 'as_presented') {
    const active = (await m.lifecycle.apply(uow, row, 'active', { ...saved, cyclesBilled: 1, activatedAt: now })).row;
    if (payment) await notify(m, uow, active, { kind: 'charged', amount: payment.amount });
    return active;
  }
  const anchor = payment ? utcDate(now) : row.startDate!;
  const schedule: Schedule = { ...scheduleOf(row)!, anchor, anchorCycle: 1 };
  const fields = { ...saved, scheduleAnchor: anchor, scheduleAnchorCycle: 1, endDate: endDate(schedule), failedAttempts: 0 };
  if (!payment) {
    const moved = await m.lifecycle.apply(uow, row, 'authorized', { ...fields, nextPaymentDate: anchor });
    await scheduleRenewal(uow, row.id, { cycle: 1, date: anchor, attempt: 0 });
    await notify(m, uow, moved.row, { kind: 'authorized' });
    return moved.row;
  }
  const next = nextAfterBilled(schedule, 1)!;
  const moved = await m.lifecycle.apply(uow, row, 'active', { ...fields, cyclesBilled: 1, nextPaymentDate: next.date, activatedAt: now });
  await scheduleRenewal(uow, row.id, { cycle: next.cycle, date: next.date, attempt: 0 });
  await notify(m, uow, moved.row, { kind: 'charged', amount: payment.amount });
  return moved.row;
}

/** The link can be paid: the subscription is `created` and its `expires_at` day has not ended (the job may be late). */
function assertLinkPayable(m: Module, row: SubscriptionRow, now: Date): void {
  if (row.status !== 'created') throw errors.subscriptionInvalidState('paid', row.status);
  if (m.lifecycle.isDue(row, { now: () => now })) throw errors.subscriptionInvalidState('paid', 'expired');
}

/**
 * What a successful first instalment does to its subscription, in the caller's transaction (the payment's): the
 * card saved from the payment row, the schedule anchored, `active`, its event, the next renewal scheduled. The hosted
 * page's payment (through payFirstInstalment) and a server-to-server payment completing its OTP step call it.
 */
async function firstInstalmentPaidIn(m: Module, uow: UnitOfWork, subscriptionId: string, payment: PaymentRow): Promise<Subscription> {
  const row = await m.lifecycle.mustLock(uow.tx, uow.tenant, subscriptionId);
  assertLinkPayable(m, row, uow.clock.now());
  const card = { network: payment.cardNetwork, last4: payment.cardLast4, expMonth: payment.cardExpMonth, expYear: payment.cardExpYear };
  return presentSubscription(await activate(m, uow, row, { ...card, outcome: 'success' }, payment), m.publicUrl);
}

/**
 * The customer pays the link with a checked card. Charged now (cycle 1, `auto_debit?` false) unless the subscription
 * is a pre-authorisation (`starts_with_first_payment: false` with a future start_date): then only the card is saved
 * and the subscription is `authorized`. A declined card records a `failed` payment and leaves it `created`.
 */
async function payFirstInstalment(m: Module, ctx: TenantContext, id: string, card: InstalmentCard): Promise<{ subscription: Subscription; payment: Payment | null }> {
  return inUnitOfWork(m.db, ctx, async (uow) => {
    const row = await lockForChange(m, uow, id);
    const now = uow.clock.now();
    assertLinkPayable(m, row, now);
    const charged: ChargedCard = { network: card.network, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear };
    const preAuthorisation = row.intervalType !== 'as_presented' && !row.startsWithFirstPayment && row.startDate! > utcDate(now);
    if (preAuthorisation) {
      const authorized = await activate(m, uow, row, { ...charged, outcome: card.outcome }, null);
      return { subscription: presentSubscription(authorized, m.publicUrl), payment: null };
    }
    const payment = await m.payments.record(uow, {
      subscription: row, cycle: 1, card: charged, autoDebit: false, requestId: null,
      outcome: card.outcome === 'success' ? 'success' : 'failed',
    });
    if (payment.status !== 'success') return { subscription: presentSubscription(row, m.publicUrl), payment: presentPayment(payment) };
    const active = await activate(m, uow, row, { ...charged, outcome: 'success' }, payment);
    return { subscription: presentSubscription(active, m.publicUrl), payment: presentPayment(payment) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// As-presented charges.

/**
 * A merchant's charge of an active as_presented subscription on its saved card, in the caller's transaction (the
 * server-to-server payment claims its request_id in it first): at most `max_amount`, the next sequence number as
 * `billing_cycle`, `auto_debit?` false. A decline records a `failed` payment and changes nothing else.
 */
async function chargePresentedIn(m: Module, uow: UnitOfWork, id: string, charge: { amount: bigint; requestId: string | null }): Promise<PaymentRow> {
  const row = await lockForChange(m, uow, id);
  if (row.intervalType !== 'as_presented') throw errors.subscriptionNotAsPresented();
  if (row.status !== 'active') throw errors.subscriptionInvalidState('charged', row.status);
  if (charge.amount < 1n) throw errors.validation('Amount must be a positive whole number in the smallest currency unit (e.g., cents)');
  if (charge.amount > row.maxAmount!) throw errors.subscriptionAmountAboveMax(row.maxAmount!);
  const payment = await m.payments.record(uow, {
    subscription: row, cycle: row.cyclesBilled + 1, amount: charge.amount, card: cardOnFile(row), autoDebit: false,
    requestId: charge.requestId, outcome: chargeOutcome(uow.tenant, row),
  });
  if (payment.status === 'success') {
    const billed = await update(m, uow, row, { cyclesBilled: row.cyclesBilled + 1 });
    await notify(m, uow, billed, { kind: 'charged', amount: charge.amount });
  }
  return payment;
}

// ---------------------------------------------------------------------------------------------------------------
// Renewals and dunning (the subscriptions.renew job).

function renewalTarget(payload: Record<string, unknown>): RenewalTarget | undefined {
  const { cycle, attempt, date } = payload;
  if (!Number.isInteger(cycle) || !Number.isInteger(attempt) || typeof date !== 'string' || !isCalendarDate(date)) return undefined;
  return { cycle: cycle as number, attempt: attempt as number, date };
}

/**
 * One renewal attempt, under the subscription's lock: it charges only if the subscription is still active (or
 * authorized), still due for exactly this cycle, date and attempt; anything else (paused, cancelled, halted, billed by
 * another run, moved) finishes the job unchanged. Success bills the cycle (the payment, its journal, `updated` or
 * `active`, or `completed` after the last cycle) and schedules the next; a decline retries RETRY_DAYS after the date
 * (`failed` event) and halts after the last retry.
 */
async function renewIn(m: Module, uow: UnitOfWork, id: string, target: RenewalTarget): Promise<JobOutcome> {
  const row = await m.lifecycle.lock(uow.tx, uow.tenant, id);
  if (!row || (row.status !== 'active' && row.status !== 'authorized')) return { status: 'done' };
  const schedule = scheduleOf(row);
  if (!schedule || row.nextPaymentDate !== target.date || row.failedAttempts !== target.attempt) return { status: 'done' };
  if (cycleOn(schedule, target.date) !== target.cycle) return { status: 'done' };
  const due = attemptDueAt(target.date, target.attempt);
  if (uow.clock.now().getTime() < due.getTime()) return { status: 'defer', at: due };
  const outcome = chargeOutcome(uow.tenant, row);
  await m.payments.record(uow, {
    subscription: row, cycle: target.cycle, card: cardOnFile(row), autoDebit: true, requestId: null, outcome,
    // The subscription's side first, the journal last: it holds the merchant's ledger accounts only until the commit.
    beforeJournal: () => (outcome === 'success' ? billCycle(m, uow, row, schedule, target) : declineAttempt(m, uow, row, target)),
  });
  return { status: 'done' };
}

/** A renewal charged: the cycle billed, then the next cycle scheduled, or `completed` after the last. */
async function billCycle(m: Module, uow: UnitOfWork, row: SubscriptionRow, schedule: Schedule, target: RenewalTarget): Promise<void> {
  const billed = { cyclesBilled: row.cyclesBilled + 1, failedAttempts: 0 };
  const charged = { kind: 'charged', amount: row.amount } as const;
  const next = nextAfterBilled(schedule, target.cycle);
  if (!next) {
    const completed = await m.lifecycle.apply(uow, row, 'completed', { ...billed, nextPaymentDate: null });
    await notify(m, uow, completed.row, charged);
    return;
  }
  const updated = row.status === 'authorized'
    ? (await m.lifecycle.apply(uow, row, 'active', { ...billed, nextPaymentDate: next.date, activatedAt: uow.clock.now() })).row
    : await update(m, uow, row, { ...billed, nextPaymentDate: next.date });
  await scheduleRenewal(uow, row.id, { cycle: next.cycle, date: next.date, attempt: 0 });
  await notify(m, uow, updated, charged);
}

/** A renewal declined: retried on the next retry day (`failed`), or `halted` after the last retry. */
async function declineAttempt(m: Module, uow: UnitOfWork, row: SubscriptionRow, target: RenewalTarget): Promise<void> {
  const attempts = target.attempt + 1;
  if (attempts >= MAX_ATTEMPTS) {
    const halted = await m.lifecycle.apply(uow, row, 'halted', { failedAttempts: attempts, nextPaymentDate: null });
    await notify(m, uow, halted.row, { kind: 'halted' });
    return;
  }
  const failed = await update(m, uow, row, { failedAttempts: attempts }, 'failed');
  await scheduleRenewal(uow, row.id, { cycle: target.cycle, date: target.date, attempt: attempts });
  await notify(m, uow, failed, { kind: 'payment_failed', amount: row.amount, retryAt: attemptDueAt(target.date, attempts) });
}

async function runRenewal(m: Module, job: Job): Promise<JobOutcome> {
  const subject = tenantRowPayload(job.payload, 'subscriptionId');
  const target = renewalTarget(job.payload);
  if (!subject || !target) return { status: 'dead', error: `malformed ${SUBSCRIPTION_RENEW_QUEUE} payload` };
  return inUnitOfWork(m.db, { tenant: subject.tenant, clock: job.clock }, (uow) => renewIn(m, uow, subject.id, target));
}


// ---------------------------------------------------------------------------------------------------------------

/** The subscription operations the routes, the hosted page, payments and the jobs call, built once by the composition root. */
export function createSubscriptionService(deps: SubscriptionDeps) {
  const m: Module = { ...deps, lifecycle: subscriptionLifecycle(deps.publicUrl) };
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateSubscriptionBody) => createSubscription(m, ctx, body),
    list: (ctx: TenantContext, query: ListSubscriptionsQuery) => listSubscriptions(m, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getSubscription(m, ctx.tenant, id),
    pause: (ctx: TenantContext, id: string) => pauseSubscription(m, ctx, id),
    resume: (ctx: TenantContext, id: string) => resumeSubscription(m, ctx, id),
    cancel: (ctx: TenantContext, id: string) => cancelSubscription(m, ctx, id),
    updateNextPaymentDate: (ctx: TenantContext, id: string, date: string) => updateNextPaymentDate(m, ctx, id, date),
    mockRenewalOutcome: (ctx: TenantContext, id: string, outcome: 'success' | 'failed') => mockRenewalOutcome(m, ctx, id, outcome),
    /** The contract shape of a row (with this server's link URL). */
    present: (row: SubscriptionRow) => presentSubscription(row, deps.publicUrl),
    /** The hosted page's lookup by id alone; everything after it is tenant-scoped. */
    locate: (id: string) => locateSubscription(m, id),
    payFirstInstalment: (ctx: TenantContext, id: string, card: InstalmentCard) => payFirstInstalment(m, ctx, id, card),
    firstInstalmentPaidIn: (uow: UnitOfWork, subscriptionId: string, payment: PaymentRow) => firstInstalmentPaidIn(m, uow, subscriptionId, payment),
    chargePresented: (ctx: TenantContext, id: string, charge: { amount: bigint; requestId: string | null }) =>
      inUnitOfWork(m.db, ctx, async (uow) => presentPayment(await chargePresentedIn(m, uow, id, charge))),
    chargePresentedIn: (uow: UnitOfWork, id: string, charge: { amount: bigint; requestId: string | null }) => chargePresentedIn(m, uow, id, charge),
    runRenewal: (job: Job) => runRenewal(m, job),
    /** The runner's handler of the link's expiry (the lifecycle kernel's). */
    expiryJobHandlers: () => m.lifecycle.expiryJobHandlers(m.db),
  });
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
