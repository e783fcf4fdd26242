import { Type, type Static } from 'typebox';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
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
