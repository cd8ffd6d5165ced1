import { describe, expect, it } from 'vitest';
import { FactLog, runChecker } from './fact-builders.js';
import { createLeaderVotesChecker } from './leader-votes.js';

const NODES = [1, 2, 3, 4, 5];

describe('leader-votes', () => {
  it('passes leaders elected by a majority of durable votes, in every term', () => {
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 1 });
    f.persist(2, { term: 2 }); // a term learned before the vote
    f.persist(2, { term: 2, vote: 1 });
    f.persist(3, { term: 2, vote: 1 });
    f.role(1, 'leader', 2);
    // Term 3: node 4's vote survives its restart and still counts; node 5 votes for someone else.
    f.persist(4, { term: 3, vote: 4 });
    f.crash(4);
    f.restart(4, [], { term: 3, vote: 4 });
    f.persist(2, { term: 3, vote: 4 });
    f.persist(5, { term: 3, vote: 5 });
    f.persist(3, { term: 3, vote: 4 });
    f.role(4, 'leader', 3);
    // A node re-announcing other roles is not judged.
    f.role(1, 'follower', 3, 4);
    expect(runChecker(createLeaderVotesChecker(NODES), f.facts)).toEqual([]);
  });

  it('passes a one-node cluster: its own durable vote is a majority', () => {
    const f = new FactLog();
    f.lead(1, 1);
    expect(runChecker(createLeaderVotesChecker([1]), f.facts)).toEqual([]);
  });

  it('reports a leader whose votes are not a majority in its term (a grant of an earlier term counted)', () => {
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 1 });
    f.persist(2, { term: 2, vote: 1 });
    f.persist(3, { term: 2, vote: 1 });
    // Term 3: node 1 campaigns again; only node 2 votes for it, node 3 votes for node 4.
    f.persist(1, { term: 3, vote: 1 });
    f.persist(2, { term: 3, vote: 1 });
    f.persist(3, { term: 3, vote: 4 });
    const bad = f.role(1, 'leader', 3);
    const v = runChecker(createLeaderVotesChecker(NODES), f.facts);
    expect(v).toMatchObject([{ property: 'leader-votes', nodes: [1], event: bad.event, evidence: { node: 1, term: 3, durableVotes: 2, majority: 3 } }]);
    expect(v[0]!.message).toBe(
      'Node 1 became leader of term 3 with durable votes from only 2 of 5 nodes (a majority is 3): a leader needs votes from a majority in its own term, each persisted before it is granted.',
    );
  });

  it('counts a node once per term, however often it persists the same vote', () => {
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 1 });
    f.persist(1, { term: 2, vote: 1, commit: 1 });
    f.persist(1, { term: 2, vote: 1, commit: 2 });
    f.crash(1);
    f.restart(1, [], { term: 2, vote: 1, commit: 2 });
    f.persist(2, { term: 2, vote: 1 });
    f.role(1, 'leader', 2);
    expect(runChecker(createLeaderVotesChecker(NODES), f.facts)).toMatchObject([{ property: 'leader-votes', evidence: { durableVotes: 2 } }]);
  });

  it('reports a leader announced before its voters persisted their votes (a vote granted from memory)', () => {
    const f = new FactLog();
    f.persist(1, { term: 5, vote: 1 });
    f.role(1, 'leader', 5);
    f.persist(2, { term: 5, vote: 1 });
    f.persist(3, { term: 5, vote: 1 });
    expect(runChecker(createLeaderVotesChecker([1, 2, 3]), f.facts)).toMatchObject([{ property: 'leader-votes', evidence: { term: 5, durableVotes: 1, majority: 2 } }]);
  });
});
