// Each sandbox environment's test clock: real time (or the injected base clock) plus an offset that only grows. A
// production environment has no clock row and always reads real time. Requests read the offset with their key (one
// statement, core/auth); jobs with their claim (core/jobs); the operator API and advances read it here.
//
// An advance moves one environment's clock forward and, before it answers, runs every job of that environment that
// becomes due on the way, in time order and each at its own time: the clock steps to the next due job's run_at, runs
// what is due then (including what those jobs enqueue for the same moment), and steps on, up to the target. The polling
// runners leave an environment alone while its advance holds the lease (a row lease in real time, so it works across
// processes and frees itself if the advancing process dies); a second advance of the same environment waits for it.
import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { sandboxClocks } from '../db/schema/index.js';
import { offsetClock, type Clock } from './clock.js';
import type { TenantContext } from './context.js';
import { randomBase62 } from './ids.js';
import type { JobRunner } from './jobs.js';
import type { Tenant } from './tenancy.js';

export interface ClockReading {
  now: Date;
  offsetMs: number;
  /** When the clock last moved (real time); its creation while it never did. */
  updatedAt: Date;
}

/** How long an advance holds its environment without renewing (real time); renewed at every step. */
const ADVANCE_LEASE_MS = 60_000;
/** How long a second advance waits for the first before answering busy. */
const ADVANCE_WAIT_MS = 120_000;
/** A runaway guard: an advance that has run this many jobs stops where it is. */
export const ADVANCE_MAX_JOBS = 100_000;
const POLL_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function clockRow(tenant: Tenant) {
  return and(eq(sandboxClocks.merchantId, tenant.merchantId), eq(sandboxClocks.env, tenant.env));
}

/**
 * Creates the environment's clock at `offsetMs` (default 0: real time) if it has none: a merchant's sandbox gets one when
 * it is created, a platform's child one at its platform's offset (it starts at its platform's time).
 */
export async function ensureSandboxClock(db: DbOrTx, base: Clock, tenant: Tenant, offsetMs = 0): Promise<void> {
  if (tenant.env !== 'sandbox') return;
  await db.insert(sandboxClocks).values({ ...tenant, offsetMs: BigInt(offsetMs), updatedAt: base.now() }).onConflictDoNothing();
}

/** The environment's clock as it reads now. */
export async function readTenantClock(db: DbOrTx, base: Clock, tenant: Tenant): Promise<ClockReading> {
  const [row] = tenant.env === 'sandbox'
    ? await db.select({ offsetMs: sandboxClocks.offsetMs, updatedAt: sandboxClocks.updatedAt }).from(sandboxClocks).where(clockRow(tenant))
    : [];
  const offsetMs = Number(row?.offsetMs ?? 0n);
  const now = new Date(base.now().getTime() + offsetMs);
  return { now, offsetMs, updatedAt: row?.updatedAt ?? now };
}

/** The tenant with its clock, for work that does not come through a key (the operator API). */
export async function tenantContext(db: DbOrTx, base: Clock, tenant: Tenant): Promise<TenantContext> {
  const { offsetMs } = await readTenantClock(db, base, tenant);
  return { tenant, clock: offsetClock(base, offsetMs) };
}

export interface AdvanceDeps {
  db: Db;
  /** Real time (or the tests' base clock): leases are in it, and the offset is measured from it. */
  clock: Clock;
  /** A runner with every job handler (not necessarily started): the advance runs the environment's jobs with it. */
  jobs: JobRunner;
}

export type AdvanceOutcome =
  | { ok: true; clock: ClockReading; ran: Record<string, number> }
  | { ok: false; reason: 'busy' }
  | { ok: false; reason: 'invalid_target'; from: Date }
  | { ok: false; reason: 'too_many_jobs'; clock: ClockReading; ran: Record<string, number> };

/**
 * Moves a sandbox environment's clock to `target(now)` (computed from the clock's time once the advance holds it) and
 * runs everything that became due on the way. `target` answers undefined for a target it refuses (in the past, too
 * far): nothing moves then.
 */
export async function advanceTenantClock(
  deps: AdvanceDeps,
  tenant: Tenant,
  target: (from: Date) => Date | undefined,
): Promise<AdvanceOutcome> {
  if (tenant.env !== 'sandbox') throw new Error('only a sandbox clock advances');
  await ensureSandboxClock(deps.db, deps.clock, tenant);
  const owner = `${deps.jobs.workerId}:${randomBase62(8)}`;
  const claimed = await claimAdvance(deps, tenant, owner);
  if (claimed === undefined) return { ok: false, reason: 'busy' };
  try {
    let offsetMs = claimed;
    const from = new Date(deps.clock.now().getTime() + offsetMs);
    const until = target(from);
    if (until === undefined) return { ok: false, reason: 'invalid_target', from };
    const ran: Record<string, number> = {};
    let total = 0;
    // The offset at the end: the clock moved by exactly the distance asked, real time running on beneath it.
    const finalOffsetMs = offsetMs + (until.getTime() - from.getTime());
    // Jobs another worker took before the lease (or in the instant of taking it) finish first: time order.
    await waitForOthers(deps, tenant);
    for (;;) {
      const next = await deps.jobs.nextDueOf(tenant, until);
      if (next === undefined) break;
      // The clock steps to the job's time, so that it reads its run_at when it runs.
      const wanted = Math.min(next.getTime() - deps.clock.now().getTime(), finalOffsetMs);
      if (wanted > offsetMs) offsetMs = await moveClock(deps, tenant, owner, wanted);
      const queue = await deps.jobs.runNextDueOf({ tenant, clock: offsetClock(deps.clock, offsetMs) });
      if (queue === undefined) {
        // Due but held: a worker that claimed it in the instant the lease was taken. It finishes first.
        await waitForOthers(deps, tenant);
        continue;
      }
      ran[queue] = (ran[queue] ?? 0) + 1;
      if (++total >= ADVANCE_MAX_JOBS) {
        return { ok: false, reason: 'too_many_jobs', clock: await readTenantClock(deps.db, deps.clock, tenant), ran };
      }
    }
    if (finalOffsetMs > offsetMs) await moveClock(deps, tenant, owner, finalOffsetMs);
    await waitForOthers(deps, tenant);
    return { ok: true, clock: await readTenantClock(deps.db, deps.clock, tenant), ran };
  } finally {
    await deps.db
      .update(sandboxClocks)
      .set({ advanceBy: null, advanceUntil: null })
      .where(and(clockRow(tenant), eq(sandboxClocks.advanceBy, owner)));
  }
}

/** Takes the environment's advance lease, waiting for another advance to finish; its offset, or undefined if busy. */
async function claimAdvance(deps: AdvanceDeps, tenant: Tenant, owner: string): Promise<number | undefined> {
  // Waiting is real waiting, whatever the base clock (a test's ManualClock does not move by itself).
  const started = Date.now();
  for (;;) {
    const now = deps.clock.now();
    const [row] = await deps.db
      .update(sandboxClocks)
      .set({ advanceBy: owner, advanceUntil: new Date(now.getTime() + ADVANCE_LEASE_MS) })
      .where(and(clockRow(tenant), sql`(${sandboxClocks.advanceUntil} is null or ${sandboxClocks.advanceUntil} <= ${now})`))
      .returning({ offsetMs: sandboxClocks.offsetMs });
    if (row) return Number(row.offsetMs);
    if (Date.now() - started > ADVANCE_WAIT_MS) return undefined;
    await sleep(POLL_MS);
  }
}

/** Sets the offset (never lower than it is) and renews the lease; answers the offset now in force. */
async function moveClock(deps: AdvanceDeps, tenant: Tenant, owner: string, offsetMs: number): Promise<number> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(sandboxClocks)
    .set({
      offsetMs: sql`greatest(${sandboxClocks.offsetMs}, ${BigInt(Math.ceil(offsetMs))})`,
      advanceUntil: new Date(now.getTime() + ADVANCE_LEASE_MS),
      updatedAt: now,
    })
    .where(and(clockRow(tenant), eq(sandboxClocks.advanceBy, owner)))
    .returning({ offsetMs: sandboxClocks.offsetMs });
  if (!row) throw new Error('the advance lease was lost');
  return Number(row.offsetMs);
}

async function waitForOthers(deps: AdvanceDeps, tenant: Tenant): Promise<void> {
  while ((await deps.jobs.heldElsewhereOf(tenant)) > 0) await sleep(POLL_MS);
}
