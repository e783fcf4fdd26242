// Server-to-server payments (`POST /payment`, notes-payins §8.2): a PCI-DSS merchant sends the card itself. A card
// without a one-time password is paid at once by the payment engine (service.ts); one that asks for it records an
// `in_progress` payment and a pending authentication (payment_authentications) whose page, on this server, takes the
// OTP and settles the payment; an unanswered step expires by a job due on the tenant's clock. The card number and CVV
// live only in this call: they are checked and reduced to network, last four and expiry.
import { createHash, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { utcDate } from '../../core/calendar.js';
import type { Db } from '../../db/client.js';
import { paymentAuthentications, payments } from '../../db/schema/index.js';
import { inUnitOfWork, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { duplicateRequest, errors } from '../../core/errors.js';
import { claimRequestId } from '../../core/idempotency.js';
import { isUniqueViolation } from '../../core/db-errors.js';
import { enqueueJob, tenantRowPayload, type JobHandler } from '../../core/jobs.js';
import { assertIdPrefix, ID_PREFIXES, randomBase62 } from '../../core/ids.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { checkSandboxCard, SANDBOX_OTP, type CheckedCard } from './cards.js';
import { assertPayable, findPayin, payinErrors } from './payins.js';
import type { CreatePaymentBody, CreatePaymentResponse, Payment } from './schemas.js';
import {
  lockPayment, makePayment, PAYMENT_REQUEST_ID_SCOPE, presentPayment, settleCardPayment,
  type PaymentDeps, type PaymentRow,
} from './service.js';
import { recordSubscriptionPayment } from './subscription-payments.js';

/** What a server-to-server payment reads of a subscription (its contract shape). */
export interface PayableSubscription {
  id: string;
  customer_id: string;
  status: string;
  amount: number;
  currency: string;
  interval_type: string;
  expires_at: string;
  product_name: string;
  product_description: string;
}

/**
 * The subscriptions module's operations a server-to-server payment uses, handed in by the composition root
 * (payments import no subscriptions): the subscription as the merchant reads it (404 `Subscription not found`),
 * what a successful first instalment does to it, and an as-presented charge in the caller's transaction.
 */
export interface SubscriptionOperations {
  get(ctx: TenantContext, id: string): Promise<PayableSubscription>;
  firstInstalmentPaidIn(uow: UnitOfWork, subscriptionId: string, payment: PaymentRow): Promise<unknown>;
  chargePresentedIn(uow: UnitOfWork, id: string, charge: { amount: bigint; requestId: string | null }): Promise<PaymentRow>;
}

export interface ServerPaymentDeps extends Omit<PaymentDeps, 'subscriptionPaymentSucceeded'> {
  /** The origin (and path) customers reach this server at: the authentication page's links are built on it. */
  publicUrl: string;
  subscriptions: SubscriptionOperations;
}

/** The job that fails an unanswered authentication at its `expires_at`. */
export const AUTHENTICATION_EXPIRE_QUEUE = 'payments.authentication_expire';
/** How long the customer has to enter the one-time password. */
export const AUTHENTICATION_TTL_MS = 15 * 60 * 1000;

type AuthenticationRow = typeof paymentAuthentications.$inferSelect;

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** The page where the customer enters the OTP; the token is the link's only credential (only its hash is stored). */
export function authenticationPath(paymentId: string, token: string): string {
  return `/payment/${encodeURIComponent(paymentId)}/authenticate?token=${encodeURIComponent(token)}`;
}

/** An absolute https URL without credentials, or undefined. */
function httpsUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.hostname === '') return undefined;
  return url.toString();
}

function requiredText(value: string | undefined, field: string): string {
  const text = value?.trim() ?? '';
  if (text === '') throw errors.blank(field);
  return text;
}

/** The checked card of an initial payment (sandbox: the test cards only), or the answer refusing it. */
function checkedCard(body: CreatePaymentBody, now: Date): CheckedCard {
  if (!body.card) throw errors.blank('card');
  const checked = checkSandboxCard(
    { number: body.card.number, expMonth: body.card.exp_month, expYear: body.card.exp_year, cvv: body.card.cvv },
    now,
  );
  if (!checked.ok) throw checked.error;
  return checked.card;
}

/** What the authentication page shows: the step and its payment, read under the payment's lock. */
export interface AuthenticationStep {
  authentication: AuthenticationRow;
  payment: PaymentRow;
}

/** Where the customer goes back to: the step's callback, with the payment's final status to sign. */
export interface AuthenticationResult {
  callbackUrl: string;
  payment: Payment;
}

/** Today's UTC calendar date of a clock reading (`YYYY-MM-DD`). */

export function createServerPaymentService(serverDeps: ServerPaymentDeps) {
  const { subscriptions } = serverDeps;
  // The settlement tells the subscription of a first instalment (a successful OTP step activates it).
  const deps: ServerPaymentDeps & PaymentDeps = {
    ...serverDeps,
    subscriptionPaymentSucceeded: async (uow, row) => {
      await subscriptions.firstInstalmentPaidIn(uow, row.subscriptionId!, row);
    },
  };

  /** The step of a payment by its link's token, compared in constant time; undefined for anything else. */
  async function findStep(paymentId: string, token: string): Promise<{ tenant: Tenant; authentication: AuthenticationRow } | undefined> {
    if (!paymentId.startsWith(`${ID_PREFIXES.payment}_`) || token.length === 0 || token.length > 64) return undefined;
    // The link's token is the credential (as a publishable key is the checkout's): the tenant comes from the row it opens.
    const [row] = await deps.db.select().from(paymentAuthentications).where(eq(paymentAuthentications.paymentId, paymentId));
    if (!row) return undefined;
    const expected = Buffer.from(row.tokenHash, 'hex');
    const given = Buffer.from(sha256(token), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return { tenant: { merchantId: row.merchantId, env: row.env }, authentication: row };
  }

  /** Locks the payment and reads its step again under the lock, tenant-filtered. */
  async function lockStep(uow: UnitOfWork, paymentId: string): Promise<{ payment: PaymentRow; authentication: AuthenticationRow } | undefined> {
    const payment = await lockPayment(uow.tx, uow.tenant, paymentId);
    if (!payment) return undefined;
    const [authentication] = await uow.tx.select().from(paymentAuthentications)
      .where(and(tenantFilter(paymentAuthentications, uow.tenant), eq(paymentAuthentications.paymentId, paymentId)));
    return authentication && { payment, authentication };
  }

  async function finishStep(uow: UnitOfWork, authentication: AuthenticationRow, status: 'completed' | 'expired'): Promise<void> {
    await uow.tx.update(paymentAuthentications).set({ status, updatedAt: uow.clock.now() })
      .where(and(tenantFilter(paymentAuthentications, uow.tenant), eq(paymentAuthentications.paymentId, authentication.paymentId)));
  }

  /** A pending step whose time has come, under the payment's lock: the payment fails, the step is over. */
  async function expireIfDue(uow: UnitOfWork, locked: { payment: PaymentRow; authentication: AuthenticationRow }): Promise<boolean> {
    const { payment, authentication } = locked;
    if (authentication.status !== 'pending' || payment.status !== 'in_progress') return false;
    if (authentication.expiresAt.getTime() > uow.clock.now().getTime()) return false;
    await finishStep(uow, authentication, 'expired');
    await settleCardPayment(deps, uow, payment, { status: 'failed', reason: 'authentication_expired' });
    return true;
  }

  /** The initial payment's own fields (method, https callback_url, card): not with `sequence: subsequent`, amount or currency. */
  function initialFields(body: CreatePaymentBody, target: 'order' | 'subscription'): { callbackUrl: string } {
    // (A subscription's `sequence: subsequent` never gets here: it is a charge of its own.)
    if (body.sequence === 'subsequent') throw errors.invalidParameter('sequence subsequent is only for subscriptions');
    if (body.amount !== undefined || body.currency !== undefined) {
      throw errors.invalidParameter(`amount and currency cannot be specified for an initial payment: the ${target} fixes them`);
    }
    if (body.method === undefined) throw errors.blank('method');
    const callbackUrl = httpsUrl(requiredText(body.callback_url, 'callback_url'));
    if (callbackUrl === undefined) throw errors.callbackUrlNotHttps();
    if (!body.card) throw errors.blank('card');
    return { callbackUrl };
  }

  /** A repeat of a request that went through answers the duplicate first, not "Order is paid" (the claim decides races). */
  async function refuseRepeat(tenant: Tenant, requestId: string): Promise<void> {
    const [repeat] = await deps.db.select({ id: payments.id }).from(payments)
      .where(and(tenantFilter(payments, tenant), eq(payments.requestId, requestId))).limit(1);
    if (repeat) throw duplicateRequest('payment');
  }

  /** The claim of the request_id, first in the creating transaction (concurrent duplicates wait on it). */
  async function claim(uow: UnitOfWork, requestId: string, resourceId: string): Promise<void> {
    const claimed = await claimRequestId(uow, PAYMENT_REQUEST_ID_SCOPE, requestId, resourceId);
    if (!claimed.claimed) throw duplicateRequest('payment');
  }

  const withNextSteps = (row: PaymentRow, payment: Payment, token: string): CreatePaymentResponse =>
    (row.status === 'in_progress' ? { ...payment, next_steps: { redirect_url: `${deps.publicUrl}${authenticationPath(row.id, token)}` } } : payment);

  /** `POST /payment` for an order: the card checked, paid at once, or `in_progress` with the authentication's link. */
  async function payOrder(ctx: TenantContext, orderId: string, requestId: string, body: CreatePaymentBody): Promise<CreatePaymentResponse> {
    const { tenant, clock } = ctx;
    const { callbackUrl } = initialFields(body, 'order');
    assertIdPrefix(ID_PREFIXES.order, orderId);
    await refuseRepeat(tenant, requestId);
    const payin = await findPayin(deps.db, tenant, orderId);
    if (!payin) throw payinErrors.notFound('orders');
    // What the engine would refuse anyway, first: as the checkout, no card check precedes a refusal of the order.
    assertPayable(payin, 'card', clock.now());
    // Nothing here can take real money: say so rather than pretend (as the hosted checkout does).
    if (tenant.env === 'production') throw errors.cardPaymentsUnavailable();
    const card = checkedCard(body, clock.now());
    const token = randomBase62(32);
    const { row, payment } = await makePayment(deps, ctx, {
      payinId: payin.id,
      currency: payin.currency,
      method: 'card',
      card: { network: card.network, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, outcome: card.outcome },
      sanctionedRemitter: false,
    }, {
      requestId,
      awaitingAuthentication: card.otp,
      alsoInTransaction: card.otp ? (uow, inserted) => startAuthentication(uow, inserted, token, callbackUrl, card.outcome) : undefined,
    });
    return withNextSteps(row, payment, token);
  }

  /** A subscription's first instalment can be paid: `created`, and its link's `expires_at` day not over. */
  async function payableSubscription(ctx: TenantContext, id: string): Promise<PayableSubscription> {
    const subscription = await subscriptions.get(ctx, id);
    if (subscription.status !== 'created') throw errors.subscriptionInvalidState('paid', subscription.status);
    if (subscription.expires_at < utcDate(ctx.clock.now())) throw errors.subscriptionInvalidState('paid', 'expired');
    return subscription;
  }

  /**
   * `POST /payment` for a subscription's first instalment (cycle 1, `auto_debit?` false), in one transaction with the
   * request_id's claim: without OTP, charged at once and, on success, the subscription activated (its card saved);
   * with OTP, an `in_progress` payment and the pending authentication, settled by the page. Always a charge: the
   * pre-authorisation of a future start (no charge) is the hosted page's.
   */
  async function payFirstInstalment(ctx: TenantContext, subscriptionId: string, requestId: string, body: CreatePaymentBody): Promise<CreatePaymentResponse> {
    const { tenant, clock } = ctx;
    const { callbackUrl } = initialFields(body, 'subscription');
    assertIdPrefix(ID_PREFIXES.subscription, subscriptionId);
    await refuseRepeat(tenant, requestId);
    const subscription = await payableSubscription(ctx, subscriptionId);
    if (tenant.env === 'production') throw errors.cardPaymentsUnavailable();
    const card = checkedCard(body, clock.now());
    const token = randomBase62(32);
    const subject = {
      id: subscription.id, customerId: subscription.customer_id, currency: subscription.currency, amount: BigInt(subscription.amount),
      productName: subscription.product_name, productDescription: subscription.product_description,
    };
    try {
      return await inUnitOfWork(deps.db, ctx, async (uow) => {
        // The claim names the subscription: the payment's id is drawn by its insert, after the claim.
        await claim(uow, requestId, subscription.id);
        const [waiting] = await uow.tx.select({ id: payments.id }).from(payments)
          .where(and(tenantFilter(payments, tenant), eq(payments.subscriptionId, subscription.id), eq(payments.status, 'in_progress'))).limit(1);
        if (waiting) throw errors.payinPaymentInProgress('subscription');
        const row = await recordSubscriptionPayment(uow, deps, {
          subscription: subject, cycle: 1, autoDebit: false, requestId,
          card: { network: card.network, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear },
          outcome: card.otp ? 'in_progress' : card.outcome === 'success' ? 'success' : 'failed',
        });
        if (row.status === 'success') await subscriptions.firstInstalmentPaidIn(uow, subscription.id, row);
        if (row.status === 'in_progress') await startAuthentication(uow, row, token, callbackUrl, card.outcome);
        return withNextSteps(row, presentPayment(row), token);
      });
    } catch (error) {
      // Two first instalments at once: the one-success-per-cycle index refuses the second.
      if (isUniqueViolation(error, 'payments_subscription_cycle_success_uq')) throw errors.subscriptionInvalidState('paid', 'active');
      throw error;
    }
  }

  /**
   * `POST /payment` with `sequence: subsequent`: the merchant charges an active as_presented subscription on its saved
   * card, at most `max_amount`, in one transaction with the request_id's claim (the subscriptions module's charge).
   */
  async function chargeSubsequent(ctx: TenantContext, subscriptionId: string, requestId: string, body: CreatePaymentBody): Promise<Payment> {
    const { tenant } = ctx;
    if (body.card !== undefined || body.callback_url !== undefined || body.method !== undefined) {
      throw errors.invalidParameter('sequence subsequent takes no card, callback_url or method: the card of the last successful payment is charged');
    }
    if (body.amount === undefined) throw errors.blank('amount');
    const currency = requiredText(body.currency, 'currency').toUpperCase();
    assertIdPrefix(ID_PREFIXES.subscription, subscriptionId);
    await refuseRepeat(tenant, requestId);
    const subscription = await subscriptions.get(ctx, subscriptionId);
    if (currency !== subscription.currency) throw errors.invalidParameter(`currency must be the subscription's: ${subscription.currency}`);
    if (tenant.env === 'production') throw errors.cardPaymentsUnavailable();
    return inUnitOfWork(deps.db, ctx, async (uow) => {
      await claim(uow, requestId, subscription.id);
      return presentPayment(await subscriptions.chargePresentedIn(uow, subscription.id, { amount: BigInt(body.amount!), requestId }));
    });
  }

  /** The pending step and its expiry job, in the payment's transaction. */
  async function startAuthentication(uow: UnitOfWork, row: PaymentRow, token: string, callbackUrl: string, outcome: CheckedCard['outcome']): Promise<void> {
    const now = uow.clock.now();
    const expiresAt = new Date(now.getTime() + AUTHENTICATION_TTL_MS);
    await uow.tx.insert(paymentAuthentications).values({
      ...uow.tenant, paymentId: row.id, tokenHash: sha256(token), callbackUrl, cardOutcome: outcome, status: 'pending',
      expiresAt, createdAt: now, updatedAt: now,
    });
    await enqueueJob(uow, {
      queue: AUTHENTICATION_EXPIRE_QUEUE,
      payload: { ...uow.tenant, paymentId: row.id },
      runAt: expiresAt,
      uniqueKey: `authentication-expire:${row.id}`,
    });
  }

  return Object.freeze({
    /** `POST /payment`: exactly one of order_id and subscription_id, a request_id, then the payment of either. */
    async create(ctx: TenantContext, body: CreatePaymentBody): Promise<CreatePaymentResponse> {
      const orderId = body.order_id?.trim() || undefined;
      const subscriptionId = body.subscription_id?.trim() || undefined;
      if ((orderId === undefined) === (subscriptionId === undefined)) throw errors.paymentTargetAmbiguous();
      const requestId = requiredText(body.request_id, 'request_id');
      if (orderId !== undefined) return payOrder(ctx, orderId, requestId, body);
      if (body.sequence === 'subsequent') return chargeSubsequent(ctx, subscriptionId!, requestId, body);
      return payFirstInstalment(ctx, subscriptionId!, requestId, body);
    },

    /**
     * The tenant of a step's link: its token, compared in constant time, is the link's one credential (as a
     * publishable key is the checkout's), so the tenant comes from the row it opens. Undefined for anything else.
     */
    async resolveStep(paymentId: string, token: string): Promise<Tenant | undefined> {
      return (await findStep(paymentId, token))?.tenant;
    },

    /** The step in its tenant's context, after an expiry that fell due (the job may not have run yet); or undefined. */
    openStep(ctx: TenantContext, paymentId: string): Promise<AuthenticationStep | undefined> {
      return inUnitOfWork(deps.db, ctx, async (uow) => {
        const locked = await lockStep(uow, paymentId);
        if (!locked) return undefined;
        if (await expireIfDue(uow, locked)) return lockStep(uow, paymentId);
        return locked;
      });
    },

    /**
     * The customer's one-time password for the step: right, the test card's outcome (`success` settles the payment
     * with its journal, the order paid and the events); wrong, the card is declined; after the step's time, the
     * payment has failed already. One transaction under the payment's lock: a repeated POST settles nothing twice and
     * answers the payment as it is.
     */
    authenticate(ctx: TenantContext, paymentId: string, otp: string): Promise<AuthenticationResult> {
      return inUnitOfWork(deps.db, ctx, async (uow) => {
        const locked = await lockStep(uow, paymentId);
        if (!locked) throw errors.notFound('Payment');
        const { payment, authentication } = locked;
        const base = { callbackUrl: authentication.callbackUrl };
        if (await expireIfDue(uow, locked)) return { ...base, payment: presentPayment((await lockPayment(uow.tx, ctx.tenant, paymentId))!) };
        if (authentication.status !== 'pending' || payment.status !== 'in_progress') return { ...base, payment: presentPayment(payment) };
        await finishStep(uow, authentication, 'completed');
        const right = otp.trim() === SANDBOX_OTP && authentication.cardOutcome === 'success';
        const settled = await settleCardPayment(deps, uow, payment, right ? { status: 'success' } : { status: 'failed', reason: 'declined' });
        return { ...base, payment: settled.payment };
      });
    },

    /** The expiry job's work: fails the payment of a step still pending at its `expires_at`; a repeat does nothing. */
    expireStep(uow: UnitOfWork, paymentId: string): Promise<boolean> {
      return lockStep(uow, paymentId).then((locked) => (locked ? expireIfDue(uow, locked) : false));
    },
  });
}

export type ServerPaymentService = ReturnType<typeof createServerPaymentService>;

/**
 * The runner's handler that ends an unanswered step at its `expires_at`: the payment fails with
 * AUTHENTICATION_EXPIRED. Idempotent: a step already answered, or a repeat, finishes without a change.
 */
export function serverPaymentJobHandlers(db: Db, serverPayments: ServerPaymentService): Record<string, JobHandler> {
  return {
    [AUTHENTICATION_EXPIRE_QUEUE]: async (job) => {
      const target = tenantRowPayload(job.payload, 'paymentId');
      if (!target) return { status: 'dead', error: `malformed ${AUTHENTICATION_EXPIRE_QUEUE} payload` };
      await inUnitOfWork(db, { tenant: target.tenant, clock: job.clock }, (uow) => serverPayments.expireStep(uow, target.id));
      return { status: 'done' };
    },
  };
}
