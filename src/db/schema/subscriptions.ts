// Subscriptions: a customer's recurring card agreement with a merchant. The first instalment is paid on the hosted
// subscription page; after it, fixed-frequency subscriptions are charged on the saved card on every
// `next_payment_date` until `billing_cycles` are billed, and `as_presented` ones when the merchant charges them.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const SUBSCRIPTION_STATUSES = [
  'created', 'authorized', 'active', 'paused', 'halted', 'completed', 'cancelled', 'expired', 'failed',
  'action_required', 'under_review',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const SUBSCRIPTION_INTERVAL_TYPES = ['month', 'year', 'as_presented'] as const;
export type SubscriptionIntervalType = (typeof SUBSCRIPTION_INTERVAL_TYPES)[number];

/** How the sandbox's next renewal attempts of one subscription end (`mock_renewal_outcome`); null: the card decides. */
export const RENEWAL_OUTCOMES = ['success', 'failed'] as const;
export type RenewalOutcome = (typeof RENEWAL_OUTCOMES)[number];

export const subscriptions = pgTable('subscriptions', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  customerId: text('customer_id').notNull(),
  status: text('status').$type<SubscriptionStatus>().notNull(),
  productName: text('product_name').notNull(),
  productDescription: text('product_description').notNull(),
  planName: text('plan_name'),
  planDescription: text('plan_description'),
  referenceNumber: text('reference_number'),
  /** Minor units of `currency`: each instalment of a fixed-frequency subscription. */
  amount: bigint('amount', { mode: 'bigint' }).notNull(),
  currency: text('currency').notNull(),
  intervalType: text('interval_type').$type<SubscriptionIntervalType>().notNull(),
  /** 1, 3 or 6 months, or 1 year; null for `as_presented`. */
  intervalCount: integer('interval_count'),
  /** Null for `as_presented`. */
  billingCycles: integer('billing_cycles'),
  /** The cap of one `as_presented` charge; null for fixed frequency. */
  maxAmount: bigint('max_amount', { mode: 'bigint' }),
  /** Calendar dates (UTC), `YYYY-MM-DD` as the contract writes them. */
  startDate: date('start_date', { mode: 'string' }),
  endDate: date('end_date', { mode: 'string' }),
  /** The last day the subscription link can be paid; past it, unpaid, the subscription expires. */
  expiresAt: date('expires_at', { mode: 'string' }),
  nextPaymentDate: date('next_payment_date', { mode: 'string' }),
  /**
   * The schedule: cycle `n` (1-based) falls due `anchor + (n − anchor_cycle) × interval` months, clamped to the end of
   * a shorter month (a 31 January anchor bills on 28/29 February, then 31 March). Moving the next payment date moves
   * the anchor; pausing does not.
   */
  scheduleAnchor: date('schedule_anchor', { mode: 'string' }),
  scheduleAnchorCycle: integer('schedule_anchor_cycle').notNull().default(1),
  /** Cycles (or as-presented charges) billed successfully so far. */
  cyclesBilled: integer('cycles_billed').notNull().default(0),
  /** Failed attempts of the cycle now due (dunning); reset when a cycle is billed or the subscription resumes. */
  failedAttempts: integer('failed_attempts').notNull().default(0),
  notifyCustomer: boolean('notify_customer').notNull().default(false),
  startsWithFirstPayment: boolean('starts_with_first_payment').notNull().default(true),
  notes: jsonb('notes').$type<Record<string, string>>(),
  mockRenewalOutcome: text('mock_renewal_outcome').$type<RenewalOutcome>(),
  /** The card on file: a token, the network, the last four and the expiry; never the number or the CVV. */
  cardToken: text('card_token'),
  cardNetwork: text('card_network'),
  cardLast4: text('card_last4'),
  cardExpMonth: integer('card_exp_month'),
  cardExpYear: integer('card_exp_year'),
  activatedAt: timestamp('activated_at', { withTimezone: true, mode: 'date' }),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true, mode: 'date' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('subscriptions_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('subscriptions_tenant_customer_created_idx').on(t.merchantId, t.env, t.customerId, t.createdAt.desc(), t.id.desc()),
  index('subscriptions_tenant_status_created_idx').on(t.merchantId, t.env, t.status, t.createdAt.desc(), t.id.desc()),
  envCheck('subscriptions', t.env),
  check('subscriptions_status_ck', sql`${t.status} in ('created', 'authorized', 'active', 'paused', 'halted', 'completed', 'cancelled', 'expired', 'failed', 'action_required', 'under_review')`),
  check('subscriptions_interval_ck', sql`(${t.intervalType} = 'as_presented' and ${t.intervalCount} is null and ${t.billingCycles} is null and ${t.maxAmount} > 0) or (${t.intervalType} = 'month' and ${t.intervalCount} in (1, 3, 6) and ${t.billingCycles} >= 2 and ${t.maxAmount} is null) or (${t.intervalType} = 'year' and ${t.intervalCount} = 1 and ${t.billingCycles} >= 2 and ${t.maxAmount} is null)`),
  check('subscriptions_amount_ck', sql`${t.amount} > 0`),
  check('subscriptions_cycles_ck', sql`${t.cyclesBilled} >= 0 and (${t.billingCycles} is null or ${t.cyclesBilled} <= ${t.billingCycles}) and ${t.failedAttempts} >= 0`),
  check('subscriptions_mock_renewal_outcome_ck', sql`${t.mockRenewalOutcome} is null or ${t.mockRenewalOutcome} in ('success', 'failed')`),
]);
