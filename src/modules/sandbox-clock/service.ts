// The sandbox test clock API: reading an environment's clock and advancing it (core/tenant-clock does the work).
import { isoSeconds } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import { advanceTenantClock, readTenantClock, type AdvanceDeps, type ClockReading } from '../../core/tenant-clock.js';
import type { Tenant } from '../../core/tenancy.js';
import type { AdvanceClockBody, ClockAdvance, SandboxClock } from './schemas.js';

/** The furthest one advance may move a clock: 5 calendar years. */
export const MAX_ADVANCE_YEARS = 5;

export interface SandboxClockService {
  show(tenant: Tenant): Promise<SandboxClock>;
  /** Moves the clock forward and answers once everything due on the way has run, with what ran. */
  advance(tenant: Tenant, body: AdvanceClockBody): Promise<ClockAdvance>;
}

export function presentClock(reading: ClockReading): SandboxClock {
  return {
    now: isoSeconds(reading.now),
    offset_seconds: Math.floor(reading.offsetMs / 1000),
    updated_at: isoSeconds(reading.updatedAt),
  };
}

function furthest(from: Date): Date {
  const limit = new Date(from.getTime());
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_ADVANCE_YEARS);
  return limit;
}

/** The body's target as a function of the clock's time (known only once the advance holds the clock). */
function targetOf(body: AdvanceClockBody): (from: Date) => Date {
  if (body.seconds !== undefined && body.to !== undefined) throw errors.validation('Send either seconds or to, not both');
  if (body.seconds !== undefined) {
    const ms = body.seconds * 1000;
    if (!Number.isSafeInteger(ms)) throw errors.validation(`A clock moves at most ${MAX_ADVANCE_YEARS} years per advance`);
    return (from) => new Date(from.getTime() + ms);
  }
  if (body.to === undefined) throw errors.validation('Seconds or to is required');
  const to = new Date(body.to);
  if (!Number.isFinite(to.getTime()) || to.getUTCFullYear() < 1970) throw errors.validation('To must be an ISO-8601 timestamp (e.g. 2025-02-18T12:03:44Z)');
  return () => to;
}

export function createSandboxClockService(deps: AdvanceDeps): SandboxClockService {
  return {
    async show(tenant) {
      return presentClock(await readTenantClock(deps.db, deps.clock, tenant));
    },

    async advance(tenant, body) {
      const target = targetOf(body);
      let refused: 'back' | 'too_far' | undefined;
      const outcome = await advanceTenantClock(deps, tenant, (from) => {
        const to = target(from);
        if (to.getTime() < from.getTime()) refused = 'back';
        else if (to.getTime() > furthest(from).getTime()) refused = 'too_far';
        return refused ? undefined : to;
      });
      if (outcome.ok) return { ...presentClock(outcome.clock), ran: outcome.ran };
      switch (outcome.reason) {
        case 'invalid_target':
          throw refused === 'too_far'
            ? errors.validation(`A clock moves at most ${MAX_ADVANCE_YEARS} years per advance`)
            : errors.validation(`The clock cannot move back: its time is ${isoSeconds(outcome.from)}`);
        case 'busy':
          throw errors.clockBusy();
        case 'too_many_jobs':
          throw errors.clockAdvanceStopped(outcome.ran);
      }
    },
  };
}
