/**
 * Each membership planted bug changes observable behaviour, and the same test without the bug shows the correct
 * behaviour (a bug that changes nothing could never be caught). What a checker can observe is said per bug.
 */
import { describe, expect, it } from 'vitest';
import type { CoreBug } from './bugs.js';
import { MEMBERSHIP_BUGS, isCoreBug } from './bugs.js';
import type { ConfChange } from './configuration.js';
import { encodeConfEntry, simpleConfiguration } from './configuration.js';
import { RaftNode } from './raft-node.js';
import { Cluster, testRandom } from './test-harness.js';
import type { NodeId } from './types.js';
import { EMPTY_HARD_STATE } from './types.js';

function cluster(size: number, seed: number, bug: CoreBug | undefined): Cluster {
  return new Cluster({ size, seed, electionTicks: 10, heartbeatTicks: 2, ...(bug === undefined ? {} : { bug }) });
}

function settledLeader(c: Cluster): NodeId {
  c.runUntil(() => c.leader() !== 0 && c.node(c.leader()).status().commit === c.node(c.leader()).status().lastIndex);
  return c.leader();
}

function propose(c: Cluster, id: NodeId, ...changes: ConfChange[]): boolean {
  const r = c.node(id).proposeConfChange({ changes });
  c.processAll();
  c.settle();
  return r.accepted;
}

describe('membership planted bugs', () => {
  it('are all known to isCoreBug', () => {
    for (const b of MEMBERSHIP_BUGS) expect(isCoreBug(b.name)).toBe(true);
  });

  // Observable as a conf-proposal fact accepted by a leader whose own-term entry is not yet committed; its harm, two
  // leaders in one term, needs an earlier leader's uncommitted change to race it (the 2015 schedule).
  for (const bug of [undefined, 'conf-change-before-own-term-commit'] as const) {
    it(`${bug ?? 'correct'}: a leader that has not committed in its term ${bug === undefined ? 'refuses' : 'accepts'} a change`, () => {
      const c = cluster(3, 6, bug);
      c.filter = (m) => m.type !== 'append-resp';
      c.runUntil(() => c.leader() !== 0);
      const leader = c.leader();
      expect(c.node(leader).status().commit).toBeLessThan(c.node(leader).status().lastIndex);
      expect(c.node(leader).proposeConfChange({ changes: [{ type: 'add-learner', node: 4 }] }).accepted).toBe(bug !== undefined);
    });
  }

  // Observable as a commit (apply facts) of C_old,new and the entries after it while C_old's majority never stored them.
  for (const bug of [undefined, 'joint-new-majority-only'] as const) {
    it(`${bug ?? 'correct'}: C_old,new ${bug === undefined ? 'waits for' : 'commits without'} a majority of C_old`, () => {
      const c = cluster(3, 9, bug);
      const leader = settledLeader(c);
      const others = [1, 2, 3].filter((id) => id !== leader);
      c.join(4);
      c.join(5);
      c.filter = (m) => !others.includes(m.to) && !others.includes(m.from);
      const before = c.node(leader).status().commit;
      expect(propose(c, leader, { type: 'add-voter', node: 4 }, { type: 'add-voter', node: 5 }, ...others.map((node) => ({ type: 'remove' as const, node })))).toBe(true);
      c.run(5);
      if (bug === undefined) expect(c.node(leader).status().commit).toBe(before);
      else expect(c.node(leader).status().commit).toBeGreaterThan(before);
    });
  }

  // Observable as a commit acknowledged by a learner standing in for a missing voter (commit-quorum per configuration).
  for (const bug of [undefined, 'learner-vote-counted'] as const) {
    it(`${bug ?? 'correct'}: the leader ${bug === undefined ? 'does not count' : 'counts'} a learner toward commitment`, () => {
      const c = cluster(2, 7, bug);
      const leader = settledLeader(c);
      c.join(3);
      expect(propose(c, leader, { type: 'add-learner', node: 3 })).toBe(true);
      c.run(3);
      c.crash(leader === 1 ? 2 : 1);
      const before = c.node(leader).status().commit;
      c.node(leader).propose('{"x":1}');
      c.processAll();
      c.settle();
      c.run(3);
      if (bug === undefined) expect(c.node(leader).status().commit).toBe(before);
      else expect(c.node(leader).status().commit).toBeGreaterThan(before);
    });
  }

  // Observable when a leader elected by the old configuration's majority (not the one it appended) commits, or
  // when a node appends a change that removes it and keeps campaigning / replicating by the old one.
  for (const bug of [undefined, 'conf-from-committed'] as const) {
    it(`${bug ?? 'correct'}: an appended, uncommitted configuration entry is ${bug === undefined ? 'in force' : 'ignored'}`, () => {
      const n = new RaftNode({ id: 1, peers: [1, 2, 3], storage: { hardState: EMPTY_HARD_STATE, entries: [] }, random: testRandom(7), electionTicks: 10, heartbeatTicks: 2, ...(bug === undefined ? {} : { bug }) });
      const c1234 = simpleConfiguration([1, 2, 3, 4]);
      n.step({ type: 'append', from: 2, to: 1, term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [{ index: 1, term: 1, data: encodeConfEntry(c1234) }], commit: 0 });
      expect(n.configuration()).toEqual(bug === undefined ? c1234 : simpleConfiguration([1, 2, 3]));
      n.ready();
      n.advance();
      n.step({ type: 'append', from: 2, to: 1, term: 1, prevLogIndex: 1, prevLogTerm: 1, entries: [], commit: 1 });
      expect(n.configuration()).toEqual(c1234);
    });
  }
});
