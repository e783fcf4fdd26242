import { describe, expect, it } from 'vitest';
import { daysBetween, isCalendarDate } from '../../core/calendar.js';
import {
  attemptDueAt, cycleDate, cycleOn, endDate, maxBillingCycles, movedTo, nextAfterBilled, nextOnResume, type Schedule,
} from './schedule.js';

const monthly = (anchor: string, billingCycles = 12): Schedule => ({ intervalType: 'month', intervalCount: 1, billingCycles, anchor, anchorCycle: 1 });

describe('the billing schedule', () => {
  it('clamps to the end of a shorter month, from the anchor each time: 31 Jan -> 28/29 Feb -> 31 Mar', () => {
    const schedule = monthly('2026-01-31');
    expect([1, 2, 3, 4, 5].map((cycle) => cycleDate(schedule, cycle))).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
    expect(cycleDate(monthly('2028-01-31'), 2)).toBe('2028-02-29');
    // A 29 February yearly anchor bills on 28 February in common years and on the 29th again in leap years.
    const yearly: Schedule = { intervalType: 'year', intervalCount: 1, billingCycles: 5, anchor: '2028-02-29', anchorCycle: 1 };
    expect([1, 2, 5].map((cycle) => cycleDate(yearly, cycle))).toEqual(['2028-02-29', '2029-02-28', '2032-02-29']);
  });

  it('spaces quarterly, half-yearly and yearly cycles, and ends on the last cycle', () => {
    expect(endDate({ intervalType: 'month', intervalCount: 3, billingCycles: 4, anchor: '2026-11-30', anchorCycle: 1 })).toBe('2027-08-30');
    expect(endDate({ intervalType: 'month', intervalCount: 6, billingCycles: 2, anchor: '2026-08-31', anchorCycle: 1 })).toBe('2027-02-28');
    expect(endDate({ intervalType: 'year', intervalCount: 1, billingCycles: 3, anchor: '2026-12-02', anchorCycle: 1 })).toBe('2028-12-02');
    expect(endDate(monthly('2026-12-02'))).toBe('2027-11-02');
  });

  it('caps billing cycles at a 10-year lifetime', () => {
    expect([[1, 'month'], [3, 'month'], [6, 'month'], [1, 'year']].map(([count, type]) =>
      maxBillingCycles({ intervalType: type as 'month' | 'year', intervalCount: count as number }))).toEqual([120, 40, 20, 10]);
  });

  it('knows the cycle of a date, and the next cycle after one is billed (none after the last)', () => {
    const schedule = monthly('2026-01-31', 3);
    expect(cycleOn(schedule, '2026-02-28')).toBe(2);
    expect(cycleOn(schedule, '2026-02-27')).toBeUndefined();
    expect(nextAfterBilled(schedule, 1)).toEqual({ cycle: 2, date: '2026-02-28' });
    expect(nextAfterBilled(schedule, 3)).toBeUndefined();
  });

  it('resumes on the next date on or after today after the last billed cycle, skipping missed ones', () => {
    const schedule = monthly('2026-01-10', 6);
    // Paused after cycle 2 (10 Feb), resumed 20 April: March and April's dates passed, they are not charged.
    expect(nextOnResume(schedule, 2, '2026-04-20')).toEqual({ cycle: 5, date: '2026-05-10' });
    // Resumed on a cycle's date: that cycle.
    expect(nextOnResume(schedule, 2, '2026-05-10')).toEqual({ cycle: 5, date: '2026-05-10' });
    // The cycle billed today is not billed again.
    expect(nextOnResume(schedule, 5, '2026-05-10')).toEqual({ cycle: 6, date: '2026-06-10' });
    expect(nextOnResume(schedule, 2, '2026-06-11')).toBeUndefined();
  });

  it('re-anchors on a moved next payment date: later cycles follow it', () => {
    const moved = movedTo(monthly('2026-01-31', 4), 2, '2026-03-05');
    expect([2, 3, 4].map((cycle) => cycleDate(moved, cycle))).toEqual(['2026-03-05', '2026-04-05', '2026-05-05']);
    expect(cycleDate(moved, 1)).toBe('2026-02-05');
    expect(cycleOn(moved, '2026-04-05')).toBe(3);
  });

  it('falls due at 01:00 UTC (06:30 IST), retries 1, 3 and 5 days after the date', () => {
    expect([0, 1, 2, 3].map((attempt) => attemptDueAt('2026-02-27', attempt).toISOString())).toEqual([
      '2026-02-27T01:00:00.000Z', '2026-02-28T01:00:00.000Z', '2026-03-02T01:00:00.000Z', '2026-03-04T01:00:00.000Z',
    ]);
  });

  it('reads only real calendar dates and counts days between them', () => {
    expect(['2026-02-28', '2028-02-29'].map(isCalendarDate)).toEqual([true, true]);
    expect(['2026-02-29', '2026-13-01', '2026-1-01', '2026-01-01T00:00:00Z', ''].map(isCalendarDate)).toEqual([false, false, false, false, false]);
    expect(daysBetween('2026-12-02', '2026-12-04')).toBe(2);
    expect(daysBetween('2026-12-02', '2027-01-01')).toBe(30);
    expect(daysBetween('2026-03-29', '2026-03-28')).toBe(-1);
  });
});
