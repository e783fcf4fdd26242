import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { Notes, PayerBankAccount, PayerBankAccountInput, Product } from '../orders/schemas.js';
import { PAYMENT_LINK_PAYMENT_METHODS, PAYMENT_LINK_STATUSES } from '../../db/schema/payment-links.js';

/** `reminder_frequency` in days: every day, every other day, weekly, fortnightly. */
export const REMINDER_FREQUENCIES = [1, 2, 7, 14] as const;

export const PaymentLinkStatus = Type.Enum([...PAYMENT_LINK_STATUSES], {
  description: 'active (awaiting payment), paid, failed, action_required (documents needed), cancelled, partially_paid, under_review, expired.',
});
const PaymentMethod = Type.Enum([...PAYMENT_LINK_PAYMENT_METHODS]);

const ReminderFrequency = Type.Integer({
  description: 'Days between reminders to the customer: 1 (every day), 2 (every other day), 7 (weekly) or 14 (fortnightly).',
  examples: [7],
});

const ExpiresAt = (description: string) => Type.String({ format: 'timestamp', description, examples: ['2025-02-15T00:00:00.000Z'] });

/** The contract's `PaymentLink` body with its required fields; `request_id` is not taken (notes-payins §1.7). */
export const CreatePaymentLinkBody = Type.Object({
  customer_id: Type.String({ description: 'The customer (cust_…) who pays.', examples: ['cust_6819d7d0lrLvP'] }),
  document_id: Type.Optional(Type.String({ description: 'A document (doc_…) with the documents required to process the payment.', examples: ['doc_nYUqLpuYQ0M8'] })),
  currency: Type.String({ description: 'USD, EUR, GBP, AED or SGD.', examples: ['USD'] }),
  amount: Type.Integer({ description: 'Minor units, at least 1.', examples: [1000] }),
  purpose_code: Type.String({ description: 'Purpose code of an inward remittance (P followed by 4 digits).', examples: ['P1401'] }),
  expires_at: ExpiresAt('When the link expires: in the future, at most 6 months ahead.'),
  payment_methods: Type.Array(PaymentMethod, { description: 'The checkout\'s payment methods, one or more.', examples: [['card']] }),
  invoice_number: Type.Optional(Type.String({ maxLength: 255, examples: ['RG12FF590'] })),
  invoice_description: Type.Optional(Type.String({ maxLength: 1000, examples: ['Payment requested for services provided'] })),
  invoice_amount: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units; may exceed amount.', examples: [1000] })),
  reference_number: Type.Optional(Type.String({ maxLength: 255, examples: ['R0001'] })),
  reminder_frequency: Type.Optional(ReminderFrequency),
  price_id: Type.Optional(Type.String({ description: 'A referral-fee price (price_…).', examples: ['price_6819d8046mpKt'] })),
  product: Type.Optional(Product),
  notes: Type.Optional(Notes),
  bank_account_details: Type.Optional(PayerBankAccountInput),
  allow_partial_payments: Type.Optional(Type.Boolean({
    description: 'Extension (decision 0037; Glomo has no such field): the customer may pay the link in parts, each at most what ' +
      'remains; the link is `partially_paid` until paid in full. Default false: only the whole amount pays it. Set at creation only.',
    examples: [false],
  })),
});
export type CreatePaymentLinkBody = Static<typeof CreatePaymentLinkBody>;

export const PaymentLink = Type.Object({
  id: Type.String({ description: 'plink_… (links made before plink_ ids keep their payin_ ids).', examples: ['plink_678a4c88hpAjf'] }),
  customer_id: Type.String(),
  document_id: Type.Optional(Type.String()),
  status: PaymentLinkStatus,
  payment_methods: Type.Array(PaymentMethod),
  currency: Type.String(),
  amount: Type.Integer(),
  purpose_code: Type.String(),
  invoice_number: Type.Optional(Type.String()),
  invoice_description: Type.Optional(Type.String()),
  reference_number: Type.Optional(Type.String()),
  expires_at: Type.String({ format: 'date-time' }),
  last_reminder_sent_at: Type.Optional(Type.String({ format: 'date-time' })),
  invoice_amount: Type.Optional(Type.Integer()),
  reminder_frequency: Type.Optional(Type.Integer()),
  payment_link: Type.Optional(Type.String({
    description: "The link's hosted page on this server, to share with the customer: present while the link can be paid " +
      '(`active`, `partially_paid`), as Glomo generates it only once the payin was reviewed.',
    examples: ['http://127.0.0.1:4000/payin/pl/plink_678a4c88hpAjf'],
  })),
  allow_partial_payments: Type.Boolean({ description: 'Extension: whether the link may be paid in parts (decision 0037).' }),
  amount_paid: Type.Integer({
    description: 'Extension: what successful payments have paid of `amount` so far, in minor units of `currency` (a fee the ' +
      'customer bears not included); `amount` once `paid`.',
    examples: [0],
  }),
  price_id: Type.Optional(Type.String()),
  product: Type.Optional(Product),
  notes: Type.Optional(Notes),
  bank_account_details: Type.Optional(PayerBankAccount),
  rfi_documents: Type.Optional(Type.Array(Type.Object({ rfi_doc_id: Type.String(), name: Type.String() }), {
    description: 'Only while the link is action_required: the documents compliance needs.',
  })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type PaymentLink = Static<typeof PaymentLink>;

export const ListPaymentLinksQuery = Type.Object({
  customer_id: Type.Optional(Type.String({ description: 'Payment links of this customer.' })),
  status: Type.Optional(PaymentLinkStatus),
  ...PaginationQuery,
});
export type ListPaymentLinksQuery = Static<typeof ListPaymentLinksQuery>;

export const PaymentLinkList = ListOf(PaymentLink);

export const UpdatePaymentLinkBody = Type.Object({
  reminder_frequency: Type.Optional(ReminderFrequency),
  expires_at: Type.Optional(ExpiresAt('The new expiry: in the future, at most 6 months ahead.')),
}, { additionalProperties: false });
export type UpdatePaymentLinkBody = Static<typeof UpdatePaymentLinkBody>;

export const UpdatePaymentLinkRfiBody = Type.Object({
  documents: Type.Array(Type.Object({
    id: Type.String({ description: 'A document uploaded with POST /document.', examples: ['doc_67fc2f42468Bw'] }),
    rfi_doc_id: Type.String({ description: 'The requirement it answers (from rfi_documents).', examples: ['rfidoc_68c8dffedhMHD'] }),
  }, { additionalProperties: false }), { minItems: 1, description: 'One document per required rfi_doc_id.' }),
}, { additionalProperties: false });
export type UpdatePaymentLinkRfiBody = Static<typeof UpdatePaymentLinkRfiBody>;
