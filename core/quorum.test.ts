import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';
import { committedIndex, quorumSize, voteResult } from './quorum.js';

describe('quorum', () => {
  it('sizes majorities', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect(() => quorumSize(0)).toThrow(/0 voters/);
  });

  it('computes the index stored on a majority', () => {
    expect(committedIndex([5])).toBe(5);
    expect(committedIndex([5, 3])).toBe(3);
    expect(committedIndex([1, 5, 3])).toBe(3);
    expect(committedIndex([9, 0, 0, 7, 7])).toBe(7);
    expect(committedIndex([4, 4, 2, 1, 9, 9])).toBe(4);
  });

  it('tallies votes', () => {
    expect(voteResult(2, 0, 3)).toBe('won');
    expect(voteResult(1, 2, 3)).toBe('lost');
    expect(voteResult(2, 2, 5)).toBe('pending');
    expect(voteResult(1, 0, 1)).toBe('won');
  });
});

describe('Progress', () => {
  it('updates match and next on success, ignoring stale acks', () => {
    const pr = new Progress();
    pr.reset(10);
    expect(pr.maybeUpdate(5)).toBe(true);
    expect([pr.match, pr.next]).toEqual([5, 11]);
    expect(pr.maybeUpdate(3)).toBe(false);
    pr.becomeReplicate();
    expect(pr.next).toBe(6);
  });

  it('backs off in probe only for the outstanding append', () => {
    const pr = new Progress();
    pr.reset(10); // next 11, probing prev 10
    expect(pr.maybeDecrTo(7, 3)).toBe(false); // stale: not about prev 10
    expect(pr.maybeDecrTo(10, 3)).toBe(true);
    expect(pr.next).toBe(4);
    expect(pr.maybeDecrTo(3, 0)).toBe(true);
    expect(pr.next).toBe(1);
  });

  it('drops from replicate to probe on a fresh rejection only', () => {
    const pr = new Progress();
    pr.reset(0);
    pr.maybeUpdate(8);
    pr.becomeReplicate();
    pr.next = 20;
    expect(pr.maybeDecrTo(8, 0)).toBe(false);
    expect(pr.maybeDecrTo(12, 0)).toBe(true);
    expect([pr.state, pr.next]).toEqual(['probe', 9]);
  });
});
