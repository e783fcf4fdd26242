import { describe, expect, it } from 'vitest';
import { isTimestamp } from './validation.js';

describe('isTimestamp', () => {
  it('takes real instants, with Z or an offset, from year 1 to 9999', () => {
    for (const good of [
      '2025-02-18T12:03:44Z', '2025-02-18T12:03:44.123456Z', '2025-02-18T12:03:44+05:30', '2025-02-18T12:03:44+23:59',
      '2024-02-29T00:00:00Z', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00-01:00', '9999-12-31T23:59:59Z', '9999-12-31T23:59:59+01:00',
    ]) expect(isTimestamp(good), good).toBe(true);
  });

  it('refuses year 0, impossible offsets and dates, and instants outside years 1 to 9999 in UTC', () => {
    for (const bad of [
      '0000-01-01T00:00:00Z', '2025-02-18T12:03:44+99:99', '2025-02-18T12:03:44+24:00', '2025-02-18T12:03:44-12:60',
      '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59-14:00', '2025-02-29T00:00:00Z', '0100-02-29T00:00:00Z',
      '2025-02-18T24:00:00Z', '2025-02-18T12:60:00Z', '2025-02-18T12:03:60Z', '2025-02-18T12:03:44', '2025-02-18',
    ]) expect(isTimestamp(bad), bad).toBe(false);
  });
});
