/**
 * Issue 9, "Linearizability on hard single-key histories": many concurrent clients on one key, half of their
 * operations crashed and open to the end. Before the pruning in search.ts these ran out of the default
 * budget undecided (the good ones and the perturbed ones); now both are decided well within it. Asserted on
 * work units, which are deterministic, not on wall time.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORK_BUDGET } from './checker.js';
import { HARD_SINGLE_KEY, generateRegisterHistory, perturbRegisterHistory } from './generate.js';
import { checkHistory } from './index.js';
import { pairNativeEvents } from './native.js';

describe('hard single-key histories', () => {
  it.each([1, 2, 3])('seed %i: decides the linearizable history and refutes its perturbed variant', (seed) => {
    const events = generateRegisterHistory({ ...HARD_SINGLE_KEY, seed });
    const ops = pairNativeEvents(events);
    expect(ops.filter((op) => op.ret === null).length).toBeGreaterThan(150);
    const good = checkHistory(events);
    expect(good.verdict).toBe('linearizable');
    expect(good.work).toBeLessThan(DEFAULT_WORK_BUDGET / 20);

    const bad = perturbRegisterHistory(events);
    expect(bad).toBeDefined();
    if (bad === undefined) return;
    const refuted = checkHistory(bad);
    expect(refuted.verdict).toBe('not-linearizable');
    expect(refuted.work).toBeLessThan(DEFAULT_WORK_BUDGET / 20);
    expect(refuted.explanation?.failing.description).toMatch(/^read "k0" -> \d+$/);
  });
});
