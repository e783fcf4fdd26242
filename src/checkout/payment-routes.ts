// The hosted checkout's payment step under /api/public/v1 (publishable key): the bank account to pay an order
// into, and paying it by card, bank transfer or pay-via-bank. The sandbox simulates what a processor or a bank
// would do; production refuses what this server cannot do rather than pretend. The card number and CVV live only
// in this request: they are checked, reduced to network, last four and expiry, and never logged or answered.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Services } from '../composition.js';
import type { AppDeps } from '../deps.js';
import { currentSecretKey } from '../core/auth/api-keys.js';
import { jsonAmount } from '../core/amount.js';
import { errors } from '../core/errors.js';
import { ErrorBody, IdParams, withoutNulls } from '../core/http-schemas.js';
import { ID_PREFIXES } from '../core/ids.js';
import type { TenantContext } from '../core/context.js';
import type { OrderRow } from '../modules/orders/service.js';
import { checkSandboxCard, SANDBOX_OTP, type CheckedCard } from '../modules/payments/cards.js';
import { assertPayable, payinErrors, payinOfOrder } from '../modules/payments/payins.js';
import type { PaymentAttempt } from '../modules/payments/service.js';
import type { PaymentMethodType } from '../db/schema/index.js';
import { bankTransferDetails } from './bank-details.js';
import { publishableKeyAuth } from './publishable-auth.js';
import { paymentSignature } from './signature.js';

const BankTransferDetailsResponse = Type.Object({
  order_id: Type.String({ examples: ['order_678a4c88hpAjf'] }),
  amount: Type.Integer({ description: 'What to transfer, in minor units of `currency`: the order amount plus a customer-borne fee.', examples: [10000] }),
  currency: Type.String({ examples: ['USD'] }),
  account_name: Type.String({ description: "The merchant's name." }),
  bank_name: Type.String({ examples: ['Glomo Sandbox Bank'] }),
  account_number: Type.String({ examples: ['04285519360377'] }),
  iban: Type.String({ examples: ['GB29GLMO04285519360377'] }),
  swift_code: Type.String({ examples: ['GLMOXXSB'] }),
  reference: Type.String({ description: 'The order id: the customer quotes it so the transfer is matched to the order.' }),
}, { description: 'The account to pay the order into. Sandbox details derived from the merchant, environment and currency.' });

const CheckoutPaymentBody = Type.Object({
  method: Type.Enum(['card', 'bank_transfer', 'pay_via_bank']),
  card: Type.Optional(Type.Object({
    number: Type.String({ maxLength: 32, description: 'Digits; spaces and dashes are ignored.' }),
    exp_month: Type.Integer({ description: '1 to 12.' }),
    exp_year: Type.Integer({ description: 'Two or four digits.' }),
    cvv: Type.String({ maxLength: 8 }),
    holder_name: Type.Optional(Type.String({ maxLength: 200 })),
  }, { additionalProperties: false })),
  otp: Type.Optional(Type.String({ maxLength: 16, description: 'The one-time password of a card that asks for one.' })),
}, { additionalProperties: false });
type CheckoutPaymentBody = Static<typeof CheckoutPaymentBody>;

const CheckoutPaymentResult = Type.Object({
  order_id: Type.String({ examples: ['order_678a4c88hpAjf'] }),
  payment_id: Type.String({ examples: ['payt_6819d8046mpKt'] }),
  status: Type.Enum(['success', 'failed', 'action_required'], { description: "The payment's status." }),
  signature: Type.Optional(Type.String({
    description: "Lowercase hex HMAC-SHA256 of `order_id|payment_id|status` keyed with the merchant's secret key.",
  })),
  error_code: Type.Optional(Type.String({ examples: ['PAYMENT_DECLINED'] })),
  error_message: Type.Optional(Type.String({ description: 'For the customer.' })),
});
type CheckoutPaymentResult = Static<typeof CheckoutPaymentResult>;

const OtpRequired = Type.Object({
  status: Type.Literal('otp_required', { description: 'The card asks for a one-time password: send the request again with `otp`.' }),
});

/** The card of a sandbox payment, or the answer that asks for the OTP first. A wrong OTP declines the card. */
function sandboxCard(body: CheckoutPaymentBody, now: Date): { card: CheckedCard } | 'otp_required' {
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

export const checkoutPaymentRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; services: Services }> = async (app, { deps, services }) => {
  const { merchants, orders, payments } = services;
  const auth = publishableKeyAuth(deps);
  app.addHook('onRequest', auth.onRequest);
  const tags = ['Checkout'];

  /** The key's order, or the same 404 for anything else (see GET /order/{id}). */
  async function orderOf(ctx: TenantContext, id: string): Promise<OrderRow> {
    const row = id.startsWith(`${ID_PREFIXES.order}_`) ? await orders.find(ctx, id) : undefined;
    if (!row) throw errors.notFound('Order');
    return row;
  }

  app.get('/order/:id/bank_transfer_details', {
    schema: {
      tags, operationId: 'getCheckoutBankTransferDetails', summary: 'Bank transfer details of an order',
      description: 'Extension for the hosted checkout, authenticated by a publishable key. The account the customer ' +
        'transfers the order amount into, quoting `reference`. Until virtual accounts exist these are deterministic ' +
        'sandbox details at "Glomo Sandbox Bank". 400 when the order does not accept bank transfers.',
      params: IdParams('order_678a4c88hpAjf'),
      response: { 200: BankTransferDetailsResponse, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const ctx = auth.contextOf(request);
    const { tenant } = ctx;
    const order = await orderOf(ctx, request.params.id);
    if (!order.paymentMethods.includes('bank_transfer')) throw payinErrors.methodNotAccepted('orders', 'bank_transfer');
    // No made-up account in production: a customer could wire real money to it.
    if (tenant.env === 'production') throw errors.bankTransferUnavailable();
    const merchant = await merchants.find(tenant.merchantId);
    if (!merchant) throw errors.notFound('Order');
    // The amount the engine will record for this transfer, priced by the same function.
    const due = await payments.price(ctx, payinOfOrder(order), order.currency);
    const details = bankTransferDetails(tenant, merchant.name, order.currency, order.id);
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
  });

  app.post('/order/:id/payments', {
    schema: {
      tags, operationId: 'createCheckoutPayment', summary: 'Pay an order from the hosted checkout',
      description: 'Extension for the hosted checkout, authenticated by a publishable key. Sandbox: `card` takes a test ' +
        'card (notes-payins §7.5; 400 with the card error code otherwise); a card that asks for a one-time password ' +
        'answers 200 `otp_required` until the request is repeated with `otp` (`123456`; any other code declines it); ' +
        '`bank_transfer` records the transfer as arrived; `pay_via_bank` records the approved bank payment. Production: ' +
        'every method answers 400 `PAYMENT_METHOD_UNAVAILABLE`, as this server has no card processor, bank connection or ' +
        'virtual accounts yet. 201 carries the payment result and its signature.',
      params: IdParams('order_678a4c88hpAjf'),
      body: CheckoutPaymentBody,
      response: { 200: OtpRequired, 201: CheckoutPaymentResult, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 503: ErrorBody },
    },
  }, async (request, reply) => {
    const ctx = auth.contextOf(request);
    const { tenant, clock } = ctx;
    const body = request.body;
    const method = body.method as PaymentMethodType;
    const order = await orderOf(ctx, request.params.id);
    // What the engine would refuse anyway, checked first: an OTP prompt must not precede a refusal.
    assertPayable(payinOfOrder(order), method, clock.now());

    if (tenant.env === 'production') {
      // Nothing here can take real money yet: say so rather than pretend.
      if (method === 'card') throw errors.cardPaymentsUnavailable();
      if (method === 'pay_via_bank') throw errors.payViaBankUnavailable();
      throw errors.bankTransferUnavailable();
    }

    let card: CheckedCard | null = null;
    if (method === 'card') {
      const checked = sandboxCard(body, clock.now());
      if (checked === 'otp_required') return reply.status(200).send({ status: 'otp_required' });
      card = checked.card;
    }
    // Before recording anything: a result without its signature would be useless to the merchant. Keys live in real
    // time (the test clock does not expire them), so the key is the one valid now.
    const secretKey = await currentSecretKey(deps.database.db, deps.keyRing, deps.clock, tenant);
    if (!secretKey) throw errors.checkoutNoSecretKey();

    const attempt: PaymentAttempt = {
      payinId: order.id,
      currency: order.currency,
      method,
      card: card && { network: card.network, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, outcome: card.outcome },
      sanctionedRemitter: false,
    };
    const { payment } = await payments.pay(ctx, attempt);
    const result: CheckoutPaymentResult = withoutNulls({
      order_id: order.id,
      payment_id: payment.id,
      status: payment.status as CheckoutPaymentResult['status'],
      signature: paymentSignature(secretKey, order.id, payment.id, payment.status),
      error_code: payment.error_code ?? null,
      error_message: payment.customer_error_description ?? null,
    });
    return reply.status(201).send(result);
  });
};
