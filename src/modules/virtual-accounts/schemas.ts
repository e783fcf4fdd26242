import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { Payment } from '../payments/schemas.js';
import { VIRTUAL_ACCOUNT_PAYMENT_TYPES, VIRTUAL_ACCOUNT_STATUSES } from '../../db/schema/virtual-accounts.js';

const PaymentType = Type.Enum([...VIRTUAL_ACCOUNT_PAYMENT_TYPES], {
  description: "'local' for domestic payments within the currency's country, 'swift' for cross-border payments.",
  examples: ['local'],
});

/**
 * Both fields are required by the contract; they are optional here so that a missing one answers the contract's own
 * `Missing Required parameters` rather than a schema error.
 */
export const CreateVirtualAccountBody = Type.Object({
  payment_type: Type.Optional(PaymentType),
  currency: Type.Optional(Type.String({ format: 'iso-4217', description: 'ISO 4217, any case: USD, EUR, GBP, AED or SGD.', examples: ['AED'] })),
});
export type CreateVirtualAccountBody = Static<typeof CreateVirtualAccountBody>;

export const CloseVirtualAccountQuery = Type.Object({
  payment_type: Type.Optional(PaymentType),
  currency: Type.Optional(Type.String({ format: 'iso-4217', examples: ['USD'] })),
});
export type CloseVirtualAccountQuery = Static<typeof CloseVirtualAccountQuery>;

/**
 * The contract's `VirtualAccount`, exactly (responses are allow-lists): the bank's BIC and domestic code, which a sender
 * also quotes, are shown where the payer reads them, the checkout's bank-transfer details (decision 0029).
 */
export const VirtualAccount = Type.Object({
  account_id: Type.String({ examples: ['va_6819d8046mpKt'] }),
  currency: Type.String({ examples: ['AED'] }),
  account_number: Type.String({ description: "Formatted for the currency's country: an IBAN for AED, EUR and GBP.", examples: ['AE070991234567890123456'] }),
  name: Type.String({ description: "The merchant's business name.", examples: ['Acme Exports'] }),
  status: Type.Enum([...VIRTUAL_ACCOUNT_STATUSES]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type VirtualAccount = Static<typeof VirtualAccount>;

export const ListVirtualAccountsQuery = Type.Object({
  currency: Type.Optional(Type.String({ format: 'iso-4217', description: 'Only accounts in this currency.', examples: ['USD'] })),
  ...PaginationQuery,
});
export type ListVirtualAccountsQuery = Static<typeof ListVirtualAccountsQuery>;

export const VirtualAccountList = ListOf(VirtualAccount);

/** What arrived: the sandbox's mock-transfer body, also the operator API's (with its environment and connector key). */
const transferFields = {
  account_number: Type.String({ minLength: 1, maxLength: 64, description: "One of the environment's virtual accounts (its `account_number`).", examples: ['AE070991234567890123456'] }),
  amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units received.', examples: [10_000] }),
  currency: Type.String({ format: 'iso-4217', description: "The transfer's currency; the account's own, or the transfer is returned.", examples: ['AED'] }),
  remitter_name: Type.String({ minLength: 1, maxLength: 140, description: 'The sender, as the sending bank names it. `Sanctioned_Entity` (or the amount 6623) is a sanctions hit in sandbox.', examples: ['Vaibhav LRS'] }),
  remitter_account_number: Type.Optional(Type.String({ maxLength: 64, examples: ['5454545454'] })),
  reference: Type.Optional(Type.String({ maxLength: 140, description: 'The remittance information; an order or payment link id in it names that payin.', examples: ['order_6819d8046mpKt'] })),
};

export const MockTransferBody = Type.Object(transferFields, { additionalProperties: false });
export type MockTransferBody = Static<typeof MockTransferBody>;

export const RecordInboundTransferBody = Type.Object({
  env: Type.Enum(['sandbox', 'production']),
  ...transferFields,
  connector_key: Type.String({ minLength: 1, maxLength: 255, pattern: '\\S', description: "The bank connector's own id of the transfer: a second delivery with it answers the first (200).", examples: ['bank-20261203-000123'] }),
}, { additionalProperties: false });
export type RecordInboundTransferBody = Static<typeof RecordInboundTransferBody>;

/** What a mock transfer answers: the payment that records it. */
export const MockTransferResponse = Payment;

/**
 * The operator registers an account its bank issued for a merchant environment (production has no sandbox bank): the
 * bank's own details, shown to payers as the sandbox bank's are.
 */
export const RegisterVirtualAccountBody = Type.Object({
  env: Type.Enum(['sandbox', 'production']),
  payment_type: PaymentType,
  currency: Type.String({ format: 'iso-4217', examples: ['GBP'] }),
  account_number: Type.String({ minLength: 4, maxLength: 34, pattern: '^[0-9A-Za-z]+$', description: 'As the bank issued it: an IBAN where the country uses IBANs (checked).', examples: ['GB33BUKB20201555555555'] }),
  bank_name: Type.String({ minLength: 1, maxLength: 140, examples: ['Barclays Bank UK PLC'] }),
  bank_country: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 3166-1 alpha-3.', examples: ['GBR'] }),
  bic: Type.String({ description: 'The bank\'s BIC (8 or 11 characters).', examples: ['BUKBGB22'] }),
  local_bank_code: Type.Optional(Type.String({ maxLength: 16, pattern: '^[0-9A-Za-z]+$', description: 'The domestic code a local sender quotes: ABA routing number, sort code, bank code.', examples: ['202015'] })),
}, { additionalProperties: false });
export type RegisterVirtualAccountBody = Static<typeof RegisterVirtualAccountBody>;
