import { describe, expect, it } from 'vitest';
import { CORE_BUGS, isCoreBug } from './bugs.js';
import { describeEntry, describeMessage, describeReady } from './describe.js';

// Golden strings: traces and reports depend on this format; change only deliberately.
describe('describe', () => {
  it('describes entries', () => {
    expect(describeEntry({ term: 2, index: 3, data: 'set x "1"' })).toBe('3/2 "set x \\"1\\""');
    expect(describeEntry({ term: 3, index: 4, data: '' })).toBe('4/3 noop');
  });

  it('describes the core messages', () => {
    expect(
      describeMessage({ type: 'append', from: 1, to: 2, term: 3, prevLogIndex: 4, prevLogTerm: 2, commit: 4, entries: [{ term: 3, index: 5, data: 'x' }] }),
    ).toBe('1->2 append t3 prev=4/2 commit=4 [5/3 "x"]');
    expect(describeMessage({ type: 'append-resp', from: 2, to: 1, term: 3, reject: false, index: 5, hintIndex: 0, hintTerm: 0 })).toBe(
      '2->1 append-resp t3 ok index=5',
    );
    expect(describeMessage({ type: 'append-resp', from: 2, to: 1, term: 3, reject: true, index: 4, hintIndex: 3, hintTerm: 2 })).toBe(
      '2->1 append-resp t3 reject index=4 hint=3/2',
    );
    expect(
      describeMessage({ type: 'append', from: 1, to: 2, term: 3, prevLogIndex: 5, prevLogTerm: 3, commit: 5, entries: [], ctx: 2 }),
    ).toBe('1->2 append t3 prev=5/3 commit=5 ctx=2 []');
    expect(describeMessage({ type: 'append-resp', from: 2, to: 1, term: 3, reject: false, index: 5, hintIndex: 0, hintTerm: 0, ctx: 2 })).toBe(
      '2->1 append-resp t3 ok index=5 ctx=2',
    );
    expect(describeMessage({ type: 'pre-vote', from: 1, to: 2, term: 3, lastLogIndex: 5, lastLogTerm: 2 })).toBe('1->2 pre-vote t3 last=5/2');
    expect(describeMessage({ type: 'vote-resp', from: 2, to: 1, term: 3, reject: false })).toBe('2->1 vote-resp t3 granted');
  });

  it('describes the membership and transfer additions, leaving the usual messages as they were', () => {
    expect(describeMessage({ type: 'timeout-now', from: 1, to: 2, term: 3 })).toBe('1->2 timeout-now t3');
    expect(describeMessage({ type: 'vote', from: 2, to: 3, term: 4, lastLogIndex: 5, lastLogTerm: 3, transfer: true })).toBe('2->3 vote t4 last=5/3 transfer');
    const chunk = { type: 'snapshot', from: 1, to: 4, term: 3, snapshotIndex: 7, snapshotTerm: 2, peers: [1, 2, 4], offset: 0, chunk: 'x', done: true };
    expect(describeMessage(chunk)).toBe('1->4 snapshot t3 snap=7/2 peers=1,2,4 offset=0 chunk="x" done');
    expect(describeMessage({ ...chunk, learners: [5], outgoing: [1, 2, 3] })).toBe('1->4 snapshot t3 snap=7/2 peers=1,2,4 learners=5 outgoing=1,2,3 offset=0 chunk="x" done');
  });

  it('describes foreign messages with sorted fields', () => {
    expect(describeMessage({ type: 'ping', from: 1, to: 2, term: 1, zeta: [1], alpha: 'a' })).toBe('1->2 ping t1 alpha="a" zeta=[1]');
  });

  it('describes a Ready, omitting absent parts', () => {
    expect(describeReady({ entries: [], messages: [], committedEntries: [] })).toBe('empty');
    expect(
      describeReady({
        softState: { role: 'leader', leader: 1 },
        hardState: { term: 2, vote: 1, commit: 0 },
        entries: [{ term: 2, index: 1, data: '' }],
        messages: [{ type: 'vote-resp', from: 1, to: 2, term: 2, reject: true }],
        committedEntries: [],
      }),
    ).toBe('soft=leader/1 hard=t2/v1/c0 entries=[1/2 noop] msgs=[1->2 vote-resp t2 rejected]');
    const reads = [
      { requestId: 7, index: 5 },
      { requestId: 8, index: 5 },
    ];
    expect(describeReady({ entries: [], messages: [], committedEntries: [], readStates: reads })).toBe('reads=[7@5, 8@5]');
  });
});

describe('bugs', () => {
  it('lists every planted bug once with a description', () => {
    const names = CORE_BUGS.map((b) => b.name);
    expect(new Set(names).size).toBe(10);
    for (const b of CORE_BUGS) expect(b.description.length).toBeGreaterThan(10);
    expect(isCoreBug('double-vote')).toBe(true);
    expect(isCoreBug('nope')).toBe(false);
  });
});
