// Customers: create (with the contract's validation rules), retrieve and list, per merchant environment.
import { and, eq } from 'drizzle-orm';
import { isValidPhoneNumber } from 'libphonenumber-js';
import type { Db, DbOrTx } from '../../db/client.js';
import { customers } from '../../db/schema/index.js';
import type { TenantContext } from '../../core/context.js';
import { isoSeconds } from '../../core/clock.js';
import { isUniqueViolation } from '../../core/db-errors.js';
import { errors } from '../../core/errors.js';
import { recordEvent } from '../../core/events.js';
import { insertWithFreshId } from '../../core/fresh-id.js';
import { withoutNulls } from '../../core/http-schemas.js';
import { assertIdPrefix, ID_PREFIXES, newId } from '../../core/ids.js';
import { normalizeCountry } from '../../core/iso.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { CreateCustomerBody, Customer, ListCustomersQuery } from './schemas.js';

export interface CustomerDeps {
  db: Db;
}

type CustomerRow = typeof customers.$inferSelect;

const NAME_PATTERN = /^[A-Za-z0-9 &.,'-]+$/;
const PAN_PATTERN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;

export function presentCustomer(row: CustomerRow): Customer {
  return withoutNulls({
    id: row.id,
    name: row.name,
    customer_type: row.customerType,
    email: row.email,
    phone: row.phone,
    dob: row.dob,
    nationality: row.nationality,
    tax_identification_number: row.taxIdentificationNumber,
    address: row.address,
    city: row.city,
    state: row.state,
    country: row.country,
    pincode: row.pincode,
    status: row.status,
    created_at: isoSeconds(row.createdAt),
    updated_at: isoSeconds(row.updatedAt),
  });
}

function requiredText(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw errors.blank(field);
  return trimmed;
}

/** Accepts YYYY-MM-DD and DD-MM-YYYY (both appear in the contract's examples); answers YYYY-MM-DD. */
export function parseDateOfBirth(input: string, today: Date): string {
  const value = input.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const dmy = /^(\d{2})-(\d{2})-(\d{4})$/.exec(value);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!year || !month || !day) throw errors.validation('Date of birth must be a date in YYYY-MM-DD format');
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) {
    throw errors.validation('Date of birth must be a valid date');
  }
  if (date.getTime() >= Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) {
    throw errors.validation('Date of birth must be in the past');
  }
  return `${year}-${month}-${day}`;
}

function validateCreate(body: CreateCustomerBody, today: Date) {
  const name = requiredText('name', body.name);
  if (name.length < 2) throw errors.validation('Name is too short (minimum is 2 characters)');
  if (name.length > 128) throw errors.validation('Name is too long (maximum is 128 characters)');
  if (!NAME_PATTERN.test(name)) throw errors.validation("Name is invalid (use letters, digits, spaces and & . , ' - only)");
  const email = requiredText('email', body.email);
  const phone = body.phone?.trim() || null;
  if (phone !== null && !isValidPhoneNumber(phone)) throw errors.validation('Phone number format is invalid');
  let nationality: string | null = null;
  if (body.nationality !== undefined && body.nationality.trim() !== '') {
    nationality = normalizeCountry(body.nationality) ?? null;
    if (!nationality) throw errors.validation('Nationality must be a valid 3-letter ISO code (e.g., IND, USA)');
  }
  const country = normalizeCountry(body.country);
  if (!country) throw errors.validation('Country must be a valid 3-letter ISO code (e.g., IND, USA)');
  let pan: string | null = null;
  if (body.kyc?.pan_number !== undefined) {
    pan = body.kyc.pan_number.trim().toUpperCase();
    if (!PAN_PATTERN.test(pan)) throw errors.validation('Kyc pan number is invalid');
  }
  return {
    name,
    customerType: body.customer_type as CustomerRow['customerType'],
    email,
    emailKey: email.toLowerCase(),
    phone,
    dob: body.dob !== undefined && body.dob.trim() !== '' ? parseDateOfBirth(body.dob, today) : null,
    nationality,
    taxIdentificationNumber: pan,
    address: requiredText('address', body.address),
    city: requiredText('city', body.city),
    state: requiredText('state', body.state),
    country,
    pincode: requiredText('pincode', body.pincode),
  };
}

export async function createCustomer(deps: CustomerDeps, ctx: TenantContext, body: CreateCustomerBody): Promise<Customer> {
  const { tenant, clock } = ctx;
  const now = clock.now();
  const fields = validateCreate(body, now);
  try {
    return await deps.db.transaction(async (tx) => {
      const uow = { tx, ...ctx };
      const row = await insertWithFreshId(tx, customers, () => newId(ID_PREFIXES.customer, now), {
        ...tenant, ...fields, status: 'active', createdAt: now, updatedAt: now,
      });
      const customer = presentCustomer(row);
      await recordEvent(uow, { entityType: 'customer', eventType: 'created', entityId: row.id, data: customer });
      return customer;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'customers_tenant_email_country_uq')) throw errors.validation('Email has already been taken');
    throw error;
  }
}

export async function getCustomer(deps: CustomerDeps, tenant: Tenant, id: string): Promise<Customer> {
  assertIdPrefix(ID_PREFIXES.customer, id);
  const [row] = await deps.db.select().from(customers).where(and(tenantFilter(customers, tenant), eq(customers.id, id)));
  if (!row) throw errors.notFound('Customer');
  return presentCustomer(row);
}

/** The tenant's customer row, or undefined (for other modules that check a `customer_id` they were sent). */
export async function findCustomer(db: DbOrTx, tenant: Tenant, id: string): Promise<CustomerRow | undefined> {
  const [row] = await db.select().from(customers).where(and(tenantFilter(customers, tenant), eq(customers.id, id)));
  return row;
}

export async function listCustomers(
  deps: CustomerDeps,
  tenant: Tenant,
  query: ListCustomersQuery,
): Promise<{ data: Customer[]; page_meta: PageMeta }> {
  const where = [tenantFilter(customers, tenant)];
  if (query.customer_type) where.push(eq(customers.customerType, query.customer_type as CustomerRow['customerType']));
  if (query.email_address) where.push(eq(customers.emailKey, query.email_address.trim().toLowerCase()));
  if (query.tax_identification_number !== undefined) {
    const pan = query.tax_identification_number.trim().toUpperCase();
    if (!PAN_PATTERN.test(pan)) throw errors.invalidParameter('Tax identification number is not a valid PAN');
    where.push(eq(customers.taxIdentificationNumber, pan));
  }
  const page = await listPage(deps.db, customers, where, pageRequest(query));
  return { data: page.rows.map(presentCustomer), page_meta: page.meta };
}

/** The customer operations the routes call, built once by the composition root; each runs on the caller's context. */
export function createCustomerService(deps: CustomerDeps) {
  return Object.freeze({
    create: (ctx: TenantContext, body: CreateCustomerBody) => createCustomer(deps, ctx, body),
    list: (ctx: TenantContext, query: ListCustomersQuery) => listCustomers(deps, ctx.tenant, query),
    get: (ctx: TenantContext, id: string) => getCustomer(deps, ctx.tenant, id),
  });
}

export type CustomerService = ReturnType<typeof createCustomerService>;
