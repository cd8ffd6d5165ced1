import { describe, expect, it } from 'vitest';
import { createElectionSafetyChecker } from './election-safety.js';
import { FactLog, runChecker } from './fact-builders.js';

describe('election safety', () => {
  it('passes one leader per term, a node re-announcing its own term, and non-leader roles', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.role(2, 'follower', 1, 1);
    f.role(2, 'candidate', 2);
    f.lead(2, 2);
    f.lead(2, 2);
    f.role(3, 'candidate', 3);
    f.role(1, 'follower', 3);
    f.lead(3, 3);
    expect(runChecker(createElectionSafetyChecker(), f.facts)).toEqual([]);
  });

  it('reports two leaders in term 3 on the second announcement', () => {
    const f = new FactLog();
    f.lead(1, 2);
    f.lead(1, 3);
    const second = f.lead(3, 3);
    const violations = runChecker(createElectionSafetyChecker(), f.facts);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ property: 'election-safety', nodes: [1, 3], atMs: second.atMs, event: second.event });
    expect(violations[0]!.message).toBe(`Nodes 1 and 3 both became leader of term 3 (node 1 at ${f.facts[3]!.atMs} ms, node 3 at ${second.atMs} ms).`);
  });

  it('remembers the leader of a term across its crash and restart', () => {
    const f = new FactLog();
    f.lead(2, 2);
    f.crash(2);
    f.restart(2, [], { term: 2, vote: 2 });
    const second = f.lead(1, 2);
    const violations = runChecker(createElectionSafetyChecker(), f.facts);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ property: 'election-safety', nodes: [1, 2], atMs: second.atMs, event: second.event });
  });
});
