// The schemas of the payment link page's JSON routes (/api/public/v1/payment-link, decision 0037): the response schemas
// are allow-lists of what the customer holding the link may see.
import { Type, type Static } from 'typebox';
import { PAYMENT_LINK_PAYMENT_METHODS, PAYMENT_LINK_STATUSES } from '../db/schema/index.js';
import { BankTransferDetailsResponse, CheckoutPaymentBody } from './schemas.js';

const Minor = (description: string, example: number) => Type.Integer({ description, examples: [example] });

export const PublicPaymentLink = Type.Object({
  id: Type.String({ examples: ['plink_678a4c88hpAjf'] }),
  status: Type.Enum([...PAYMENT_LINK_STATUSES], { description: "The link's status." }),
  payable: Type.Boolean({
    description: "Whether the link can be paid on its page now: `active` or `partially_paid`, and before `expires_at` by the environment's clock.",
  }),
  merchant_name: Type.String({ description: "The merchant's display name." }),
  amount: Minor('The amount the link asks for, in minor units of `currency`.', 10_000),
  currency: Type.String({ examples: ['USD'] }),
  amount_paid: Minor('What has been paid of `amount` so far (a fee the customer bears not included).', 0),
  amount_remaining: Minor('What remains to be paid of `amount`.', 10_000),
  amount_due: Minor('What paying the rest costs the customer: `amount_remaining` plus a fee the merchant passes on.', 10_000),
  allow_partial_payments: Type.Boolean({ description: 'Whether the customer may pay less than what remains (decision 0037).' }),
  description: Type.Optional(Type.String({ description: "The link's invoice description, when it has one." })),
  invoice_number: Type.Optional(Type.String()),
  product: Type.Optional(Type.Object({ name: Type.String(), description: Type.Optional(Type.String()) })),
  payment_methods: Type.Array(Type.Enum([...PAYMENT_LINK_PAYMENT_METHODS]), { description: 'The methods the page offers.' }),
  expires_at: Type.String({ format: 'date-time', examples: ['2025-08-06T09:36:04Z'] }),
}, { description: 'The customer-facing view of a payment link: no customer, notes, reference, document, price or bank account.' });
export type PublicPaymentLink = Static<typeof PublicPaymentLink>;

export const PartAmountQuery = Type.Object({
  amount: Type.Optional(Type.Integer({
    minimum: 1, maximum: Number.MAX_SAFE_INTEGER,
    description: 'The part to pay, in minor units of the link currency (a link that allows partial payments); default: all that remains.',
  })),
}, { additionalProperties: false });
export type PartAmountQuery = Static<typeof PartAmountQuery>;

export const PaymentLinkBankTransferDetails = Type.Object({
  payment_link_id: Type.String({ examples: ['plink_678a4c88hpAjf'] }),
  ...Type.Omit(BankTransferDetailsResponse, ['order_id', 'reference']).properties,
  reference: Type.String({ description: 'The link id: the customer quotes it so the transfer is matched to the link.' }),
}, { description: "The account to pay the link into, as the order checkout's bank transfer details." });
export type PaymentLinkBankTransferDetails = Static<typeof PaymentLinkBankTransferDetails>;

export const PaymentLinkPaymentBody = Type.Object({
  ...CheckoutPaymentBody.properties,
  amount: PartAmountQuery.properties.amount,
}, { additionalProperties: false });
export type PaymentLinkPaymentBody = Static<typeof PaymentLinkPaymentBody>;

export const PaymentLinkPaymentResult = Type.Object({
  payment_link_id: Type.String({ examples: ['plink_678a4c88hpAjf'] }),
  payment_id: Type.String({ examples: ['payt_6819d8046mpKt'] }),
  status: Type.Enum(['success', 'failed', 'action_required'], { description: "The payment's status." }),
  signature: Type.String({
    description: "Lowercase hex HMAC-SHA256 of `payment_link_id|payment_id|status` keyed with the merchant's secret key.",
  }),
  payment_link_status: Type.Enum([...PAYMENT_LINK_STATUSES], { description: "The link's status after the payment." }),
  amount_paid: Minor("What has been paid of the link's amount after the payment.", 4_000),
  amount_remaining: Minor('What remains to be paid after the payment.', 6_000),
  payment_amount: Minor('What this payment charged, in minor units of `payment_currency`.', 4_000),
  payment_currency: Type.String({ examples: ['USD'] }),
  error_code: Type.Optional(Type.String({ examples: ['PAYMENT_DECLINED'] })),
  error_message: Type.Optional(Type.String({ description: 'For the customer.' })),
});
export type PaymentLinkPaymentResult = Static<typeof PaymentLinkPaymentResult>;
