import { describe, expect, it } from 'vitest';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';
import { createLeaderCompletenessChecker } from './leader-completeness.js';

/** Node 1 leads term 1, replicates 1..3 to node 2, node 3 got only 1..2; entries 1..3 get applied. */
function committedInTerm1(): FactLog {
  const f = new FactLog();
  f.lead(1, 1);
  f.persist(1, { term: 1, vote: 1 }, entries(1, 3, 1));
  f.persist(2, { term: 1, vote: 1 }, entries(1, 3, 1));
  f.persist(3, { term: 1, vote: 1 }, entries(1, 2, 1));
  for (let i = 1; i <= 3; i++) f.apply(1, entry(i, 1));
  return f;
}

describe('leader completeness', () => {
  it('passes later leaders that hold every committed entry', () => {
    const f = committedInTerm1();
    f.lead(2, 2);
    f.persist(2, { term: 2, vote: 2 }, [entry(4, 2, '')]);
    f.persist(3, { term: 2, vote: 2, commit: 3 }, [entry(3, 1), entry(4, 2, '')]);
    for (let i = 1; i <= 3; i++) f.apply(3, entry(i, 1));
    f.lead(3, 3);
    expect(runChecker(createLeaderCompletenessChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports a leader of a later term missing a committed entry', () => {
    const f = committedInTerm1();
    f.persist(3, { term: 2, vote: 3 });
    const bad = f.role(3, 'leader', 2);
    const v = runChecker(createLeaderCompletenessChecker([1, 2, 3]), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'leader-completeness', nodes: [1, 3], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe(
      `Node 3 became leader of term 2 without committed entry (index 3, term 1), first applied by node 1 at ${f.facts[7]!.atMs} ms ` +
        'when no node had stored a term above 1; its persisted log ends at index 2.',
    );
  });

  it('reports a later leader holding another term or other data at a committed index', () => {
    const f = committedInTerm1();
    f.persist(3, { term: 2, vote: 3 }, [entry(2, 1, 'forged')]);
    const bad = f.role(3, 'leader', 2);
    f.persist(2, { term: 3, vote: 2 }, [entry(3, 2)]);
    const bad2 = f.role(2, 'leader', 3);
    const v = runChecker(createLeaderCompletenessChecker(), f.facts);
    expect(v.map((x) => x.event)).toEqual([bad.event, bad2.event]);
    expect(v[0]!.message).toContain('without committed entry (index 2, term 1)');
    expect(v[0]!.message).toContain('its persisted log has data "forged" there instead of "x2.1"');
    expect(v[1]!.nodes).toEqual([1, 2]);
    expect(v[1]!.message).toContain('without committed entry (index 3, term 1)');
    expect(v[1]!.message).toContain('its persisted log has term 2 there');
  });

  it('does not flag a stale leader whose term is not above every term stored at commit time', () => {
    const f = new FactLog();
    // Node 2 campaigns in term 2 and collects votes slowly; meanwhile node 1 wins term 3 and commits.
    f.persist(2, { term: 2, vote: 2 });
    f.persist(3, { term: 2, vote: 2 });
    f.lead(1, 3);
    f.persist(1, { term: 3, vote: 1 }, [entry(1, 3, '')]);
    f.persist(3, { term: 3, vote: 1 }, [entry(1, 3, '')]);
    f.apply(1, entry(1, 3, '')); // committed; uMax = 3
    // The delayed vote from node 3 arrives: node 2 announces leadership of term 2 without entry 1.
    f.role(2, 'leader', 2);
    // A leader of term 3 (the bound itself) is not judged either; one of term 4 is.
    const bad = f.lead(2, 4);
    const v = runChecker(createLeaderCompletenessChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1, 2], event: bad.event });
  });

  it('judges against the committed prefix even when an apply arrived out of order', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.persist(1, { term: 1, vote: 1 }, entries(1, 2, 1));
    f.persist(2, { term: 1, vote: 1 }, entries(1, 1, 1));
    f.apply(1, entry(2, 1));
    f.apply(1, entry(1, 1));
    const bad = f.lead(2, 2);
    const v = runChecker(createLeaderCompletenessChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ event: bad.event });
    expect(v[0]!.message).toContain('(index 2, term 1)');
  });

  it('uses the restarted log of a node that then leads', () => {
    const f = committedInTerm1();
    f.crash(2);
    f.restart(2, entries(1, 2, 1), { term: 1, vote: 1 });
    const bad = f.lead(2, 2);
    const v = runChecker(createLeaderCompletenessChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1, 2], event: bad.event });
  });
});
