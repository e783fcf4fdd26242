// The schemas of the checkout's publishable-key API (/api/public/v1): the response schemas are allow-lists of what a
// paying customer may see.
import { Type, type Static } from 'typebox';
import { SUBSCRIPTION_INTERVAL_TYPES, SUBSCRIPTION_STATUSES } from '../db/schema/index.js';
import { OrderStatus, PaymentMethod } from '../modules/orders/schemas.js';

export const PublicOrder = Type.Object({
  id: Type.String({ examples: ['order_678a4c88hpAjf'] }),
  status: OrderStatus,
  amount: Type.Integer({ description: 'Minor units.', examples: [10000] }),
  currency: Type.String({ examples: ['USD'] }),
  amount_due: Type.Integer({
    description: 'What the customer pays in `currency`, in minor units: `amount` plus a fee the merchant passes on to the customer.',
    examples: [10200],
  }),
  description: Type.Optional(Type.String({ description: "The order's invoice description, when it has one." })),
  product: Type.Optional(Type.Object({
    name: Type.String(),
    description: Type.Optional(Type.String()),
  })),
  payment_methods: Type.Array(PaymentMethod, { description: 'The methods checkout may offer for this order.' }),
  merchant_name: Type.String({ description: "The merchant's display name." }),
  expires_at: Type.String({ format: 'date-time', examples: ['2025-08-06T09:36:04Z'] }),
}, { description: 'The customer-facing view of an order: no customer, document, request, quote, price or notes data.' });
export type PublicOrder = Static<typeof PublicOrder>;

export const BankTransferDetailsResponse = Type.Object({
  order_id: Type.String({ examples: ['order_678a4c88hpAjf'] }),
  amount: Type.Integer({ description: 'What to transfer, in minor units of `currency`: the order amount plus a customer-borne fee.', examples: [10000] }),
  currency: Type.String({ examples: ['USD'] }),
  account_name: Type.String({ description: "The merchant's name." }),
  bank_name: Type.String({ examples: ['Glomo Sandbox Bank'] }),
  account_number: Type.String({ examples: ['04285519360377'] }),
  iban: Type.Optional(Type.String({ description: "Where the account's country uses IBANs.", examples: ['GB29GLMO04285519360377'] })),
  swift_code: Type.String({ examples: ['GLMOXXSB'] }),
  routing_number: Type.Optional(Type.String({ description: 'A local USD virtual account: its ABA routing number.', examples: ['021999992'] })),
  sort_code: Type.Optional(Type.String({ description: 'A local GBP or EUR virtual account: its sort code.', examples: ['040999'] })),
  bank_code: Type.Optional(Type.String({ description: 'A local AED or SGD virtual account: its domestic bank code.', examples: ['099'] })),
  reference: Type.String({ description: 'The order id: the customer quotes it so the transfer is matched to the order.' }),
}, {
  description: "The account to pay the order into: the environment's virtual account in the currency transferred when it has one " +
    '(local before swift), else sandbox details derived from the merchant, environment and currency.',
});

export const CheckoutPaymentBody = Type.Object({
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
export type CheckoutPaymentBody = Static<typeof CheckoutPaymentBody>;

export const CheckoutPaymentResult = Type.Object({
  order_id: Type.String({ examples: ['order_678a4c88hpAjf'] }),
  payment_id: Type.String({ examples: ['payt_6819d8046mpKt'] }),
  status: Type.Enum(['success', 'failed', 'action_required'], { description: "The payment's status." }),
  signature: Type.Optional(Type.String({
    description: "Lowercase hex HMAC-SHA256 of `order_id|payment_id|status` keyed with the merchant's secret key.",
  })),
  error_code: Type.Optional(Type.String({ examples: ['PAYMENT_DECLINED'] })),
  error_message: Type.Optional(Type.String({ description: 'For the customer.' })),
});
export type CheckoutPaymentResult = Static<typeof CheckoutPaymentResult>;

export const OtpRequired = Type.Object({
  status: Type.Literal('otp_required', { description: 'The card asks for a one-time password: send the request again with `otp`.' }),
});
export type BankTransferDetails = Static<typeof BankTransferDetailsResponse>;
export type OtpRequired = Static<typeof OtpRequired>;

// ---------------------------------------------------------------- the hosted subscription page (decision 0028)

export const PublicSubscription = Type.Object({
  id: Type.String({ examples: ['sub_6819d8046mpKt'] }),
  status: Type.Enum([...SUBSCRIPTION_STATUSES], { description: "The subscription's status." }),
  payable: Type.Boolean({
    description: 'Whether the first instalment can be paid on the page now: the subscription is `created` and its link ' +
      "has not passed `expires_at` (the end of that day, UTC, by the environment's clock).",
  }),
  charges_now: Type.Boolean({
    description: 'Whether paying charges the first instalment now (true), or only saves the card, the subscription ' +
      '`authorized` and first charged on `start_date` (a future `start_date` with `starts_with_first_payment: false`).',
  }),
  merchant_name: Type.String({ description: "The merchant's display name." }),
  product_name: Type.String(),
  product_description: Type.String(),
  plan_name: Type.Optional(Type.String()),
  plan_description: Type.Optional(Type.String()),
  amount: Type.Integer({ description: 'Each instalment (for `as_presented`, the first charge), in minor units.', examples: [1000] }),
  amount_due: Type.Integer({
    description: 'What the customer pays for an instalment of `amount`, in minor units of `currency`: `amount` plus a fee ' +
      'the merchant passes on to the customer.',
    examples: [1030],
  }),
  currency: Type.String({ examples: ['USD'] }),
  interval_type: Type.Enum([...SUBSCRIPTION_INTERVAL_TYPES]),
  interval_count: Type.Optional(Type.Integer({ examples: [1] })),
  billing_cycles: Type.Optional(Type.Integer({ examples: [12] })),
  max_amount: Type.Optional(Type.Integer({ description: 'The cap of one `as_presented` charge, in minor units.' })),
  start_date: Type.Optional(Type.String({ format: 'date', examples: ['2026-12-02'] })),
  end_date: Type.Optional(Type.String({ format: 'date' })),
  expires_at: Type.Optional(Type.String({ format: 'date', description: 'The last day the link can be paid (UTC).' })),
  next_payment_date: Type.Optional(Type.String({ format: 'date' })),
}, { description: 'The customer-facing view of a subscription: no customer, notes, reference or schedule internals.' });
export type PublicSubscription = Static<typeof PublicSubscription>;

export const SubscriptionPaymentBody = Type.Object({
  card: CheckoutPaymentBody.properties.card,
  otp: CheckoutPaymentBody.properties.otp,
}, { additionalProperties: false });
export type SubscriptionPaymentBody = Static<typeof SubscriptionPaymentBody>;

export const SubscriptionPaymentResult = Type.Object({
  subscription_id: Type.String({ examples: ['sub_6819d8046mpKt'] }),
  subscription_status: Type.Enum([...SUBSCRIPTION_STATUSES], { description: "The subscription's status after the payment." }),
  payment_id: Type.Optional(Type.String({ description: 'The first instalment; absent for an authorisation without a charge.', examples: ['payt_6819d8046mpKt'] })),
  status: Type.Enum(['success', 'failed', 'authorized'], {
    description: "The payment's status, or `authorized` when the card was saved without a charge (a future `start_date`).",
  }),
  signature: Type.String({
    description: "Lowercase hex HMAC-SHA256 of `subscription_id|payment_id|status` keyed with the merchant's secret key " +
      '(`payment_id` empty for `authorized`).',
  }),
  error_code: Type.Optional(Type.String({ examples: ['PAYMENT_DECLINED'] })),
  error_message: Type.Optional(Type.String({ description: 'For the customer.' })),
});
export type SubscriptionPaymentResult = Static<typeof SubscriptionPaymentResult>;
