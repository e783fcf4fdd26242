// Fields orders and payment links share (the contract gives both the same product, notes, payer bank account,
// purpose code and currencies): their schemas and the checks the schema cannot express, in one place.
import { and, eq, gt, isNotNull, lte, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { MAX_NOTES } from '../../core/validation.js';
import { Type } from 'typebox';
import { errors } from '../../core/errors.js';

/** Currencies an order or a payment link may be in (the notes' validations page). */
export const PAYIN_CURRENCIES = ['USD', 'EUR', 'GBP', 'AED', 'SGD'] as const;
export const isPayinCurrency = (code: string) => (PAYIN_CURRENCIES as readonly string[]).includes(code);

export const PURPOSE_CODE = /^P\d{4}$/;

export const Product = Type.Object({
  name: Type.String({ maxLength: 255, examples: ['ShieldGuard Insurance'] }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
}, { description: 'Details of the product that the payment is related to.' });

export const Notes = Type.Record(Type.String(), Type.String({ maxLength: 500 }), {
  description: 'String keys and values, at most 50 keys.',
  examples: [{ key1: 'value1', key2: 'value2' }],
});

export const PayerBankAccountInput = Type.Object({
  account_number: Type.String({ maxLength: 64, examples: ['1234567890'] }),
  bic_primary: Type.Optional(Type.String({ maxLength: 64, description: 'SWIFT code.', examples: ['HDFCINBBDEL'] })),
  bic_secondary: Type.Optional(Type.String({ maxLength: 64, description: 'Local routing code such as an IFSC.', examples: ['HDFC0001097'] })),
  bank_customer_id: Type.Optional(Type.String({ maxLength: 64, examples: ['7189204715'] })),
}, { description: 'The payer\'s bank account; bic_primary or bic_secondary is required.' });

export const PayerBankAccount = Type.Object({
  account_number: Type.String(),
  bic_primary: Type.Optional(Type.String()),
  bic_secondary: Type.Optional(Type.String()),
  bank_customer_id: Type.Optional(Type.String()),
}, { description: 'Fields not sent are omitted.' });

export interface StoredProduct { name: string; description?: string }
export interface StoredBankAccount {
  account_number: string;
  bic_primary: string | null;
  bic_secondary: string | null;
  bank_customer_id: string | null;
}

/** Trimmed text, or null for absent or blank. */
export function optionalText(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** `at` plus whole months; 31 May + 3 months would roll into September, so it clamps to the month's last day. */
export function addMonths(at: Date, months: number): Date {
  const out = new Date(at.getTime());
  out.setUTCMonth(out.getUTCMonth() + months);
  if (out.getUTCDate() !== at.getUTCDate()) out.setUTCDate(0);
  return out;
}

export function parseProduct(product: { name: string; description?: string } | undefined): StoredProduct | null {
  if (!product) return null;
  const name = product.name.trim();
  if (name === '') throw errors.blank('product_name');
  const description = optionalText(product.description);
  return description === null ? { name } : { name, description };
}

export function parseBankAccountDetails(
  details: { account_number: string; bic_primary?: string; bic_secondary?: string; bank_customer_id?: string } | undefined,
): StoredBankAccount | null {
  if (!details) return null;
  const accountNumber = details.account_number.trim();
  if (accountNumber === '') throw errors.blank('bank_account_details_account_number');
  const bicPrimary = optionalText(details.bic_primary)?.toUpperCase() ?? null;
  const bicSecondary = optionalText(details.bic_secondary)?.toUpperCase() ?? null;
  if (bicPrimary === null && bicSecondary === null) {
    throw errors.validation('Bank account details must include bic_primary or bic_secondary');
  }
  return { account_number: accountNumber, bic_primary: bicPrimary, bic_secondary: bicSecondary, bank_customer_id: optionalText(details.bank_customer_id) };
}

/** The checks on notes and payment methods that the schemas leave to the service. */
export function checkNotesAndMethods(notes: Record<string, string> | undefined, paymentMethods: readonly string[] | undefined): void {
  if (paymentMethods && new Set(paymentMethods).size !== paymentMethods.length) {
    throw errors.validation('Payment methods must not repeat a method');
  }
  if (notes && Object.keys(notes).length > MAX_NOTES) throw errors.validation(`Notes can have at most ${MAX_NOTES} keys`);
}

/** The columns an order and a payment link share that decide whether a bank transfer could pay it. */
interface AwaitingTransferColumns {
  status: AnyColumn;
  currency: AnyColumn;
  amount: AnyColumn;
  expiresAt: AnyColumn;
  paymentMethods: AnyColumn;
}

/** What a bank transfer in `currency` could pay: `active`, unexpired at `now`, accepting bank transfers. */
export interface AwaitingTransferQuery {
  currency: string;
  now: Date;
  /** At most this amount in the payin's currency (a customer-borne fee only raises what is due). */
  maxAmount?: bigint;
  /** Exactly this amount in the payin's currency (the merchant bears the fee: what is due is the amount). */
  exactAmount?: bigint;
  /** Also payins in another currency whose own quote may price a payment in `currency` (orders from a payin quote). */
  quotedColumn?: AnyColumn;
}

/** The filter of `AwaitingTransferQuery` on an order or payment link table (the caller adds the tenant). */
export function awaitingTransferFilter(table: AwaitingTransferColumns, query: AwaitingTransferQuery): SQL {
  const sameCurrency = and(
    eq(table.currency, query.currency),
    query.maxAmount === undefined ? undefined : lte(table.amount, query.maxAmount),
    query.exactAmount === undefined ? undefined : eq(table.amount, query.exactAmount),
  )!;
  return and(
    eq(table.status, 'active'),
    gt(table.expiresAt, query.now),
    sql`${table.paymentMethods} @> '["bank_transfer"]'::jsonb`,
    query.quotedColumn ? or(sameCurrency, isNotNull(query.quotedColumn)) : sameCurrency,
  )!;
}
