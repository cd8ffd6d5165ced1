import { describe, expect, it } from 'vitest';
import { describeReady } from './describe.js';
import { RaftLog } from './log.js';
import { SNAPSHOT_CHUNK_CHARS } from './messages.js';
import type { AppendResponseMessage, SnapshotMessage } from './messages.js';
import { RaftNode } from './raft-node.js';
import { SnapshotReceiver, snapshotChunk } from './snapshot.js';
import { Cluster } from './test-harness.js';
import type { Entry, NodeId, Snapshot } from './types.js';

const SNAP: Snapshot = { index: 7, term: 2, peers: [1, 2, 3], data: 'x'.repeat(SNAPSHOT_CHUNK_CHARS * 2 + 5) };

function chunks(s: Snapshot): SnapshotMessage[] {
  const out: SnapshotMessage[] = [];
  for (let offset = 0; ; ) {
    const m = snapshotChunk(s, offset, 1, 2, 3);
    out.push(m);
    if (m.done) return out;
    offset += m.chunk.length;
  }
}

describe('snapshot chunks', () => {
  it('cuts the data into chunks that reassemble in order', () => {
    const ms = chunks(SNAP);
    expect(ms.map((m) => m.offset)).toEqual([0, SNAPSHOT_CHUNK_CHARS, 2 * SNAPSHOT_CHUNK_CHARS]);
    const r = new SnapshotReceiver();
    expect(r.accept(ms[0]!)).toBeNull();
    expect(r.accept(ms[1]!)).toBeNull();
    expect(r.accept(ms[2]!)).toEqual(SNAP);
  });

  it('drops a chunk out of order and says how far it got', () => {
    const ms = chunks(SNAP);
    const r = new SnapshotReceiver();
    r.accept(ms[0]!);
    expect(r.accept(ms[2]!)).toBeNull();
    expect(r.receivedOf(SNAP.index)).toBe(SNAPSHOT_CHUNK_CHARS);
    expect(r.receivedOf(SNAP.index + 1)).toBe(0);
    // A chunk of another snapshot at a non-zero offset is no continuation either.
    expect(r.accept({ ...ms[1]!, snapshotTerm: 1 })).toBeNull();
    expect(r.accept(ms[1]!)).toBeNull();
    expect(r.accept(ms[2]!)).toEqual(SNAP);
  });

  it('carries the configuration\'s learners and outgoing voters only when there are some', () => {
    const joint: Snapshot = { ...SNAP, peers: [2, 3, 4], learners: [5], outgoing: [1, 2, 3] };
    const r = new SnapshotReceiver();
    let got: Snapshot | null = null;
    for (const m of chunks(joint)) got = r.accept(m);
    expect(got).toEqual(joint);
    expect(Object.keys(JSON.parse(JSON.stringify(chunks(SNAP)[0])) as object)).not.toContain('learners');
    const plain = new SnapshotReceiver();
    for (const m of chunks(SNAP)) got = plain.accept(m);
    expect(Object.keys(got ?? {})).toEqual(['index', 'term', 'peers', 'data']);
  });

  it('an empty snapshot is one final chunk', () => {
    const ms = chunks({ ...SNAP, data: '' });
    expect(ms).toHaveLength(1);
    expect(new SnapshotReceiver().accept(ms[0]!)).toEqual({ ...SNAP, data: '' });
  });
});

const ents = (from: number, to: number, term: number): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => ({ index: from + i, term, data: `e${from + i}` }));

describe('RaftLog with a snapshot', () => {
  it('compacts a stable prefix and keeps answering for the snapshot index', () => {
    const log = new RaftLog(ents(1, 10, 1));
    log.compact(6, 1);
    expect(log.snapshotIndex()).toBe(6);
    expect(log.termAt(6)).toBe(1);
    expect(log.lastIndex()).toBe(10);
    expect(log.slice(7, 10, 100).map((e) => e.index)).toEqual([7, 8, 9, 10]);
    expect(() => log.termAt(5)).toThrow(/outside log/);
    expect(log.matchTerm(5, 1)).toBe(false);
    expect(log.findConflictByTerm(4, 1)).toBe(4);
    expect(() => log.compact(6, 1)).toThrow(/outside stable log/);
    expect(() => log.compact(8, 2)).toThrow(/term/);
  });

  it('restores from a stored snapshot and the entries after it', () => {
    const log = new RaftLog(ents(5, 8, 2), { index: 4, term: 1 });
    expect(log.lastIndex()).toBe(8);
    expect(log.stableIndex()).toBe(8);
    expect(log.lastTerm()).toBe(2);
    expect(() => new RaftLog(ents(6, 8, 2), { index: 4, term: 1 })).toThrow(/append of index 6/);
  });

  it('installs a snapshot keeping a matching suffix, unstable again (Raft §7)', () => {
    const log = new RaftLog(ents(1, 10, 1));
    expect(log.restore(6, 1, true)).toBe(4);
    expect(log.stableIndex()).toBe(6);
    expect(log.unstableEntries().map((e) => e.index)).toEqual([7, 8, 9, 10]);
    const other = new RaftLog(ents(1, 10, 1));
    expect(other.restore(6, 2, true)).toBe(0); // another term at the snapshot's index: the whole log goes
    expect(other.lastIndex()).toBe(6);
    expect(other.lastTerm()).toBe(2);
  });
});

function leaderOf(c: Cluster): NodeId {
  c.runUntil(() => c.leader() !== 0);
  return c.leader() as NodeId;
}

/** Isolates one follower, commits `count` entries without it (the leader snapshots and compacts), heals. */
function lagBehindCompaction(c: Cluster, count: number): { leader: NodeId; lagging: NodeId } {
  const leader = leaderOf(c);
  const lagging = c.ids.find((id) => id !== leader) as NodeId;
  c.isolate(lagging);
  for (let i = 0; i < count; i++) {
    c.node(leader).propose(`x${i}`);
    c.settle();
  }
  c.heal();
  return { leader, lagging };
}

describe('InstallSnapshot', () => {
  it('brings a follower behind the compacted prefix up to date by snapshot, then by appends', () => {
    const c = new Cluster({ size: 3, seed: 4, snapshotEvery: 5 });
    const { leader, lagging } = lagBehindCompaction(c, 30);
    expect(c.disks.get(leader)?.snapshot?.index).toBeGreaterThan(20);
    c.run(30);
    expect(c.violations).toEqual([]);
    const installs = (c.readys.get(lagging) ?? []).filter((r) => r.snapshot !== undefined);
    expect(installs.length).toBeGreaterThanOrEqual(1);
    expect(describeReady(installs[0]!)).toMatch(/snapshot=\d+\/\d+/);
    expect(c.applied.get(lagging)).toEqual(c.applied.get(leader));
    expect(c.applied.get(lagging)).toHaveLength(31);
  });

  it('a follower answers a snapshot not newer than its commit with its commit, and does not install it', () => {
    const c = new Cluster({ size: 3, seed: 4, snapshotEvery: 5 });
    const leader = leaderOf(c);
    for (let i = 0; i < 12; i++) c.node(leader).propose(`x${i}`);
    c.run(5);
    const follower = c.ids.find((id) => id !== leader) as NodeId;
    const node = c.node(follower);
    const commit = node.status().commit;
    const old: Snapshot = { index: 3, term: node.status().term, peers: c.ids, data: '[]' };
    const readysBefore = c.readys.get(follower)?.length ?? 0;
    c.queue = [];
    for (const m of chunks(old)) c.deliver({ ...m, from: leader, to: follower, term: node.status().term });
    expect(c.readys.get(follower)?.slice(readysBefore).some((r) => r.snapshot !== undefined)).toBe(false);
    const resp = c.queue.find((m): m is AppendResponseMessage => m.type === 'append-resp');
    expect(resp).toMatchObject({ reject: false, index: commit });
    expect(c.violations).toEqual([]);
  });

  it('under stale-snapshot the same follower installs it and its applied state regresses', () => {
    const c = new Cluster({ size: 3, seed: 4, snapshotEvery: 5, bug: 'stale-snapshot' });
    const leader = leaderOf(c);
    for (let i = 0; i < 12; i++) c.node(leader).propose(`x${i}`);
    c.run(5);
    const follower = c.ids.find((id) => id !== leader) as NodeId;
    const term = c.node(follower).status().term;
    const data = JSON.stringify(c.applied.get(follower)?.slice(0, 3));
    c.filter = (m) => m.to === follower;
    for (const m of chunks({ index: 3, term: 1, peers: c.ids, data })) c.deliver({ ...m, from: leader, to: follower, term });
    expect(c.violations.some((v) => v.includes('below applied'))).toBe(true);
  });

  it('under no-snapshot-fallback the lagging follower never catches up', () => {
    const c = new Cluster({ size: 3, seed: 4, snapshotEvery: 5, bug: 'no-snapshot-fallback' });
    const { leader, lagging } = lagBehindCompaction(c, 30);
    c.run(50);
    expect(c.applied.get(lagging)?.length ?? 0).toBeLessThan(c.applied.get(leader)?.length ?? 0);
  });

  it('under snapshot-drops-suffix an install acknowledges entries the follower no longer stores', () => {
    const c = new Cluster({ size: 3, seed: 4, snapshotEvery: 5, bug: 'snapshot-drops-suffix' });
    const leader = leaderOf(c);
    for (let i = 0; i < 12; i++) c.node(leader).propose(`x${i}`);
    c.run(5);
    const follower = c.ids.find((id) => id !== leader) as NodeId;
    const term = c.node(follower).status().term;
    const applied = c.applied.get(follower) ?? [];
    // A snapshot newer than the follower's commit, whose last entry it holds: the suffix after it matches.
    const last = applied[applied.length - 1]!;
    (c.nodes.get(follower) as RaftNode).step({ type: 'append', from: leader, to: follower, term, prevLogIndex: last.index, prevLogTerm: last.term, entries: [{ index: last.index + 1, term, data: 'a' }, { index: last.index + 2, term, data: 'b' }], commit: last.index });
    c.processAll();
    const snap: Snapshot = { index: last.index + 1, term, peers: c.ids, data: JSON.stringify([...applied, { index: last.index + 1, term, data: 'a' }]) };
    for (const m of chunks(snap)) c.deliver({ ...m, from: leader, to: follower, term });
    expect(c.violations.some((v) => v.includes('acked'))).toBe(true);
  });
});

describe('restart from snapshot + log', () => {
  it('a node restarts from its snapshot and the log after it, re-applying only what follows', () => {
    const c = new Cluster({ size: 3, seed: 8, snapshotEvery: 4 });
    const leader = leaderOf(c);
    for (let i = 0; i < 10; i++) c.node(leader).propose(`y${i}`);
    c.run(5);
    const follower = c.ids.find((id) => id !== leader) as NodeId;
    const disk = c.disks.get(follower)!;
    expect(disk.snapshot?.index).toBeGreaterThanOrEqual(8);
    expect(disk.entries[0]?.index).toBe((disk.snapshot?.index ?? 0) + 1);
    c.crash(follower);
    c.restart(follower);
    c.processAll();
    const first = c.readys.get(follower)?.at(-1)?.committedEntries[0];
    if (first !== undefined) expect(first.index).toBe((disk.snapshot?.index ?? 0) + 1);
    c.node(leader).propose('after');
    c.run(10);
    expect(c.violations).toEqual([]);
    expect(c.applied.get(follower)).toEqual(c.applied.get(leader));
  });

  it('holds under loss, duplication, reordering, crashes and isolation with frequent snapshots', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const c = new Cluster({ size: 3, seed, snapshotEvery: 3, preVote: true, checkQuorum: true });
      let proposals = 0;
      for (let t = 0; t < 400; t++) {
        c.tick();
        for (let r = 0; r < 3; r++) c.chaosRound(0.1, 0.15);
        const x = c.random();
        const victim = 1 + Math.floor(c.random() * 3);
        if (x < 0.01) c.crash(victim);
        else if (x < 0.04 && !c.nodes.has(victim)) c.restart(victim);
        else if (x < 0.06) c.isolate(victim);
        else if (x < 0.08) c.heal();
        const leader = c.leader();
        if (leader !== 0 && c.random() < 0.4) c.node(leader).propose(`s${seed}-${proposals++}`);
      }
      for (const id of c.ids) if (!c.nodes.has(id)) c.restart(id);
      c.heal();
      c.run(100);
      const leader = leaderOf(c);
      c.node(leader).propose('final');
      c.run(30);
      expect(c.violations).toEqual([]);
      const want = c.applied.get(leader) ?? [];
      for (const id of c.ids) expect(c.applied.get(id)).toEqual(want);
      expect([...c.snapshots.values()].flat().length).toBeGreaterThan(0);
    }
  });
});
