import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { ApiError } from './errors.js';
import { assertIdPrefix, newId } from './ids.js';

describe('ids', () => {
  it('are prefix + 8 hex digits of the creation second + 5 base-62 characters', () => {
    const clock = new ManualClock('2025-05-06T09:36:04Z');
    const id = newId('cust', clock.now());
    expect(id).toMatch(/^cust_6819d804[0-9A-Za-z]{5}$/);
    expect(new Date(parseInt(id.slice(5, 13), 16) * 1000).toISOString()).toBe('2025-05-06T09:36:04.000Z');
  });

  it('of internal kinds (events, keys) carry 16 random characters and do not repeat within one second', () => {
    const clock = new ManualClock();
    const id = newId('evt', clock.now());
    expect(id).toMatch(/^evt_[0-9a-f]{8}[0-9A-Za-z]{16}$/);
    const ids = new Set(Array.from({ length: 20_000 }, () => newId('evt', clock.now())));
    expect(ids.size).toBe(20_000);
  });

  it("reject a path id with another prefix as 400 Id must start with 'cust_'", () => {
    expect(() => assertIdPrefix('cust', 'cust_6819d7d0lrLvP')).not.toThrow();
    for (const bad of ['order_6819d8046mpKt', 'cust', 'custo_1', '']) {
      let caught: unknown;
      try {
        assertIdPrefix('cust', bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ApiError);
      expect((caught as ApiError).statusCode).toBe(400);
      expect((caught as ApiError).message).toBe("Id must start with 'cust_'");
    }
  });
});
