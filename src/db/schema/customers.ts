import { sql } from 'drizzle-orm';
import { check, date, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { envCheck, tenantColumns } from './tenant.js';

export const customers = pgTable('customers', {
  id: text('id').primaryKey(),
  ...tenantColumns(),
  name: text('name').notNull(),
  customerType: text('customer_type').$type<'individual' | 'business'>().notNull(),
  email: text('email').notNull(),
  /** Lower-cased email: uniqueness and the `email_address` filter are case-insensitive. */
  emailKey: text('email_key').notNull(),
  phone: text('phone'),
  dob: date('dob', { mode: 'string' }),
  nationality: text('nationality'),
  taxIdentificationNumber: text('tax_identification_number'),
  address: text('address').notNull(),
  city: text('city').notNull(),
  state: text('state').notNull(),
  country: text('country').notNull(),
  pincode: text('pincode').notNull(),
  status: text('status').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  index('customers_tenant_created_idx').on(t.merchantId, t.env, t.createdAt.desc(), t.id.desc()),
  index('customers_tenant_type_created_idx').on(t.merchantId, t.env, t.customerType, t.createdAt.desc(), t.id.desc()),
  uniqueIndex('customers_tenant_email_country_uq').on(t.merchantId, t.env, t.emailKey, t.country),
  envCheck('customers', t.env),
  check('customers_type_ck', sql`${t.customerType} in ('individual', 'business')`),
]);
