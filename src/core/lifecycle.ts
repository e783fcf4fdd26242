// The lifecycle kernel: a resource's state machine handed over as a table, and the one way its status changes. Under
// the row's lock (FOR UPDATE, tenant-filtered), a move the table allows is written with `updated_at` from the
// tenant's clock and recorded as the `<entityType>`/<status> outbox event with the same transaction handle, so the
// change, whatever caused it (a journal, an RFI) and its event commit together or not at all. Domain rules (what a
// payout does with its hold, which statuses expire) stay in the modules: they come in as the table and callbacks.
import { and, eq } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../db/client.js';
import type { Clock } from './clock.js';
import { inUnitOfWork, type UnitOfWork } from './context.js';
import { errors, type ApiError } from './errors.js';
import { recordEvent } from './events.js';
import { enqueueJob, tenantRowPayload, type JobHandler } from './jobs.js';
import { tenantFilter, type Tenant } from './tenancy.js';

/** The row shape the kernel reads: an id, a status and `updated_at`. */
interface LifecycleRow {
  id: string;
  status: string;
  updatedAt: Date;
}

/** A tenant table with the columns the kernel filters on and writes. */
export type LifecycleTable = PgTable & {
  id: PgColumn;
  merchantId: PgColumn;
  env: PgColumn;
  status: PgColumn;
  updatedAt: PgColumn;
  $inferSelect: LifecycleRow;
};

export type RowOf<TTable extends LifecycleTable> = TTable['$inferSelect'];
export type StatusOf<TTable extends LifecycleTable> = RowOf<TTable>['status'];
/** What a move may write besides the status (which the kernel sets, with `updated_at`). */
export type LifecycleFields<TTable extends LifecycleTable> = Partial<Omit<RowOf<TTable>, 'id' | 'merchantId' | 'env' | 'status' | 'updatedAt'>>;

export interface LifecycleDefinition<TTable extends LifecycleTable, TPresented extends Record<string, unknown>> {
  table: TTable;
  /** The resource as messages name it: `Order not found`, `Order cannot move from paid to active`. */
  entity: string;
  /** The outbox events' entity type (the webhook catalogue's: `orders`, `payment_link`, `payout`). */
  entityType: string;
  /** Every status with the statuses it may move to; a terminal status maps to `[]`. */
  transitions: Readonly<Record<StatusOf<TTable>, readonly StatusOf<TTable>[]>>;
  /** The snapshot a GET answers: the move's return value and its event's data. */
  present(row: RowOf<TTable>): TPresented;
  /** A resource that lapses: from `statuses`, once `expiresAt(row)` has come, it moves to `to`. */
  expiry?: {
    statuses: readonly StatusOf<TTable>[];
    to: StatusOf<TTable>;
    expiresAt(row: RowOf<TTable>): Date;
    /**
     * The job that lapses it: its queue and the payload key of the row's id (each resource keeps its own, so jobs
     * queued by earlier versions still run).
     */
    job: { queue: string; idKey: string };
  };
  /** The answer to a move the table refuses; `errors.invalidTransition(entity, from, to)` unless given. */
  invalidTransition?(from: StatusOf<TTable>, to: StatusOf<TTable>): ApiError;
}

export interface Lifecycle<TTable extends LifecycleTable, TPresented extends Record<string, unknown>> {
  readonly entity: string;
  readonly entityType: string;
  /** The tenant's row locked for the rest of the transaction, or undefined (for jobs, which answer no 404). */
  lock(tx: Tx, tenant: Tenant, id: string): Promise<RowOf<TTable> | undefined>;
  /** As lock, with 404 `<entity> not found` for a row that is not the tenant's. */
  mustLock(tx: Tx, tenant: Tenant, id: string): Promise<RowOf<TTable>>;
  canMove(from: StatusOf<TTable>, to: StatusOf<TTable>): boolean;
  /** Throws the lifecycle's refusal unless the table allows the move: for callers that check before other work. */
  assertMove(row: RowOf<TTable>, to: StatusOf<TTable>): void;
  /**
   * Moves a locked row to `to` (with `fields`), checked against the table, and records its event. The kernel's one
   * state change; the others are its halves.
   */
  apply(uow: UnitOfWork, row: RowOf<TTable>, to: StatusOf<TTable>, fields?: LifecycleFields<TTable>): Promise<{ row: RowOf<TTable>; presented: TPresented }>;
  /**
   * apply's first half: the checked write, without the event. Only for a caller that must do more work between the
   * write and the event and then calls `record` with the same handle.
   */
  write(uow: UnitOfWork, row: RowOf<TTable>, to: StatusOf<TTable>, fields?: LifecycleFields<TTable>): Promise<RowOf<TTable>>;
  /** apply's second half: the row's current status as its event (also the event of a newly created row). */
  record(uow: UnitOfWork, row: RowOf<TTable>): Promise<TPresented>;
  /** Whether the row may lapse now: an expirable status, and `expires_at` at or before the clock's now. */
  isDue(row: RowOf<TTable>, clock: Clock): boolean;
  /** The expiry job's work: locks the row and lapses it if it is due. Answers whether it did; a repeat does nothing. */
  expireIfDue(uow: UnitOfWork, id: string): Promise<boolean>;
  /**
   * Enqueues the expiry job of row `id` for `at` with the caller's handle; `uniqueKey` (default `expire:<id>`) tells
   * a repeat of the same scheduling from a new one (a moved `expires_at`). The job finds a row that is no longer due
   * (paid, moved, cancelled) and finishes without a change.
   */
  scheduleExpiry(uow: UnitOfWork, id: string, at: Date, uniqueKey?: string): Promise<void>;
  /** The runner's handler of the expiry queue: `expireIfDue` in a unit of work of the job's tenant and clock. */
  expiryJobHandlers(db: Db): Record<string, JobHandler>;
}

export function defineLifecycle<TTable extends LifecycleTable, TPresented extends Record<string, unknown>>(
  definition: LifecycleDefinition<TTable, TPresented>,
): Lifecycle<TTable, TPresented> {
  type Row = RowOf<TTable>;
  type Status = StatusOf<TTable>;
  const { table, entity, entityType, transitions, present, expiry } = definition;
  const refuse = definition.invalidTransition ?? ((from: Status, to: Status) => errors.invalidTransition(entity, from, to));
  const byId = (tenant: Tenant, id: string) => and(tenantFilter(table, tenant), eq(table.id, id));

  const lifecycle: Lifecycle<TTable, TPresented> = {
    entity,
    entityType,

    async lock(tx, tenant, id) {
      // Drizzle types a select from a generic table loosely: the rows are the table's own.
      const rows = (await tx.select().from(table as PgTable).where(byId(tenant, id)).for('update')) as Row[];
      return rows[0];
    },

    async mustLock(tx, tenant, id) {
      const row = await lifecycle.lock(tx, tenant, id);
      if (!row) throw errors.notFound(entity);
      return row;
    },

    canMove: (from, to) => transitions[from].includes(to),

    assertMove(row, to) {
      if (!lifecycle.canMove(row.status, to)) throw refuse(row.status, to);
    },

    async write(uow, row, to, fields) {
      const { tx, clock, tenant } = uow;
      lifecycle.assertMove(row, to);
      // Drizzle cannot check a literal against a generic table's update type: these are the table's own columns.
      const changes = { ...fields, status: to, updatedAt: clock.now() } as PgUpdateSetSource<TTable>;
      const updated = (await tx.update(table).set(changes).where(byId(tenant, row.id)).returning()) as Row[];
      // The row is locked by the caller, so it is still there.
      if (!updated[0]) throw new Error(`${entity} ${row.id} vanished under its lock`);
      return updated[0];
    },

    async record(uow, row) {
      const presented = present(row);
      await recordEvent(uow, { entityType, eventType: row.status, entityId: row.id, data: presented });
      return presented;
    },

    async apply(uow, row, to, fields) {
      const updated = await lifecycle.write(uow, row, to, fields);
      return { row: updated, presented: await lifecycle.record(uow, updated) };
    },

    isDue(row, clock) {
      if (!expiry || !expiry.statuses.includes(row.status)) return false;
      return expiry.expiresAt(row).getTime() <= clock.now().getTime();
    },

    async expireIfDue(uow, id) {
      if (!expiry) return false;
      const row = await lifecycle.lock(uow.tx, uow.tenant, id);
      if (!row || !lifecycle.isDue(row, uow.clock)) return false;
      await lifecycle.apply(uow, row, expiry.to);
      return true;
    },

    async scheduleExpiry(uow, id, at, uniqueKey = `expire:${id}`) {
      if (!expiry) throw new Error(`${entity} has no expiry`);
      const { queue, idKey } = expiry.job;
      await enqueueJob(uow, { queue, payload: { merchantId: uow.tenant.merchantId, env: uow.tenant.env, [idKey]: id }, runAt: at, uniqueKey });
    },

    expiryJobHandlers(db) {
      if (!expiry) throw new Error(`${entity} has no expiry`);
      const { queue, idKey } = expiry.job;
      return {
        [queue]: async (job) => {
          const target = tenantRowPayload(job.payload, idKey);
          if (!target) return { status: 'dead', error: `malformed ${queue} payload` };
          await inUnitOfWork(db, { tenant: target.tenant, clock: job.clock }, (uow) => lifecycle.expireIfDue(uow, target.id));
          return { status: 'done' };
        },
      };
    },
  };
  return lifecycle;
}
