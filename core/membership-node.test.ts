/**
 * Membership changes in the core (Raft thesis §4): configurations as log entries in force when appended,
 * single-server changes, learners, joint consensus with auto-leave, a removed leader stepping down, nodes joining
 * with no configuration, restarts, and the membership planted bugs.
 */
import { describe, expect, it } from 'vitest';
import type { ConfChange, Configuration } from './configuration.js';
import { encodeConfEntry, simpleConfiguration } from './configuration.js';
import { describeMessage } from './describe.js';
import type { AppendMessage } from './messages.js';
import { RaftNode } from './raft-node.js';
import type { RaftNodeOptions } from './raft-node.js';
import { Cluster, testRandom } from './test-harness.js';
import type { ClusterOptions } from './test-harness.js';
import type { Entry, Message, NodeId } from './types.js';
import { EMPTY_HARD_STATE } from './types.js';

const change = (...changes: ConfChange[]): { changes: ConfChange[] } => ({ changes });
const conf = (index: number, term: number, c: Configuration): Entry => ({ index, term, data: encodeConfEntry(c) });

/** A cluster with a leader that has committed its no-op. */
function ready(o: ClusterOptions): { c: Cluster; leader: NodeId } {
  const c = new Cluster({ electionTicks: 10, heartbeatTicks: 2, ...o });
  c.runUntil(() => c.leader() !== 0 && c.node(c.leader()).status().commit === c.node(c.leader()).status().lastIndex);
  return { c, leader: c.leader() };
}

function propose(c: Cluster, id: NodeId, ...changes: ConfChange[]): boolean {
  const r = c.node(id).proposeConfChange(change(...changes));
  c.processAll();
  c.settle();
  return r.accepted;
}

function commitOf(c: Cluster, id: NodeId): number {
  return c.node(id).status().commit;
}

function newNode(over: Partial<RaftNodeOptions> = {}): RaftNode {
  return new RaftNode({ id: 1, peers: [1, 2, 3], storage: { hardState: EMPTY_HARD_STATE, entries: [] }, random: testRandom(7), electionTicks: 10, heartbeatTicks: 2, ...over });
}

function append(from: NodeId, term: number, prev: number, prevTerm: number, entries: Entry[], commit: number): AppendMessage {
  return { type: 'append', from, to: 1, term, prevLogIndex: prev, prevLogTerm: prevTerm, entries, commit };
}

describe('single-server changes (thesis §4.1)', () => {
  it('adds a voter that joined with no configuration; it catches up and then counts in the majority', () => {
    const { c, leader } = ready({ size: 3, seed: 3 });
    c.join(4);
    expect(c.node(4).configuration()).toBeNull();
    expect(propose(c, leader, { type: 'add-voter', node: 4 })).toBe(true);
    c.run(5);
    for (const id of [1, 2, 3, 4]) expect(c.node(id).configuration()).toEqual(simpleConfiguration([1, 2, 3, 4]));
    expect(c.node(4).status().commit).toBe(commitOf(c, leader));
    // Four voters need three: the leader and one other cannot commit any more.
    const others = [1, 2, 3, 4].filter((id) => id !== leader);
    c.crash(others[0] as NodeId);
    c.crash(others[1] as NodeId);
    const before = commitOf(c, leader);
    expect(c.node(leader).propose('{"x":1}').accepted).toBe(true);
    c.run(3);
    expect(commitOf(c, leader)).toBe(before);
    expect(c.violations).toEqual([]);
  });

  it('removes a follower: the leader stops replicating to it and commits without it', () => {
    const { c, leader } = ready({ size: 3, seed: 4 });
    const gone = [1, 2, 3].find((id) => id !== leader) as NodeId;
    expect(propose(c, leader, { type: 'remove', node: gone })).toBe(true);
    c.run(2);
    const kept = [1, 2, 3].filter((id) => id !== gone);
    expect(c.node(leader).configuration()).toEqual(simpleConfiguration(kept));
    const sent: Message[] = [];
    c.filter = (m) => {
      sent.push(m);
      return true;
    };
    c.node(leader).propose('{"x":1}');
    c.processAll();
    c.settle();
    c.run(3);
    expect(sent.filter((m) => m.from === leader && m.to === gone)).toEqual([]);
    expect(commitOf(c, leader)).toBe(c.node(leader).status().lastIndex);
    expect(c.violations).toEqual([]);
  });

  it('refuses a change while one is pending, on a follower, and when nextConfiguration refuses', () => {
    const { c, leader } = ready({ size: 3, seed: 5 });
    const follower = [1, 2, 3].find((id) => id !== leader) as NodeId;
    expect(c.node(follower).proposeConfChange(change({ type: 'add-learner', node: 4 }))).toEqual({ accepted: false, reason: 'not-leader', leaderHint: leader });
    expect(c.node(leader).proposeConfChange(change({ type: 'remove', node: 9 }))).toEqual({ accepted: false, reason: 'not-leader', leaderHint: leader });
    c.filter = () => false; // nothing commits: the first change stays pending
    expect(c.node(leader).proposeConfChange(change({ type: 'add-learner', node: 4 })).accepted).toBe(true);
    expect(c.node(leader).proposeConfChange(change({ type: 'add-learner', node: 5 })).accepted).toBe(false);
  });

  it('refuses a change until the new leader has committed an entry of its own term (the 2015 bug)', () => {
    const c = new Cluster({ size: 3, seed: 6, electionTicks: 10, heartbeatTicks: 2 });
    // Drop every append answer: a leader is elected but never commits its no-op.
    c.filter = (m) => m.type !== 'append-resp';
    c.runUntil(() => c.leader() !== 0);
    const leader = c.leader();
    expect(commitOf(c, leader)).toBeLessThan(c.node(leader).status().lastIndex);
    expect(c.node(leader).proposeConfChange(change({ type: 'add-learner', node: 4 })).accepted).toBe(false);
  });
});

describe('learners', () => {
  it('receive the log, never count toward commitment, never campaign, and vote once promoted', () => {
    const { c, leader } = ready({ size: 2, seed: 7 });
    c.join(3);
    expect(propose(c, leader, { type: 'add-learner', node: 3 })).toBe(true);
    c.run(3);
    expect(c.node(3).configuration()).toEqual({ voters: [1, 2], learners: [3], outgoing: [] });
    expect(c.node(3).status().commit).toBe(commitOf(c, leader));
    // With the other voter down, leader + learner are not a majority of the two voters.
    const voter = leader === 1 ? 2 : 1;
    c.crash(voter);
    const before = commitOf(c, leader);
    c.node(leader).propose('{"x":1}');
    c.processAll();
    c.settle();
    c.run(3);
    expect(commitOf(c, leader)).toBe(before);
    // The learner, cut off from everyone, never campaigns.
    c.isolate(3);
    const term = c.node(3).status().term;
    for (let i = 0; i < 100; i++) c.tick([3]);
    expect(c.node(3).status()).toMatchObject({ role: 'follower', term });
    c.heal();
    c.restart(voter);
    c.run(20);
    const l = c.leader();
    expect(propose(c, l, { type: 'promote', node: 3 })).toBe(true);
    c.run(3);
    expect(c.node(3).configuration()).toEqual(simpleConfiguration([1, 2, 3]));
    expect(c.violations).toEqual([]);
  });
});

describe('joint consensus (thesis §4.3)', () => {
  it('enters C_old,new for a multi-node change and leaves it by itself once committed', () => {
    const { c, leader } = ready({ size: 3, seed: 8 });
    c.join(4);
    c.join(5);
    expect(propose(c, leader, { type: 'add-voter', node: 4 }, { type: 'add-voter', node: 5 })).toBe(true);
    c.run(5);
    const l = c.node(leader);
    const confEntries = c.applied.get(leader)?.filter((e) => e.data.startsWith('conf:')).map((e) => e.data) ?? [];
    expect(confEntries).toEqual([
      encodeConfEntry({ voters: [1, 2, 3, 4, 5], learners: [], outgoing: [1, 2, 3] }),
      encodeConfEntry(simpleConfiguration([1, 2, 3, 4, 5])),
    ]);
    for (const id of [1, 2, 3, 4, 5]) expect(c.node(id).configuration()).toEqual(simpleConfiguration([1, 2, 3, 4, 5]));
    expect(l.status().role).toBe('leader');
    expect(c.violations).toEqual([]);
  });

  it('commits C_old,new only with a majority of C_old as well as of C_new', () => {
    const { c, leader } = ready({ size: 3, seed: 9 });
    const others = [1, 2, 3].filter((id) => id !== leader);
    c.join(4);
    c.join(5);
    // Cut C_old's other members off: C_new = {leader, 4, 5} has its majority, C_old = {1, 2, 3} does not.
    c.filter = (m) => !others.includes(m.to) && !others.includes(m.from);
    const before = commitOf(c, leader);
    expect(propose(c, leader, { type: 'add-voter', node: 4 }, { type: 'add-voter', node: 5 }, ...others.map((id) => ({ type: 'remove' as const, node: id })))).toBe(true);
    c.run(5);
    expect(c.node(leader).configuration()).toEqual({ voters: [leader, 4, 5].sort(), learners: [], outgoing: [1, 2, 3] });
    expect(commitOf(c, leader)).toBe(before);
    expect(c.node(4).status().lastIndex).toBe(c.node(leader).status().lastIndex);
    c.filter = () => true;
    c.run(5);
    expect(c.node(leader).configuration()).toEqual(simpleConfiguration([leader, 4, 5].sort()));
    expect(commitOf(c, leader)).toBe(c.node(leader).status().lastIndex);
    expect(c.violations).toEqual([]);
  });
});

describe('a removed leader (thesis §4.2.2)', () => {
  it('manages the cluster until C_new is committed, then steps down and never campaigns', () => {
    const { c, leader } = ready({ size: 3, seed: 10 });
    expect(propose(c, leader, { type: 'remove', node: leader })).toBe(true);
    c.run(2);
    expect(c.node(leader).status().role).toBe('follower');
    const rest = [1, 2, 3].filter((id) => id !== leader);
    c.runUntil(() => rest.includes(c.leader()));
    const term = c.node(c.leader()).status().term;
    // Cut off from everyone, the removed node never campaigns: it is no voter of its own configuration.
    c.isolate(leader);
    for (let i = 0; i < 100; i++) c.tick([leader]);
    expect(c.node(leader).status().role).toBe('follower');
    expect(c.node(leader).status().term).toBeLessThanOrEqual(term);
    expect(c.violations).toEqual([]);
  });
});

describe('configuration in the log (thesis §4.1)', () => {
  it('is in force when appended and falls back when a conflicting suffix is truncated', () => {
    const n = newNode();
    const c1234 = simpleConfiguration([1, 2, 3, 4]);
    n.step(append(2, 1, 0, 0, [{ index: 1, term: 1, data: '' }, conf(2, 1, c1234)], 0));
    expect(n.configuration()).toEqual(c1234);
    n.ready();
    n.advance();
    // A leader of term 2 never had entry 2: its entry there replaces ours, and the bootstrap configuration is back.
    n.step(append(3, 2, 1, 1, [{ index: 2, term: 2, data: '' }], 1));
    expect(n.configuration()).toEqual(simpleConfiguration([1, 2, 3]));
  });

  it('is restored on restart from the stored log, and from a snapshot once the entry is compacted', () => {
    const { c, leader } = ready({ size: 3, seed: 11, snapshotEvery: 4 });
    c.join(4);
    expect(propose(c, leader, { type: 'add-learner', node: 4 })).toBe(true);
    c.run(3);
    const expected: Configuration = { voters: [1, 2, 3], learners: [4], outgoing: [] };
    const follower = [1, 2, 3].find((id) => id !== leader) as NodeId;
    c.crash(follower);
    c.restart(follower);
    expect(c.node(follower).configuration()).toEqual(expected);
    // Enough entries to compact the configuration entry away everywhere.
    for (let i = 0; i < 10; i++) {
      c.node(c.leader()).propose(`{"x":${i}}`);
      c.processAll();
      c.settle();
    }
    c.run(3);
    const disk = c.disks.get(follower);
    expect(disk?.snapshot?.learners).toEqual([4]);
    expect(disk?.entries.some((e) => e.data.startsWith('conf:'))).toBe(false);
    c.crash(follower);
    c.restart(follower);
    expect(c.node(follower).configuration()).toEqual(expected);
    c.crash(4);
    c.restart(4);
    expect(c.node(4).configuration()).toEqual(expected);
    expect(c.violations).toEqual([]);
  });

  it('reaches a joining node through a snapshot when the leader compacted the entry', () => {
    const { c, leader } = ready({ size: 3, seed: 12, snapshotEvery: 3 });
    for (let i = 0; i < 8; i++) {
      c.node(leader).propose(`{"x":${i}}`);
      c.processAll();
      c.settle();
    }
    c.join(4);
    expect(propose(c, leader, { type: 'add-voter', node: 4 })).toBe(true);
    for (let i = 0; i < 8; i++) {
      c.node(leader).propose(`{"y":${i}}`);
      c.processAll();
      c.settle();
    }
    c.run(10);
    expect(c.node(4).configuration()).toEqual(simpleConfiguration([1, 2, 3, 4]));
    expect(c.node(4).status().commit).toBe(commitOf(c, leader));
    expect(c.violations).toEqual([]);
  });
});

describe('a node joining with peers []', () => {
  it('never campaigns without a configuration, yet accepts the leader\'s appends', () => {
    const n = newNode({ id: 4, peers: [] });
    for (let i = 0; i < 100; i++) n.tick();
    expect(n.ready()).toBeNull();
    const c1234 = simpleConfiguration([1, 2, 3, 4]);
    n.step({ type: 'append', from: 1, to: 4, term: 3, prevLogIndex: 0, prevLogTerm: 0, entries: [conf(1, 3, c1234)], commit: 1 });
    const rd = n.ready();
    expect(rd?.messages.map(describeMessage)).toEqual(['4->1 append-resp t3 ok index=1']);
    n.advance();
    expect(n.configuration()).toEqual(c1234);
    expect(n.status()).toMatchObject({ leader: 1, commit: 1 });
  });
});

describe('CheckQuorum right after adding a voter', () => {
  it('counts a voter added while leading as active until the next round, so a leader that adds one does not step down before it could answer', () => {
    const { c, leader } = ready({ size: 3, seed: 5, preVote: true, checkQuorum: true });
    const [follower, down] = [1, 2, 3].filter((id) => id !== leader) as [NodeId, NodeId];
    c.crash(down);
    // One CheckQuorum round, so the crashed node's last answer no longer counts.
    c.run(10);
    expect(c.leader()).toBe(leader);
    c.join(4);
    // Node 4 is unreachable for one election timeout (a slow link, a node still starting).
    c.filter = (m) => m.to !== 4 && m.from !== 4;
    expect(propose(c, leader, { type: 'add-voter', node: 4 })).toBe(true);
    // Four voters need three: the leader, its follower and node 4, which has had no chance to answer yet.
    c.run(10);
    expect(c.leader()).toBe(leader);
    c.filter = () => true;
    c.run(10);
    expect(c.leader()).toBe(leader);
    expect(c.node(leader).configuration()).toEqual(simpleConfiguration([1, 2, 3, 4]));
    expect(commitOf(c, 4)).toBe(commitOf(c, leader));
    expect(c.node(follower).status().commit).toBe(commitOf(c, leader));
    expect(c.violations).toEqual([]);
  });
});
