import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers, events } from '../db/schema/index.js';
import { createTestMerchant } from '../../test/support/app.js';
import { testEnv } from '../../test/support/env.js';
import { systemClock } from './clock.js';
import { recordEvent } from './events.js';
import { claimRequestId } from './idempotency.js';
import { newId } from './ids.js';

describe('claimRequestId', () => {
  it('lets exactly one of many concurrent claims of one request_id win; the rest see its resource', async () => {
    const { database } = await testEnv();
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        database.db.transaction(async (tx) => {
          const claim = await claimRequestId({ tx, clock: systemClock, tenant }, 'test', 'req-42', `res_${i}`);
          // Hold the transaction open a little so that the claims really overlap on PostgreSQL.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { i, claim };
        }),
      ),
    );
    const winners = attempts.filter((a) => a.claim.claimed);
    expect(winners).toHaveLength(1);
    const winnerResource = `res_${winners[0]!.i}`;
    for (const attempt of attempts.filter((a) => !a.claim.claimed)) {
      expect(attempt.claim).toEqual({ claimed: false, existingResourceId: winnerResource });
    }
  });

  it('scopes request_ids by merchant, environment and resource kind', async () => {
    const { database } = await testEnv();
    const a = await createTestMerchant();
    const b = await createTestMerchant();
    const claims = await database.db.transaction(async (tx) => [
      await claimRequestId({ tx, clock: systemClock, tenant: { merchantId: a.id, env: 'sandbox' } }, 'orders', 'same', 'r1'),
      await claimRequestId({ tx, clock: systemClock, tenant: { merchantId: a.id, env: 'production' } }, 'orders', 'same', 'r2'),
      await claimRequestId({ tx, clock: systemClock, tenant: { merchantId: b.id, env: 'sandbox' } }, 'orders', 'same', 'r3'),
      await claimRequestId({ tx, clock: systemClock, tenant: { merchantId: a.id, env: 'sandbox' } }, 'refunds', 'same', 'r4'),
    ]);
    expect(claims.every((c) => c.claimed)).toBe(true);
  });

  it('releases the claim when the creating transaction rolls back', async () => {
    const { database } = await testEnv();
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    await expect(
      database.db.transaction(async (tx) => {
        await claimRequestId({ tx, clock: systemClock, tenant }, 'test', 'retry-me', 'res_a');
        throw new Error('creation failed');
      }),
    ).rejects.toThrow('creation failed');
    const claim = await database.db.transaction((tx) => claimRequestId({ tx, clock: systemClock, tenant }, 'test', 'retry-me', 'res_b'));
    expect(claim).toEqual({ claimed: true });
  });
});

describe('recordEvent (outbox)', () => {
  it('commits with the state change or not at all', async () => {
    const { database } = await testEnv();
    const merchant = await createTestMerchant();
    const tenant = { merchantId: merchant.id, env: 'sandbox' as const };
    const id = newId('cust', systemClock.now());
    await expect(
      database.db.transaction(async (tx) => {
        const now = systemClock.now();
        await tx.insert(customers).values({
          id, ...tenant, name: 'Rolled Back', customerType: 'individual', email: 'rb@example.com', emailKey: 'rb@example.com',
          address: 'a', city: 'b', state: 'c', country: 'IND', pincode: '1', status: 'active', createdAt: now, updatedAt: now,
        });
        await recordEvent({ tx, clock: systemClock, tenant }, { entityType: 'customer', eventType: 'created', entityId: id, data: { id } });
        throw new Error('after the event');
      }),
    ).rejects.toThrow('after the event');
    expect(await database.db.select().from(events).where(eq(events.entityId, id))).toEqual([]);
    expect(await database.db.select().from(customers).where(eq(customers.id, id))).toEqual([]);
  });
});
