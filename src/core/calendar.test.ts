import { describe, expect, it } from 'vitest';
import { plusDays, utcDate, utcInstant } from './calendar.js';

describe('utcInstant', () => {
  it('is the given time of the calendar date in UTC, midnight by default', () => {
    expect(utcInstant('2026-02-28').toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(utcInstant('2026-02-28', 0, 30).toISOString()).toBe('2026-02-28T00:30:00.000Z');
    expect(utcInstant(plusDays('2026-02-28', 1), 1).toISOString()).toBe('2026-03-01T01:00:00.000Z');
  });

  it('is the inverse of utcDate at midnight, also in a leap year', () => {
    for (const date of ['2028-02-29', '2026-12-31', '2027-01-01']) expect(utcDate(utcInstant(date))).toBe(date);
  });

  it('refuses a text that is no calendar date', () => {
    expect(() => utcInstant('2026-02-30')).toThrow('not a calendar date: 2026-02-30');
    expect(() => utcInstant('2026-2-01')).toThrow('not a calendar date');
  });
});
