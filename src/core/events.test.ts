// The outbox (events.ts): an event and its dispatch job are written together, in one statement, with the caller's
// transaction handle, so both commit with the change or neither does.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestMerchant } from '../../test/support/app.js';
import { testEnv } from '../../test/support/env.js';
import { events, jobs } from '../db/schema/index.js';
import { systemClock } from './clock.js';
import { recordEvent, WEBHOOK_DISPATCH_QUEUE } from './events.js';

describe('recordEvent', () => {
  it('writes the event and its dispatch job, the tenant\'s, due now', async () => {
    const { database } = await testEnv();
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const before = new Date();
    const id = await database.db.transaction((tx) => recordEvent({ tx, tenant, clock: systemClock }, {
      entityType: 'customer', eventType: 'created', entityId: 'cust_6819d804aB3xQ', data: { id: 'cust_6819d804aB3xQ' },
    }));
    const [event] = await database.db.select().from(events).where(eq(events.id, id));
    expect(event).toMatchObject({ ...tenant, entityType: 'customer', eventType: 'created', entityId: 'cust_6819d804aB3xQ', data: { id: 'cust_6819d804aB3xQ' } });
    const [job] = await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `dispatch:${id}`));
    expect(job).toMatchObject({ ...tenant, queue: WEBHOOK_DISPATCH_QUEUE, payload: { eventId: id }, status: 'queued' });
    expect(job!.runAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(job!.runAt.getTime()).toBe(event!.createdAt.getTime());
  });

  it('names the one endpoint of a targeted event in its job', async () => {
    const { database } = await testEnv();
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const id = await database.db.transaction((tx) => recordEvent({ tx, tenant, clock: systemClock }, {
      entityType: 'webhook_test', eventType: 'test', data: {}, targetEndpointId: 'we_6819d804aB3xQ',
    }));
    const [job] = await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `dispatch:${id}`));
    expect(job!.payload).toEqual({ eventId: id, endpointId: 'we_6819d804aB3xQ' });
  });

  it('leaves neither the event nor its job when the transaction rolls back', async () => {
    const { database } = await testEnv();
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    let id = '';
    await expect(database.db.transaction(async (tx) => {
      id = await recordEvent({ tx, tenant, clock: systemClock }, { entityType: 'customer', eventType: 'created', data: {} });
      throw new Error('the change failed after its event');
    })).rejects.toThrow('the change failed after its event');
    expect(id).toMatch(/^evt_/);
    expect(await database.db.select().from(events).where(eq(events.id, id))).toEqual([]);
    expect(await database.db.select().from(jobs).where(eq(jobs.uniqueKey, `dispatch:${id}`))).toEqual([]);
  });
});
