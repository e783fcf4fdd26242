// The context a piece of tenant work runs in: the tenant and that tenant's clock travel together, so no code reads
// another environment's time by mistake (a sandbox's test clock may be months ahead of real time). A unit of work adds
// the transaction handle. Built once per request (by the key check), per job (by the runner) or per clock advance.
import type { Db, Tx } from '../db/client.js';
import type { Clock } from './clock.js';
import type { Tenant } from './tenancy.js';

export interface TenantContext {
  readonly tenant: Tenant;
  /** The tenant's clock: its environment's test clock in the sandbox, real time in production. */
  readonly clock: Clock;
}

export interface UnitOfWork extends TenantContext {
  readonly tx: Tx;
}

/** The unit of work of a transaction already open, in the context it runs for. */
export function unitOf(tx: Tx, ctx: TenantContext): UnitOfWork {
  return { tx, tenant: ctx.tenant, clock: ctx.clock };
}

/** Runs `work` in one transaction of `db`, as a unit of work of `ctx`: everything it writes commits together or not at all. */
export function inUnitOfWork<T>(db: Db, ctx: TenantContext, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  return db.transaction((tx) => work(unitOf(tx, ctx)));
}
