import { describe, expect, it } from 'vitest';
import { checkPlan, EMPTY_PLAN, maxFaultyNodes } from './faults.js';
import type { FaultEvent, FaultPlan } from './faults.js';

function plan(...events: FaultEvent[]): FaultPlan {
  return { events };
}

describe('maxFaultyNodes', () => {
  it('is f of 2f + 1', () => {
    expect(maxFaultyNodes(1)).toBe(0);
    expect(maxFaultyNodes(2)).toBe(0);
    expect(maxFaultyNodes(3)).toBe(1);
    expect(maxFaultyNodes(4)).toBe(1);
    expect(maxFaultyNodes(5)).toBe(2);
    expect(maxFaultyNodes(7)).toBe(3);
  });
});

describe('checkPlan', () => {
  it('accepts the empty plan', () => {
    expect(checkPlan(EMPTY_PLAN, 3, 1000)).toEqual([]);
  });

  it('accepts a good plan', () => {
    const good = plan(
      { atMs: 0, kind: 'partition', groups: [[1, 2], [3, 4, 5]] },
      { atMs: 100, kind: 'crash', node: 1 },
      { atMs: 100, kind: 'crash', node: 2 },
      { atMs: 200, kind: 'heal' },
      { atMs: 300, kind: 'restart', node: 1 },
      { atMs: 300, kind: 'crash', node: 5 },
      { atMs: 400, kind: 'restart', node: 2 },
      { atMs: 400, kind: 'restart', node: 5 },
      { atMs: 1000, kind: 'crash', node: 1 },
    );
    expect(checkPlan(good, 5, 1000)).toEqual([]);
  });

  it('reports more than f nodes down at once', () => {
    const problems = checkPlan(plan({ atMs: 10, kind: 'crash', node: 1 }, { atMs: 20, kind: 'crash', node: 2 }), 3, 1000);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/fault #1 \(crash at 20 ms\): more than 1 of 3 nodes down at once/);
    expect(checkPlan(plan({ atMs: 10, kind: 'crash', node: 1 }, { atMs: 20, kind: 'crash', node: 2 }), 5, 1000)).toEqual([]);
    expect(
      checkPlan(plan({ atMs: 1, kind: 'crash', node: 1 }, { atMs: 2, kind: 'crash', node: 2 }, { atMs: 3, kind: 'crash', node: 3 }), 5, 1000),
    ).toEqual([expect.stringMatching(/more than 2 of 5 nodes down/)]);
  });

  it('reports a crash of a node already down', () => {
    expect(checkPlan(plan({ atMs: 10, kind: 'crash', node: 1 }, { atMs: 20, kind: 'crash', node: 1 }), 5, 1000)).toEqual([
      expect.stringMatching(/node 1 is already down/),
    ]);
  });

  it('reports a restart of a node that is not down', () => {
    expect(checkPlan(plan({ atMs: 10, kind: 'restart', node: 2 }), 3, 1000)).toEqual([expect.stringMatching(/fault #0 .*node 2 is not down/)]);
    expect(checkPlan(plan({ atMs: 10, kind: 'crash', node: 2 }, { atMs: 20, kind: 'restart', node: 2 }, { atMs: 30, kind: 'restart', node: 2 }), 3, 1000)).toEqual([
      expect.stringMatching(/fault #2 .*node 2 is not down/),
    ]);
  });

  it('reports out-of-order events', () => {
    const problems = checkPlan(plan({ atMs: 500, kind: 'heal' }, { atMs: 100, kind: 'heal' }), 3, 1000);
    expect(problems).toEqual([expect.stringMatching(/fault #1 \(heal at 100 ms\): events out of time order/)]);
  });

  it('reports times outside the safety phase', () => {
    const problems = checkPlan(plan({ atMs: -1, kind: 'heal' }, { atMs: 1001, kind: 'heal' }, { atMs: 1001.5, kind: 'heal' }), 3, 1000);
    expect(problems.filter((p) => /outside the safety phase \[0, 1000\]/.test(p))).toHaveLength(3);
    expect(checkPlan(plan({ atMs: Number.NaN, kind: 'heal' }), 3, 1000)).toEqual([expect.stringMatching(/outside the safety phase/)]);
  });

  it('reports unknown nodes', () => {
    expect(checkPlan(plan({ atMs: 1, kind: 'crash', node: 4 }), 3, 1000)).toEqual([expect.stringMatching(/no node 4/)]);
    expect(checkPlan(plan({ atMs: 1, kind: 'crash', node: 0 }), 3, 1000)).toEqual([expect.stringMatching(/no node 0/)]);
    expect(checkPlan(plan({ atMs: 1, kind: 'partition', groups: [[1, 2], [7]] }), 3, 1000)).toEqual([expect.stringMatching(/partition at 1 ms.*no node 7/)]);
    // A restart of a node that does not exist is reported too (as not down).
    expect(checkPlan(plan({ atMs: 1, kind: 'restart', node: 9 }), 3, 1000)).toHaveLength(1);
  });

  it('reports every problem, not just the first', () => {
    const problems = checkPlan(
      plan({ atMs: 5000, kind: 'crash', node: 8 }, { atMs: 10, kind: 'restart', node: 1 }),
      3,
      1000,
    );
    expect(problems).toHaveLength(4);
  });

  // Bug: a partition that lists a node in two groups passes checkPlan, but Network.partition asserts on it
  // in the middle of the run (an AssertionError out of simulate(), i.e. "a bug in Seaworthy"), although the
  // plan is user data (saved, replayed, shrunk). Fix: in checkPlan's 'partition' case, keep a Set of the
  // nodes seen and report `${where}: node ${n} is in two partition groups`.
  it('reports a node listed in two partition groups', () => {
    expect(checkPlan(plan({ atMs: 1, kind: 'partition', groups: [[1, 2], [2, 3]] }), 3, 1000)).toEqual([
      expect.stringMatching(/node 2 is in two partition groups/),
    ]);
  });
});
