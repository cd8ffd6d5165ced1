/**
 * Joint-consensus quorum arithmetic (thesis §4.3) checked against a naive implementation over random joint
 * configurations (etcd-raft's quorum/quick_test.go habit): the core's allocation-free `jointCommitted`, and
 * configuration.ts's `jointCommittedIndex` and `jointVoteResult` that the checkers share, against counting straight
 * from the definition — "a majority of C_old and a majority of C_new".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Configuration } from './configuration.js';
import { jointCommittedIndex, jointVoteResult } from './configuration.js';
import { jointCommitted } from './quorum.js';

/** Every index some voter holds, tried one by one: the highest held by more than half of each half. */
function naiveJointCommitted(c: Configuration, match: ReadonlyMap<number, number>): number {
  const halves = c.outgoing.length === 0 ? [c.voters] : [c.voters, c.outgoing];
  let best = 0;
  for (const candidate of match.values()) {
    const ok = halves.every((half) => 2 * half.filter((id) => (match.get(id) ?? 0) >= candidate).length > half.length);
    if (ok && candidate > best) best = candidate;
  }
  return best;
}

/** Won when every half has a majority of grants; lost when some half cannot get one even if all pending grant. */
function naiveJointVote(c: Configuration, votes: ReadonlyMap<number, boolean>): 'won' | 'lost' | 'pending' {
  const halves = c.outgoing.length === 0 ? [c.voters] : [c.voters, c.outgoing];
  const grants = (half: readonly number[]): number => half.filter((id) => votes.get(id) === true).length;
  const possible = (half: readonly number[]): number => half.filter((id) => votes.get(id) !== false).length;
  if (halves.some((h) => 2 * possible(h) <= h.length)) return 'lost';
  return halves.every((h) => 2 * grants(h) > h.length) ? 'won' : 'pending';
}

/** A joint (or simple, half the time) configuration over nodes 1..9, with each node's match index and vote. */
const caseArb = fc
  .tuple(
    fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9], { minLength: 1, maxLength: 7 }),
    fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9], { minLength: 0, maxLength: 7 }),
    fc.array(fc.nat({ max: 12 }), { minLength: 9, maxLength: 9 }),
    fc.array(fc.constantFrom(true, false, undefined), { minLength: 9, maxLength: 9 }),
  )
  .map(([voters, outgoing, matches, answers]) => ({
    configuration: { voters, learners: [], outgoing } as Configuration,
    match: new Map(matches.map((m, i) => [i + 1, m] as const)),
    votes: new Map(answers.flatMap((a, i) => (a === undefined ? [] : [[i + 1, a] as const]))),
  }));

describe('joint quorum against a naive implementation', () => {
  it('jointCommitted and jointCommittedIndex find what counting finds', () => {
    fc.assert(
      fc.property(caseArb, ({ configuration: c, match }) => {
        const expected = naiveJointCommitted(c, match);
        const at = (id: number): number => match.get(id) ?? 0;
        expect(jointCommittedIndex(c, at)).toBe(expected);
        expect(jointCommitted(c.voters.map(at), c.outgoing.map(at))).toBe(expected);
      }),
      { numRuns: 3_000 },
    );
  });

  it('jointVoteResult decides elections as counting does', () => {
    fc.assert(
      fc.property(caseArb, ({ configuration: c, votes }) => {
        expect(jointVoteResult(c, (id) => votes.get(id))).toBe(naiveJointVote(c, votes));
      }),
      { numRuns: 3_000 },
    );
  });

  it('needs both majorities: C_new alone or C_old alone is not enough', () => {
    const c: Configuration = { voters: [1, 4, 5], learners: [], outgoing: [1, 2, 3] };
    const match = new Map([[1, 9], [2, 0], [3, 0], [4, 9], [5, 9]]);
    expect(jointCommitted([9, 9, 9], [9, 0, 0])).toBe(0);
    expect(naiveJointCommitted(c, match)).toBe(0);
    expect(jointVoteResult(c, (id) => (id === 2 || id === 3 ? false : true))).toBe('lost');
  });
});
