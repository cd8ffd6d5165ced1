import { describe, expect, it } from 'vitest';
import {
  allMembers,
  allVoters,
  decodeConfEntry,
  encodeConfEntry,
  isConfEntryData,
  jointCommittedIndex,
  jointVoteResult,
  leaveJoint,
  nextConfiguration,
  simpleConfiguration,
  type Configuration,
} from './configuration.js';

const c123 = simpleConfiguration([1, 2, 3]);

describe('configuration entries', () => {
  it('round-trip through entry data', () => {
    const joint: Configuration = { voters: [2, 3, 4], learners: [5], outgoing: [1, 2, 3] };
    expect(decodeConfEntry(encodeConfEntry(joint))).toEqual(joint);
    expect(encodeConfEntry(c123)).toBe('conf:{"voters":[1,2,3],"learners":[],"outgoing":[]}');
  });
  it('leave client commands and no-ops alone, and name what is wrong with a malformed one', () => {
    expect(decodeConfEntry('{"client":1}')).toBeUndefined();
    expect(decodeConfEntry('')).toBeUndefined();
    expect(decodeConfEntry('conf:{')).toMatch(/not JSON/);
    expect(decodeConfEntry('conf:{"voters":[2,1]}')).toMatch(/ascending/);
    expect(decodeConfEntry('conf:{"voters":[1,2],"learners":[2]}')).toMatch(/both a learner and a voter/);
    expect(decodeConfEntry('conf:{"voters":[]}')).toMatch(/at least one voter/);
    // What counts as a configuration entry at all: the prefix, whatever follows (a no-op's '' is none).
    expect(['', 'c', 'conf', '{"client":1}', 'conf:', 'conf:{'].map(isConfEntryData)).toEqual([false, false, false, false, true, true]);
  });
});

describe('nextConfiguration', () => {
  it('enters a single-server change directly', () => {
    expect(nextConfiguration(c123, { changes: [{ type: 'add-voter', node: 4 }] })).toEqual({ voters: [1, 2, 3, 4], learners: [], outgoing: [] });
    expect(nextConfiguration(c123, { changes: [{ type: 'add-learner', node: 4 }] })).toEqual({ voters: [1, 2, 3], learners: [4], outgoing: [] });
    expect(nextConfiguration({ voters: [1, 2, 3], learners: [4], outgoing: [] }, { changes: [{ type: 'promote', node: 4 }] })).toEqual({ voters: [1, 2, 3, 4], learners: [], outgoing: [] });
  });
  it('goes through joint consensus for several changes', () => {
    const joint = nextConfiguration(c123, { changes: [{ type: 'add-voter', node: 4 }, { type: 'remove', node: 1 }] });
    expect(joint).toEqual({ voters: [2, 3, 4], learners: [], outgoing: [1, 2, 3] });
    expect(leaveJoint(joint as Configuration)).toEqual({ voters: [2, 3, 4], learners: [], outgoing: [] });
    expect(allMembers(joint as Configuration)).toEqual([1, 2, 3, 4]);
    expect(nextConfiguration(joint as Configuration, { changes: [{ type: 'remove', node: 2 }] })).toMatch(/joint/);
  });
  it('refuses changes that make no sense', () => {
    expect(nextConfiguration(c123, { changes: [{ type: 'add-voter', node: 2 }] })).toMatch(/already a member/);
    expect(nextConfiguration(c123, { changes: [{ type: 'promote', node: 2 }] })).toMatch(/not a learner/);
    expect(nextConfiguration(c123, { changes: [{ type: 'remove', node: 9 }] })).toMatch(/not a member/);
    expect(nextConfiguration(simpleConfiguration([1]), { changes: [{ type: 'remove', node: 1 }] })).toMatch(/no voter/);
  });
});

describe('joint quorums', () => {
  const joint: Configuration = { voters: [3, 4, 5], learners: [6], outgoing: [1, 2, 3] };
  it('commit only what a majority of each half stores', () => {
    const match: Record<number, number> = { 1: 9, 2: 9, 3: 5, 4: 3, 5: 2, 6: 9 };
    expect(jointCommittedIndex(joint, (id) => match[id] ?? 0)).toBe(3);
    expect(jointCommittedIndex(c123, (id) => match[id] ?? 0)).toBe(9);
  });
  it('win only with a majority of each half, lose when either half is lost', () => {
    const votes = (granted: number[], rejected: number[] = []) => (id: number) => (granted.includes(id) ? true : rejected.includes(id) ? false : undefined);
    expect(jointVoteResult(joint, votes([1, 2, 6]))).toBe('pending');
    expect(jointVoteResult(joint, votes([1, 2, 4, 5]))).toBe('won');
    expect(jointVoteResult(joint, votes([3, 4, 5], [1, 2]))).toBe('lost');
    expect(jointVoteResult(c123, votes([1, 2]))).toBe('won');
  });
});

describe('member and voter lists', () => {
  // The one-pass merge of ascending lists must give what the general Set-and-sort path gives, for every input
  // (unsorted and duplicated lists take that path).
  const naive = (...lists: (readonly number[])[]): number[] => [...new Set(lists.flat())].sort((a, b) => a - b);
  it('are the ascending union of the halves (and learners), like the naive Set-and-sort', () => {
    let state = 7;
    const draw = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const list = (sorted: boolean): number[] => {
      const ids = Array.from({ length: draw(5) }, () => 1 + draw(7));
      return sorted ? [...new Set(ids)].sort((a, b) => a - b) : ids;
    };
    for (let i = 0; i < 500; i++) {
      const c = { voters: list(i % 3 !== 0), learners: list(i % 5 !== 0), outgoing: list(i % 7 !== 0) };
      expect(allVoters(c)).toEqual(naive(c.voters, c.outgoing));
      expect(allMembers(c)).toEqual(naive(c.voters, c.outgoing, c.learners));
    }
  });
  it('are fresh arrays the caller may change', () => {
    const c: Configuration = { voters: [1, 2, 3], learners: [], outgoing: [] };
    const voters = allVoters(c);
    voters.push(9);
    expect(c.voters).toEqual([1, 2, 3]);
    expect(simpleConfiguration(c.voters).voters).not.toBe(c.voters);
    expect(simpleConfiguration([3, 1, 2]).voters).toEqual([1, 2, 3]);
  });
});
