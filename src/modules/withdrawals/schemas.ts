import { Type, type Static } from 'typebox';
import { PositiveAmount } from '../../core/amount.js';
import { ListOf, PaginationQuery } from '../../core/pagination.js';
import { ENVIRONMENTS, WITHDRAWAL_STATUSES } from '../../db/schema/index.js';

const CurrencyAmount = Type.Object({
  currency: Type.String({ examples: ['USD'] }),
  amount: Type.Integer({ examples: [1000] }),
});

/** The contract's `WithdrawalAccount`; optional fields the operator did not set are omitted. */
export const WithdrawalAccount = Type.Object({
  id: Type.String({ examples: ['accwith_6819d804aB3xQ'] }),
  holder_name: Type.String({ examples: ['Test Arts & Crafts Pvt Ltd'] }),
  account_number: Type.String({ examples: ['1234567890'] }),
  bank_name: Type.String({ examples: ['Yes Bank'] }),
  bic_primary: Type.Optional(Type.String({ examples: ['YESBINBB'] })),
  bic_secondary: Type.Optional(Type.String({ examples: ['YESB0000002'] })),
  currency: Type.String({ examples: ['USD'] }),
  email: Type.Optional(Type.String()),
  address_line1: Type.Optional(Type.String()),
  address_line2: Type.Optional(Type.String()),
  city: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  country: Type.String({ examples: ['IND'] }),
  pincode: Type.Optional(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type WithdrawalAccount = Static<typeof WithdrawalAccount>;

export const WithdrawalAccountList = ListOf(WithdrawalAccount);
export const ListWithdrawalAccountsQuery = Type.Object({ ...PaginationQuery });
export type ListWithdrawalAccountsQuery = Static<typeof ListWithdrawalAccountsQuery>;

const OptionalText = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/** The operator's body: the `WithdrawalAccount` fields and the environment it belongs to. */
export const CreateWithdrawalAccountBody = Type.Object({
  env: Type.Enum([...ENVIRONMENTS], { description: 'The environment whose withdrawals may use it.' }),
  holder_name: Type.String({ maxLength: 200 }),
  account_number: Type.String({ maxLength: 64 }),
  bank_name: Type.String({ maxLength: 200 }),
  bic_primary: Type.Optional(Type.String({ maxLength: 11, description: 'A BIC (8 or 11 characters), when sent.' })),
  bic_secondary: OptionalText(64),
  currency: Type.String({ description: 'The currency the account receives: a payout source currency.', examples: ['USD'] }),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  address_line1: OptionalText(200),
  address_line2: OptionalText(200),
  city: OptionalText(100),
  state: OptionalText(100),
  country: Type.String({ description: 'ISO 3166-1 alpha-3, any case.', examples: ['IND'] }),
  pincode: OptionalText(20),
}, { additionalProperties: false });
export type CreateWithdrawalAccountBody = Static<typeof CreateWithdrawalAccountBody>;

/** The contract's `Withdrawal`. Arrays as published: one entry each (the balance currency, the account currency). */
export const Withdrawal = Type.Object({
  id: Type.String({ examples: ['payout_6819d804aB3xQ'] }),
  status: Type.Enum([...WITHDRAWAL_STATUSES]),
  currency: Type.String({ description: 'The withdrawal account\'s currency.', examples: ['USD'] }),
  amount: Type.Integer({ description: 'What the withdrawal account receives, in its currency\'s minor units.' }),
  withdrawal_account_id: Type.String({ examples: ['accwith_6819d804aB3xQ'] }),
  payment_method: Type.Enum(['bank_transfer']),
  balance_used: Type.Array(CurrencyAmount, { description: 'The requested amount taken from the balance; the transaction fee is in `txn_fees`.' }),
  purpose_code: Type.String({ description: 'Always `S0000` (Self Transfer).', examples: ['S0000'] }),
  mid_market_rate: Type.Array(Type.Object({ currency: Type.String(), rate: Type.Number() }), {
    description: 'Units of the account currency per unit of the balance currency, at creation.',
  }),
  fx_fees: Type.Array(CurrencyAmount, { description: 'The FX markup, in the balance currency (0 without conversion).' }),
  txn_fees: Type.Array(CurrencyAmount, { description: 'The SWIFT payout fee, in the balance currency, taken on top of `balance_used`.' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Withdrawal = Static<typeof Withdrawal>;

export const CreateWithdrawalBody = Type.Object({
  amount: PositiveAmount({ description: 'Minor units of `balance_currency` taken from the available balance.', examples: [1000] }),
  balance_currency: Type.String({ description: 'The balance to debit (ISO 4217, any case).', examples: ['USD'] }),
  withdrawal_account_id: Type.Optional(Type.String({
    description: 'Default: the merchant\'s only withdrawal account (400 when there are several).',
    examples: ['accwith_6819d804aB3xQ'],
  })),
});
export type CreateWithdrawalBody = Static<typeof CreateWithdrawalBody>;

export const ListWithdrawalsQuery = Type.Object({
  withdrawal_account_id: Type.Optional(Type.String()),
  status: Type.Optional(Type.Enum([...WITHDRAWAL_STATUSES])),
  ...PaginationQuery,
});
export type ListWithdrawalsQuery = Static<typeof ListWithdrawalsQuery>;

export const WithdrawalList = ListOf(Withdrawal);

export const MockUpdateWithdrawalBody = Type.Object({
  status: Type.Enum(['success', 'failed'], { description: 'The outcome of an `in_progress` withdrawal.' }),
});
export type MockUpdateWithdrawalBody = Static<typeof MockUpdateWithdrawalBody>;
