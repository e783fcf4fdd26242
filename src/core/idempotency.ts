// `request_id` idempotency: the claim is an insert into a table whose primary key is
// (merchant_id, env, scope, request_id), made inside the transaction that creates the resource. Concurrent
// duplicates block on the key until the first commits, then see the conflict: exactly one resource is created.
import { and, eq } from 'drizzle-orm';
import { requestIds } from '../db/schema/index.js';
import type { UnitOfWork } from './context.js';
import { tenantFilter } from './tenancy.js';

export type RequestIdClaim = { claimed: true } | { claimed: false; existingResourceId: string };

export async function claimRequestId(
  uow: UnitOfWork,
  scope: string,
  requestId: string,
  resourceId: string,
): Promise<RequestIdClaim> {
  const { tx, tenant, clock } = uow;
  const inserted = await tx
    .insert(requestIds)
    .values({ ...tenant, scope, requestId, resourceId, createdAt: clock.now() })
    .onConflictDoNothing()
    .returning({ resourceId: requestIds.resourceId });
  if (inserted.length > 0) return { claimed: true };
  const [existing] = await tx
    .select({ resourceId: requestIds.resourceId })
    .from(requestIds)
    .where(and(tenantFilter(requestIds, tenant), eq(requestIds.scope, scope), eq(requestIds.requestId, requestId)));
  if (!existing) throw new Error(`request_id claim for ${scope}/${requestId} conflicted but no row is visible`);
  return { claimed: false, existingResourceId: existing.resourceId };
}
