import { describe, expect, it } from 'vitest';
import { ackFact, applyFact, confProposalFact, crashFact, joinFact, persistFact, restartFact, restoreFact, retireFact, roleFact, snapshotFact, transferFact } from './facts.js';
import type { Fact } from './facts.js';

const entry = { term: 2, index: 3, data: 'x' };
const stored = { hardState: { term: 2, vote: 1, commit: 3 }, entries: [entry] };

/** Each constructor beside the literal the host built before (the wire form checkers, traces and reports see). */
const pairs: [Fact, object][] = [
  [persistFact(5, 9, 1, stored.hardState, [entry]), { kind: 'persist', atMs: 5, event: 9, node: 1, hardState: stored.hardState, entries: [entry] }],
  [roleFact(5, 9, 1, 'leader', 1, 2), { kind: 'role', atMs: 5, event: 9, node: 1, role: 'leader', leader: 1, term: 2 }],
  [applyFact(5, 9, 1, entry), { kind: 'apply', atMs: 5, event: 9, node: 1, entry }],
  [ackFact(5, 9, 1, 7, 4, 3, 2), { kind: 'ack', atMs: 5, event: 9, node: 1, clientId: 7, seq: 4, index: 3, term: 2 }],
  [crashFact(5, 9, 1), { kind: 'crash', atMs: 5, event: 9, node: 1 }],
  [restartFact(5, 9, 1, stored, undefined), { kind: 'restart', atMs: 5, event: 9, node: 1, stored }],
  [restartFact(5, 9, 1, stored, 3), { kind: 'restart', atMs: 5, event: 9, node: 1, stored, applied: 3 }],
  [snapshotFact(5, 9, 1, 3, 2, 77, 'taken'), { kind: 'snapshot', atMs: 5, event: 9, node: 1, index: 3, term: 2, digest: 77, origin: 'taken' }],
  [restoreFact(5, 9, 1, 3, 2, 77, 'install'), { kind: 'restore', atMs: 5, event: 9, node: 1, index: 3, term: 2, digest: 77, origin: 'install' }],
  [joinFact(5, 9, 4), { kind: 'join', atMs: 5, event: 9, node: 4 }],
  [retireFact(5, 9, 4), { kind: 'retire', atMs: 5, event: 9, node: 4 }],
  [confProposalFact(5, 9, 1, { kind: 'add', node: 4 } as never, true), { kind: 'conf-proposal', atMs: 5, event: 9, node: 1, request: { kind: 'add', node: 4 }, accepted: true }],
  [transferFact(5, 9, 1, 2, false), { kind: 'transfer', atMs: 5, event: 9, node: 1, target: 2, accepted: false }],
];

describe('fact constructors', () => {
  it('build each kind with exactly its fields on the wire, in its order', () => {
    for (const [built, literal] of pairs) expect(JSON.stringify(built)).toBe(JSON.stringify(literal));
  });

  it('give every kind one in-memory shape (the same keys in the same order)', () => {
    const keys = Object.keys(pairs[0]![0]);
    for (const [built] of pairs) expect(Object.keys(built)).toEqual(keys);
  });
});
