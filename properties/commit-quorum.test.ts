import { describe, expect, it } from 'vitest';
import { createCommitQuorumChecker } from './commit-quorum.js';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';

describe('commit-quorum', () => {
  it('passes applies on a majority, a restarted node replaying its prefix, and overwrites of unapplied entries', () => {
    const f = new FactLog();
    f.persist(1, { term: 1, vote: 1 }, entries(1, 3, 1));
    f.persist(2, { term: 1, vote: 1 }, entries(1, 2, 1));
    f.apply(1, entry(1, 1));
    f.apply(1, entry(2, 1));
    f.apply(2, entry(2, 1));
    // Node 2 gets (3, 2) from a later leader while node 1 still holds (3, 1): (3, 1) was never applied.
    f.persist(2, { term: 2 }, [entry(3, 2)]);
    f.crash(1);
    f.restart(1, entries(1, 3, 1), { term: 1, vote: 1 });
    f.apply(1, entry(1, 1));
    f.apply(1, entry(2, 1));
    // Node 3 catches up: dropping nothing applied.
    f.persist(3, { term: 2 }, [entry(1, 1), entry(2, 1), entry(3, 2)]);
    f.persist(1, { term: 2 }, [entry(3, 2)]);
    f.apply(3, entry(3, 2));
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports an apply while only the leader stores the entry durably (acknowledged before persisting)', () => {
    const f = new FactLog();
    f.persist(1, { term: 1, vote: 1 }, entries(1, 1, 1));
    const bad = f.apply(1, entry(1, 1));
    f.persist(2, { term: 1 }, entries(1, 1, 1));
    const v = runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'commit-quorum', nodes: [1], event: bad.event, evidence: { durableHolders: 1, majority: 2, holderNodes: [1] } });
    expect(v[0]!.message).toBe('Node 1 applied (index 1, term 1) while only 1 of 3 nodes stored it durably (a majority is 2): it was never committed.');
  });

  it('counts a repeat apply again once a loss was reported (a repeat is skipped only while every loss kept a majority)', () => {
    const f = new FactLog();
    f.persist(1, { term: 1, vote: 1 }, entries(1, 1, 1));
    f.persist(2, { term: 1, vote: 1 }, entries(1, 1, 1));
    f.apply(1, entry(1, 1));
    f.apply(2, entry(1, 1)); // a repeat while (1, 1) is on a majority: nothing to report
    const loss = f.persist(2, { term: 2 }, [entry(1, 2)]);
    f.crash(1);
    f.restart(1, entries(1, 1, 1), { term: 1, vote: 1 });
    const again = f.apply(1, entry(1, 1));
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts)).toMatchObject([
      { property: 'commit-quorum', nodes: [2], event: loss.event, evidence: { index: 1, term: 1, durableHolders: 1, replacedBy: 2 } },
      { property: 'commit-quorum', nodes: [1], event: again.event, evidence: { index: 1, term: 1, durableHolders: 1, majority: 2 } },
    ]);
  });

  it('reports a follower applying a stale suffix the leader never sent it (uncapped follower commit)', () => {
    const f = new FactLog();
    f.persist(1, { term: 2 }, [entry(1, 1), entry(2, 2)]);
    f.persist(2, { term: 2 }, [entry(1, 1), entry(2, 2)]);
    f.persist(3, { term: 2 }, [entry(1, 1), entry(2, 1)]); // stale (2, 1) from an old leader
    f.apply(1, entry(1, 1));
    f.apply(3, entry(1, 1));
    const bad = f.apply(3, entry(2, 1));
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts)).toMatchObject([{ property: 'commit-quorum', nodes: [3], event: bad.event }]);
  });

  it('reports an applied entry overwritten until it is on a minority (Figure 8)', () => {
    const f = new FactLog();
    f.persist(1, { term: 4 }, [entry(1, 2), entry(2, 4)]);
    f.persist(2, { term: 4 }, [entry(1, 2)]);
    f.persist(3, { term: 3 }, [entry(1, 3)]);
    f.apply(1, entry(1, 2)); // committed by counting replicas of an earlier term
    const bad = f.persist(2, { term: 5 }, [entry(1, 3)]); // the term-3 leader overwrites it
    const v = runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts);
    // The commit itself is reported first (node 3 could still be elected without it), then the loss.
    expect(v).toMatchObject([
      { property: 'commit-quorum', nodes: [1], evidence: { index: 1, electable: 3 } },
      { property: 'commit-quorum', nodes: [2], event: bad.event, evidence: { index: 1, term: 2, durableHolders: 1, replacedBy: 3 } },
    ]);
  });

  it('reports committing an earlier term\'s entry by counting replicas while a node lacking it is electable (Figure 8)', () => {
    // Figure 8 (c): S1 leads term 4 with (2, 2) on S1, S2, S3 and its no-op (3, 4) on S1 only; S5 holds (2, 3).
    const f = new FactLog();
    f.persist(1, { term: 4 }, [entry(1, 1), entry(2, 2), entry(3, 4)]);
    f.persist(2, { term: 4 }, [entry(1, 1), entry(2, 2)]);
    f.persist(3, { term: 4 }, [entry(1, 1), entry(2, 2)]);
    f.persist(4, { term: 4 }, [entry(1, 1)]);
    f.persist(5, { term: 3 }, [entry(1, 1), entry(2, 3)]);
    f.apply(1, entry(1, 1)); // safe: every node stores it
    const bad = f.apply(1, entry(2, 2));
    const v = runChecker(createCommitQuorumChecker([1, 2, 3, 4, 5]), f.facts);
    expect(v).toMatchObject([{ property: 'commit-quorum', nodes: [1], event: bad.event, evidence: { index: 2, term: 2, electable: 5, voters: 4, majority: 3 } }]);
    expect(v[0]!.message).toBe(
      'Node 1 applied (index 2, term 2) first, but node 5, which does not store it, could still be elected: its log (last index 2, term 3) is at least as up-to-date as the durable logs of 4 of 5 nodes (Raft §5.4.2, Figure 8).',
    );
  });

  it('passes the same commit once the no-op of the leader\'s term is on a majority (Figure 8 (e))', () => {
    const f = new FactLog();
    f.persist(1, { term: 4 }, [entry(1, 1), entry(2, 2), entry(3, 4)]);
    f.persist(2, { term: 4 }, [entry(1, 1), entry(2, 2), entry(3, 4)]);
    f.persist(3, { term: 4 }, [entry(1, 1), entry(2, 2), entry(3, 4)]);
    f.persist(4, { term: 4 }, [entry(1, 1)]);
    f.persist(5, { term: 3 }, [entry(1, 1), entry(2, 3)]);
    f.apply(1, entry(2, 2));
    f.apply(1, entry(3, 4));
    // Later applies of an index are not judged again for electability.
    f.apply(2, entry(2, 2));
    expect(runChecker(createCommitQuorumChecker([1, 2, 3, 4, 5]), f.facts)).toEqual([]);
  });

  it('reports an applied entry dropped by a truncation, and one lost by a restart', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 2, 1));
    f.persist(2, { term: 1 }, entries(1, 2, 1));
    f.apply(1, entry(2, 1));
    const bad = f.persist(2, { term: 2 }, [entry(1, 1)]);
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), f.facts)).toMatchObject([{ event: bad.event, evidence: { replacedBy: 0 } }]);

    const g = new FactLog();
    g.persist(1, { term: 1 }, entries(1, 2, 1));
    g.persist(2, { term: 1 }, entries(1, 2, 1));
    g.apply(2, entry(2, 1));
    g.crash(2);
    const lost = g.restart(2, entries(1, 1, 1), { term: 1 });
    expect(runChecker(createCommitQuorumChecker([1, 2, 3]), g.facts)).toMatchObject([{ event: lost.event, nodes: [2] }]);
  });

  it('counts majorities of even clusters (2 of 2, 3 of 4)', () => {
    const f = new FactLog();
    for (const n of [1, 2]) f.persist(n, { term: 1 }, entries(1, 1, 1));
    f.apply(1, entry(1, 1));
    expect(runChecker(createCommitQuorumChecker([1, 2]), f.facts)).toEqual([]);
    expect(runChecker(createCommitQuorumChecker([1, 2, 3, 4]), f.facts)).toHaveLength(1);
  });
});
