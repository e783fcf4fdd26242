// Beneficiaries: v2 create (the 2026 field rules), review, retrieve and list; the legacy v1 API on the same rows.
import { MAX_NOTES } from '../../core/validation.js';
import { and, eq, isNotNull, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { beneficiaries, type StoredAddress, type StoredIntermediateBank } from '../../db/schema/index.js';
import type { TenantContext } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { isUniqueViolation } from '../../core/db-errors.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { isValidIban } from '../../core/iban.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCountry, normalizeCurrency } from '../../core/iso.js';
import { isValidBic, isValidUpiId } from '../../core/bank-identifiers.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import { findDocument } from '../documents/service.js';
import { findMerchant } from '../merchants/service.js';
import type {
  BeneficiaryV1, BeneficiaryV2, CreateBeneficiaryV1Body, CreateBeneficiaryV2Body, ListBeneficiariesV1Query,
  ListBeneficiariesV2Query, MockReviewBody,
} from './schemas.js';

export interface BeneficiaryDeps {
  db: Db;
}

export type BeneficiaryRow = typeof beneficiaries.$inferSelect;
type BeneficiaryFields = Omit<typeof beneficiaries.$inferInsert, 'id' | 'merchantId' | 'env' | 'createdAt' | 'updatedAt'>;

const DUPLICATE_ACCOUNT_INDEX = 'beneficiaries_tenant_account_key_uq';
const MAX_NOTE_LENGTH = 500;
/** Field names of the v2 request and object: a notes key may not be one of them (the Notes schema's rule). */
const RESERVED_NOTE_KEYS = new Set([
  'id', 'category', 'beneficiary', 'name', 'type', 'email', 'phone', 'nickname', 'address', 'bank_account', 'upi_account',
  'status', 'documents', 'notes', 'created_at', 'updated_at',
]);
const IBAN_ONLY_CURRENCIES = new Set(['EUR', 'AED']);
const SWIFT = /^[A-Z]{6}[A-Z0-9]{2,5}$/;

/** The v2 create's 400s carry the contract's texts as they are (`Beneficiary name can't be blank`, no prefix). */
const invalid = errors.beneficiaryInvalid;
/** The v2 create's 422s: the duplicate account and notes (`Validation failed: Notes <field> is required`). */
const unprocessable = errors.beneficiaryUnprocessable;

/** Account numbers and IBANs compare without spaces and case (`DE89 3704 …` is `DE893704…`). */
const normalizeAccountNumber = (value: string) => value.replace(/\s+/g, '').toUpperCase();

function text(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function requiredText(value: string | undefined, message: string): string {
  const trimmed = text(value);
  if (trimmed === null) throw invalid(message);
  return trimmed;
}

/**
 * SWIFT/BIC, upper-cased: the contract's rule (8-11 characters, the first 6 letters) with its texts, then ISO 9362 as
 * the payout rails read it (8 or 11 characters, a real country), so a beneficiary never carries a BIC no rail takes.
 */
function swiftCode(value: string, subject: string): string {
  const code = value.trim().toUpperCase();
  if (code.length < 8 || code.length > 11) throw invalid(`${subject} must be 8 to 11 characters long`);
  if (!SWIFT.test(code)) throw invalid(`${subject} must start with 6 letters followed by letters or digits`);
  if (!isValidBic(code)) throw invalid(`${subject} is not a valid BIC (8 or 11 characters, letters 5-6 a country code)`);
  return code;
}

type AddressInput = NonNullable<NonNullable<CreateBeneficiaryV2Body['beneficiary']>['address']>;

function parseAddress(address: AddressInput, subject: string): StoredAddress {
  const field = (value: string | undefined, name: string) => requiredText(value, `${subject} ${name} can't be blank`);
  const line1 = field(address.address_line1, 'address line1');
  const line2 = text(address.address_line2);
  const city = field(address.city, 'city');
  const state = field(address.state, 'state');
  const country = normalizeCountry(field(address.country_code, 'country code'));
  if (!country) throw invalid(`${subject} country code must be a valid 3-letter ISO code (e.g., IND, USA)`);
  const postal = field(address.postal_code, 'postal code');
  return { address_line1: line1, ...(line2 ? { address_line2: line2 } : {}), city, state, country_code: country, postal_code: postal };
}

function parseNotes(notes: Record<string, unknown> | null | undefined, requiredKeys: readonly string[]): Record<string, string> | null {
  const given = notes ?? {};
  const entries = Object.entries(given);
  if (entries.length > MAX_NOTES) throw unprocessable(`Notes can have at most ${MAX_NOTES} keys`);
  for (const [key, value] of entries) {
    if (RESERVED_NOTE_KEYS.has(key)) throw unprocessable(`Notes ${key} is a reserved field name`);
    if (typeof value !== 'string') throw unprocessable(`Notes ${key} must be a string`);
    if (value.length > MAX_NOTE_LENGTH) throw unprocessable(`Notes ${key} is too long (maximum is ${MAX_NOTE_LENGTH} characters)`);
  }
  for (const key of requiredKeys) {
    const value = given[key];
    if (typeof value !== 'string' || value.trim() === '') throw unprocessable(`Notes ${key} is required`);
  }
  return notes ? (given as Record<string, string>) : null;
}

type BankAccountInput = NonNullable<CreateBeneficiaryV2Body['bank_account']>;

/** The bank account's stored fields and its transfer method (part of the duplicate key). */
function parseBankAccount(bank: BankAccountInput, category: 'payout' | 'lrs') {
  const accountNumber = normalizeAccountNumber(requiredText(bank.account_number, 'Account number can\'t be blank'));
  if (accountNumber.length > 64) throw invalid('Account number is too long (maximum is 64 characters)');
  const currencyText = requiredText(bank.currency, 'Currency can\'t be blank');
  const currency = normalizeCurrency(currencyText);
  if (!currency) throw invalid('Currency must be a valid ISO 4217 currency code (e.g., USD)');
  const sentSwift = text(bank.swift_code);
  const routing = text(bank.local_routing_number)?.toUpperCase() ?? null;
  const bankName = text(bank.name);
  const bankAddress = bank.address ? parseAddress(bank.address, 'Bank address') : null;
  let intermediateBank: StoredIntermediateBank | null = null;
  if (bank.intermediate_bank) {
    const given = bank.intermediate_bank;
    const country = text(given.country);
    const normalizedCountry = country === null ? null : normalizeCountry(country);
    if (normalizedCountry === undefined) throw invalid('Intermediate bank country must be a valid 3-letter ISO code (e.g., IND, USA)');
    const swift = text(given.swift_code);
    const stored = withoutNulls({
      name: text(given.name),
      country: normalizedCountry,
      swift_code: swift === null ? null : swiftCode(swift, 'Intermediate bank swift code'),
      account_number: text(given.account_number),
    });
    intermediateBank = Object.keys(stored).length > 0 ? stored : null;
  }

  let swift: string | null = null;
  let method: 'swift' | 'local' | 'iban';
  if (category === 'lrs') {
    if (routing === null) throw invalid('Local routing number can\'t be blank');
    if (sentSwift !== null) {
      swift = sentSwift.toUpperCase();
      if (swift.length !== 8) throw invalid('Swift code must be 8 characters long');
      swift = swiftCode(swift, 'Swift code');
    }
    if (bankName === null) throw invalid('Bank account name can\'t be blank');
    if (bankAddress === null) throw invalid('Bank account address is required');
    if (!intermediateBank?.swift_code) throw invalid('Intermediate bank swift code can\'t be blank');
    method = 'local';
  } else {
    if (sentSwift !== null && routing !== null) throw invalid('Provide exactly one of swift_code or local_routing_number, not both');
    if (sentSwift !== null) {
      swift = swiftCode(sentSwift, 'Swift code');
      method = 'swift';
    } else if (routing !== null) {
      method = 'local';
    } else {
      if (!IBAN_ONLY_CURRENCIES.has(currency)) {
        throw invalid('Provide exactly one of swift_code or local_routing_number (only EUR and AED accounts may send an IBAN alone)');
      }
      if (!isValidIban(accountNumber)) throw invalid('Account number must be a valid IBAN when neither swift_code nor local_routing_number is sent');
      method = 'iban';
    }
  }
  return {
    fields: { accountNumber, currency, swiftCode: swift, localRoutingNumber: routing, bankName, bankAddress, intermediateBank },
    method,
  };
}

function categoryOf(value: string | undefined): 'payout' | 'lrs' {
  if (value === undefined || value.trim() === '') throw invalid("Category can't be blank, Category must be one of: lrs, payout");
  if (value !== 'payout' && value !== 'lrs') throw invalid('Category must be one of: lrs, payout');
  return value;
}

/** Every 400 of the v2 create, in the contract's order of fields; notes (422) are checked by the caller. */
export function validateCreateV2(body: CreateBeneficiaryV2Body): { fields: Omit<BeneficiaryFields, 'status' | 'notes'>; accountKey: string } {
  const category = categoryOf(body.category);
  const person = body.beneficiary;
  if (!person) throw invalid("Beneficiary can't be blank");
  const name = requiredText(person.name, "Beneficiary name can't be blank");
  if (person.type === undefined || person.type.trim() === '') throw invalid("Beneficiary type can't be blank");
  if (person.type !== 'individual' && person.type !== 'business') throw invalid('Beneficiary type must be one of: individual, business');
  if (!person.address) throw invalid('Beneficiary address is required');
  const address = parseAddress(person.address, 'Beneficiary address');
  if (body.bank_account && body.upi_account) throw invalid('Provide either bank_account or upi_account, not both');
  if (!body.bank_account && !body.upi_account) throw invalid('Provide either bank_account or upi_account');

  let account: ReturnType<typeof parseBankAccount>['fields'] | null = null;
  let upiId: string | null = null;
  let accountKey: string;
  if (body.bank_account) {
    const parsed = parseBankAccount(body.bank_account, category);
    account = parsed.fields;
    accountKey = `${category}|${parsed.method}|${parsed.fields.accountNumber}`;
  } else {
    if (category === 'lrs') throw invalid('An lrs beneficiary needs a bank_account (UPI is for payouts in INR)');
    upiId = requiredText(body.upi_account!.upi_id, "Upi id can't be blank");
    if (!isValidUpiId(upiId)) throw invalid('Upi id is invalid');
    accountKey = `${category}|upi|${upiId.toLowerCase()}`;
  }
  const bankName = account?.bankName ?? null;
  const documents = [...new Set((person.documents ?? []).map((id) => id.trim()))];
  for (const id of documents) if (!id.startsWith(`${ID_PREFIXES.document}_`)) throw invalid(`Beneficiary documents must be document ids (doc_…): ${id}`);
  return {
    fields: {
      apiVersion: 'v2',
      category,
      name,
      beneficiaryType: person.type,
      email: text(person.email),
      phone: text(person.phone),
      nickname: text(person.nickname) ?? (bankName ? `${name} - ${bankName}` : name),
      addressLine1: address.address_line1,
      addressLine2: address.address_line2 ?? null,
      city: address.city,
      state: address.state,
      countryCode: address.country_code,
      postalCode: address.postal_code,
      accountNumber: account?.accountNumber ?? null,
      bankName,
      swiftCode: account?.swiftCode ?? null,
      localRoutingNumber: account?.localRoutingNumber ?? null,
      currency: account?.currency ?? (upiId ? 'INR' : null),
      bankAddress: account?.bankAddress ?? null,
      intermediateBank: account?.intermediateBank ?? null,
      upiId,
      documents,
    },
    accountKey,
  };
}

function rowAddress(row: BeneficiaryRow): StoredAddress {
  return {
    address_line1: row.addressLine1,
    ...(row.addressLine2 ? { address_line2: row.addressLine2 } : {}),
    city: row.city,
    state: row.state,
    country_code: row.countryCode,
    postal_code: row.postalCode,
  };
}

/** The v2 shape of any beneficiary row (v1 rows: `payout`, `active`, the bics as swift_code/local_routing_number). */
export function presentBeneficiaryV2(row: BeneficiaryRow): BeneficiaryV2 {
  const bankAccount = row.accountNumber === null ? null : withoutNulls({
    account_number: row.accountNumber,
    name: row.bankName,
    swift_code: row.swiftCode,
    local_routing_number: row.localRoutingNumber,
    currency: row.currency,
    address: row.bankAddress,
    intermediate_bank: row.intermediateBank,
  });
  return {
    ...withoutNulls({
      id: row.id,
      name: row.name,
      type: row.beneficiaryType,
      category: row.category,
      email: row.email,
      phone: row.phone,
      nickname: row.nickname,
      address: rowAddress(row),
      bank_account: bankAccount,
      status: row.status,
      documents: row.documents,
      notes: row.notes,
      created_at: isoSeconds(row.createdAt),
      updated_at: isoSeconds(row.updatedAt),
    }),
    // Null rather than omitted: the contract types it `object|null`, "present when UPI, otherwise null".
    upi_account: row.upiId === null ? null : { upi_id: row.upiId },
  };
}

/** The flat v1 shape of a bank-account beneficiary (v2 rows: swift_code as bic_primary, routing as bic_secondary). */
export function presentBeneficiaryV1(row: BeneficiaryRow & { accountNumber: string }): BeneficiaryV1 {
  return withoutNulls({
    id: row.id,
    holder_name: row.name,
    account_number: row.accountNumber,
    bank_name: row.bankName,
    beneficiary_type: row.beneficiaryType,
    bic_primary: row.swiftCode,
    bic_secondary: row.localRoutingNumber,
    email: row.email,
    address_line1: row.addressLine1,
    address_line2: row.addressLine2,
    city: row.city,
    state: row.state,
    country: row.countryCode,
    pincode: row.postalCode,
    nickname: row.nickname,
    intermediate_bank_name: row.intermediateBank?.name ?? null,
    intermediate_bank_country: row.intermediateBank?.country ?? null,
    intermediate_bank_swift_code: row.intermediateBank?.swift_code ?? null,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  });
}

async function insertBeneficiary(tx: DbOrTx, tenant: Tenant, now: Date, fields: BeneficiaryFields): Promise<BeneficiaryRow> {
  return insertWithFreshId(tx, beneficiaries, () => newId(ID_PREFIXES.beneficiary, now), {
    ...tenant, ...fields, createdAt: now, updatedAt: now,
  });
}

export async function createBeneficiaryV2(deps: BeneficiaryDeps, ctx: TenantContext, body: CreateBeneficiaryV2Body): Promise<BeneficiaryV2> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  const { fields, accountKey } = validateCreateV2(body);
  const merchant = await findMerchant(deps.db, tenant.merchantId);
  if (!merchant) throw errors.notFound('Merchant');
  const notes = parseNotes(body.notes, merchant.beneficiaryRequiredNotes);
  try {
    return await deps.db.transaction(async (tx) => {
      const uow = { tx, ...ctx };
      for (const id of fields.documents ?? []) if (!(await findDocument(tx, tenant, id))) throw errors.notFound('Document');
      const status = merchant.beneficiaryReview ? 'pending' : 'active';
      const row = await insertBeneficiary(tx, tenant, now, { ...fields, notes, status, accountKey });
      const beneficiary = presentBeneficiaryV2(row);
      // event_type is the status it starts in: `active` is the catalogue's; `pending` is an extension (decision 0013).
      await recordEvent(uow, { entityType: 'beneficiary', eventType: status, entityId: row.id, data: beneficiary });
      return beneficiary;
    });
  } catch (error) {
    if (isUniqueViolation(error, DUPLICATE_ACCOUNT_INDEX)) {
      throw unprocessable('Business already had this Account Number, Account Type and Transfer Method');
    }
    throw error;
  }
}

export async function findBeneficiary(db: DbOrTx, tenant: Tenant, id: string): Promise<BeneficiaryRow | undefined> {
  const [row] = await db.select().from(beneficiaries).where(and(tenantFilter(beneficiaries, tenant), eq(beneficiaries.id, id)));
  return row;
}

async function existingBeneficiary(db: DbOrTx, tenant: Tenant, id: string): Promise<BeneficiaryRow> {
  assertIdPrefix(ID_PREFIXES.beneficiary, id);
  const row = await findBeneficiary(db, tenant, id);
  if (!row) throw errors.notFound('Beneficiary');
  return row;
}

export async function getBeneficiaryV2(deps: Pick<BeneficiaryDeps, 'db'>, tenant: Tenant, id: string): Promise<BeneficiaryV2> {
  return presentBeneficiaryV2(await existingBeneficiary(deps.db, tenant, id));
}

export async function listBeneficiariesV2(
  deps: Pick<BeneficiaryDeps, 'db'>,
  tenant: Tenant,
  query: ListBeneficiariesV2Query,
): Promise<{ data: BeneficiaryV2[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(beneficiaries, tenant)];
  if (query.status) where.push(eq(beneficiaries.status, query.status as BeneficiaryRow['status']));
  const page = await listPage(deps.db, beneficiaries, where, pageRequest(query));
  return { data: page.rows.map(presentBeneficiaryV2), page_meta: page.meta };
}

/** Sandbox review: `pending` -> `active` (approve) or `rejected` (reject); any other status answers 422. */
export async function mockReviewBeneficiary(
  deps: BeneficiaryDeps,
  ctx: TenantContext,
  id: string,
  body: MockReviewBody,
): Promise<BeneficiaryV2> {
  const { tenant, clock } = ctx;
  assertIdPrefix(ID_PREFIXES.beneficiary, id);
  const target = body.review_action === 'approve' ? 'active' : 'rejected';
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    // The conditional update decides between concurrent reviews: one matches, the others see the new status.
    const [row] = await tx
      .update(beneficiaries)
      .set({ status: target, updatedAt: clock.now() })
      .where(and(tenantFilter(beneficiaries, tenant), eq(beneficiaries.id, id), eq(beneficiaries.status, 'pending')))
      .returning();
    if (!row) {
      const current = await findBeneficiary(tx, tenant, id);
      if (!current) throw errors.notFound('Beneficiary');
      throw errors.beneficiaryNotPending(current.status);
    }
    const beneficiary = presentBeneficiaryV2(row);
    await recordEvent(uow, { entityType: 'beneficiary', eventType: target, entityId: row.id, data: beneficiary });
    return beneficiary;
  });
}

// ---- v1 (legacy) ----

function v1Text(value: string | undefined, field: string): string {
  const trimmed = text(value);
  if (trimmed === null) throw errors.blank(field);
  return trimmed;
}

export async function createBeneficiaryV1(deps: BeneficiaryDeps, ctx: TenantContext, body: CreateBeneficiaryV1Body): Promise<BeneficiaryV1> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  const bicPrimary = v1Text(body.bic_primary, 'bic_primary').toUpperCase();
  if (bicPrimary.length < 8 || bicPrimary.length > 11) throw errors.validation('Bic primary must be 8 to 11 characters long');
  if (!SWIFT.test(bicPrimary)) throw errors.validation('Bic primary must start with 6 letters followed by letters or digits');
  const country = normalizeCountry(body.country)!;
  const intermediateCountry = body.intermediate_bank_country === undefined ? null : normalizeCountry(body.intermediate_bank_country)!;
  const intermediate = withoutNulls({
    name: text(body.intermediate_bank_name),
    country: intermediateCountry,
    swift_code: text(body.intermediate_bank_swift_code)?.toUpperCase() ?? null,
  });
  const fields: BeneficiaryFields = {
    apiVersion: 'v1',
    category: 'payout',
    status: 'active',
    name: v1Text(body.holder_name, 'holder_name'),
    beneficiaryType: body.beneficiary_type as BeneficiaryRow['beneficiaryType'],
    email: v1Text(body.email, 'email'),
    phone: null,
    nickname: v1Text(body.nickname, 'nickname'),
    addressLine1: v1Text(body.address_line1, 'address_line1'),
    addressLine2: text(body.address_line2),
    city: v1Text(body.city, 'city'),
    state: v1Text(body.state, 'state'),
    countryCode: country,
    postalCode: v1Text(body.pincode, 'pincode'),
    accountNumber: normalizeAccountNumber(v1Text(body.account_number, 'account_number')),
    bankName: v1Text(body.bank_name, 'bank_name'),
    swiftCode: bicPrimary,
    localRoutingNumber: v1Text(body.bic_secondary, 'bic_secondary').toUpperCase(),
    currency: null,
    bankAddress: null,
    intermediateBank: Object.keys(intermediate).length > 0 ? intermediate : null,
    upiId: null,
    notes: null,
    accountKey: null,
  };
  return deps.db.transaction(async (tx) => {
    const uow = { tx, ...ctx };
    const row = await insertBeneficiary(tx, tenant, now, fields);
    await recordEvent(uow, { entityType: 'beneficiary', eventType: 'active', entityId: row.id, data: presentBeneficiaryV2(row) });
    return presentBeneficiaryV1({ ...row, accountNumber: row.accountNumber! });
  });
}

/** v1 serves bank-account beneficiaries only: a UPI beneficiary has no v1 shape and answers 404 there. */
export async function getBeneficiaryV1(deps: Pick<BeneficiaryDeps, 'db'>, tenant: Tenant, id: string): Promise<BeneficiaryV1> {
  const row = await existingBeneficiary(deps.db, tenant, id);
  if (row.accountNumber === null) throw errors.notFound('Beneficiary');
  return presentBeneficiaryV1({ ...row, accountNumber: row.accountNumber });
}

export async function listBeneficiariesV1(
  deps: Pick<BeneficiaryDeps, 'db'>,
  tenant: Tenant,
  query: ListBeneficiariesV1Query,
): Promise<{ data: BeneficiaryV1[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(beneficiaries, tenant), isNotNull(beneficiaries.accountNumber)];
  if (query.beneficiary_type) where.push(eq(beneficiaries.beneficiaryType, query.beneficiary_type as BeneficiaryRow['beneficiaryType']));
  if (query.country) where.push(eq(beneficiaries.countryCode, normalizeCountry(query.country)!));
  const page = await listPage(deps.db, beneficiaries, where, pageRequest(query));
  return { data: page.rows.map((row) => presentBeneficiaryV1({ ...row, accountNumber: row.accountNumber! })), page_meta: page.meta };
}

/** The beneficiary operations (v2 and the legacy v1 shape) the routes call, built once by the composition root. */
export function createBeneficiaryService(deps: BeneficiaryDeps) {
  return Object.freeze({
    createV2: (ctx: TenantContext, body: CreateBeneficiaryV2Body) => createBeneficiaryV2(deps, ctx, body),
    listV2: (ctx: TenantContext, query: ListBeneficiariesV2Query) => listBeneficiariesV2(deps, ctx.tenant, query),
    getV2: (ctx: TenantContext, id: string) => getBeneficiaryV2(deps, ctx.tenant, id),
    mockReview: (ctx: TenantContext, id: string, body: MockReviewBody) =>
      mockReviewBeneficiary(deps, ctx, id, body),
    createV1: (ctx: TenantContext, body: CreateBeneficiaryV1Body) => createBeneficiaryV1(deps, ctx, body),
    listV1: (ctx: TenantContext, query: ListBeneficiariesV1Query) => listBeneficiariesV1(deps, ctx.tenant, query),
    getV1: (ctx: TenantContext, id: string) => getBeneficiaryV1(deps, ctx.tenant, id),
  });
}

export type BeneficiaryService = ReturnType<typeof createBeneficiaryService>;
