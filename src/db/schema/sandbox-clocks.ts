// The sandbox test clock of each merchant's sandbox environment: an offset from real time that only moves forward.
// Production environments have no row and never move. The advance lease serialises advances across processes.
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { updatedAt } from './columns.js';
import { tenantColumns } from './tenant.js';

export const sandboxClocks = pgTable('sandbox_clocks', {
  ...tenantColumns(),
  /** How far the environment's time is ahead of real time, in milliseconds (never negative, never decreasing). */
  offsetMs: bigint('offset_ms', { mode: 'bigint' }).notNull().default(sql`0`),
  /** The process advancing this clock now, and until when its lease holds (real time); null when none. */
  advanceBy: text('advance_by'),
  advanceUntil: timestamp('advance_until', { withTimezone: true, mode: 'date' }),
  updatedAt: updatedAt(),
}, (t) => [
  primaryKey({ columns: [t.merchantId, t.env] }),
  check('sandbox_clocks_env_ck', sql`${t.env} = 'sandbox'`),
  check('sandbox_clocks_offset_ck', sql`${t.offsetMs} >= 0`),
  // The job claim visits only the clocks that moved: few, however many merchants there are.
  index('sandbox_clocks_advanced_idx').on(t.merchantId, t.env).where(sql`${t.offsetMs} > 0`),
]);
