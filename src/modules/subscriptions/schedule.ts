// The billing schedule of a fixed-frequency subscription, as pure date arithmetic on `YYYY-MM-DD` calendar dates
// (UTC): cycle n's date from the schedule's anchor, the end date, where the schedule stands after a cycle is billed,
// moved, paused, halted or resumed, and when the renewal jobs fall due. Month arithmetic clamps to the end of a
// shorter month (core/calendar.ts); every date is computed from the anchor, never from the previous clamped date, so a
// 31 January subscription bills on 28/29 February and then on 31 March again.
import { plusDays, plusMonths, utcInstant, type CalendarDate } from '../../core/calendar.js';

export type IntervalType = 'month' | 'year';

/** What the schedule needs of a subscription. */
export interface Schedule {
  intervalType: IntervalType;
  intervalCount: number;
  billingCycles: number;
  /** The date of cycle `anchorCycle`; the other cycles are whole intervals before or after it. */
  anchor: CalendarDate;
  anchorCycle: number;
}

/**
 * The hour (UTC) a renewal attempt falls due on its day: 01:00 UTC is 06:30 IST, when Glomo runs its daily
 * renewals (notes-payins §11.3).
 */
export const RENEWAL_HOUR_UTC = 1;

/**
 * The days after a cycle's date on which a declined renewal is tried again: the first attempt on the date, retries
 * one, three and five days after it; the fourth decline halts the subscription.
 */
export const RETRY_DAYS = [1, 3, 5] as const;

/** Months per cycle: 1, 3 or 6 for `month`, 12 for `year`. */
export function intervalMonths(schedule: Pick<Schedule, 'intervalType' | 'intervalCount'>): number {
  return schedule.intervalType === 'year' ? 12 * schedule.intervalCount : schedule.intervalCount;
}

/** The date of cycle `cycle` (1-based): the anchor plus whole intervals, clamped to a shorter month's end. */
export function cycleDate(schedule: Schedule, cycle: number): CalendarDate {
  return plusMonths(schedule.anchor, (cycle - schedule.anchorCycle) * intervalMonths(schedule));
}

/** The last cycle's date. */
export function endDate(schedule: Schedule): CalendarDate {
  return cycleDate(schedule, schedule.billingCycles);
}

/** The cycle whose date is `date`, if one is (searching from the anchor's cycle up to the last). */
export function cycleOn(schedule: Schedule, date: CalendarDate): number | undefined {
  for (let cycle = Math.min(schedule.anchorCycle, 1); cycle <= schedule.billingCycles; cycle++) {
    const at = cycleDate(schedule, cycle);
    if (at === date) return cycle;
    if (at > date) return undefined;
  }
  return undefined;
}

/** Where the schedule stands: the next cycle to charge and its date, or undefined when no cycle is left. */
export interface NextCycle {
  cycle: number;
  date: CalendarDate;
}

/** After cycle `billed` is billed: the following cycle, or undefined when it was the last (the subscription completes). */
export function nextAfterBilled(schedule: Schedule, billed: number): NextCycle | undefined {
  const cycle = billed + 1;
  return cycle > schedule.billingCycles ? undefined : { cycle, date: cycleDate(schedule, cycle) };
}

/**
 * After a pause or a halt, on resume: the first cycle after the last one billed whose date is on or after `today`.
 * Cycles whose dates passed meanwhile are skipped, never charged late or in a burst; undefined when none is left.
 */
export function nextOnResume(schedule: Schedule, lastBilled: number, today: CalendarDate): NextCycle | undefined {
  for (let cycle = lastBilled + 1; cycle <= schedule.billingCycles; cycle++) {
    const date = cycleDate(schedule, cycle);
    if (date >= today) return { cycle, date };
  }
  return undefined;
}

/** The schedule re-anchored so that `cycle` falls due on `date` (a moved next payment date); later cycles follow it. */
export function movedTo(schedule: Schedule, cycle: number, date: CalendarDate): Schedule {
  return { ...schedule, anchor: date, anchorCycle: cycle };
}

/** When attempt `attempt` (0 = the first, 1..3 the retries) of a cycle due on `date` falls due: RENEWAL_HOUR_UTC of its day. */
export function attemptDueAt(date: CalendarDate, attempt: number): Date {
  const day = attempt === 0 ? date : plusDays(date, RETRY_DAYS[attempt - 1]!);
  return utcInstant(day, RENEWAL_HOUR_UTC);
}

/** The number of attempts a cycle gets before the subscription halts: the first and its retries. */
export const MAX_ATTEMPTS = 1 + RETRY_DAYS.length;

/** The most cycles a 10-year lifetime holds: 120 monthly, 40 quarterly, 20 half-yearly, 10 yearly. */
export function maxBillingCycles(schedule: Pick<Schedule, 'intervalType' | 'intervalCount'>): number {
  return Math.floor(120 / intervalMonths(schedule));
}
