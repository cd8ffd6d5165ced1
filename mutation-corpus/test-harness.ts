/**
 * A small in-memory cluster for the paper Raft's own unit tests: synchronous message delivery with cuttable
 * links, a store per node that keeps what each Ready persisted, and restarts from that store. No latency, no
 * loss, no fsync time: the simulator (sim/) is for that; this is for stepping through elections by hand.
 */
import type { Entry, HardState, Message, NodeId, ReadState, StoredState } from '../sim/contract.js';
import { PaperRaftNode } from './paper-raft.js';
import type { MutationFlags } from './mutations.js';

interface HarnessNode {
  instance: PaperRaftNode;
  hardState: HardState;
  entries: Entry[];
  /** Everything applied by the current incarnation, in order. */
  applied: Entry[];
  readStates: ReadState[];
  incarnation: number;
}

export interface HarnessOptions {
  readonly nodes: number;
  readonly bug?: MutationFlags;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly seed?: number;
}

/** A deterministic stream for `CreateInit.random` (a 32-bit LCG; quality is irrelevant here). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export class Cluster {
  readonly ids: readonly NodeId[];
  private readonly nodes = new Map<NodeId, HarnessNode>();
  private readonly queue: Message[] = [];
  private readonly cut = new Set<string>();
  /** Every message handed to the network, delivered or not, for assertions on traffic. */
  readonly sent: Message[] = [];

  constructor(private readonly options: HarnessOptions) {
    this.ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
    for (const id of this.ids) this.start(id, { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, 0);
  }

  node(id: NodeId): HarnessNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Blocks both directions between `a` and every node of `others`. */
  isolate(a: NodeId, others: readonly NodeId[] = this.ids): void {
    for (const b of others) if (b !== a) this.cut.add(`${a}>${b}`).add(`${b}>${a}`);
  }

  heal(): void {
    this.cut.clear();
  }

  tick(id: NodeId): void {
    this.node(id).instance.tick();
    this.drain(id);
  }

  /** Ticks every node `rounds` times, delivering all traffic after each round. */
  tickAll(rounds: number): void {
    for (let r = 0; r < rounds; r++) {
      for (const id of this.ids) this.tick(id);
      this.deliverAll();
    }
  }

  propose(id: NodeId, data: string): ReturnType<PaperRaftNode['propose']> {
    const result = this.node(id).instance.propose(data);
    this.drain(id);
    return result;
  }

  readIndex(id: NodeId, requestId: number): boolean {
    const accepted = this.node(id).instance.readIndex(requestId);
    this.drain(id);
    return accepted;
  }

  /** Delivers queued messages (and what they cause) until the network is quiet, at most `max` of them. */
  deliverAll(max = 100_000): void {
    for (let n = 0; n < max; n++) {
      const m = this.queue.shift();
      if (m === undefined) return;
      if (this.cut.has(`${m.from}>${m.to}`)) continue;
      this.node(m.to).instance.step(m);
      this.drain(m.to);
    }
    throw new Error('message storm: the network never went quiet');
  }

  /** Crashes `id` and starts it again from what it persisted. */
  restart(id: NodeId): void {
    const node = this.node(id);
    this.start(id, { hardState: node.hardState, entries: node.entries.slice() }, node.incarnation + 1);
  }

  leaders(): NodeId[] {
    return this.ids.filter((id) => this.node(id).instance.status().role === 'leader');
  }

  private start(id: NodeId, storage: StoredState, incarnation: number): void {
    const random = lcg((this.options.seed ?? 1) * 1_000 + id * 31 + incarnation);
    const instance = new PaperRaftNode(
      { id, peers: this.ids, storage, random, seed: 0, electionTicks: 10, heartbeatTicks: 2 },
      { preVote: this.options.preVote ?? true, checkQuorum: this.options.checkQuorum ?? true, bug: this.options.bug ?? {} },
    );
    this.nodes.set(id, { instance, hardState: storage.hardState, entries: storage.entries.slice(), applied: [], readStates: [], incarnation });
    this.drain(id);
  }

  /** The host's loop (docs/contract.md): persist, send, apply, serve reads, advance; until nothing is left. */
  private drain(id: NodeId): void {
    const node = this.node(id);
    for (let round = 0; round < 10_000; round++) {
      const ready = node.instance.ready();
      if (ready === null) return;
      const first = ready.entries[0];
      if (first !== undefined) node.entries = [...node.entries.slice(0, first.index - 1), ...ready.entries];
      if (ready.hardState !== undefined) node.hardState = ready.hardState;
      for (const m of ready.messages) {
        this.sent.push(m);
        this.queue.push(m);
      }
      node.applied.push(...ready.committedEntries);
      node.readStates.push(...(ready.readStates ?? []));
      node.instance.advance();
    }
    throw new Error(`node ${id}: ready() never returned null`);
  }
}
