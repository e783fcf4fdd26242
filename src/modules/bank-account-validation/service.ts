// Bank account validation ("confirmation of payee"): a deterministic sandbox outcome and its fee through the ledger.
import { and, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { bankAccountValidations } from '../../db/schema/index.js';
import type { TenantContext } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { money } from '../../core/amount.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCountry } from '../../core/iso.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { postJournal } from '../../ledger/index.js';
import { findBeneficiary } from '../beneficiaries/service.js';
import type { BankAccountValidation, ListBankAccountValidationsQuery, ValidateBankAccountBody } from './schemas.js';

export interface BankAccountValidationDeps {
  db: Db;
}

type ValidationRow = typeof bankAccountValidations.$inferSelect;

/** What one validation costs, taken from the merchant's available balance (the contract's example: USD 10.00). */
export const VALIDATION_FEE = { currency: 'USD', amount: 1000n } as const;

/**
 * The sandbox's outcomes, by the account number's last four digits (decision 0013): `0000` the process fails
 * (no fee), `1111` no match, `2222` a dormant account, anything else a match with the holder's name.
 */
export function sandboxOutcome(accountNumber: string, holderName: string): { status: 'success' | 'failed'; message: string } {
  if (accountNumber.endsWith('0000')) return { status: 'failed', message: 'Could not validate the account: the bank did not answer' };
  if (accountNumber.endsWith('1111')) return { status: 'success', message: 'No match: the account is not registered to this name' };
  if (accountNumber.endsWith('2222')) return { status: 'success', message: 'The account is dormant' };
  return { status: 'success', message: `The account is registered to ${holderName}` };
}

export function presentValidation(row: ValidationRow): BankAccountValidation {
  return {
    id: row.id,
    status: row.status,
    validation_message: row.validationMessage,
    fee_charged: money(row.feeCurrency, row.feeAmount),
    created_at: isoSeconds(row.createdAt),
  };
}

function required(value: string | undefined, field: string): string {
  const trimmed = value?.trim();
  if (!trimmed) throw errors.blank(field);
  return trimmed;
}

interface Account {
  beneficiaryId: string | null;
  country: string;
  holderName: string;
  accountNumber: string;
  bicPrimary: string | null;
  bicSecondary: string | null;
}

async function accountToValidate(db: Db, tenant: Tenant, body: ValidateBankAccountBody): Promise<Account> {
  if (body.id !== undefined) {
    const others = (['country', 'holder_name', 'account_number', 'bic_primary', 'bic_secondary'] as const).filter((f) => body[f] !== undefined);
    if (others.length > 0) throw errors.validation(`Send either id or a bank account, not both (${others.join(', ')} with id)`);
    assertIdPrefix(ID_PREFIXES.beneficiary, body.id);
    const beneficiary = await findBeneficiary(db, tenant, body.id);
    if (!beneficiary) throw errors.notFound('Beneficiary');
    if (beneficiary.accountNumber === null) throw errors.validation('Beneficiary has no bank account to validate (UPI)');
    return {
      beneficiaryId: beneficiary.id,
      country: beneficiary.countryCode,
      holderName: beneficiary.name,
      accountNumber: beneficiary.accountNumber,
      bicPrimary: beneficiary.swiftCode,
      bicSecondary: beneficiary.localRoutingNumber,
    };
  }
  const countryText = required(body.country, 'country');
  const country = normalizeCountry(countryText);
  if (!country) throw errors.validation('Country must be a valid 3-letter ISO code (e.g., IND, USA)');
  return {
    beneficiaryId: null,
    country,
    holderName: required(body.holder_name, 'holder_name'),
    accountNumber: required(body.account_number, 'account_number').replace(/\s+/g, '').toUpperCase(),
    bicPrimary: required(body.bic_primary, 'bic_primary').toUpperCase(),
    bicSecondary: required(body.bic_secondary, 'bic_secondary').toUpperCase(),
  };
}

export async function validateBankAccount(
  deps: BankAccountValidationDeps,
  ctx: TenantContext,
  body: ValidateBankAccountBody,
): Promise<BankAccountValidation> {
  const { tenant, clock } = ctx;
  // No confirmation-of-payee provider is connected: production refuses rather than invent an answer.
  if (tenant.env !== 'sandbox') {
    throw errors.bankAccountValidationUnavailable();
  }
  const account = await accountToValidate(deps.db, tenant, body);
  const outcome = sandboxOutcome(account.accountNumber, account.holderName);
  const fee = outcome.status === 'success' ? VALIDATION_FEE.amount : 0n;
  const now = clock.now();
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const row = await insertWithFreshId(tx, bankAccountValidations, () => newId(ID_PREFIXES.bankAccountValidation, now), {
      ...tenant,
      ...account,
      status: outcome.status,
      validationMessage: outcome.message,
      feeCurrency: VALIDATION_FEE.currency,
      feeAmount: fee,
      createdAt: now,
      updatedAt: now,
    });
    if (fee > 0n) {
      const posted = await postJournal(uow, {
        kind: 'bank_account_validation_fee',
        cause: { type: 'bank_account_validation', id: row.id },
        entries: [
          { account: { purpose: 'available', currency: VALIDATION_FEE.currency }, amount: -fee },
          { account: { purpose: 'fees', currency: VALIDATION_FEE.currency }, amount: fee },
        ],
      });
      // Throwing rolls the row back with it: an unpaid validation is not stored.
      if (!posted.ok) throw errors.insufficientBalance(posted.shortfall);
    }
    const validation = presentValidation(row);
    await recordEvent(uow, { entityType: 'bank_account_validation', eventType: row.status, entityId: row.id, data: validation });
    return validation;
  });
}

export async function listBankAccountValidations(
  deps: Pick<BankAccountValidationDeps, 'db'>,
  tenant: Tenant,
  query: ListBankAccountValidationsQuery,
): Promise<{ data: BankAccountValidation[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(bankAccountValidations, tenant)];
  if (query.beneficiary_account_id !== undefined) {
    if (!query.beneficiary_account_id.startsWith(`${ID_PREFIXES.beneficiary}_`)) {
      throw errors.invalidParameter('Invalid beneficiary_account_id');
    }
    where.push(eq(bankAccountValidations.beneficiaryId, query.beneficiary_account_id));
  }
  if (query.country) where.push(eq(bankAccountValidations.country, normalizeCountry(query.country)!));
  const page = await listPage(deps.db, bankAccountValidations, [and(...where) as SQL], pageRequest(query));
  return { data: page.rows.map(presentValidation), page_meta: page.meta };
}

/** The bank account validation operations the routes call, built once by the composition root. */
export function createBankAccountValidationService(deps: BankAccountValidationDeps) {
  return Object.freeze({
    validate: (ctx: TenantContext, body: ValidateBankAccountBody) => validateBankAccount(deps, ctx, body),
    list: (ctx: TenantContext, query: ListBankAccountValidationsQuery) => listBankAccountValidations(deps, ctx.tenant, query),
  });
}

export type BankAccountValidationService = ReturnType<typeof createBankAccountValidationService>;
