// The hosted checkout's policy, for its publishable-key routes: what a paying customer may read of an order, the
// account to pay it into, and paying it by card, bank transfer or pay-via-bank. The sandbox simulates what a processor
// or a bank would do; production refuses what this server cannot do rather than pretend. The card number and CVV live
// only in the call: they are checked, reduced to network, last four and expiry, and never logged or answered.
import { currentSecretKey } from '../core/auth/api-keys.js';
import type { KeyRing } from '../core/auth/signing-keys.js';
import { jsonAmount } from '../core/amount.js';
import { isoSeconds, type Clock } from '../core/clock.js';
import type { TenantContext } from '../core/context.js';
import { errors } from '../core/errors.js';
import { withoutNulls } from '../core/http-schemas.js';
import { ID_PREFIXES } from '../core/ids.js';
import type { Db } from '../db/client.js';
import type { PaymentMethodType } from '../db/schema/index.js';
import type { MerchantService } from '../modules/merchants/service.js';
import type { OrderRow, OrderService } from '../modules/orders/service.js';
import { checkSandboxCard, SANDBOX_OTP, type CheckedCard } from '../modules/payments/cards.js';
import { assertPayable, payinErrors, payinOfOrder, payinPart, type Payin } from '../modules/payments/payins.js';
import type { Payment, PaymentAttempt, PaymentService } from '../modules/payments/service.js';
import type { VirtualAccountService } from '../modules/virtual-accounts/service.js';
import { bankTransferDetails } from './bank-details.js';
import type { BankTransferDetails, CheckoutPaymentBody, CheckoutPaymentResult, OtpRequired, PublicOrder } from './schemas.js';
import { paymentSignature } from './signature.js';

export interface CheckoutDeps {
  db: Db;
  keyRing: KeyRing;
  /** Keys live in real time (the test clock does not expire them): the signing key is the one valid now. */
  realTime: Clock;
  orders: OrderService;
  payments: PaymentService;
  merchants: MerchantService;
  virtualAccounts: VirtualAccountService;
}

function presentPublicOrder(row: OrderRow, merchantName: string, amountDue: bigint): PublicOrder {
  return withoutNulls({
    id: row.id,
    status: row.status,
    amount: jsonAmount(row.amount),
    currency: row.currency,
    amount_due: jsonAmount(amountDue),
    description: row.invoiceDescription,
    product: row.product,
    payment_methods: row.paymentMethods,
    merchant_name: merchantName,
    expires_at: isoSeconds(row.expiresAt),
  });
}

/** The card of a sandbox payment, or the answer that asks for the OTP first. A wrong OTP declines the card. */
export function sandboxCard(body: Pick<CheckoutPaymentBody, 'card' | 'otp'>, now: Date): { card: CheckedCard } | 'otp_required' {
  if (!body.card) throw errors.blank('card');
  const checked = checkSandboxCard(
    { number: body.card.number, expMonth: body.card.exp_month, expYear: body.card.exp_year, cvv: body.card.cvv },
    now,
  );
  if (!checked.ok) throw checked.error;
  if (!checked.card.otp) return { card: checked.card };
  if (body.otp === undefined || body.otp.trim() === '') return 'otp_required';
  return { card: body.otp.trim() === SANDBOX_OTP ? checked.card : { ...checked.card, outcome: 'failure' } };
}

/** What paying a payin from a hosted page needs (the order checkout's and the payment link page's). */
export type PagePaymentDeps = Pick<CheckoutDeps, 'db' | 'keyRing' | 'realTime' | 'virtualAccounts'> & {
  payments: Pick<PaymentService, 'pay' | 'price'>;
  merchants: Pick<MerchantService, 'find'>;
};

/** A payment made from a hosted page, with the signature the page reports (`<payin id>|payment_id|status`). */
export interface PagePayment {
  payment: Payment;
  signature: string;
}

/**
 * Pays `payin` from a hosted page (the order checkout, the payment link page) by the body's method: checks first what
 * the engine would refuse (so that no OTP prompt precedes a refusal), refuses in production what this server cannot
 * do, checks the sandbox card (the OTP prompt of a card that asks for one), then records the attempt through the
 * payment engine and signs its result with the merchant's current secret key, `payin.id` in the order id's place.
 * `part`: what this payment pays of a link that allows partial payments (decision 0037).
 */
export async function payPayinFromPage(
  deps: PagePaymentDeps, ctx: TenantContext, payin: Payin, body: CheckoutPaymentBody, part?: bigint,
): Promise<PagePayment | OtpRequired> {
  const method = body.method as PaymentMethodType;
  assertPayable(payin, method, ctx.clock.now());
  const paid = payinPart(payin, part);
  if (ctx.tenant.env === 'production') {
    // Nothing here can take real money yet: say so rather than pretend.
    if (method === 'card') throw errors.cardPaymentsUnavailable();
    if (method === 'pay_via_bank') throw errors.payViaBankUnavailable();
    throw errors.bankTransferUnavailable();
  }
  let card: CheckedCard | null = null;
  if (method === 'card') {
    const checked = sandboxCard(body, ctx.clock.now());
    if (checked === 'otp_required') return { status: 'otp_required' };
    card = checked.card;
  }
  // Before recording anything: a result without its signature would be useless to the merchant.
  const secretKey = await currentSecretKey(deps.db, deps.keyRing, deps.realTime, ctx.tenant);
  if (!secretKey) throw errors.checkoutNoSecretKey();
  const attempt: PaymentAttempt = {
    payinId: payin.id,
    currency: payin.currency,
    ...(paid === payin ? {} : { part: paid.amount }),
    method,
    card: card && { network: card.network, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, outcome: card.outcome },
    sanctionedRemitter: false,
  };
  const { payment } = await deps.payments.pay(ctx, attempt);
  return { payment, signature: paymentSignature(secretKey, payin.id, payment.id, payment.status) };
}

/** Bank transfer details without the id of what they pay (each page's route names it: `order_id`, `payment_link_id`). */
export type PayinBankTransferDetails = Omit<BankTransferDetails, 'order_id'>;

/**
 * The account to transfer `payin`'s amount due (or `part` of a link that allows it) into: the environment's virtual
 * account in the currency (in production only one the operator registered, which a bank issued), else in the sandbox
 * the derived details of bank-details.ts. No made-up account in production: a customer could wire real money to it.
 * `reference` is the payin's id. The amount is what the engine will record, priced by the same function.
 */
export async function payinBankTransferDetails(
  deps: PagePaymentDeps, ctx: TenantContext, payin: Payin, part?: bigint,
): Promise<PayinBankTransferDetails> {
  if (!payin.paymentMethods.includes('bank_transfer')) throw payinErrors.methodNotAccepted(payin.type, 'bank_transfer');
  const due = await deps.payments.price(ctx, payinPart(payin, part), payin.currency);
  const account = await deps.virtualAccounts.receivingAccount(ctx, due.paymentCurrency);
  if (!account && ctx.tenant.env === 'production') throw errors.bankTransferUnavailable();
  if (account) {
    return withoutNulls({
      amount: jsonAmount(due.paymentAmount), currency: due.paymentCurrency,
      account_name: account.accountName, bank_name: account.bankName, account_number: account.accountNumber,
      iban: account.iban, swift_code: account.bic, routing_number: account.routingNumber, sort_code: account.sortCode,
      bank_code: account.bankCode, reference: payin.id,
    });
  }
  const merchant = await deps.merchants.find(ctx.tenant.merchantId);
  if (!merchant) throw payinErrors.notFound(payin.type);
  const details = bankTransferDetails(ctx.tenant, merchant.name, payin.currency, payin.id);
  return {
    amount: jsonAmount(due.paymentAmount),
    currency: due.paymentCurrency,
    account_name: details.accountName,
    bank_name: details.bankName,
    account_number: details.accountNumber,
    iban: details.iban,
    swift_code: details.swiftCode,
    reference: details.reference,
  };
}

export function createCheckoutService(deps: CheckoutDeps) {
  const { orders, payments, merchants } = deps;

  /** The key's order, or the same 404 for anything else: a wrong prefix too, this surface tells a browser nothing more. */
  async function orderOf(ctx: TenantContext, id: string): Promise<OrderRow> {
    const row = id.startsWith(`${ID_PREFIXES.order}_`) ? await orders.find(ctx, id) : undefined;
    if (!row) throw errors.notFound('Order');
    return row;
  }

  async function merchantNameOf(ctx: TenantContext): Promise<string> {
    const merchant = await merchants.find(ctx.tenant.merchantId);
    if (!merchant) throw errors.notFound('Order');
    return merchant.name;
  }

  return Object.freeze({
    /** GET /order/{id}: what the paying customer may see, priced by the function the payment step records with. */
    async publicOrder(ctx: TenantContext, id: string): Promise<PublicOrder> {
      const row = await orderOf(ctx, id);
      const merchantName = await merchantNameOf(ctx);
      const due = await payments.price(ctx, payinOfOrder(row), row.currency);
      return presentPublicOrder(row, merchantName, due.paymentAmount);
    },

    /** The account to transfer an order's amount into (`payinBankTransferDetails`), quoting the order id. */
    async bankTransferDetails(ctx: TenantContext, id: string): Promise<BankTransferDetails> {
      const order = await orderOf(ctx, id);
      return { order_id: order.id, ...(await payinBankTransferDetails(deps, ctx, payinOfOrder(order))) };
    },

    /** Pays an order from the checkout: the payment result with its signature, or the OTP prompt of a card that asks for one. */
    async pay(ctx: TenantContext, id: string, body: CheckoutPaymentBody): Promise<CheckoutPaymentResult | OtpRequired> {
      const order = await orderOf(ctx, id);
      const result = await payPayinFromPage(deps, ctx, payinOfOrder(order), body);
      if ('status' in result) return result;
      const { payment, signature } = result;
      return withoutNulls({
        order_id: order.id,
        payment_id: payment.id,
        status: payment.status as CheckoutPaymentResult['status'],
        signature,
        error_code: payment.error_code ?? null,
        error_message: payment.customer_error_description ?? null,
      });
    },
  });
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
