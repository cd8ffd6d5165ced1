import { describe, expect, it } from 'vitest';
import { FactLog, confEntry, runChecker } from './fact-builders.js';
import { createLeaderVotesChecker } from './leader-votes.js';

describe('leader-votes across configurations', () => {
  it('passes a leader elected by a majority of the configuration in its log, a joined voter among them', () => {
    const f = new FactLog();
    const add = confEntry(1, 1, [1, 2, 3, 4]);
    f.join(4);
    for (const n of [1, 2, 4]) f.persist(n, { term: 1 }, [add]);
    for (const n of [1, 2, 4]) f.persist(n, { term: 2, vote: 1 });
    f.role(1, 'leader', 2); // 3 of [1, 2, 3, 4]
    expect(runChecker(createLeaderVotesChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('passes a joint configuration won in both halves', () => {
    const f = new FactLog();
    const joint = confEntry(1, 1, [3, 4, 5], { outgoing: [1, 2, 3] });
    for (const n of [4, 5]) f.join(n);
    for (const n of [1, 2, 3, 4, 5]) f.persist(n, { term: 1 }, [joint]);
    for (const n of [2, 3, 4]) f.persist(n, { term: 2, vote: 3 });
    f.role(3, 'leader', 2); // C_new: 3, 4; C_old: 2, 3
    expect(runChecker(createLeaderVotesChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports a learner\'s vote counted', () => {
    const f = new FactLog();
    const learner = confEntry(1, 1, [1, 2, 3], { learners: [4] });
    f.join(4);
    for (const n of [1, 2, 3, 4]) f.persist(n, { term: 1 }, [learner]);
    f.persist(1, { term: 2, vote: 1 });
    f.persist(4, { term: 2, vote: 1 });
    const bad = f.role(1, 'leader', 2);
    const v = runChecker(createLeaderVotesChecker([1, 2, 3]), f.facts);
    expect(v).toMatchObject([{ property: 'leader-votes', event: bad.event, nodes: [1], evidence: { term: 2, voters: [1, 4] } }]);
    expect(v[0]!.message).toContain('1 of [1, 2, 3]');
  });

  it('reports a joint-configuration leader elected by C_new alone', () => {
    const f = new FactLog();
    const joint = confEntry(1, 1, [3, 4, 5], { outgoing: [1, 2, 3] });
    for (const n of [4, 5]) f.join(n);
    for (const n of [1, 2, 3, 4, 5]) f.persist(n, { term: 1 }, [joint]);
    for (const n of [3, 4, 5]) f.persist(n, { term: 2, vote: 3 });
    const bad = f.role(3, 'leader', 2);
    const v = runChecker(createLeaderVotesChecker([1, 2, 3]), f.facts);
    expect(v).toMatchObject([{ property: 'leader-votes', event: bad.event, evidence: { voters: [3, 4, 5] } }]);
    expect(v[0]!.message).toContain('3 of [3, 4, 5] (C_new) and 1 of [1, 2, 3] (C_old)');
  });

  it('reports a removed node\'s vote counted, and a joined node leading with no configuration', () => {
    const f = new FactLog();
    const remove = confEntry(1, 1, [1, 2, 3]);
    for (const n of [1, 2, 3]) f.persist(n, { term: 1 }, [remove]);
    f.persist(1, { term: 2, vote: 1 });
    f.persist(4, { term: 2, vote: 1 }); // removed: its vote is no vote
    const bad = f.role(1, 'leader', 2);
    f.join(6);
    f.persist(6, { term: 3, vote: 6 });
    for (const n of [1, 2, 3]) f.persist(n, { term: 3, vote: 6 });
    const stranger = f.role(6, 'leader', 3);
    const v = runChecker(createLeaderVotesChecker([1, 2, 3, 4]), f.facts);
    expect(v.map((x) => x.event)).toEqual([bad.event, stranger.event]);
    expect(v[1]!.message).toContain('carries no configuration');
  });
});
