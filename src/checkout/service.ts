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
import { assertPayable, payinErrors, payinOfOrder } from '../modules/payments/payins.js';
import type { PaymentAttempt, PaymentService } from '../modules/payments/service.js';
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

    /**
     * The account to transfer an order's amount into: the environment's virtual account in the currency (in production
     * only one the operator registered, which a bank issued). No made-up account in production: a customer could wire
     * real money to it.
     */
    async bankTransferDetails(ctx: TenantContext, id: string): Promise<BankTransferDetails> {
      const order = await orderOf(ctx, id);
      if (!order.paymentMethods.includes('bank_transfer')) throw payinErrors.methodNotAccepted('orders', 'bank_transfer');
      // The amount the engine will record for this transfer, priced by the same function.
      const due = await payments.price(ctx, payinOfOrder(order), order.currency);
      const account = await deps.virtualAccounts.receivingAccount(ctx, due.paymentCurrency);
      if (!account && ctx.tenant.env === 'production') throw errors.bankTransferUnavailable();
      if (account) {
        return withoutNulls({
          order_id: order.id, amount: jsonAmount(due.paymentAmount), currency: due.paymentCurrency,
          account_name: account.accountName, bank_name: account.bankName, account_number: account.accountNumber,
          iban: account.iban, swift_code: account.bic, routing_number: account.routingNumber, sort_code: account.sortCode,
          bank_code: account.bankCode, reference: order.id,
        });
      }
      const details = bankTransferDetails(ctx.tenant, await merchantNameOf(ctx), order.currency, order.id);
      return {
        order_id: order.id,
        amount: jsonAmount(due.paymentAmount),
        currency: due.paymentCurrency,
        account_name: details.accountName,
        bank_name: details.bankName,
        account_number: details.accountNumber,
        iban: details.iban,
        swift_code: details.swiftCode,
        reference: details.reference,
      };
    },

    /** Pays an order from the checkout: the payment result with its signature, or the OTP prompt of a card that asks for one. */
    async pay(ctx: TenantContext, id: string, body: CheckoutPaymentBody): Promise<CheckoutPaymentResult | OtpRequired> {
      const method = body.method as PaymentMethodType;
      const order = await orderOf(ctx, id);
      // What the engine would refuse anyway, checked first: an OTP prompt must not precede a refusal.
      assertPayable(payinOfOrder(order), method, ctx.clock.now());
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
        payinId: order.id,
        currency: order.currency,
        method,
        card: card && { network: card.network, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, outcome: card.outcome },
        sanctionedRemitter: false,
      };
      const { payment } = await payments.pay(ctx, attempt);
      return withoutNulls({
        order_id: order.id,
        payment_id: payment.id,
        status: payment.status as CheckoutPaymentResult['status'],
        signature: paymentSignature(secretKey, order.id, payment.id, payment.status),
        error_code: payment.error_code ?? null,
        error_message: payment.customer_error_description ?? null,
      });
    },
  });
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
