// The payment link page's policy (decision 0037): what the customer holding a link's `payment_link` URL may read of
// it, the account to pay it into, and paying it (or, where the link allows it, a part of it) by card, bank transfer or
// pay-via-bank. Like the subscription page's link (decision 0028) the URL carries no key: the link's id alone finds its
// tenant (the module's `locate`), and everything after is scoped to that tenant, by its clock. Paying is the order
// checkout's code path (`payPayinFromPage`, `payinBankTransferDetails`): the same checks, cards, OTP and signature.
import { jsonAmount } from '../core/amount.js';
import { isoSeconds } from '../core/clock.js';
import type { TenantContext } from '../core/context.js';
import { errors } from '../core/errors.js';
import { withoutNulls } from '../core/http-schemas.js';
import { tenantContext } from '../core/tenant-clock.js';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { PAYABLE_STATUSES, remainingOf, type PaymentLinkRow } from '../modules/payment-links/service.js';
import { findPayin, type Payin } from '../modules/payments/payins.js';
import type {
  PaymentLinkBankTransferDetails, PaymentLinkPaymentBody, PaymentLinkPaymentResult, PublicPaymentLink,
} from './payment-link-schemas.js';
import type { OtpRequired } from './schemas.js';
import { payinBankTransferDetails, payPayinFromPage, type PagePaymentDeps } from './service.js';

export interface PaymentLinkPageDeps extends PagePaymentDeps {
  paymentLinks: Pick<Services['paymentLinks'], 'locate' | 'find'>;
}

/** A located link with its tenant's context (the environment's clock). */
export interface LocatedPaymentLink {
  ctx: TenantContext;
  row: PaymentLinkRow;
}

/** Whether the link can be paid now: `active` or `partially_paid`, and before its `expires_at`. */
export function isPayable(row: Pick<PaymentLinkRow, 'status' | 'expiresAt'>, now: Date): boolean {
  return PAYABLE_STATUSES.includes(row.status) && now.getTime() < row.expiresAt.getTime();
}

export function createPaymentLinkPageService(deps: PaymentLinkPageDeps) {
  /** The link of a page URL with its tenant's clock, or the same 404 for anything else (a wrong prefix too). */
  async function locate(id: string): Promise<LocatedPaymentLink> {
    const found = await deps.paymentLinks.locate(id);
    if (!found) throw errors.notFound('Payment link');
    return { ctx: await tenantContext(deps.db, deps.realTime, found.tenant), row: found.row };
  }

  /** The located link as the payment engine sees it (what remains to be paid as its amount). */
  async function payinOf({ ctx, row }: LocatedPaymentLink): Promise<Payin> {
    const payin = await findPayin(deps.db, ctx.tenant, row.id);
    if (!payin) throw errors.notFound('Payment link');
    return payin;
  }

  const partOf = (amount: number | undefined) => (amount === undefined ? undefined : BigInt(amount));

  return Object.freeze({
    locate,

    /** GET /payment-link/{id}: what the customer may see, priced by the function the payment step records with. */
    async publicPaymentLink(id: string): Promise<PublicPaymentLink> {
      const located = await locate(id);
      const { ctx, row } = located;
      const merchant = await deps.merchants.find(ctx.tenant.merchantId);
      if (!merchant) throw errors.notFound('Payment link');
      const remaining = remainingOf(row);
      // Nothing is due of a link paid in full.
      const due = remaining === 0n ? 0n : (await deps.payments.price(ctx, await payinOf(located), row.currency)).paymentAmount;
      return withoutNulls({
        id: row.id,
        status: row.status,
        payable: isPayable(row, ctx.clock.now()),
        merchant_name: merchant.name,
        amount: jsonAmount(row.amount),
        currency: row.currency,
        amount_paid: jsonAmount(row.amountPaid),
        amount_remaining: jsonAmount(remaining),
        amount_due: jsonAmount(due),
        allow_partial_payments: row.allowPartialPayments,
        description: row.invoiceDescription,
        invoice_number: row.invoiceNumber,
        product: row.product,
        payment_methods: row.paymentMethods,
        expires_at: isoSeconds(row.expiresAt),
      });
    },

    /** The account to transfer what remains (or the part `amount`) into, quoting the link id. */
    async bankTransferDetails(id: string, amount?: number): Promise<PaymentLinkBankTransferDetails> {
      const located = await locate(id);
      const details = await payinBankTransferDetails(deps, located.ctx, await payinOf(located), partOf(amount));
      return { payment_link_id: located.row.id, ...details };
    },

    /**
     * Pays the link (all that remains, or the part `amount`): the signed result with the link's state after it, or
     * the OTP prompt of a card that asks for one. A declined card leaves the link as it was.
     */
    async pay(id: string, body: PaymentLinkPaymentBody): Promise<PaymentLinkPaymentResult | OtpRequired> {
      const located = await locate(id);
      const { amount, ...payment } = body;
      const result = await payPayinFromPage(deps, located.ctx, await payinOf(located), payment, partOf(amount));
      if ('status' in result) return result;
      const after = (await deps.paymentLinks.find(located.ctx, located.row.id))!;
      return withoutNulls({
        payment_link_id: after.id,
        payment_id: result.payment.id,
        status: result.payment.status as PaymentLinkPaymentResult['status'],
        signature: result.signature,
        payment_link_status: after.status,
        amount_paid: jsonAmount(after.amountPaid),
        amount_remaining: jsonAmount(remainingOf(after)),
        payment_amount: result.payment.payment_amount,
        payment_currency: result.payment.payment_currency,
        error_code: result.payment.error_code ?? null,
        error_message: result.payment.customer_error_description ?? null,
      });
    },
  });
}

export type PaymentLinkPageService = ReturnType<typeof createPaymentLinkPageService>;

/** The page's policy over the app's dependencies and services: what the page and its JSON routes are built with. */
export function paymentLinkPageOf(
  deps: AppDeps, services: Pick<Services, 'paymentLinks' | 'payments' | 'merchants' | 'virtualAccounts'>,
): PaymentLinkPageService {
  return createPaymentLinkPageService({
    db: deps.database.db, keyRing: deps.keyRing, realTime: deps.clock,
    payments: services.payments, merchants: services.merchants, virtualAccounts: services.virtualAccounts, paymentLinks: services.paymentLinks,
  });
}
