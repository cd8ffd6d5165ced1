/**
 * Issue 9, item 4: in `run`, a client history the linearizability check cannot decide within its
 * deterministic work budget is a warning naming the seed, never a hang and never a silent pass.
 */
import { describe, expect, it } from 'vitest';
import { RunAggregate } from '../cli/run-aggregate.js';
import { summarize } from '../cli/seed-summary.js';
import { randomFaults } from '../scenarios/random-faults.js';
import { runSeed } from '../scenarios/run-seed.js';

describe('an undecided linearizability check in run', () => {
  it('is a warning with the seed, not a violation, and is deterministic', () => {
    const starved = runSeed({ seed: 3, scenario: randomFaults, nodeCount: 3, linWorkBudget: 1 });
    expect(starved.history.length).toBeGreaterThan(0);
    expect(starved.violations.filter((v) => v.property === 'linearizability')).toEqual([]);
    expect(starved.linUndecided).toMatchObject({ ops: expect.any(Number) as number, steps: expect.any(Number) as number });
    expect(starved.linUndecided?.message).toMatch(/could not be decided within the search budget/);
    const again = runSeed({ seed: 3, scenario: randomFaults, nodeCount: 3, linWorkBudget: 1 });
    expect(again.linUndecided).toEqual(starved.linUndecided);
    expect(again.traceHash).toBe(starved.traceHash);

    const decided = runSeed({ seed: 3, scenario: randomFaults, nodeCount: 3 });
    expect(decided.linUndecided).toBeUndefined();
    expect(decided.ok).toBe(starved.ok);
  });

  it('reaches the run summary as linUndecided seeds', () => {
    const aggregate = new RunAggregate('seaworthy-core');
    for (const seed of [4, 5]) aggregate.add(summarize(runSeed({ seed, scenario: randomFaults, nodeCount: 3, ...(seed === 5 ? { linWorkBudget: 1 } : {}) })), null);
    expect(aggregate.linUndecided).toEqual([5]);
    expect(summarize(runSeed({ seed: 5, scenario: randomFaults, nodeCount: 3, linWorkBudget: 1 })).linUndecided).toBe(true);
  });
});
