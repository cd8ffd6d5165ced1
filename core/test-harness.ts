/**
 * Test-only: an in-memory cluster of RaftNodes for core/ unit tests. It plays the host honestly (persist, then
 * send, then apply, then advance) and checks as it goes what the host could observe: persist-before-send, one
 * leader per term, applied prefixes that agree. Not used by the simulator (sim/ has the real host).
 */
import type { CoreBug } from './bugs.js';
import { decodeConfEntry } from './configuration.js';
import { describeMessage } from './describe.js';
import { isCoreMessage } from './messages.js';
import { RaftNode } from './raft-node.js';
import type { Entry, HardState, Message, NodeId, ReadState, Ready, Snapshot } from './types.js';
import { EMPTY_HARD_STATE } from './types.js';

/** mulberry32: a tiny deterministic PRNG, uniform in [0, 1). */
export function testRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Disk {
  hardState: HardState;
  /** The stored log after `snapshot` (from index 1 without one). */
  entries: Entry[];
  snapshot?: Snapshot;
}

export interface ClusterOptions {
  readonly size: number;
  readonly seed?: number;
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly bug?: CoreBug;
  /**
   * Take a snapshot (and compact) whenever a node has applied this many entries past its last one; 0 or absent:
   * never. The harness's state machine is the applied entry list, so a snapshot's data is that list as JSON.
   */
  readonly snapshotEvery?: number;
  /** Initial disks, by node id (default: empty). */
  readonly disks?: ReadonlyMap<NodeId, Disk>;
}

export class Cluster {
  /** Every node ever started, bootstrap and joined ones, ascending by join order. */
  readonly ids: NodeId[];
  /** The bootstrap configuration: the first `size` nodes. Joined nodes start with peers [] instead. */
  readonly bootstrap: readonly NodeId[];
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly disks = new Map<NodeId, Disk>();
  /** Entries each node's state machine applied, in order (reset on restart: it re-applies). */
  readonly applied = new Map<NodeId, Entry[]>();
  /** Read states each node released, in order (kept across restarts). */
  readonly reads = new Map<NodeId, ReadState[]>();
  /** Every Ready each node produced, in order. */
  readonly readys = new Map<NodeId, Ready[]>();
  /** Host-observable protocol violations found so far (persist-before-send, election safety, apply safety). */
  readonly violations: string[] = [];
  /** The indexes of the snapshots each node took, in order. */
  readonly snapshots = new Map<NodeId, number[]>();
  /** The leader seen for each term. */
  readonly leaderOfTerm = new Map<number, NodeId>();
  queue: Message[] = [];
  /** Return false to drop a message. */
  filter: (m: Message) => boolean = () => true;
  /** Called with every Ready as it is handled, across nodes in the order handled (interaction transcripts). */
  onReady: (id: NodeId, rd: Ready) => void = () => {};
  private readonly down = new Set<NodeId>();
  private readonly isolated = new Set<NodeId>();
  private readonly rand: () => number;
  private incarnation = 0;

  constructor(readonly o: ClusterOptions) {
    this.ids = Array.from({ length: o.size }, (_, i) => i + 1);
    this.bootstrap = Object.freeze([...this.ids]);
    this.rand = testRandom((o.seed ?? 1) * 7919);
    for (const id of this.ids) {
      const d = o.disks?.get(id);
      this.disks.set(id, { hardState: d?.hardState ?? EMPTY_HARD_STATE, entries: [...(d?.entries ?? [])], ...(d?.snapshot === undefined ? {} : { snapshot: d.snapshot }) });
      this.start(id);
    }
  }

  node(id: NodeId): RaftNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`node ${id} is down`);
    return n;
  }

  private start(id: NodeId): void {
    const disk = this.disks.get(id) as Disk;
    this.incarnation++;
    const o = this.o;
    this.nodes.set(
      id,
      new RaftNode({
        id,
        peers: this.bootstrap.includes(id) ? this.bootstrap : [],
        storage: { hardState: disk.hardState, entries: [...disk.entries], ...(disk.snapshot === undefined ? {} : { snapshot: disk.snapshot }) },
        random: testRandom((o.seed ?? 1) * 1000 + id * 31 + this.incarnation),
        electionTicks: o.electionTicks ?? 10,
        heartbeatTicks: o.heartbeatTicks ?? 2,
        ...(o.preVote === undefined ? {} : { preVote: o.preVote }),
        ...(o.checkQuorum === undefined ? {} : { checkQuorum: o.checkQuorum }),
        ...(o.bug === undefined ? {} : { bug: o.bug }),
      }),
    );
    // The host restores its state machine from the stored snapshot before the node applies anything.
    this.applied.set(id, disk.snapshot === undefined ? [] : (JSON.parse(disk.snapshot.data) as Entry[]));
    this.readys.set(id, this.readys.get(id) ?? []);
    this.reads.set(id, this.reads.get(id) ?? []);
  }

  /**
   * Starts node `id` with an empty disk and no configuration (peers []), as a node joining the running cluster
   * does; it becomes a member once the leader's configuration entry naming it reaches it.
   */
  join(id: NodeId): void {
    if (this.disks.has(id)) throw new Error(`node ${id} already exists`);
    this.ids.push(id);
    this.disks.set(id, { hardState: EMPTY_HARD_STATE, entries: [] });
    this.start(id);
  }

  crash(id: NodeId): void {
    this.nodes.delete(id);
    this.down.add(id);
  }

  restart(id: NodeId): void {
    this.down.delete(id);
    this.start(id);
  }

  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  heal(): void {
    this.isolated.clear();
  }

  /** Runs every node's Ready loop until none has anything to do. */
  processAll(): void {
    for (let round = 0; round < 1000; round++) {
      let any = false;
      for (const id of this.ids) any = this.processReady(id) || any;
      if (!any) return;
    }
    throw new Error('Ready loop did not settle');
  }

  /** Handles one Ready of `id` as an honest host would; false when it had none. */
  processReady(id: NodeId): boolean {
    const n = this.nodes.get(id);
    if (n === undefined) return false;
    const rd = n.ready();
    if (rd === null) return false;
    (this.readys.get(id) as Ready[]).push(rd);
    this.onReady(id, rd);
    const disk = this.disks.get(id) as Disk;
    const applied = this.applied.get(id) as Entry[];
    if (rd.snapshot !== undefined) {
      // An installed snapshot replaces the whole stored log (the Ready's entries follow it) and the state machine.
      if (rd.snapshot.index < applied.length) this.violations.push(`${id} installed snapshot ${rd.snapshot.index} below applied ${applied.length}`);
      disk.snapshot = rd.snapshot;
      disk.entries = [];
      applied.length = 0;
      applied.push(...(JSON.parse(rd.snapshot.data) as Entry[]));
    }
    const offset = disk.snapshot?.index ?? 0;
    const first = rd.entries[0];
    if (first !== undefined) disk.entries.splice(first.index - 1 - offset, disk.entries.length, ...rd.entries);
    if (rd.hardState !== undefined) disk.hardState = rd.hardState;
    for (const m of rd.messages) this.checkPersistBeforeSend(id, disk, m);
    if (rd.softState?.role === 'leader') this.noteLeader(id, n.status().term);
    this.queue.push(...rd.messages);
    for (const e of rd.committedEntries) {
      if (e.index !== applied.length + 1) this.violations.push(`${id} applied ${e.index} after ${applied.length}`);
      applied.push(e);
    }
    this.checkAppliedAgree(id);
    // Host step 4: serve reads once applied; this host applies every committed entry at once, so none waits.
    for (const r of rd.readStates ?? []) {
      if (r.index > applied.length) this.violations.push(`${id} released read ${r.requestId} at ${r.index} beyond applied ${applied.length}`);
      (this.reads.get(id) as ReadState[]).push(r);
    }
    n.advance();
    this.maybeSnapshot(id, n, disk, applied);
    return true;
  }

  /** Every `snapshotEvery` applied entries: snapshot the state machine, store it, compact the log (disk and node). */
  private maybeSnapshot(id: NodeId, n: RaftNode, disk: Disk, applied: readonly Entry[]): void {
    const every = this.o.snapshotEvery ?? 0;
    const last = applied[applied.length - 1];
    const from = disk.snapshot?.index ?? 0;
    if (every <= 0 || last === undefined || applied.length - from < every) return;
    const snapshot: Snapshot = { index: last.index, term: last.term, ...this.configurationOf(applied), data: JSON.stringify(applied) };
    n.compact(snapshot);
    disk.entries = disk.entries.slice(last.index - from);
    disk.snapshot = snapshot;
    (this.snapshots.get(id) ?? this.snapshots.set(id, []).get(id))?.push(snapshot.index);
  }

  /**
   * The configuration at the end of `applied`, as a host sees it: the latest configuration entry applied (they
   * are all committed by then), else the bootstrap one. What a snapshot taken there must carry.
   */
  private configurationOf(applied: readonly Entry[]): { peers: readonly NodeId[]; learners?: readonly NodeId[]; outgoing?: readonly NodeId[] } {
    for (let i = applied.length - 1; i >= 0; i--) {
      const c = decodeConfEntry((applied[i] as Entry).data);
      if (c === undefined || typeof c === 'string') continue;
      return c.learners.length === 0 && c.outgoing.length === 0 ? { peers: c.voters } : { peers: c.voters, learners: c.learners, outgoing: c.outgoing };
    }
    return { peers: this.bootstrap };
  }

  private noteLeader(id: NodeId, term: number): void {
    const prev = this.leaderOfTerm.get(term);
    if (prev !== undefined && prev !== id) this.violations.push(`two leaders in term ${term}: ${prev} and ${id}`);
    this.leaderOfTerm.set(term, id);
  }

  private checkPersistBeforeSend(id: NodeId, disk: Disk, m: Message): void {
    if (!isCoreMessage(m)) return;
    const hs = disk.hardState;
    const pre = m.type === 'pre-vote' || m.type === 'pre-vote-resp';
    if (!pre && m.term > hs.term) this.violations.push(`${id} sent ${describeMessage(m)} with term ${hs.term} on disk`);
    if (m.type === 'vote-resp' && !m.reject && this.o.bug !== 'forget-vote' && (hs.term !== m.term || hs.vote !== m.to)) {
      this.violations.push(`${id} granted ${describeMessage(m)} with hard state t${hs.term}/v${hs.vote} on disk`);
    }
    const durableLast = (disk.snapshot?.index ?? 0) + disk.entries.length;
    if (m.type === 'append-resp' && !m.reject && durableLast < m.index) {
      this.violations.push(`${id} acked ${describeMessage(m)} with ${durableLast} entries on disk`);
    }
  }

  private checkAppliedAgree(id: NodeId): void {
    const mine = this.applied.get(id) as Entry[];
    for (const other of this.ids) {
      if (other === id) continue;
      const theirs = this.applied.get(other) as Entry[];
      const n = Math.min(mine.length, theirs.length);
      const a = mine[n - 1];
      const b = theirs[n - 1];
      if (a !== undefined && b !== undefined && (a.term !== b.term || a.data !== b.data)) {
        this.violations.push(`${id} and ${other} applied different entries at ${n}`);
      }
    }
  }

  /** Delivers every queued message once (in order); replies go to the back of the queue. */
  deliverRound(): number {
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) this.deliver(m);
    this.processAll();
    return batch.length;
  }

  deliver(m: Message): void {
    if (!this.filter(m) || this.isolated.has(m.from) || this.isolated.has(m.to)) return;
    const n = this.nodes.get(m.to);
    if (n === undefined) return;
    n.step(m);
    this.processReady(m.to);
  }

  /** Delivers until the network is quiet (bounded). */
  settle(maxRounds = 200): void {
    this.processAll();
    for (let i = 0; i < maxRounds && this.queue.length > 0; i++) this.deliverRound();
  }

  tick(ids: readonly NodeId[] = this.ids): void {
    for (const id of ids) this.nodes.get(id)?.tick();
    this.processAll();
  }

  /** Ticks all nodes and settles the network after each tick, until `pred` holds; throws after `maxTicks`. */
  runUntil(pred: () => boolean, maxTicks = 1000): number {
    for (let t = 0; t < maxTicks; t++) {
      if (pred()) return t;
      this.tick();
      this.settle();
    }
    throw new Error(`condition not reached within ${maxTicks} ticks`);
  }

  run(ticks: number): void {
    for (let t = 0; t < ticks; t++) {
      this.tick();
      this.settle();
    }
  }

  leaders(): NodeId[] {
    return this.ids.filter((id) => this.nodes.get(id)?.status().role === 'leader');
  }

  /** The single leader of the highest term among live nodes, or 0. */
  leader(): NodeId | 0 {
    let best: NodeId | 0 = 0;
    let bestTerm = -1;
    for (const id of this.leaders()) {
      const t = this.node(id).status().term;
      if (t > bestTerm) [best, bestTerm] = [id, t];
    }
    return best;
  }

  /** Random message chaos for soak tests: drop, duplicate and reorder the queue with the cluster's PRNG. */
  chaosRound(dropRatio: number, dupRatio: number): void {
    const batch = this.queue;
    this.queue = [];
    const out: Message[] = [];
    for (const m of batch) {
      if (this.rand() < dropRatio) continue;
      out.push(m);
      if (this.rand() < dupRatio) out.push(m);
    }
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [out[i], out[j]] = [out[j] as Message, out[i] as Message];
    }
    for (const m of out) this.deliver(m);
    this.processAll();
  }

  random(): number {
    return this.rand();
  }
}
