import { describe, expect, it } from 'vitest';
import { createConfigurationEntriesChecker, shapeProblem } from './configuration-entries.js';
import { FactLog, confEntry, entries, entry, runChecker } from './fact-builders.js';
import { createPersistInvariantsChecker } from './persist-invariants.js';

/** Nodes 1..3 elect node 1 in term 2 over a term-1 prefix of two entries; node 1's no-op is (3, 2). */
function elected(f: FactLog, commit: number): void {
  for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1, commit: 2 }, entries(1, 2, 1));
  for (const n of [1, 2, 3]) f.persist(n, { term: 2, vote: 1, commit: 2 });
  f.persist(1, { term: 2, vote: 1, commit: 2 }, [entry(3, 2, '')]);
  f.role(1, 'leader', 2);
  for (const n of [2, 3]) f.persist(n, { term: 2, vote: 1, commit }, [entry(3, 2, '')]);
  f.persist(1, { term: 2, vote: 1, commit }); // the leader learns its no-op committed (or not)
}

describe('configuration-entries', () => {
  it('passes a change after the leader committed its no-op, then entering and leaving joint consensus one at a time', () => {
    const f = new FactLog();
    elected(f, 3);
    f.join(4);
    const add = confEntry(4, 2, [1, 2, 3], { learners: [4] });
    f.persist(1, { term: 2, vote: 1, commit: 3 }, [add]);
    f.persist(4, { term: 2 }, [...entries(1, 2, 1), entry(3, 2, ''), add]);
    f.persist(2, { term: 2, vote: 1, commit: 3 }, [add]);
    f.persist(1, { term: 2, vote: 1, commit: 4 });
    const joint = confEntry(5, 2, [1, 2, 4], { outgoing: [1, 2, 3] });
    f.persist(1, { term: 2, vote: 1, commit: 4 }, [joint]);
    for (const n of [2, 4]) f.persist(n, { term: 2, vote: n === 2 ? 1 : 0, commit: 4 }, [joint]);
    for (const e of [...entries(1, 2, 1), entry(3, 2, ''), add, joint]) f.apply(1, e); // applying commits
    f.persist(1, { term: 2, vote: 1, commit: 5 }, [confEntry(6, 2, [1, 2, 4])]); // auto-leave
    expect(runChecker(createConfigurationEntriesChecker([1, 2, 3]), f.facts)).toEqual([]);
    expect(runChecker(createPersistInvariantsChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports a change appended before the leader committed an entry of its own term (the 2015 bug)', () => {
    const f = new FactLog();
    elected(f, 2); // the no-op (3, 2) is not committed yet
    const bad = f.persist(1, { term: 2, vote: 1, commit: 2 }, [confEntry(4, 2, [1, 2, 3, 4])]);
    const v = runChecker(createConfigurationEntriesChecker([1, 2, 3]), f.facts);
    expect(v).toMatchObject([{ property: 'configuration-entries', event: bad.event, nodes: [1], evidence: { rule: 'own-term-first', index: 4, term: 2, commitKnown: 2 } }]);
    expect(v[0]!.message).toContain('the single-server change bug of 2015');
  });

  it('reports a second change appended while the first is uncommitted', () => {
    const f = new FactLog();
    elected(f, 3);
    f.persist(1, { term: 2, vote: 1, commit: 3 }, [confEntry(4, 2, [1, 2, 3, 4])]);
    const bad = f.persist(1, { term: 2, vote: 1, commit: 3 }, [confEntry(5, 2, [1, 2, 3, 4, 5])]);
    expect(runChecker(createConfigurationEntriesChecker([1, 2, 3]), f.facts)).toMatchObject([
      { property: 'configuration-entries', event: bad.event, evidence: { rule: 'one-at-a-time', index: 5, pendingIndex: 4, commitKnown: 3 } },
    ]);
  });

  it('reports a malformed configuration entry on any disk, and changes of a shape the protocol does not have', () => {
    const f = new FactLog();
    const bad = f.persist(2, { term: 1 }, [{ index: 1, term: 1, data: 'conf:{"voters":[3,1]}' }]);
    const v = runChecker(createConfigurationEntriesChecker([1, 2, 3]), f.facts);
    expect(v).toMatchObject([{ property: 'configuration-entries', event: bad.event, nodes: [2], evidence: { index: 1, term: 1 } }]);
    expect(v[0]!.message).toContain('malformed configuration entry at (index 1, term 1): voters must be ascending');
    const g = new FactLog();
    elected(g, 3);
    const jump = g.persist(1, { term: 2, vote: 1, commit: 3 }, [confEntry(4, 2, [1, 4, 5])]);
    expect(runChecker(createConfigurationEntriesChecker([1, 2, 3]), g.facts)).toMatchObject([{ event: jump.event, evidence: { rule: 'shape' } }]);
  });

  it('knows the three shapes of a change', () => {
    const simple = (voters: number[], learners: number[] = []) => ({ voters, learners, outgoing: [] });
    const joint = (voters: number[], outgoing: number[]) => ({ voters, learners: [], outgoing });
    expect(shapeProblem(simple([1, 2, 3]), simple([1, 2, 3, 4]))).toBeNull();
    expect(shapeProblem(simple([1, 2, 3]), simple([1, 2], [3]))).toBeNull();
    expect(shapeProblem(simple([1, 2, 3]), joint([4, 5, 6], [1, 2, 3]))).toBeNull();
    expect(shapeProblem(joint([4, 5, 6], [1, 2, 3]), simple([4, 5, 6]))).toBeNull();
    expect(shapeProblem(simple([1, 2, 3]), joint([4, 5, 6], [1, 2]))).toMatch(/C_old/);
    expect(shapeProblem(joint([4, 5, 6], [1, 2, 3]), simple([1, 2, 3]))).toMatch(/C_new/);
    expect(shapeProblem(joint([4, 5, 6], [1, 2, 3]), joint([4, 5], [4, 5, 6]))).toMatch(/left/);
    expect(shapeProblem(simple([1, 2, 3]), simple([1, 2, 4]))).toMatch(/by 2 nodes/);
  });

  it('does not judge a follower persisting a leader\'s entries, nor anything without configuration entries', () => {
    const f = new FactLog();
    elected(f, 2);
    f.persist(2, { term: 2, vote: 1, commit: 2 }, [confEntry(4, 2, [1, 2, 3, 4])]); // node 2 is no leader
    expect(runChecker(createConfigurationEntriesChecker([1, 2, 3]), f.facts)).toEqual([]);
  });
});
