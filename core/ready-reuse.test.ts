/**
 * RaftNodeOptions.reuseReady: off by default (every Ready and messages array fresh, as any caller may keep them);
 * on, the same Ready object and message arrays come back refilled, with exactly the contents a node without reuse
 * reports at the same point.
 */
import { describe, expect, it } from 'vitest';
import { RaftNode } from './raft-node.js';
import { testRandom } from './test-harness.js';
import type { Message, NodeId, Ready } from './types.js';
import { EMPTY_HARD_STATE } from './types.js';

interface Drive {
  /** Every Ready in the order handed out, serialised before its advance(). */
  readonly texts: string[];
  /** The Ready objects, by node. */
  readonly readys: Map<NodeId, Ready[]>;
  /** The messages arrays of one, two and four messages, by node. */
  readonly messageArrays: Map<NodeId, (readonly Message[])[]>;
}

/**
 * A 5-node cluster (PreVote, CheckQuorum) driven the same way whatever `reuseReady`: ticks, a proposal on each
 * leader every few rounds, every message delivered the round after it was sent except each `dropEvery`-th, and a
 * crash and restart of node 1 halfway (its disk is what it persisted).
 */
function drive(reuseReady: boolean, rounds: number, dropEvery: number): Drive {
  const ids: NodeId[] = [1, 2, 3, 4, 5];
  const nodes = new Map<NodeId, RaftNode>();
  const start = (id: NodeId, storage: ConstructorParameters<typeof RaftNode>[0]['storage']): void => {
    nodes.set(id, new RaftNode({ id, peers: ids, storage, random: testRandom(id * 7 + storage.entries.length), electionTicks: 10, heartbeatTicks: 2, preVote: true, checkQuorum: true, reuseReady }));
  };
  const disks = new Map(ids.map((id) => [id, { hardState: EMPTY_HARD_STATE, entries: [] as import('./types.js').Entry[] }]));
  for (const id of ids) start(id, { hardState: EMPTY_HARD_STATE, entries: [] });
  const out: Drive = { texts: [], readys: new Map(ids.map((id) => [id, []])), messageArrays: new Map(ids.map((id) => [id, []])) };
  let inFlight: Message[] = [];
  let sent = 0;
  for (let round = 0; round < rounds; round++) {
    if (round === Math.floor(rounds / 2)) {
      const disk = disks.get(1)!;
      start(1, { hardState: disk.hardState, entries: disk.entries.slice() });
    }
    const delivering = inFlight;
    inFlight = [];
    for (const m of delivering) nodes.get(m.to)!.step(m);
    for (const id of ids) {
      const node = nodes.get(id)!;
      node.tick();
      if (round % 5 === 0 && node.status().role === 'leader') node.propose(`v${round}`);
      for (let r = node.ready(); r !== null; r = node.ready()) {
        out.texts.push(`${id} ${JSON.stringify(r)}`);
        out.readys.get(id)!.push(r);
        if (r.messages.length === 1 || r.messages.length === 2 || r.messages.length === 4) out.messageArrays.get(id)!.push(r.messages);
        const disk = disks.get(id)!;
        if (r.hardState !== undefined) disk.hardState = r.hardState;
        for (const e of r.entries) disk.entries[e.index - 1] = e;
        if (r.entries.length > 0) disk.entries.length = (r.entries.at(-1) as { index: number }).index;
        for (const m of r.messages) if (++sent % dropEvery !== 0) inFlight.push(m);
        node.advance();
      }
    }
  }
  return out;
}

describe('RaftNodeOptions.reuseReady', () => {
  it('is off by default: every Ready and every messages array is a fresh object', () => {
    const { readys, messageArrays } = drive(false, 200, 7);
    const all = [...readys.values()].flat();
    expect(all.length).toBeGreaterThan(500);
    expect(new Set(all).size).toBe(all.length);
    const arrays = [...messageArrays.values()].flat();
    expect(arrays.length).toBeGreaterThan(100);
    expect(new Set(arrays).size).toBe(arrays.length);
  });

  it('hands out one Ready object per node, and one array per message count, refilled', () => {
    const { readys, messageArrays } = drive(true, 200, 7);
    // Node 1 restarted halfway: a new RaftNode, a Ready of its own.
    expect(new Set(readys.get(1)).size).toBe(2);
    for (const id of [2, 3, 4, 5] as const) {
      expect(readys.get(id)!.length).toBeGreaterThan(50);
      expect(new Set(readys.get(id)).size).toBe(1);
      const byCount = new Map<number, Set<readonly Message[]>>();
      for (const a of messageArrays.get(id)!) byCount.set(a.length, (byCount.get(a.length) ?? new Set()).add(a));
      for (const arrays of byCount.values()) expect(arrays.size).toBe(1);
    }
  });

  it('reports exactly what a node without reuse reports, Ready for Ready', () => {
    for (const dropEvery of [3, 7, 1000]) {
      const fresh = drive(false, 300, dropEvery).texts;
      const reused = drive(true, 300, dropEvery).texts;
      expect(fresh.length).toBeGreaterThan(400);
      // Elections, replication and commits all happened (not only ticks answered null).
      expect(fresh.some((t) => t.includes('"committedEntries":[{'))).toBe(true);
      expect(fresh.some((t) => t.includes('"role":"leader"'))).toBe(true);
      expect(reused).toEqual(fresh);
    }
  });
});
