// Withdrawal accounts: the merchant's own bank accounts that withdrawals pay into. The operator registers them
// (src/admin/withdrawal-account-routes.ts); merchants read them. They never change once registered.
import { and, eq, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { withdrawalAccounts, type Environment } from '../../db/schema/index.js';
import { isoSeconds } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCountry, normalizeCurrency } from '../../core/iso.js';
import { listPage, pageRequest, type PageMeta, type PageRequest } from '../../core/pagination.js';
import { isValidBic } from '../../core/bank-identifiers.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { PAYOUT_SOURCE_CURRENCIES } from '../payouts/service.js';
import type { CreateWithdrawalAccountBody, ListWithdrawalAccountsQuery, WithdrawalAccount } from './schemas.js';
import type { TenantContext } from '../../core/context.js';

export type WithdrawalAccountRow = typeof withdrawalAccounts.$inferSelect;

export function presentWithdrawalAccount(row: WithdrawalAccountRow): WithdrawalAccount {
  return withoutNulls({
    id: row.id,
    holder_name: row.holderName,
    account_number: row.accountNumber,
    bank_name: row.bankName,
    bic_primary: row.bicPrimary,
    bic_secondary: row.bicSecondary,
    currency: row.currency,
    email: row.email,
    address_line1: row.addressLine1,
    address_line2: row.addressLine2,
    city: row.city,
    state: row.state,
    country: row.country,
    pincode: row.pincode,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  });
}

const required = (value: string, field: string): string => {
  const trimmed = value.trim();
  if (trimmed === '') throw errors.blank(field);
  return trimmed;
};
/** Optional text: absent or blank is not set. */
const optional = (value: string | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/** Operator: registers a withdrawal account for `ctx`'s merchant in the environment `body.env`, after checking every field. */
export async function createWithdrawalAccount(
  deps: { db: Db },
  ctx: TenantContext,
  body: CreateWithdrawalAccountBody,
): Promise<WithdrawalAccountRow> {
  const holderName = required(body.holder_name, 'holder_name');
  const accountNumber = required(body.account_number, 'account_number').replace(/\s+/g, '');
  const bankName = required(body.bank_name, 'bank_name');
  const currency = normalizeCurrency(required(body.currency, 'currency'));
  if (!currency) throw errors.validation('Currency must be a valid ISO 4217 currency code (e.g., USD)');
  if (!(PAYOUT_SOURCE_CURRENCIES as readonly string[]).includes(currency)) {
    throw errors.validation(`Currency must be one of: ${PAYOUT_SOURCE_CURRENCIES.join(', ')}`);
  }
  const country = normalizeCountry(required(body.country, 'country'));
  if (!country) throw errors.validation('Country must be a valid 3-letter ISO code (e.g., IND, USA)');
  const bicPrimary = optional(body.bic_primary)?.toUpperCase() ?? null;
  if (bicPrimary !== null && !isValidBic(bicPrimary)) {
    throw errors.validation('Bic primary is not a valid BIC (8 or 11 characters, letters 5-6 a country code)');
  }
  const now = ctx.clock.now();
  return insertWithFreshId(deps.db, withdrawalAccounts, () => newId(ID_PREFIXES.withdrawalAccount, now), {
    merchantId: ctx.tenant.merchantId,
    env: body.env,
    holderName,
    accountNumber,
    bankName,
    bicPrimary,
    bicSecondary: optional(body.bic_secondary)?.toUpperCase() ?? null,
    currency,
    email: optional(body.email),
    addressLine1: optional(body.address_line1),
    addressLine2: optional(body.address_line2),
    city: optional(body.city),
    state: optional(body.state),
    country,
    pincode: optional(body.pincode),
    createdAt: now,
    updatedAt: now,
  });
}

/** Operator: a merchant's withdrawal accounts, both environments unless `env` is given, newest first. */
export async function listMerchantWithdrawalAccounts(
  db: DbOrTx,
  merchantId: string,
  env: Environment | undefined,
  page: PageRequest,
): Promise<{ rows: WithdrawalAccountRow[]; meta: PageMeta }> {
  const where: SQL[] = [eq(withdrawalAccounts.merchantId, merchantId)];
  if (env) where.push(eq(withdrawalAccounts.env, env));
  return listPage(db, withdrawalAccounts, where, page);
}

/** The tenant's withdrawal account, or undefined. */
export async function findWithdrawalAccount(db: DbOrTx, tenant: Tenant, id: string): Promise<WithdrawalAccountRow | undefined> {
  const [row] = await db.select().from(withdrawalAccounts).where(and(tenantFilter(withdrawalAccounts, tenant), eq(withdrawalAccounts.id, id)));
  return row;
}

/** The tenant's accounts, at most `limit` (to tell "none", "one" and "several" apart cheaply). */
export async function someWithdrawalAccounts(db: DbOrTx, tenant: Tenant, limit: number): Promise<WithdrawalAccountRow[]> {
  return db.select().from(withdrawalAccounts).where(tenantFilter(withdrawalAccounts, tenant)).limit(limit);
}

export async function getWithdrawalAccount(deps: { db: Db }, tenant: Tenant, id: string): Promise<WithdrawalAccount> {
  assertIdPrefix(ID_PREFIXES.withdrawalAccount, id);
  const row = await findWithdrawalAccount(deps.db, tenant, id);
  if (!row) throw errors.notFound('Withdrawal account');
  return presentWithdrawalAccount(row);
}

export async function listWithdrawalAccounts(
  deps: { db: Db },
  tenant: Tenant,
  query: ListWithdrawalAccountsQuery,
): Promise<{ data: WithdrawalAccount[]; page_meta: PageMeta }> {
  const page = await listPage(deps.db, withdrawalAccounts, [tenantFilter(withdrawalAccounts, tenant)], pageRequest(query));
  return { data: page.rows.map(presentWithdrawalAccount), page_meta: page.meta };
}
