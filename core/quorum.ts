/** Majority math (etcd's quorum/majority.go and joint.go). Pure functions; no allocation. */
import { assertFail } from './assert.js';

/** Votes needed for a majority of `voterCount` voters. */
export function quorumSize(voterCount: number): number {
  if (!(voterCount >= 1)) assertFail(`quorumSize of ${voterCount} voters`);
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The highest index stored on a majority, given every voter's match index. Sorts `matchIndexes` in place
 * (descending) so the caller can reuse one scratch array and the hot path allocates nothing.
 */
export function committedIndex(matchIndexes: number[]): number {
  const n = matchIndexes.length;
  // Insertion sort: clusters are small (3-7 voters), and Array#sort needs a comparator call per pair.
  for (let i = 1; i < n; i++) {
    const v = matchIndexes[i] as number;
    let j = i - 1;
    while (j >= 0 && (matchIndexes[j] as number) < v) {
      matchIndexes[j + 1] = matchIndexes[j] as number;
      j--;
    }
    matchIndexes[j + 1] = v;
  }
  return matchIndexes[quorumSize(n) - 1] as number;
}

/**
 * The highest index stored on a majority of each half of a joint configuration (thesis §4.3): `incoming` holds
 * C_new's voters' match indexes, `outgoing` C_old's (empty outside joint consensus, when only `incoming` counts).
 * Sorts both in place, like {@link committedIndex}.
 */
export function jointCommitted(incoming: number[], outgoing: number[]): number {
  const index = committedIndex(incoming);
  return outgoing.length === 0 ? index : Math.min(index, committedIndex(outgoing));
}

export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * Outcome of an election among `voterCount` voters once `granted` and `rejected` votes are in: `lost` as soon as
 * the votes still missing can no longer make a majority (etcd's quorum.VoteLost). On an even cluster that is
 * earlier than a majority of rejections: 2 of 4 rejecting already leaves at most 2 < 3 grants.
 */
export function voteResult(granted: number, rejected: number, voterCount: number): VoteResult {
  const q = quorumSize(voterCount);
  if (!(granted >= 0 && rejected >= 0 && granted + rejected <= voterCount)) assertFail(`${granted} granted and ${rejected} rejected votes among ${voterCount} voters`);
  if (granted >= q) return 'won';
  if (voterCount - rejected < q) return 'lost';
  return 'pending';
}
