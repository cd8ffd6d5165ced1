/**
 * What a test of your own Raft looks like with Seaworthy, in plain vitest. Replace `builtinRaft()` with your
 * implementation of the contract (docs/contract.md): an object with a `name`, `capabilities` and a
 * `create(init)` that returns a RaftInstance driven by tick/step/propose and the Ready loop.
 */
import { describe, expect, it } from 'vitest';
import { builtinRaft, checkSeeds, PLANTED_BUGS, simulate } from '../index.js';

const myRaft = builtinRaft();

describe('my Raft is seaworthy', () => {
  it('keeps every property over 10 seeds of random faults on 3 nodes', () => {
    const result = checkSeeds({ seeds: 10, nodes: 3, implementation: myRaft });
    // On failure, each entry says which seed broke which property, and how to rerun it.
    expect(result.failures).toEqual([]);
    expect(result.runs).toBe(10);
  });

  it('replays a seed exactly: same verdict, same trace hash', () => {
    const a = simulate({ seed: 42, nodes: 3, implementation: myRaft });
    const b = simulate({ seed: 42, nodes: 3, implementation: myRaft });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.ok).toBe(true);
  });

  it('would catch a broken Raft (a planted bug stands in for yours)', () => {
    const bug = PLANTED_BUGS.find((b) => b.name === 'apply-beyond-commit');
    if (bug === undefined) return expect.fail('planted bug missing');
    const result = checkSeeds({ seeds: 10, scenario: bug.scenario, implementation: bug.implementation() });
    expect(result.ok).toBe(false);
    expect(result.failures[0]?.repro).toContain('simulate({ seed:');
  });
});
