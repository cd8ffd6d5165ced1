import { describe, expect, it } from 'vitest';
import { SPIN_MISSES_TO_PAUSE, SPIN_PAUSE_REPLIES, SPIN_READS_MAX, SpinBudget } from './spin-budget.js';

describe('SpinBudget', () => {
  it('spins in full while spins find replies', () => {
    const budget = new SpinBudget();
    for (let k = 0; k < 100; k++) {
      expect(budget.next()).toBe(SPIN_READS_MAX);
      budget.found();
    }
  });

  it('keeps spinning through misses that a found reply interrupts', () => {
    const budget = new SpinBudget(16);
    for (let k = 0; k < 10; k++) {
      for (let m = 0; m < SPIN_MISSES_TO_PAUSE - 1; m++) {
        expect(budget.next()).toBe(16);
        budget.missed();
      }
      expect(budget.next()).toBe(16);
      budget.found();
    }
  });

  it('pauses after a run of misses, for a number of replies, then spins again', () => {
    const budget = new SpinBudget(16);
    for (let m = 0; m < SPIN_MISSES_TO_PAUSE; m++) {
      expect(budget.next()).toBe(16);
      budget.missed();
    }
    for (let k = 0; k < SPIN_PAUSE_REPLIES; k++) expect(budget.next()).toBe(0);
    expect(budget.next()).toBe(16);
  });

  it('never spins when its maximum is zero', () => {
    const budget = new SpinBudget(0);
    expect(budget.next()).toBe(0);
    budget.found();
    expect(budget.next()).toBe(0);
  });

  it('refuses a budget that is not a non-negative integer', () => {
    expect(() => new SpinBudget(-1)).toThrow(RangeError);
    expect(() => new SpinBudget(1.5)).toThrow(RangeError);
  });
});
