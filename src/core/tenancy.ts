// The tenant of a request (merchant + environment) and the filter every tenant query starts from.
import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Environment } from '../db/schema/columns.js';

export interface Tenant {
  merchantId: string;
  env: Environment;
}

export function tenantFilter(table: { merchantId: PgColumn; env: PgColumn }, tenant: Tenant): SQL {
  return and(eq(table.merchantId, tenant.merchantId), eq(table.env, tenant.env)) as SQL;
}
