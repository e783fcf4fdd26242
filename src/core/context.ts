// The context a piece of tenant work runs in: the tenant and that tenant's clock travel together, so no code reads
// another environment's time by mistake (a sandbox's test clock may be months ahead of real time). A unit of work adds
// the transaction handle. Built once per request (by the key check), per job (by the runner) or per clock advance.
import type { Tx } from '../db/client.js';
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
