import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { merchants } from '../db/schema/index.js';
import { testEnv } from '../../test/support/env.js';
import { systemClock } from './clock.js';
import { insertWithFreshId } from './fresh-id.js';
import { newId } from './ids.js';

describe('insertWithFreshId', () => {
  const values = () => ({ name: 'Collision Co', email: null, status: 'active', createdAt: systemClock.now(), updatedAt: systemClock.now() });

  it('draws a new id when the first one is taken, inside a transaction that stays usable', async () => {
    const { database } = await testEnv();
    const taken = newId('merch', systemClock.now());
    const fresh = newId('merch', systemClock.now());
    await database.db.insert(merchants).values({ id: taken, ...values() });
    const draws = [taken, fresh];
    const row = await database.db.transaction(async (tx) => {
      const inserted = await insertWithFreshId(tx, merchants, () => draws.shift()!, values());
      // The transaction was not aborted by the conflict: it can still read and write.
      expect(await tx.select().from(merchants).where(eq(merchants.id, fresh))).toHaveLength(1);
      return inserted;
    });
    expect(row.id).toBe(fresh);
    expect(draws).toEqual([]);
  });

  it('gives up with an error after repeated collisions instead of looping', async () => {
    const { database } = await testEnv();
    const taken = newId('merch', systemClock.now());
    await database.db.insert(merchants).values({ id: taken, ...values() });
    await expect(insertWithFreshId(database.db, merchants, () => taken, values())).rejects.toThrow(/no free id/);
  });
});
