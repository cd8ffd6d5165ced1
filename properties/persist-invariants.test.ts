import { describe, expect, it } from 'vitest';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';
import { createCommitQuorumChecker } from './commit-quorum.js';
import { createConfigurationEntriesChecker } from './configuration-entries.js';
import { Configurations } from './configurations.js';
import { createDurableTermChecker, createDurableVoteChecker } from './hard-state.js';
import { createLeaderAppendOnlyChecker } from './leader-append-only.js';
import { createLeaderVotesChecker } from './leader-votes.js';
import { createPersistInvariantsChecker, PERSIST_INVARIANT_ROUTES, PERSIST_INVARIANTS } from './persist-invariants.js';
import type { Checker } from './types.js';

describe('persist invariants, fused', () => {
  it('reports each part\'s violation under its own property, and every part keeps seeing every fact', () => {
    const f = new FactLog();
    f.persist(1, { term: 3, vote: 1 }, entries(1, 2, 3));
    f.persist(1, { term: 2, vote: 1 }); // durable term
    f.persist(2, { term: 3, vote: 1 });
    f.persist(2, { term: 3, vote: 3 }); // durable vote
    f.apply(1, entry(1, 3)); // commit quorum: on node 1 only
    f.role(1, 'leader', 2); // leader votes: no durable vote of term 2 counts (node 1 voted in term 3 first)
    // Loses the applied (1, 3) and is below its stored term again: the first part in order is reported.
    f.persist(1, { term: 2, vote: 1 }, [entry(1, 2)]);
    const v = runChecker(createPersistInvariantsChecker([1, 2, 3]), f.facts);
    expect(v.map((x) => x.property)).toEqual(['durable-term', 'durable-vote', 'commit-quorum', 'leader-votes', 'durable-term']);
  });

  it('passes a healthy sequence', () => {
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1 }, entries(1, 2, 1));
    f.role(1, 'leader', 1);
    f.apply(1, entry(1, 1));
    f.apply(1, entry(2, 1));
    expect(runChecker(createPersistInvariantsChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('routes each fact kind to exactly the parts that declare it, in part order', () => {
    const configs = new Configurations([1, 2, 3]);
    const parts: Checker[] = [
      createDurableTermChecker([1, 2, 3]),
      createDurableVoteChecker([1, 2, 3]),
      createCommitQuorumChecker([1, 2, 3], { configs }),
      createLeaderAppendOnlyChecker([1, 2, 3]),
      createLeaderVotesChecker([1, 2, 3], configs),
      createConfigurationEntriesChecker([1, 2, 3]),
    ];
    expect(parts.map((p) => p.property)).toEqual(PERSIST_INVARIANTS);
    const fused = createPersistInvariantsChecker([1, 2, 3]);
    for (const kind of fused.factKinds ?? []) {
      const declaring = parts.filter((p) => p.factKinds?.includes(kind)).map((p) => p.property);
      expect(PERSIST_INVARIANT_ROUTES[kind] ?? [], kind).toEqual(declaring);
    }
    const union = new Set(parts.flatMap((p) => p.factKinds ?? []));
    expect(new Set(fused.factKinds)).toEqual(union);
  });
});
