// Calendar dates (`YYYY-MM-DD`, UTC) and their arithmetic, for every schedule that runs by the day: subscriptions'
// billing cycles, the daily settlement run. date-fns does the arithmetic (its addMonths clamps to the end of a
// shorter month); a date is computed as local noon, so the calendar's answer holds whatever the process's time zone.
import { addDays, addMonths, differenceInCalendarDays, format } from 'date-fns';

/** A calendar date as the contract writes it, `YYYY-MM-DD`. */
export type CalendarDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The date as a local-time Date at noon: date-fns computes in local time, and noon keeps a date clear of any
 * midnight daylight-saving shift, so the arithmetic is the calendar's whatever the process's time zone.
 */
function local(date: CalendarDate): Date {
  const match = DATE.exec(date);
  if (!match) throw new Error(`not a calendar date: ${date}`);
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const out = new Date(2000, 0, 1, 12);
  out.setFullYear(year, month - 1, day);
  return out;
}

const calendar = (date: Date): CalendarDate => format(date, 'yyyy-MM-dd');

/** A `YYYY-MM-DD` text that names a real calendar date (not 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  return calendar(local(value)) === value;
}

/** The UTC calendar date of an instant: the environment's "today" when given its clock's now. */
export function utcDate(at: Date): CalendarDate {
  return at.toISOString().slice(0, 10);
}

export function plusDays(date: CalendarDate, days: number): CalendarDate {
  return calendar(addDays(local(date), days));
}

export function plusMonths(date: CalendarDate, months: number): CalendarDate {
  return calendar(addMonths(local(date), months));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return differenceInCalendarDays(local(to), local(from));
}

/** The instant `hour:minute` UTC of a calendar date (midnight by default). */
export function utcInstant(date: CalendarDate, hour = 0, minute = 0): Date {
  if (!isCalendarDate(date)) throw new Error(`not a calendar date: ${date}`);
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hour, minute));
}
