/**
 * Apply-time configurations (contract version 2's `configurations: 'applied'`, etcd's ApplyConfChange): a node
 * counts in the configuration before a change until it has applied it. The configuration checkers accept that
 * configuration too, and skip the own-term rule, for such implementations only; everything else they catch stays
 * caught. Each situation below was first reported by a run of examples/go-etcd-raft against the append-time rules.
 */
import { describe, expect, it } from 'vitest';
import { FactLog, confEntry, entries, entry, runChecker } from './fact-builders.js';
import { createPersistInvariantsChecker } from './persist-invariants.js';

const APPLIED = { appliedInForce: true } as const;

/** Properties reported by the fused per-persist checker over `f`, with append-time or apply-time configurations. */
function found(f: FactLog, appliedInForce: boolean): string[] {
  return runChecker(createPersistInvariantsChecker([1, 2, 3], appliedInForce ? APPLIED : {}), f.facts).map((v) => v.property);
}

/** Nodes 1..3 hold (1..2, term 1), applied by node 1; node 4 joins. */
function cluster(): FactLog {
  const f = new FactLog();
  for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1, commit: 2 }, entries(1, 2, 1));
  f.role(1, 'leader', 1);
  f.apply(1, entry(1, 1));
  f.apply(1, entry(2, 1));
  f.join(4);
  return f;
}

describe('apply-time configurations', () => {
  it('commit-quorum: a voter added to three, the change committed on two of the three (the old majority)', () => {
    const f = cluster();
    const add = confEntry(3, 1, [1, 2, 3, 4]);
    f.persist(1, { term: 1, vote: 1, commit: 2 }, [add]);
    f.persist(2, { term: 1, vote: 1, commit: 2 }, [add]);
    f.apply(1, add); // 2 of [1, 2, 3] (in force at the leader until applied); 2 of [1, 2, 3, 4] is no majority
    expect(found(f, false)).toEqual(['commit-quorum']);
    expect(found(f, true)).toEqual([]);
  });

  it('commit-quorum: an entry on a majority of neither configuration is still never committed', () => {
    const f = cluster();
    const add = confEntry(3, 1, [1, 2, 3, 4]);
    f.persist(1, { term: 1, vote: 1, commit: 2 }, [add]);
    f.apply(1, add); // 1 of [1, 2, 3], 1 of [1, 2, 3, 4]
    expect(found(f, true)).toEqual(['commit-quorum']);
  });

  it('commit-quorum: joint consensus counted against C_new alone is still caught (C_old is the configuration before)', () => {
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 3 }, [entry(1, 1)]);
    f.apply(3, entry(1, 1));
    f.join(4);
    f.join(5);
    const joint = confEntry(2, 1, [3, 4, 5], { outgoing: [1, 2, 3] });
    f.persist(3, { term: 1, vote: 3 }, [joint]);
    for (const n of [4, 5]) f.persist(n, { term: 1 }, [entry(1, 1), joint]);
    f.apply(3, joint); // C_new: 3 of [3, 4, 5]; C_old, and the configuration before: 1 of [1, 2, 3]
    expect(found(f, true)).toEqual(['commit-quorum']);
  });

  it('leader-votes: a candidate whose latest change is appended, not applied, wins in the configuration before it', () => {
    const f = cluster();
    const add = confEntry(3, 1, [1, 2, 3, 4]);
    for (const n of [2, 3]) f.persist(n, { term: 1, vote: 1, commit: 2 }, [add]);
    for (const n of [2, 3]) f.persist(n, { term: 2, vote: 2, commit: 2 });
    f.role(2, 'leader', 2); // 2 of [1, 2, 3]; 2 of [1, 2, 3, 4] is no majority
    expect(found(f, false)).toEqual(['leader-votes']);
    expect(found(f, true)).toEqual([]);
  });

  it('leader-votes: a vote short of both configurations is still reported', () => {
    const f = cluster();
    const add = confEntry(3, 1, [1, 2, 3, 4]);
    f.persist(2, { term: 1, vote: 1, commit: 2 }, [add]);
    f.persist(2, { term: 2, vote: 2, commit: 2 });
    f.role(2, 'leader', 2);
    expect(found(f, true)).toEqual(['leader-votes']);
  });

  it('configuration-entries: a change before the leader committed its own no-op is allowed (no uncommitted change is in force anywhere), two pending changes are not', () => {
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1, commit: 2 }, entries(1, 2, 1));
    for (const n of [1, 2, 3]) f.persist(n, { term: 2, vote: 1, commit: 2 });
    f.persist(1, { term: 2, vote: 1, commit: 2 }, [entry(3, 2, '')]);
    f.role(1, 'leader', 2);
    // etcd: pendingConfIndex is the last index before the no-op; everything up to it is applied, so it accepts.
    f.persist(1, { term: 2, vote: 1, commit: 2 }, [confEntry(4, 2, [1, 2, 3], { learners: [4] })]);
    expect(found(f, false)).toEqual(['configuration-entries']);
    expect(found(f, true)).toEqual([]);
    // etcd 3.4's auto-leave appended again before the first leaving entry committed: one change at a time.
    f.persist(1, { term: 2, vote: 1, commit: 2 }, [confEntry(5, 2, [1, 2, 3])]);
    expect(found(f, true)).toEqual(['configuration-entries']);
  });
});
