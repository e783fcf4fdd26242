// Inserting a row under a contract-format id. Five random characters per second and prefix can collide (about
// one chance in 900 million per pair of objects created in the same second), so the insert skips a taken id
// (`on conflict (id) do nothing`, which leaves the transaction usable) and draws a new one. Every other unique
// violation still throws.
import { getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client.js';

const ATTEMPTS = 5;

export async function insertWithFreshId<TTable extends PgTable & { id: PgColumn }>(
  db: DbOrTx,
  table: TTable,
  makeId: () => string,
  values: Omit<TTable['$inferInsert'], 'id'>,
): Promise<TTable['$inferSelect']> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const rows = (await db
      .insert(table)
      .values({ ...values, id: makeId() } as TTable['$inferInsert'])
      .onConflictDoNothing({ target: table.id })
      .returning()) as TTable['$inferSelect'][];
    if (rows[0]) return rows[0];
  }
  throw new Error(`no free id for ${getTableName(table)} after ${ATTEMPTS} attempts`);
}
