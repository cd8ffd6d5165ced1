import { describe, expect, it } from 'vitest';
import { FactLog, entries, runChecker } from './fact-builders.js';
import { createDurableTermChecker, createDurableVoteChecker } from './hard-state.js';

describe('durable-term', () => {
  it('passes terms that grow or stay, across a crash and restart', () => {
    const f = new FactLog();
    f.persist(1, { term: 1, vote: 1 });
    f.persist(1, { term: 1, vote: 1 }, entries(1, 2, 1));
    f.persist(1, { term: 3 });
    f.crash(1);
    f.restart(1, entries(1, 2, 1), { term: 3 });
    f.persist(1, { term: 4, vote: 2 });
    expect(runChecker(createDurableTermChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports a persist whose term is below the term stored before', () => {
    const f = new FactLog();
    f.persist(2, { term: 5 });
    const bad = f.persist(2, { term: 4 });
    const v = runChecker(createDurableTermChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'durable-term', nodes: [2], event: bad.event, atMs: bad.atMs });
    expect(v[0]!.message).toBe('Node 2 persisted term 4, below the term 5 it had durably stored before: its durable term went backwards.');
  });

  it('reports the term going backwards after a restart (taken from the last entry, not the hard state)', () => {
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 1 }, entries(1, 3, 2));
    f.persist(1, { term: 6 });
    f.crash(1);
    f.restart(1, entries(1, 3, 2), { term: 6 });
    // The restarted node believes term 2 (its last entry's) and persists it with its next vote.
    const bad = f.persist(1, { term: 2, vote: 3 });
    expect(runChecker(createDurableTermChecker([1]), f.facts)).toMatchObject([{ property: 'durable-term', event: bad.event }]);
  });

  it('reports a restart from a disk holding a lower term than was persisted', () => {
    const f = new FactLog();
    f.persist(3, { term: 7 });
    f.crash(3);
    const bad = f.restart(3, [], { term: 6 });
    expect(runChecker(createDurableTermChecker([3]), f.facts)).toMatchObject([{ property: 'durable-term', event: bad.event }]);
  });
});

describe('durable-vote', () => {
  it('passes a vote set once per term, a new term freeing it, and a restart keeping it', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 });
    f.persist(1, { term: 1, vote: 2 });
    f.persist(1, { term: 1, vote: 2 }, entries(1, 1, 1));
    f.persist(1, { term: 2 });
    f.persist(1, { term: 2, vote: 3 });
    f.crash(1);
    f.restart(1, entries(1, 1, 1), { term: 2, vote: 3 });
    f.persist(1, { term: 3, vote: 1 });
    expect(runChecker(createDurableVoteChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports a vote cleared within its term (vote-cleared-same-term)', () => {
    const f = new FactLog();
    f.persist(2, { term: 4, vote: 1 });
    const bad = f.persist(2, { term: 4, vote: 0 });
    const v = runChecker(createDurableVoteChecker(), f.facts);
    expect(v).toMatchObject([{ property: 'durable-vote', nodes: [2], event: bad.event }]);
    expect(v[0]!.message).toBe('Node 2 had durably voted for node 1 in term 4, then cleared it within the same term: it can vote twice in term 4.');
  });

  it('reports a vote changed to another candidate within its term (double vote)', () => {
    const f = new FactLog();
    f.persist(2, { term: 4, vote: 1 });
    f.persist(2, { term: 4, vote: 1 }, entries(1, 2, 4));
    const bad = f.persist(2, { term: 4, vote: 3 });
    expect(runChecker(createDurableVoteChecker(), f.facts)).toMatchObject([{ property: 'durable-vote', event: bad.event, evidence: { voteBefore: 1, vote: 3 } }]);
  });

  it('reports a restart whose disk lost the vote of its term', () => {
    const f = new FactLog();
    f.persist(1, { term: 4, vote: 3 });
    f.crash(1);
    const bad = f.restart(1, [], { term: 4, vote: 0 });
    expect(runChecker(createDurableVoteChecker(), f.facts)).toMatchObject([{ property: 'durable-vote', event: bad.event }]);
  });
});
