import { describe, expect, it } from 'vitest';
import { createCommitQuorumChecker } from './commit-quorum.js';
import { FactLog, confEntry, entries, entry, runChecker } from './fact-builders.js';

describe('commit-quorum across configurations', () => {
  it('passes a single-server addition: the configuration entry and what follows count in the new configuration', () => {
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1 }, entries(1, 2, 1));
    f.apply(1, entry(1, 1));
    f.apply(1, entry(2, 1));
    f.join(4);
    const add = confEntry(3, 1, [1, 2, 3, 4]);
    f.persist(1, { term: 1, vote: 1 }, [add]);
    f.persist(4, { term: 1 }, [...entries(1, 2, 1), add]);
    f.persist(2, { term: 1, vote: 1 }, [add]);
    f.apply(1, add); // 3 of 4
    f.persist(1, { term: 1, vote: 1 }, [entry(4, 1)]);
    f.persist(4, { term: 1 }, [entry(4, 1)]);
    f.persist(3, { term: 1, vote: 1 }, [add, entry(4, 1)]);
    f.apply(4, entry(1, 1));
    f.apply(4, entry(2, 1));
    f.apply(4, add);
    f.apply(1, entry(4, 1));
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('passes an entry committed by the majority of a later configuration in its leader\'s log (a removal appended before it committed)', () => {
    const f = new FactLog();
    // Node 4 is removed; the leader appends the removal right behind entry 1 and counts both in C_new = [1, 2, 3].
    const remove = confEntry(2, 1, [1, 2, 3]);
    for (const n of [1, 2]) f.persist(n, { term: 1, vote: 1 }, [entry(1, 1), remove]);
    f.apply(1, entry(1, 1)); // 2 of 4 in the bootstrap configuration, 2 of 3 in C_new
    f.apply(1, remove);
    expect(runChecker(createCommitQuorumChecker([1, 2, 3, 4]), f.facts)).toEqual([]);
  });

  it('passes joint consensus committed by majorities of both halves, then C_new by its own', () => {
    const f = new FactLog();
    const joint = confEntry(2, 1, [3, 4, 5], { outgoing: [1, 2, 3] });
    const leave = confEntry(3, 1, [3, 4, 5]);
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 3 }, [entry(1, 1)]);
    f.apply(3, entry(1, 1));
    f.join(4);
    f.join(5);
    for (const n of [3, 2, 4]) f.persist(n, { term: 1, vote: 3 }, n === 4 ? [entry(1, 1), joint] : [joint]);
    f.apply(3, joint); // C_new: 3, 4 of [3, 4, 5]; C_old: 2, 3 of [1, 2, 3]
    for (const n of [3, 4]) f.persist(n, { term: 1, vote: 3 }, [leave]);
    f.apply(3, leave); // 2 of [3, 4, 5]
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports joint consensus counted only against C_new\'s majority', () => {
    const f = new FactLog();
    const joint = confEntry(2, 1, [3, 4, 5], { outgoing: [1, 2, 3] });
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 3 }, [entry(1, 1)]);
    f.apply(3, entry(1, 1));
    f.join(4);
    f.join(5);
    f.persist(3, { term: 1, vote: 3 }, [joint]);
    f.persist(4, { term: 1 }, [entry(1, 1), joint]);
    f.persist(5, { term: 1 }, [entry(1, 1), joint]);
    const bad = f.apply(3, joint); // 3 of C_new, 1 of C_old
    const v = runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'commit-quorum', event: bad.event, nodes: [3], evidence: { index: 2, term: 1, holderNodes: [3, 4, 5] } });
    expect(v[0]!.message).toContain('3 of [3, 4, 5] (C_new) and 1 of [1, 2, 3] (C_old)');
  });

  it('reports a learner counted in the quorum', () => {
    const f = new FactLog();
    const learner = confEntry(1, 1, [1, 2, 3], { learners: [4] });
    f.join(4);
    for (const n of [1, 2, 3, 4]) f.persist(n, { term: 1, vote: 1 }, [learner]);
    f.apply(1, learner);
    f.persist(1, { term: 1, vote: 1 }, [entry(2, 1)]);
    f.persist(4, { term: 1 }, [entry(2, 1)]);
    const bad = f.apply(1, entry(2, 1)); // nodes 1 and 4: 1 of 3 voters
    const v = runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts);
    expect(v).toMatchObject([{ property: 'commit-quorum', event: bad.event, evidence: { index: 2, holderNodes: [1, 4] } }]);
    expect(v[0]!.message).toContain('1 of [1, 2, 3]');
  });

  it('reports an applied entry lost below every candidate configuration\'s majority', () => {
    const f = new FactLog();
    const add = confEntry(1, 1, [1, 2, 3, 4]);
    f.join(4);
    for (const n of [1, 2, 4]) f.persist(n, { term: 1, vote: 1 }, [add, entry(2, 1)]);
    f.apply(1, add);
    f.apply(1, entry(2, 1));
    const bad = f.persist(2, { term: 2 }, [entry(2, 2)]); // leaves it on 1 and 4: 2 of 4
    const v = runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts);
    expect(v).toMatchObject([{ property: 'commit-quorum', event: bad.event, nodes: [2], evidence: { index: 2, term: 1, holderNodes: [1, 4], replacedBy: 2 } }]);
  });

  it('reports a node lacking the entry that could still be elected in its own configuration', () => {
    const f = new FactLog();
    // Node 3 holds a longer log of the same last term; the entry is committed on 1 and 2 of [1, 2, 3].
    const c = confEntry(1, 1, [1, 2, 3]);
    f.persist(1, { term: 2 }, [c, entry(2, 1)]);
    f.persist(2, { term: 2 }, [c, entry(2, 1)]);
    f.persist(3, { term: 2 }, [c, entry(2, 2), entry(3, 2)]);
    f.apply(1, c);
    const bad = f.apply(1, entry(2, 1)); // committed by counting replicas of term 1 in term 2: node 3 is electable
    const v = runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts);
    expect(v).toMatchObject([{ property: 'commit-quorum', event: bad.event, evidence: { index: 2, electable: 3 } }]);
  });

  it('never counts a retired node as a candidate', () => {
    const f = new FactLog();
    const c = confEntry(1, 1, [1, 2, 3]);
    f.persist(1, { term: 2 }, [c, entry(2, 1)]);
    f.persist(2, { term: 2 }, [c, entry(2, 1)]);
    f.persist(3, { term: 2 }, [c, entry(2, 2), entry(3, 2)]);
    f.retire(3);
    f.apply(1, c);
    f.apply(1, entry(2, 1));
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts)).toEqual([]);
  });
});
