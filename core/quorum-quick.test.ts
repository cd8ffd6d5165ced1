/**
 * Quorum arithmetic checked against a second, naive implementation over random inputs (etcd-raft's
 * quorum/quick_test.go), on every cluster size Seaworthy runs (1..7), even sizes included: the fast versions
 * sort in place and use shortcuts; the naive ones count, straight from the definition of a majority.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { committedIndex, quorumSize, voteResult } from './quorum.js';
import type { VoteResult } from './quorum.js';

/** The smallest number of voters that is more than half of `n`. */
function naiveQuorum(n: number): number {
  let k = 0;
  while (2 * k <= n) k++;
  return k;
}

/** The highest index that a majority of voters have stored: try every index, count who has it. */
function naiveCommitted(matchIndexes: readonly number[]): number {
  let best = 0;
  for (const candidate of matchIndexes) {
    const holders = matchIndexes.filter((m) => m >= candidate).length;
    if (2 * holders > matchIndexes.length && candidate > best) best = candidate;
  }
  return best;
}

/** Won if the grants are a majority; lost if even granting every missing vote would not make one. */
function naiveVote(granted: number, rejected: number, n: number): VoteResult {
  if (2 * granted > n) return 'won';
  if (2 * (n - rejected) <= n) return 'lost';
  return 'pending';
}

const sizeArb = fc.integer({ min: 1, max: 7 });

describe('quorum against a naive implementation', () => {
  it('sizes majorities like counting does', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), (n) => quorumSize(n) === naiveQuorum(n)));
  });

  it('finds the index stored on a majority like counting does', () => {
    const matchesArb = sizeArb.chain((n) => fc.array(fc.nat({ max: 20 }), { minLength: n, maxLength: n }));
    fc.assert(
      fc.property(matchesArb, (matches) => {
        const expected = naiveCommitted(matches);
        // committedIndex sorts its argument: give it a copy and check the copy is a permutation afterwards.
        const scratch = [...matches];
        expect(committedIndex(scratch)).toBe(expected);
        expect([...scratch].sort((a, b) => a - b)).toEqual([...matches].sort((a, b) => a - b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('tallies votes like counting does', () => {
    const votesArb = sizeArb.chain((n) => fc.tuple(fc.constant(n), fc.nat({ max: n })).chain(([size, granted]) => fc.tuple(fc.constant(size), fc.constant(granted), fc.nat({ max: size - granted }))));
    fc.assert(fc.property(votesArb, ([n, granted, rejected]) => voteResult(granted, rejected, n) === naiveVote(granted, rejected, n)), { numRuns: 2_000 });
  });

  it('declares an even-size election lost as soon as half the voters reject', () => {
    // 2 of 4 rejecting leaves at most 2 grants, short of 3: waiting for a majority of rejections would keep
    // the candidate campaigning for an election it can no longer win.
    expect(voteResult(1, 2, 4)).toBe('lost');
    expect(voteResult(2, 2, 4)).toBe('lost');
    expect(voteResult(2, 1, 4)).toBe('pending');
    expect(voteResult(1, 3, 6)).toBe('lost');
    expect(voteResult(1, 1, 2)).toBe('lost');
  });

  it('refuses more votes than voters', () => {
    expect(() => voteResult(3, 2, 4)).toThrow(/invariant/);
  });
});
