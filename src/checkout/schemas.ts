// The schemas of the checkout's publishable-key API (/api/public/v1): the response schemas are allow-lists of what a
// paying customer may see.
import { Type, type Static } from 'typebox';
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
  iban: Type.String({ examples: ['GB29GLMO04285519360377'] }),
  swift_code: Type.String({ examples: ['GLMOXXSB'] }),
  reference: Type.String({ description: 'The order id: the customer quotes it so the transfer is matched to the order.' }),
}, { description: 'The account to pay the order into. Sandbox details derived from the merchant, environment and currency.' });

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
