import { Type, type Static } from 'typebox';
import { Money } from '../../core/amount.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';

// The contract's oneOf (a BankAccount, or `{id}` of a saved beneficiary) as one object: the service decides which
// variant was sent, so that each missing field answers its own text.
export const ValidateBankAccountBody = Type.Object({
  id: Type.Optional(Type.String({ description: 'A saved beneficiary (bene_…); nothing else may be sent with it.', examples: ['bene_698c0615XZocZ'] })),
  country: Type.Optional(Type.String({ description: 'ISO 3166-1 alpha-3, any case.', examples: ['IND'] })),
  holder_name: Type.Optional(Type.String({ maxLength: 255, examples: ['John Doe'] })),
  account_number: Type.Optional(Type.String({ maxLength: 64, examples: ['987654321001'] })),
  bic_primary: Type.Optional(Type.String({ maxLength: 64, description: 'SWIFT code.', examples: ['YESBINBB'] })),
  bic_secondary: Type.Optional(Type.String({ maxLength: 64, description: 'Local routing code.', examples: ['YESB0000002'] })),
}, { description: 'A bank account (country, holder_name, account_number, bic_primary, bic_secondary) or {id} of a beneficiary.' });
export type ValidateBankAccountBody = Static<typeof ValidateBankAccountBody>;

export const BankAccountValidation = Type.Object({
  id: Type.String({ examples: ['aval_698c0615XZocZ'] }),
  status: Type.Enum(['success', 'failed'], { description: 'Whether the validation process ran, not whether the account is valid.' }),
  validation_message: Type.String({ examples: ['The account is registered to John Doe'] }),
  fee_charged: Money,
  created_at: Type.String({ format: 'date-time', description: 'Extension: the list is ordered by it.' }),
});
export type BankAccountValidation = Static<typeof BankAccountValidation>;

export const ListBankAccountValidationsQuery = Type.Object({
  beneficiary_account_id: Type.Optional(Type.String({ description: 'A beneficiary id (bene_…).' })),
  country: Type.Optional(Type.String({ format: 'iso-3166-1-alpha-3', description: 'ISO 3166-1 alpha-3, any case.' })),
  ...PaginationQuery,
});
export type ListBankAccountValidationsQuery = Static<typeof ListBankAccountValidationsQuery>;
export const BankAccountValidationList = ListOf(BankAccountValidation);
