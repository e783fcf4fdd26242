// Virtual accounts: open one per environment, payment type and currency, list them, close one. An account's number is
// drawn at the sandbox bank (account-details.ts) and never reused; opening and closing are the lifecycle kernel's
// events `virtual_account`/`active` and `inactive`.
import { and, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { virtualAccounts, type VirtualAccountPaymentType, type VirtualAccountStatus } from '../../db/schema/virtual-accounts.js';
import { isoSeconds } from '../../core/clock.js';
import { inUnitOfWork, type TenantContext, type UnitOfWork } from '../../core/context.js';
import { errors } from '../../core/errors.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCurrency } from '../../core/iso.js';
import { defineLifecycle } from '../../core/lifecycle.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { findMerchant } from '../merchants/service.js';
import { isVirtualAccountCurrency, newAccountDetails, VIRTUAL_ACCOUNT_CURRENCIES, type VirtualAccountCurrency } from './account-details.js';
import type { Payment } from '../payments/service.js';
import type { CloseVirtualAccountQuery, CreateVirtualAccountBody, ListVirtualAccountsQuery, MockTransferBody, RegisterVirtualAccountBody, VirtualAccount } from './schemas.js';
import { isValidIban } from '../../core/iban.js';
import { isValidBic } from '../../core/bank-identifiers.js';
import { receiveInboundTransfer, type InboundTransferDeps, type InboundTransferInput } from './inbound.js';
export type { InboundTransferInput, InboundTransferResult, InboundTransferRow } from './inbound.js';

/** `payments` records a credited transfer (handed in by the composition root). */
export type VirtualAccountDeps = InboundTransferDeps;

export type VirtualAccountRow = typeof virtualAccounts.$inferSelect;

/** The webhook catalogue's entity type. */
export const VIRTUAL_ACCOUNT_ENTITY_TYPE = 'virtual_account';

export function presentVirtualAccount(row: VirtualAccountRow): VirtualAccount {
  return withoutNulls({
    account_id: row.id,
    currency: row.currency,
    account_number: row.accountNumber,
    name: row.name,
    status: row.status,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  });
}

/** `inactive` is closed by the merchant; `disabled` by the platform (not reachable through this API yet). */
const TRANSITIONS: Record<VirtualAccountStatus, readonly VirtualAccountStatus[]> = {
  active: ['inactive', 'disabled'],
  inactive: [],
  disabled: [],
};

const virtualAccountLifecycle = defineLifecycle({
  table: virtualAccounts,
  entity: 'Virtual Account',
  entityType: VIRTUAL_ACCOUNT_ENTITY_TYPE,
  transitions: TRANSITIONS,
  present: presentVirtualAccount,
});

/** The account's payment type and currency, checked in the contract's words. */
function accountKind(input: { payment_type?: VirtualAccountPaymentType | undefined; currency?: string | undefined }) {
  const currency = input.currency === undefined ? undefined : normalizeCurrency(input.currency);
  if (input.payment_type === undefined || currency === undefined) throw errors.virtualAccountMissingParameters();
  if (!isVirtualAccountCurrency(currency)) throw errors.virtualAccountCurrency(VIRTUAL_ACCOUNT_CURRENCIES);
  return { paymentType: input.payment_type, currency };
}

const activeOf = (tenant: Tenant, paymentType: VirtualAccountPaymentType, currency: string) => and(
  tenantFilter(virtualAccounts, tenant),
  eq(virtualAccounts.paymentType, paymentType),
  eq(virtualAccounts.currency, currency),
  eq(virtualAccounts.status, 'active'),
);

/** Attempts at a free account number before giving up (a collision needs two equal 8- to 16-digit draws). */
const NUMBER_ATTEMPTS = 5;

/**
 * Inserts the account under fresh numbers. `on conflict do nothing` keeps the transaction usable whichever unique
 * index refused the row: an active account of the same kind (created by a concurrent request) answers 409, a taken
 * number draws again.
 */
async function insertAccount(
  uow: UnitOfWork, name: string, paymentType: VirtualAccountPaymentType, currency: VirtualAccountCurrency,
): Promise<VirtualAccountRow> {
  const { tx, tenant, clock } = uow;
  const now = clock.now();
  for (let attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
    const [row] = await tx
      .insert(virtualAccounts)
      .values({
        ...tenant, ...newAccountDetails(currency, paymentType), id: newId(ID_PREFIXES.virtualAccount, now),
        paymentType, currency, status: 'active', name, createdAt: now, updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (row) return row;
    const [existing] = await tx.select({ id: virtualAccounts.id }).from(virtualAccounts).where(activeOf(tenant, paymentType, currency));
    if (existing) throw errors.virtualAccountExists();
  }
  throw new Error(`no free virtual account number for ${currency} after ${NUMBER_ATTEMPTS} attempts`);
}

/**
 * `POST /virtual-accounts`: opens the environment's account for a payment type and currency, with its
 * `virtual_account`/`active` event. Production has no bank behind it: refused rather than a number nobody owns.
 */
export async function createVirtualAccount(deps: VirtualAccountDeps, ctx: TenantContext, body: CreateVirtualAccountBody): Promise<VirtualAccount> {
  const { paymentType, currency } = accountKind(body);
  if (ctx.tenant.env === 'production') throw errors.virtualAccountsUnavailable();
  const merchant = await findMerchant(deps.db, ctx.tenant.merchantId);
  if (!merchant) throw errors.notFound('Merchant');
  return inUnitOfWork(deps.db, ctx, async (uow) => {
    // The insert itself tells an existing active account (its unique index) from a taken number.
    const row = await insertAccount(uow, merchant.name, paymentType, currency);
    return virtualAccountLifecycle.record(uow, row);
  });
}

/**
 * The operator API's registration of an account a bank issued (the only way to have one in production): its given
 * details, checked (an IBAN's check digits, the BIC's form), one active per kind (409) and a number no other account
 * has (409), with the `virtual_account`/`active` event.
 */
export async function registerVirtualAccount(deps: VirtualAccountDeps, ctx: TenantContext, body: RegisterVirtualAccountBody): Promise<VirtualAccountRow> {
  const { paymentType, currency } = accountKind(body);
  const accountNumber = body.account_number.toUpperCase();
  if (/^[A-Z]{2}/.test(accountNumber) && !isValidIban(accountNumber)) throw errors.validation('Account number is not a valid IBAN');
  if (!isValidBic(body.bic.toUpperCase())) throw errors.validation('BIC must be 8 or 11 characters: bank, country, location and optional branch');
  const merchant = await findMerchant(deps.db, ctx.tenant.merchantId);
  if (!merchant) throw errors.notFound('Merchant');
  return inUnitOfWork(deps.db, ctx, async (uow) => {
    const now = uow.clock.now();
    const [row] = await uow.tx.insert(virtualAccounts).values({
      ...uow.tenant, id: newId(ID_PREFIXES.virtualAccount, now), paymentType, currency, status: 'active', name: merchant.name,
      accountNumber, bankCountry: body.bank_country.toUpperCase(), bankName: body.bank_name.trim(), bic: body.bic.toUpperCase(),
      localBankCode: body.local_bank_code ?? null, createdAt: now, updatedAt: now,
    }).onConflictDoNothing().returning();
    if (!row) {
      const [existing] = await uow.tx.select({ id: virtualAccounts.id }).from(virtualAccounts).where(activeOf(uow.tenant, paymentType, currency));
      throw existing ? errors.virtualAccountExists() : errors.virtualAccountNumberTaken();
    }
    await virtualAccountLifecycle.record(uow, row);
    return row;
  });
}

/** `GET /virtual-accounts`: the environment's accounts, closed ones too, newest first. */
export async function listVirtualAccounts(
  deps: VirtualAccountDeps, ctx: TenantContext, query: ListVirtualAccountsQuery,
): Promise<{ data: VirtualAccount[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(virtualAccounts, ctx.tenant)];
  if (query.currency !== undefined) where.push(eq(virtualAccounts.currency, normalizeCurrency(query.currency) ?? query.currency));
  const page = await listPage(deps.db, virtualAccounts, where, pageRequest(query));
  return { data: page.rows.map(presentVirtualAccount), page_meta: page.meta };
}

/** `DELETE /virtual-accounts?payment_type=&currency=`: closes the active account of that kind (`inactive`, for good). */
export async function closeVirtualAccount(deps: VirtualAccountDeps, ctx: TenantContext, query: CloseVirtualAccountQuery): Promise<VirtualAccount> {
  const { paymentType, currency } = accountKind(query);
  return inUnitOfWork(deps.db, ctx, async (uow) => {
    const [active] = await uow.tx.select().from(virtualAccounts).where(activeOf(uow.tenant, paymentType, currency)).for('update');
    if (!active) throw errors.notFound('Virtual Account');
    return (await virtualAccountLifecycle.apply(uow, active, 'inactive', { closedAt: uow.clock.now() })).presented;
  });
}

/** What a payer quotes to send money to an account: its number, the bank, and its domestic code named as the country names it. */
export interface PayerDetails {
  accountName: string;
  bankName: string;
  accountNumber: string;
  /** The number itself where it is an IBAN (GBP, EUR, AED accounts). */
  iban: string | null;
  bic: string;
  routingNumber: string | null;
  sortCode: string | null;
  bankCode: string | null;
}

const IBAN_COUNTRIES: ReadonlySet<string> = new Set(['GBR', 'IRL', 'ARE']);

export function payerDetails(row: VirtualAccountRow): PayerDetails {
  const code = row.localBankCode;
  return {
    accountName: row.name,
    bankName: row.bankName,
    accountNumber: row.accountNumber,
    iban: IBAN_COUNTRIES.has(row.bankCountry) ? row.accountNumber : null,
    bic: row.bic,
    routingNumber: row.bankCountry === 'USA' ? code : null,
    sortCode: row.bankCountry === 'GBR' || row.bankCountry === 'IRL' ? code : null,
    bankCode: row.bankCountry === 'ARE' || row.bankCountry === 'SGP' ? code : null,
  };
}

/**
 * Where a customer's transfer in `currency` should go: the environment's active account in it, local before swift;
 * undefined when it has none. For the checkout's bank-transfer details.
 */
export async function receivingAccount(db: DbOrTx, tenant: Tenant, currency: string): Promise<PayerDetails | undefined> {
  const rows = await db.select().from(virtualAccounts).where(and(
    tenantFilter(virtualAccounts, tenant), eq(virtualAccounts.currency, currency), eq(virtualAccounts.status, 'active'),
  ));
  const row = rows.find((candidate) => candidate.paymentType === 'local') ?? rows[0];
  return row && payerDetails(row);
}

/**
 * `POST /virtual-accounts/mock-transfer` (sandbox): a transfer arriving on one of the environment's accounts, as the
 * bank would deliver it. A returned transfer is recorded (committed) and then answers 422.
 */
export async function mockTransfer(deps: VirtualAccountDeps, ctx: TenantContext, body: MockTransferBody): Promise<Payment> {
  const { transfer, payment } = await receiveInboundTransfer(deps, ctx, { ...transferInput(body), connectorKey: null });
  if (payment === null) throw errors.transferReturned(transfer.returnReason ?? transfer.status);
  return payment;
}

/** The body's fields as a received transfer (optional texts trimmed, blank as none). */
export function transferInput(body: MockTransferBody): Omit<InboundTransferInput, 'connectorKey'> {
  const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());
  return {
    accountNumber: body.account_number, amount: BigInt(body.amount), currency: body.currency, remitterName: body.remitter_name.trim(),
    remitterAccountNumber: text(body.remitter_account_number), reference: text(body.reference),
  };
}

export function createVirtualAccountService(deps: VirtualAccountDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateVirtualAccountBody) => createVirtualAccount(deps, ctx, body),
    list: (ctx: TenantContext, query: ListVirtualAccountsQuery) => listVirtualAccounts(deps, ctx, query),
    close: (ctx: TenantContext, query: CloseVirtualAccountQuery) => closeVirtualAccount(deps, ctx, query),
    receivingAccount: (ctx: TenantContext, currency: string) => receivingAccount(deps.db, ctx.tenant, currency),
    mockTransfer: (ctx: TenantContext, body: MockTransferBody) => mockTransfer(deps, ctx, body),
    /** The operator API's registration of a bank-issued account. */
    register: (ctx: TenantContext, body: RegisterVirtualAccountBody) => registerVirtualAccount(deps, ctx, body),
    /** The operator API's received transfer (a bank connector's delivery), idempotent on its connector key. */
    recordTransfer: (ctx: TenantContext, input: InboundTransferInput) => receiveInboundTransfer(deps, ctx, input),
  });
}

export type VirtualAccountService = ReturnType<typeof createVirtualAccountService>;
