import { describe, expect, it } from 'vitest';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';
import { createLeaderAppendOnlyChecker } from './leader-append-only.js';

describe('leader-append-only', () => {
  it('passes a leader appending, and a deposed leader (new term) truncating its uncommitted entries', () => {
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 1 }, entries(1, 2, 1));
    f.persist(1, { term: 2, vote: 1 }, [entry(3, 2)]); // the election no-op, before the role fact
    f.role(1, 'leader', 2);
    f.persist(1, { term: 2, vote: 1 }, entries(4, 5, 2));
    f.persist(1, { term: 2, vote: 1, commit: 3 }); // hard state only
    // Deposed by a term-3 leader whose log conflicts at 4: truncating in the new term is allowed.
    f.persist(1, { term: 3 }, [entry(4, 3)]);
    f.role(1, 'follower', 3, 2);
    // A follower of term 3 replacing its own entries of term 3 is not a leader's doing.
    f.persist(1, { term: 3 }, [entry(4, 3), entry(5, 3)]);
    expect(runChecker(createLeaderAppendOnlyChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports a leader replacing an entry of its own term', () => {
    const f = new FactLog();
    f.persist(2, { term: 5, vote: 2 }, [entry(1, 4), entry(2, 5)]);
    f.role(2, 'leader', 5);
    f.persist(2, { term: 5, vote: 2 }, [entry(3, 5)]);
    const bad = f.persist(2, { term: 5, vote: 2 }, [entry(2, 4)]);
    const v = runChecker(createLeaderAppendOnlyChecker(), f.facts);
    expect(v).toMatchObject([{ property: 'leader-append-only', nodes: [2], event: bad.event, evidence: { index: 2, replacedBy: 4, ownLastIndex: 3 } }]);
    expect(v[0]!.message).toBe(
      'Node 2, leader of term 5, replaced index 2 with an entry of term 4: a leader never overwrites or deletes entries of its own term (it stored them up to index 3).',
    );
  });

  it('reports a leader dropping entries of its own term (a truncating rewrite of the same term)', () => {
    const f = new FactLog();
    f.persist(1, { term: 3, vote: 1 }, [entry(1, 3)]);
    f.role(1, 'leader', 3);
    f.persist(1, { term: 3, vote: 1 }, entries(2, 4, 3));
    const bad = f.persist(1, { term: 3, vote: 1 }, [entry(2, 3)]);
    expect(runChecker(createLeaderAppendOnlyChecker(), f.facts)).toMatchObject([{ event: bad.event, evidence: { index: 3, replacedBy: 0 } }]);
  });

  it('does not judge a node that stepped down, crashed or restarted', () => {
    const f = new FactLog();
    f.persist(1, { term: 3, vote: 1 }, [entry(1, 3)]);
    f.role(1, 'leader', 3);
    f.crash(1);
    f.restart(1, [entry(1, 3)], { term: 3, vote: 1 });
    f.persist(1, { term: 3, vote: 1 }, [entry(1, 2)]);
    expect(runChecker(createLeaderAppendOnlyChecker(), f.facts)).toEqual([]);
  });
});
