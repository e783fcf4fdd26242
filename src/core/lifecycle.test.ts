// The lifecycle kernel on its own: a lifecycle of the test's own over the real orders table (rows inserted directly,
// no orders module), on the worker's test database.
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestMerchant } from '../../test/support/app.js';
import { testEnv } from '../../test/support/env.js';
import type { Db } from '../db/client.js';
import { events, orders, type OrderStatus } from '../db/schema/index.js';
import { ManualClock } from './clock.js';
import { errors } from './errors.js';
import { ID_PREFIXES, newId } from './ids.js';
import { defineLifecycle } from './lifecycle.js';
import type { Tenant } from './tenancy.js';

type OrderRow = typeof orders.$inferSelect;

const MOVES: Record<OrderStatus, readonly OrderStatus[]> = {
  active: ['paid', 'action_required', 'expired'],
  action_required: ['expired'],
  under_review: [],
  paid: [],
  failed: [],
  cancelled: [],
  expired: [],
};

const present = (row: OrderRow) => ({ id: row.id, status: row.status, rfi: row.rfiDocuments, updated_at: row.updatedAt.toISOString() });

const lifecycle = defineLifecycle({
  table: orders,
  entity: 'Order',
  entityType: 'test_orders',
  transitions: MOVES,
  present,
  expiry: { statuses: ['active', 'action_required'], to: 'expired', expiresAt: (row) => row.expiresAt, job: { queue: 'test_orders.expire', idKey: 'orderId' } },
});

const CREATED = new Date('2026-03-01T09:00:00Z');
const EXPIRES = new Date('2026-03-10T09:00:00Z');

describe('defineLifecycle', () => {
  let db: Db;
  let tenant: Tenant;

  beforeAll(async () => {
    db = (await testEnv()).database.db;
    tenant = { merchantId: (await createTestMerchant()).id, env: 'sandbox' };
  });

  const insertOrder = async (status: OrderStatus = 'active', owner: Tenant = tenant): Promise<OrderRow> => {
    const [row] = await db.insert(orders).values({
      id: newId(ID_PREFIXES.order, CREATED), ...owner, customerId: 'cust_test', status, currency: 'USD', amount: 1_000n,
      paymentMethods: ['bank_transfer'], expiresAt: EXPIRES, createdAt: CREATED, updatedAt: CREATED,
    }).returning();
    return row!;
  };
  const reread = async (id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0]!;
  const eventsOf = (id: string) =>
    db.select().from(events).where(and(eq(events.entityType, 'test_orders'), eq(events.entityId, id))).orderBy(events.seq);

  it('canMove reads the table', () => {
    expect(lifecycle.canMove('active', 'paid')).toBe(true);
    expect(lifecycle.canMove('paid', 'active')).toBe(false);
    expect(lifecycle.canMove('expired', 'expired')).toBe(false);
  });

  it('an allowed move writes the status, updated_at from the given clock and the fields, and records one event', async () => {
    const order = await insertOrder();
    const clock = new ManualClock('2026-03-02T10:30:00Z');
    const rfi = [{ rfi_doc_id: 'rfidoc_1', name: 'Passport' }];
    const moved = await db.transaction(async (tx) => {
      const locked = await lifecycle.mustLock(tx, tenant, order.id);
      return lifecycle.apply({ tx, clock, tenant }, locked, 'action_required', { rfiDocuments: rfi });
    });

    expect(moved.row).toMatchObject({ id: order.id, status: 'action_required', rfiDocuments: rfi, updatedAt: clock.now() });
    expect(moved.presented).toEqual(present(moved.row));
    expect(await reread(order.id)).toEqual(moved.row);
    const recorded = await eventsOf(order.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ ...tenant, eventType: 'action_required', data: moved.presented, createdAt: clock.now() });
  });

  it('a move and its event roll back together when the transaction throws', async () => {
    const order = await insertOrder();
    const clock = new ManualClock('2026-03-02T10:30:00Z');
    await expect(db.transaction(async (tx) => {
      await lifecycle.apply({ tx, clock, tenant }, await lifecycle.mustLock(tx, tenant, order.id), 'paid');
      throw new Error('what caused the move failed');
    })).rejects.toThrow('what caused the move failed');

    expect(await reread(order.id)).toEqual(order);
    expect(await eventsOf(order.id)).toHaveLength(0);
  });

  it("a refused move changes nothing and throws the registry's error, or the lifecycle's own", async () => {
    const order = await insertOrder('paid');
    const clock = new ManualClock('2026-03-02T10:30:00Z');
    const refused = db.transaction(async (tx) =>
      lifecycle.apply({ tx, clock, tenant }, await lifecycle.mustLock(tx, tenant, order.id), 'active'));
    await expect(refused).rejects.toEqual(errors.invalidTransition('Order', 'paid', 'active'));
    await expect(refused).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_STATE', message: 'Order cannot move from paid to active' });

    const strict = defineLifecycle({
      table: orders, entity: 'Order', entityType: 'test_orders', transitions: MOVES, present,
      invalidTransition: () => errors.stateChangeNotAllowed(),
    });
    await expect(db.transaction(async (tx) => strict.write({ tx, clock, tenant }, await strict.mustLock(tx, tenant, order.id), 'expired')))
      .rejects.toMatchObject({ statusCode: 400, code: 'INVALID_STATE', message: 'State change not allowed' });
    expect(() => strict.assertMove(order, 'active')).toThrow('State change not allowed');

    expect(await reread(order.id)).toEqual(order);
    expect(await eventsOf(order.id)).toHaveLength(0);
  });

  it("another tenant's row is not found: not locked, 404 for mustLock, never expired", async () => {
    const order = await insertOrder();
    const production: Tenant = { merchantId: tenant.merchantId, env: 'production' };
    const otherMerchant: Tenant = { merchantId: (await createTestMerchant()).id, env: 'sandbox' };
    const late = new ManualClock(new Date(EXPIRES.getTime() + 1000));
    for (const other of [production, otherMerchant]) {
      await db.transaction(async (tx) => {
        expect(await lifecycle.lock(tx, other, order.id)).toBeUndefined();
        await expect(lifecycle.mustLock(tx, other, order.id)).rejects.toMatchObject({ statusCode: 404, code: 'NOT_FOUND', message: 'Order not found' });
        expect(await lifecycle.expireIfDue({ tx, clock: late, tenant: other }, order.id)).toBe(false);
      });
    }
    expect(await reread(order.id)).toEqual(order);
    expect(await eventsOf(order.id)).toHaveLength(0);
  });

  it('write changes the row without an event, and record adds the event', async () => {
    const order = await insertOrder();
    const clock = new ManualClock('2026-03-03T08:00:00Z');
    const written = await db.transaction(async (tx) => lifecycle.write({ tx, clock, tenant }, await lifecycle.mustLock(tx, tenant, order.id), 'paid'));
    expect(written).toMatchObject({ status: 'paid', updatedAt: clock.now() });
    expect(await eventsOf(order.id)).toHaveLength(0);

    const presented = await db.transaction((tx) => lifecycle.record({ tx, clock, tenant }, written));
    expect(presented).toEqual(present(written));
    expect((await eventsOf(order.id)).map((event) => [event.eventType, event.data])).toEqual([['paid', presented]]);
  });

  it('expireIfDue does nothing before expires_at, expires at it, and once only', async () => {
    const order = await insertOrder();
    const clock = new ManualClock(new Date(EXPIRES.getTime() - 1000));
    const expire = () => db.transaction((tx) => lifecycle.expireIfDue({ tx, clock, tenant }, order.id));

    expect(lifecycle.isDue(order, clock)).toBe(false);
    expect(await expire()).toBe(false);
    expect(await reread(order.id)).toEqual(order);

    clock.set(EXPIRES);
    expect(lifecycle.isDue(order, clock)).toBe(true);
    expect(await expire()).toBe(true);
    expect(await reread(order.id)).toMatchObject({ status: 'expired', updatedAt: EXPIRES });

    clock.advance(60_000);
    expect(await expire()).toBe(false);
    expect((await eventsOf(order.id)).map((event) => [event.eventType, event.createdAt])).toEqual([['expired', EXPIRES]]);
  });

  it('expireIfDue leaves a status it does not expire from, and a lifecycle without expiry never expires', async () => {
    const paid = await insertOrder('paid');
    const late = new ManualClock(new Date(EXPIRES.getTime() + 1000));
    const noExpiry = defineLifecycle({ table: orders, entity: 'Order', entityType: 'test_orders', transitions: MOVES, present });
    const active = await insertOrder();
    await db.transaction(async (tx) => {
      expect(await lifecycle.expireIfDue({ tx, clock: late, tenant }, paid.id)).toBe(false);
      expect(await noExpiry.expireIfDue({ tx, clock: late, tenant }, active.id)).toBe(false);
      expect(noExpiry.isDue(active, late)).toBe(false);
    });
    expect(await reread(paid.id)).toEqual(paid);
    expect(await reread(active.id)).toEqual(active);
  });
});
