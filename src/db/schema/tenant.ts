// Every tenant row carries the merchant and the environment; every query filters on both.
import { sql, type SQL } from 'drizzle-orm';
import { check, text, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Environment } from './columns.js';
import { merchants } from './merchants.js';

export const tenantColumns = () => ({
  merchantId: text('merchant_id').notNull().references(() => merchants.id),
  env: text('env').$type<Environment>().notNull(),
});

export const envCheck = (table: string, env: AnyPgColumn) =>
  check(`${table}_env_ck`, sql`${env} in ('sandbox', 'production')` as SQL);
