// The hosted subscription page's policy (decision 0028): what the customer holding a subscription link may read of
// it, and paying its first instalment by card. The link carries no key, as Glomo's does: the subscription's id alone
// finds its tenant (the subscriptions module's `locate`), and everything after is scoped to that tenant, by its clock.
// The card number and CVV live only in the call: checked, reduced to network, last four and expiry, never logged,
// stored or answered. Production refuses card payments as the order checkout does.
import { currentSecretKey } from '../core/auth/api-keys.js';
import type { KeyRing } from '../core/auth/signing-keys.js';
import { jsonAmount } from '../core/amount.js';
import type { Clock } from '../core/clock.js';
import type { TenantContext } from '../core/context.js';
import { errors } from '../core/errors.js';
import { withoutNulls } from '../core/http-schemas.js';
import { ID_PREFIXES } from '../core/ids.js';
import { tenantContext } from '../core/tenant-clock.js';
import type { Tenant } from '../core/tenancy.js';
import type { Services } from '../composition.js';
import type { Db } from '../db/client.js';
import type { AppDeps } from '../deps.js';
import type { subscriptions, SubscriptionStatus } from '../db/schema/index.js';
import type { MerchantService } from '../modules/merchants/service.js';
import type { CardOutcome } from '../modules/payments/cards.js';
import { pricePayment, type PricingDeps } from '../modules/payments/pricing.js';
import type { OtpRequired, PublicSubscription, SubscriptionPaymentBody, SubscriptionPaymentResult } from './schemas.js';
import { sandboxCard } from './service.js';
import { paymentSignature } from './signature.js';

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** The card a first instalment is paid with, reduced as the order checkout reduces it. */
export interface FirstInstalmentCard {
  network: string;
  last4: string;
  expMonth: number;
  expYear: number;
  outcome: CardOutcome;
}

/** What this page needs of the subscriptions module (`services.subscriptions`). */
export interface SubscriptionsPort {
  locate(id: string): Promise<{ tenant: Tenant; row: SubscriptionRow } | undefined>;
  payFirstInstalment(ctx: TenantContext, id: string, card: FirstInstalmentCard): Promise<{
    subscription: { status: string };
    payment: { id: string; status: string; error_code?: string | null; customer_error_description?: string | null } | null;
  }>;
}

export interface SubscriptionPageDeps {
  db: Db;
  keyRing: KeyRing;
  /** Real time: keys live in it; the tenant's clock is read from it plus the environment's offset. */
  realTime: Clock;
  subscriptions: SubscriptionsPort;
  merchants: Pick<MerchantService, 'find'>;
  /** Prices an instalment as the subscriptions module records it (recordSubscriptionPayment). */
  pricing: PricingDeps;
}

/** A located subscription with its tenant's context (the environment's clock). */
export interface LocatedSubscription {
  ctx: TenantContext;
  row: SubscriptionRow;
}

/** `YYYY-MM-DD` of an instant, UTC: the contract's subscription dates. */
const utcDate = (at: Date) => at.toISOString().slice(0, 10);

/** Whether the link can be paid today: `created`, and not past the end of its `expires_at` day (UTC). */
export function isPayable(row: Pick<SubscriptionRow, 'status' | 'expiresAt'>, now: Date): boolean {
  return row.status === 'created' && (row.expiresAt === null || utcDate(now) <= row.expiresAt);
}

/** Whether paying charges cycle 1 now; false: the card is only saved, and cycle 1 is charged on `start_date`. */
export function chargesNow(row: Pick<SubscriptionRow, 'startsWithFirstPayment' | 'startDate'>, now: Date): boolean {
  return row.startsWithFirstPayment || row.startDate === null || row.startDate <= utcDate(now);
}

function presentPublicSubscription(row: SubscriptionRow, merchantName: string, amountDue: bigint, now: Date): PublicSubscription {
  return withoutNulls({
    id: row.id,
    status: row.status,
    payable: isPayable(row, now),
    charges_now: chargesNow(row, now),
    merchant_name: merchantName,
    product_name: row.productName,
    product_description: row.productDescription,
    plan_name: row.planName,
    plan_description: row.planDescription,
    amount: jsonAmount(row.amount),
    amount_due: jsonAmount(amountDue),
    currency: row.currency,
    interval_type: row.intervalType,
    interval_count: row.intervalCount,
    billing_cycles: row.billingCycles,
    max_amount: row.maxAmount === null ? null : jsonAmount(row.maxAmount),
    start_date: row.startDate,
    end_date: row.endDate,
    expires_at: row.expiresAt,
    next_payment_date: row.nextPaymentDate,
  });
}

export function createSubscriptionPageService(deps: SubscriptionPageDeps) {
  /** The subscription of a link with its tenant's clock, or the same 404 for anything else (a wrong prefix too). */
  async function locate(id: string): Promise<LocatedSubscription> {
    const found = id.startsWith(`${ID_PREFIXES.subscription}_`) ? await deps.subscriptions.locate(id) : undefined;
    if (!found) throw errors.notFound('Subscription');
    return { ctx: await tenantContext(deps.db, deps.realTime, found.tenant), row: found.row };
  }

  async function merchantNameOf(tenant: Tenant): Promise<string> {
    const merchant = await deps.merchants.find(tenant.merchantId);
    if (!merchant) throw errors.notFound('Subscription');
    return merchant.name;
  }

  /**
   * What the customer pays for an instalment of `amount`: priced as the subscriptions module records its payments
   * (in the subscription's currency, by the merchant's default price), so a fee the merchant passes on is shown.
   */
  async function amountDueOf(ctx: TenantContext, row: SubscriptionRow): Promise<bigint> {
    const priced = await pricePayment(deps.db, deps.pricing, ctx.tenant, { amount: row.amount, currency: row.currency, priceId: null, quoteId: null }, row.currency);
    return priced.paymentAmount;
  }

  /**
   * Refuses what cannot be paid, with the state it is in, before any OTP prompt. A `created` link past its
   * `expires_at` whose expiry job has not run yet is already `expired` to the customer.
   */
  function assertPayable(row: SubscriptionRow, now: Date): void {
    if (!isPayable(row, now)) throw errors.subscriptionInvalidState('paid', row.status === 'created' ? 'expired' : row.status);
  }

  return Object.freeze({
    locate,

    /** GET /subscription/{id}: what the customer may see of the subscription. */
    async publicSubscription(id: string): Promise<PublicSubscription> {
      const { ctx, row } = await locate(id);
      return presentPublicSubscription(row, await merchantNameOf(ctx.tenant), await amountDueOf(ctx, row), ctx.clock.now());
    },

    /**
     * Pays the first instalment by card (or authorises the card for a future start): the signed result, or the OTP
     * prompt of a card that asks for one. A declined card leaves the subscription payable.
     */
    async pay(id: string, body: SubscriptionPaymentBody): Promise<SubscriptionPaymentResult | OtpRequired> {
      const { ctx, row } = await locate(id);
      assertPayable(row, ctx.clock.now());
      // Nothing here can take real money yet: say so rather than pretend.
      if (ctx.tenant.env === 'production') throw errors.cardPaymentsUnavailable();
      const checked = sandboxCard(body, ctx.clock.now());
      if (checked === 'otp_required') return { status: 'otp_required' };
      // Before recording anything: a result without its signature would be useless to the merchant.
      const secretKey = await currentSecretKey(deps.db, deps.keyRing, deps.realTime, ctx.tenant);
      if (!secretKey) throw errors.checkoutNoSecretKey();
      const { card } = checked;
      const { subscription, payment } = await deps.subscriptions.payFirstInstalment(ctx, row.id, {
        network: card.network, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, outcome: card.outcome,
      });
      const status = payment === null ? 'authorized' : (payment.status as 'success' | 'failed');
      return withoutNulls({
        subscription_id: row.id,
        subscription_status: subscription.status as SubscriptionStatus,
        payment_id: payment?.id ?? null,
        status,
        // An authorisation has no payment: its signed message is `subscription_id||authorized`.
        signature: paymentSignature(secretKey, row.id, payment?.id ?? '', status),
        error_code: payment?.error_code ?? null,
        error_message: payment?.customer_error_description ?? null,
      });
    },
  });
}

export type SubscriptionPageService = ReturnType<typeof createSubscriptionPageService>;

/** The page's policy over the app's dependencies and services: what the page and its JSON routes are built with. */
export function subscriptionPageOf(deps: AppDeps, services: Pick<Services, 'subscriptions' | 'merchants'>): SubscriptionPageService {
  return createSubscriptionPageService({
    db: deps.database.db, keyRing: deps.keyRing, realTime: deps.clock, subscriptions: services.subscriptions, merchants: services.merchants,
    pricing: { fxRates: deps.fxRates, markupBps: deps.config.fxMarkupBps },
  });
}
