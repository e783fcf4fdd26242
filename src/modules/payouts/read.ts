// Retrieve and list (`GET /payouts/{id}`, `GET /payouts`).
import { and, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { payouts } from '../../db/schema/index.js';
import { errors } from '../../core/errors.js';
import { assertIdPrefix, ID_PREFIXES } from '../../core/ids.js';
import { listPage, pageRequest, type PageMeta } from '../../core/pagination.js';
import { tenantFilter, type Tenant } from '../../core/tenancy.js';
import type { PayoutDeps } from './deps.js';
import { presentPayout, type PayoutRow } from './presenter.js';
import type { ListPayoutsQuery, Payout } from './schemas.js';

async function findPayout(db: DbOrTx, tenant: Tenant, id: string): Promise<PayoutRow | undefined> {
  const [row] = await db.select().from(payouts).where(and(tenantFilter(payouts, tenant), eq(payouts.id, id)));
  return row;
}

export async function getPayout(deps: Pick<PayoutDeps, 'db'>, tenant: Tenant, id: string): Promise<Payout> {
  assertIdPrefix(ID_PREFIXES.payout, id);
  const row = await findPayout(deps.db, tenant, id);
  if (!row) throw errors.notFound('Payout');
  return presentPayout(row);
}

export async function listPayouts(deps: Pick<PayoutDeps, 'db'>, tenant: Tenant, query: ListPayoutsQuery): Promise<{ data: Payout[]; page_meta: PageMeta }> {
  const where: SQL[] = [tenantFilter(payouts, tenant)];
  if (query.beneficiary_id !== undefined) where.push(eq(payouts.beneficiaryId, query.beneficiary_id.trim()));
  if (query.request_id !== undefined) where.push(eq(payouts.requestId, query.request_id.trim()));
  if (query.status === 'under_review') where.push(eq(payouts.status, 'in_progress'), eq(payouts.sentToRail, false));
  else if (query.status !== undefined) where.push(eq(payouts.status, query.status));
  const page = await listPage(deps.db, payouts, where, pageRequest(query));
  return { data: page.rows.map(presentPayout), page_meta: page.meta };
}
