// Payments of subscriptions: the first instalment, a renewal by the scheduler, an as-presented charge. A payment
// names its subscription and the cycle it bills instead of a payin; it is priced by the merchant's default price and
// credited through the same journal as a payin's payment, in the caller's transaction with its `payment` event.
import { and, eq, max } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { payments } from '../../db/schema/index.js';
import type { UnitOfWork } from '../../core/context.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { pricedColumns, pricePayment, type PricingDeps } from './pricing.js';
import { DECLINED, NO_ERROR, PAYMENT_ENTITY_TYPE, postPaymentJournal, presentPayment, type PaymentRow } from './service.js';

/** What a subscription's payment reads of its subscription. */
export interface SubscriptionPaymentSubject {
  id: string;
  customerId: string;
  currency: string;
  amount: bigint;
  productName: string;
  productDescription: string;
}

/** The card charged: only these fields, never the number or the CVV. */
export interface ChargedCard {
  network: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
}

export interface SubscriptionPaymentInput {
  subscription: SubscriptionPaymentSubject;
  /** The cycle (or as-presented charge) the payment bills, 1 for the first instalment. */
  cycle: number;
  /** What is charged when it is not the subscription's `amount` (an as-presented charge). */
  amount?: bigint;
  card: ChargedCard;
  /** `auto_debit?`: true for the scheduler's renewals. */
  autoDebit: boolean;
  requestId: string | null;
  /** `in_progress`: a card waiting for its authentication (settled later by its caller); no money moves yet. */
  outcome: 'success' | 'failed' | 'in_progress';
  /**
   * The caller's own writes of the same transaction, made after the payment's row and event and before its journal:
   * the journal locks the merchant's ledger accounts, which every payment of the merchant needs, so it goes last and
   * holds them only until the commit.
   */
  beforeJournal?: (row: PaymentRow) => Promise<void>;
}

/**
 * Records a subscription's payment in the caller's transaction: the row (`payin_id` null, `subscription_id`,
 * `billing_cycle`), for success the payment's journal (the merchant's pending balance credited net of the price's
 * fee), and its `payment` event. The unique index on (subscription, cycle) of successful payments refuses a second
 * success for one cycle, whatever the caller checked.
 */
export async function recordSubscriptionPayment(uow: UnitOfWork, deps: PricingDeps, input: SubscriptionPaymentInput): Promise<PaymentRow> {
  const { tx, tenant, clock } = uow;
  const now = clock.now();
  const { subscription, outcome } = input;
  const amount = input.amount ?? subscription.amount;
  // Subscriptions are paid in their own currency, with the merchant's default price (they name no price of their own).
  const pricing = await pricePayment(tx, deps, tenant, { amount, currency: subscription.currency, priceId: null, quoteId: null }, subscription.currency);
  const row = await insertWithFreshId(tx, payments, () => newId(ID_PREFIXES.payment, now), {
    ...tenant,
    payinId: null,
    payinType: null,
    subscriptionId: subscription.id,
    billingCycle: input.cycle,
    autoDebit: input.autoDebit,
    requestId: input.requestId,
    customerId: subscription.customerId,
    status: outcome,
    ...pricedColumns(pricing),
    methodType: 'card',
    cardNetwork: input.card.network,
    cardLast4: input.card.last4,
    cardExpMonth: input.card.expMonth,
    cardExpYear: input.card.expYear,
    ...(outcome === 'failed' ? DECLINED : NO_ERROR),
    purposeCode: null,
    productName: subscription.productName,
    productDescription: subscription.productDescription,
    fundsAvailable: false,
    paidAt: outcome === 'success' ? now : null,
    createdAt: now,
    updatedAt: now,
  });
  await recordEvent(uow, { entityType: PAYMENT_ENTITY_TYPE, eventType: row.status, entityId: row.id, data: presentPayment(row) });
  await input.beforeJournal?.(row);
  if (row.status === 'success') await postPaymentJournal(uow, row);
  return row;
}

/** The highest cycle of the subscription a successful payment billed, 0 when none did. */
export async function lastBilledCycle(db: DbOrTx, tenant: Tenant, subscriptionId: string): Promise<number> {
  const [row] = await db.select({ cycle: max(payments.billingCycle) }).from(payments)
    .where(and(tenantFilter(payments, tenant), eq(payments.subscriptionId, subscriptionId), eq(payments.status, 'success')));
  return row?.cycle ?? 0;
}
