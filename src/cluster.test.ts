import { describe, expect, it } from 'vitest';
import { MAX_RESTARTS, RESTART_WINDOW_MS, restartBudget } from './cluster.js';

describe('the restart budget of the cluster primary', () => {
  it('allows 5 restarts within 60 s, then refuses the sixth', () => {
    expect([MAX_RESTARTS, RESTART_WINDOW_MS]).toEqual([5, 60_000]);
    const budget = restartBudget();
    expect([0, 1000, 2000, 3000, 59_000].map((at) => budget.take(at))).toEqual([1, 2, 3, 4, 5]);
    expect(budget.take(59_999)).toBeUndefined();
  });

  it('counts only the restarts of the last 60 s, so occasional crashes never use it up', () => {
    const budget = restartBudget();
    for (const at of [0, 1000, 2000, 3000, 4000]) budget.take(at);
    // The first one leaves the window at 60 s exactly: one restart free again, no more.
    expect(budget.take(60_000)).toBe(5);
    expect(budget.take(60_500)).toBeUndefined();
    // One a minute for ever.
    const steady = restartBudget();
    for (let minute = 0; minute < 100; minute++) expect(steady.take(minute * 61_000)).toBe(1);
  });

  it('does not count a refused restart', () => {
    const budget = restartBudget(2, 10_000);
    expect([budget.take(0), budget.take(1), budget.take(2), budget.take(3)]).toEqual([1, 2, undefined, undefined]);
    expect(budget.take(10_000)).toBe(2);
  });
});
