import { describe, expect, it } from 'vitest';
import { appendMessage, appendResponseMessage, isCoreMessage, snapshotMessage, snapshotResponseMessage, timeoutNowMessage, voteMessage, voteResponseMessage } from './messages.js';
import type { Message } from './types.js';

const ok: Message[] = [
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 2, index: 2, data: 'x' }], commit: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0 },
  { type: 'append-resp', from: 2, to: 1, term: 2, reject: true, index: 5, hintIndex: 3, hintTerm: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0, ctx: 3 },
  { type: 'append-resp', from: 2, to: 1, term: 2, reject: false, index: 0, hintIndex: 0, hintTerm: 0, ctx: 0 },
  { type: 'vote', from: 1, to: 2, term: 2, lastLogIndex: 0, lastLogTerm: 0 },
  { type: 'pre-vote', from: 1, to: 2, term: 3, lastLogIndex: 4, lastLogTerm: 2 },
  { type: 'vote-resp', from: 2, to: 1, term: 2, reject: false },
  { type: 'pre-vote-resp', from: 2, to: 1, term: 3, reject: true },
  { type: 'vote', from: 1, to: 2, term: 2, lastLogIndex: 0, lastLogTerm: 0, transfer: true },
  { type: 'timeout-now', from: 1, to: 2, term: 2 },
  { type: 'snapshot', from: 1, to: 2, term: 2, snapshotIndex: 3, snapshotTerm: 1, peers: [1, 2], learners: [3], outgoing: [1, 2, 4], offset: 0, chunk: 'x', done: true },
  { type: 'snapshot', from: 1, to: 2, term: 2, snapshotIndex: 3, snapshotTerm: 1, peers: [1, 2], learners: [], outgoing: [], offset: 0, chunk: 'x', done: true },
];

const bad: Message[] = [
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 2, index: 3, data: 'x' }], commit: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 3, index: 2, data: 'x' }], commit: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 2, index: 2, data: 7 }], commit: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 1, prevLogTerm: 3, entries: [], commit: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 1, prevLogTerm: 0, entries: [], commit: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: 'none', commit: 0 },
  { type: 'append', from: 1, to: 2, term: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0 },
  { type: 'append-resp', from: 2, to: 1, term: 2, reject: true, index: 5, hintIndex: 6, hintTerm: 1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0, ctx: -1 },
  { type: 'append', from: 1, to: 2, term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0, ctx: '3' },
  { type: 'append-resp', from: 2, to: 1, term: 2, reject: false, index: 0, hintIndex: 0, hintTerm: 0, ctx: 1.5 },
  { type: 'append-resp', from: 2, to: 1, term: 2, reject: false, index: 0, hintIndex: 0, hintTerm: 0, ctx: null },
  { type: 'vote', from: 1, to: 2, term: 2, lastLogIndex: 1, lastLogTerm: 3 },
  { type: 'vote', from: 0, to: 2, term: 2, lastLogIndex: 0, lastLogTerm: 0 },
  { type: 'vote', from: 1, to: 2, term: -1, lastLogIndex: 0, lastLogTerm: 0 },
  { type: 'vote-resp', from: 2, to: 1, term: 2 },
  { type: 'heartbeat', from: 2, to: 1, term: 2 },
  { type: 'pre-vote', from: 1, to: 2, term: 3, lastLogIndex: 0, lastLogTerm: 0, transfer: true },
  { type: 'vote', from: 1, to: 2, term: 2, lastLogIndex: 0, lastLogTerm: 0, transfer: 1 },
  { type: 'timeout-now', from: 1, to: 2, term: 0 },
  { type: 'snapshot', from: 1, to: 2, term: 2, snapshotIndex: 3, snapshotTerm: 1, peers: [1, 2], learners: [3, 3], offset: 0, chunk: 'x', done: true },
  { type: 'snapshot', from: 1, to: 2, term: 2, snapshotIndex: 3, snapshotTerm: 1, peers: [1, 2], outgoing: 'x', offset: 0, chunk: 'x', done: true },
];

describe('isCoreMessage', () => {
  it('accepts well-formed messages', () => {
    for (const m of ok) expect(isCoreMessage(m), JSON.stringify(m)).toBe(true);
  });

  it('rejects malformed ones', () => {
    for (const m of bad) expect(isCoreMessage(m), JSON.stringify(m)).toBe(false);
  });

  it('survives a JSON round trip', () => {
    for (const m of ok) expect(isCoreMessage(JSON.parse(JSON.stringify(m)) as Message)).toBe(true);
  });
});

describe('the message constructors', () => {
  const built: Message[] = [
    appendMessage(1, 2, 2, 1, 1, [{ term: 2, index: 2, data: 'x' }], 1, undefined),
    appendMessage(1, 2, 2, 0, 0, [], 0, undefined),
    appendResponseMessage(2, 1, 2, true, 5, 3, 1, undefined),
    appendMessage(1, 2, 2, 0, 0, [], 0, 3),
    appendResponseMessage(2, 1, 2, false, 0, 0, 0, 0),
    voteMessage('vote', 1, 2, 2, 0, 0, undefined),
    voteMessage('pre-vote', 1, 2, 3, 4, 2, undefined),
    voteResponseMessage('vote-resp', 2, 1, 2, false),
    voteResponseMessage('pre-vote-resp', 2, 1, 3, true),
    voteMessage('vote', 1, 2, 2, 0, 0, true),
    timeoutNowMessage(1, 2, 2),
    snapshotMessage(1, 2, 2, { index: 3, term: 1, peers: [1, 2], learners: [3], outgoing: [1, 2, 4] }, 0, 'x', true),
    snapshotMessage(1, 2, 2, { index: 3, term: 1, peers: [1, 2], learners: [], outgoing: [] }, 0, 'x', true),
  ];

  it('build exactly the wire form of each type (JSON as the literals above)', () => {
    expect(built.map((m) => JSON.stringify(m))).toEqual(ok.map((m) => JSON.stringify(m)));
    const chunk = snapshotMessage(1, 2, 3, { index: 7, term: 2, peers: [1, 2, 3], learners: undefined, outgoing: undefined }, 0, 'abc', true);
    expect(JSON.stringify(chunk)).toBe('{"type":"snapshot","from":1,"to":2,"term":3,"snapshotIndex":7,"snapshotTerm":2,"peers":[1,2,3],"offset":0,"chunk":"abc","done":true}');
    expect(JSON.stringify(snapshotResponseMessage(2, 1, 3, 7, 64))).toBe('{"type":"snapshot-resp","from":2,"to":1,"term":3,"snapshotIndex":7,"received":64}');
    expect(isCoreMessage(chunk)).toBe(true);
    const joint = snapshotMessage(1, 2, 3, { index: 7, term: 2, peers: [1, 2, 3], learners: [4], outgoing: [] }, 0, 'abc', false);
    expect(JSON.stringify(joint)).toBe('{"type":"snapshot","from":1,"to":2,"term":3,"snapshotIndex":7,"snapshotTerm":2,"peers":[1,2,3],"learners":[4],"outgoing":[],"offset":0,"chunk":"abc","done":false}');
    expect(JSON.stringify(voteMessage('vote', 1, 2, 4, 3, 2, true))).toBe('{"type":"vote","from":1,"to":2,"term":4,"lastLogIndex":3,"lastLogTerm":2,"transfer":true}');
    expect(JSON.stringify(timeoutNowMessage(1, 2, 4))).toBe('{"type":"timeout-now","from":1,"to":2,"term":4}');
  });

  it('give each family one in-memory shape, four in all (appends, answers to appends, elections, snapshots)', () => {
    const family = (m: Message): string => (m.type === 'append' || m.type === 'append-resp' ? m.type : m.type.startsWith('snapshot') ? 'snapshot' : 'election');
    const shapes = new Map<string, string>();
    for (const m of [...built, snapshotMessage(1, 2, 3, { index: 7, term: 2, peers: [1, 2], learners: [4], outgoing: [] }, 0, 'a', true), timeoutNowMessage(1, 2, 3), snapshotResponseMessage(2, 1, 3, 7, 1)]) {
      const keys = Object.keys(m).join(',');
      expect(Object.keys(m).slice(0, 4)).toEqual(['type', 'from', 'to', 'term']);
      expect(shapes.get(family(m)) ?? keys).toBe(keys);
      shapes.set(family(m), keys);
    }
    expect(shapes.size).toBe(4);
  });
});
