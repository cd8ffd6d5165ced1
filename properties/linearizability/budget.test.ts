/**
 * The budgets bound work, not just steps (issue 9, item 4): on a history with hundreds of operations open at
 * once a single step scans hundreds of candidates, so a step budget alone let the search run for minutes.
 */
import { describe, expect, it } from 'vitest';
import { describeExplanation } from './explain.js';
import { generateRegisterHistory } from './generate.js';
import { checkHistory } from './index.js';

/** Many clients on one key, with values spread wide so the search cannot decide quickly by symmetry. */
const hard = generateRegisterHistory({ operations: 800, keys: 1, clients: 100, crashPerMille: 300, values: 100, ticksMax: 300, seed: 1 });

describe('work budget', () => {
  it('counts candidate scans and memo compares, not only steps', () => {
    const result = checkHistory(hard, { workBudget: 2_000_000 });
    expect(result.verdict).toBe('unknown');
    expect(result.stoppedBy).toBe('budget');
    // Each step over this history scans many open candidates: far more work than steps.
    expect(result.work).toBeGreaterThan(5 * result.steps);
    expect(result.work).toBeLessThan(2_000_000 + 100_000);
    expect(result.partitions[0]?.work).toBe(result.work);
    expect(describeExplanation(result)[0]).toMatch(/^unknown: work budget of 2000000 units exhausted/);
  });

  it('is deterministic: the same budget stops at the same point', () => {
    const a = checkHistory(hard, { workBudget: 1_000_000 });
    const b = checkHistory(hard, { workBudget: 1_000_000 });
    expect([a.steps, a.work]).toEqual([b.steps, b.work]);
  });

  it('stops when the caller interrupts, and says so', () => {
    let polls = 0;
    const result = checkHistory(hard, {
      interrupted: () => {
        polls++;
        return polls >= 3;
      },
    });
    expect(result).toMatchObject({ verdict: 'unknown', stoppedBy: 'interrupt' });
    expect(polls).toBe(3);
    expect(describeExplanation(result)[0]).toMatch(/^unknown: stopped before deciding/);
  });

  it('decided results carry no stoppedBy', () => {
    const easy = generateRegisterHistory({ operations: 200, keys: 3, clients: 5, crashPerMille: 0, seed: 3 });
    const result = checkHistory(easy);
    expect(result.verdict).toBe('linearizable');
    expect(result.stoppedBy).toBeUndefined();
    expect(result.work).toBeGreaterThanOrEqual(result.steps);
  });
});
