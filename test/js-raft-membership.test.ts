/**
 * The JavaScript example's membership changes and leadership transfer (examples/js-raft/membership.js), driven
 * by a small in-memory driver that plays the host honestly (persist, send, apply, advance; a cut node's messages
 * are dropped both ways) and judges only what a host sees: the persisted logs, the roles, what was applied.
 */
import { describe, expect, it } from 'vitest';
import { testRandom } from '../core/test-harness.js';
import { decodeConfEntry } from '../core/configuration.js';
import type { Configuration } from '../core/configuration.js';
import type { ConfChange, Entry, HardState, Message, NodeId, RaftImplementation, RaftInstance, StoredState } from '../sim/contract.js';

// Loaded as a user's module is (plain JavaScript, no declarations), not type-checked against the contract here.
const EXAMPLE = '../examples/js-raft/';
const membership = ((await import(`${EXAMPLE}membership.js`)) as { default: RaftImplementation }).default;
const plain = ((await import(`${EXAMPLE}index.js`)) as { default: RaftImplementation }).default;

interface Node {
  instance: RaftInstance | null;
  readonly peers: readonly NodeId[];
  hardState: HardState;
  entries: Entry[];
  applied: Entry[];
  role: string;
  incarnation: number;
}

/** Bounds every loop: a livelock fails the test instead of hanging it. */
const DELIVERIES_MAX = 100_000;

class Driver {
  readonly nodes = new Map<NodeId, Node>();
  readonly cut = new Set<NodeId>();
  /** Messages dropped on their way, whoever sends them (e.g. every append, to hold a commit back). */
  block: (m: Message) => boolean = () => false;
  private queue: Message[] = [];
  /** term -> the node that announced leadership in it (two in one term is a test failure). */
  readonly leaders = new Map<number, NodeId>();

  constructor(private readonly seed: number) {}

  /** Starts `id` (first start or restart) with what its disk kept; `peers` only on its first start. */
  start(id: NodeId, peers?: readonly NodeId[]): void {
    const existing = this.nodes.get(id);
    const node: Node = existing ?? { instance: null, peers: peers ?? [], hardState: { term: 0, vote: 0, commit: 0 }, entries: [], applied: [], role: 'follower', incarnation: 0 };
    node.incarnation++;
    node.applied = [];
    node.role = 'follower';
    const storage: StoredState = { hardState: node.hardState, entries: node.entries.slice() };
    node.instance = membership.create({ id, peers: node.peers, storage, random: testRandom(this.seed * 100 + id * 10 + node.incarnation), seed: 0, electionTicks: 10, heartbeatTicks: 2 });
    this.nodes.set(id, node);
    this.drain(id);
  }

  crash(id: NodeId): void {
    this.node(id).instance = null;
  }

  node(id: NodeId): Node {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  instance(id: NodeId): RaftInstance {
    const instance = this.node(id).instance;
    if (instance === null) throw new Error(`node ${id} is down`);
    return instance;
  }

  /** The host's Ready loop: persist, send, apply, advance, until null. */
  drain(id: NodeId): void {
    const node = this.node(id);
    for (let rounds = 0; rounds < 1_000; rounds++) {
      const ready = node.instance?.ready();
      if (ready === null || ready === undefined) return;
      const first = ready.entries[0];
      if (first !== undefined) node.entries = [...node.entries.slice(0, first.index - 1), ...ready.entries];
      if (ready.hardState !== undefined) node.hardState = ready.hardState;
      if (ready.softState !== undefined) {
        node.role = ready.softState.role;
        if (node.role === 'leader') {
          const term = node.hardState.term;
          const other = this.leaders.get(term);
          if (other !== undefined && other !== id) throw new Error(`two leaders in term ${term}: ${other} and ${id}`);
          this.leaders.set(term, id);
        }
      }
      for (const m of ready.messages) if (!this.cut.has(id)) this.queue.push(m);
      node.applied.push(...ready.committedEntries);
      node.instance?.advance();
    }
    throw new Error(`node ${id} never ran dry`);
  }

  deliver(): void {
    for (let i = 0; this.queue.length > 0; i++) {
      if (i > DELIVERIES_MAX) throw new Error('message storm');
      const m = this.queue.shift() as Message;
      const to = this.nodes.get(m.to);
      if (to?.instance === null || to === undefined || this.cut.has(m.to) || this.block(m)) continue;
      to.instance.step(m);
      this.drain(m.to);
    }
  }

  tick(times = 1): void {
    for (let t = 0; t < times; t++) {
      for (const [id, node] of this.nodes) {
        if (node.instance === null) continue;
        node.instance.tick();
        this.drain(id);
      }
      this.deliver();
    }
  }

  /** Ticks until `done` holds, at most `ticksMax` ticks. */
  until(done: () => boolean, ticksMax = 2_000): void {
    for (let t = 0; t < ticksMax; t++) {
      if (done()) return;
      this.tick();
    }
    throw new Error('condition not reached');
  }

  leader(): NodeId {
    let best: NodeId = 0;
    let bestTerm = -1;
    for (const [id, node] of this.nodes) {
      if (node.instance !== null && node.role === 'leader' && node.hardState.term > bestTerm) {
        best = id;
        bestTerm = node.hardState.term;
      }
    }
    return best;
  }

  electLeader(): NodeId {
    this.until(() => this.leader() !== 0 && this.committedOwnTerm(this.leader()));
    return this.leader();
  }

  /** Whether `id` has applied an entry of its current term (a new leader's no-op): it may take changes. */
  committedOwnTerm(id: NodeId): boolean {
    const node = this.node(id);
    return node.applied.some((e) => e.term === node.hardState.term);
  }

  /** The configuration of the latest configuration entry `id` persisted; undefined when it has none. */
  persistedConfiguration(id: NodeId): Configuration | undefined {
    for (let i = this.node(id).entries.length - 1; i >= 0; i--) {
      const decoded = decodeConfEntry((this.node(id).entries[i] as Entry).data);
      if (decoded !== undefined) {
        if (typeof decoded === 'string') throw new Error(decoded);
        return decoded;
      }
    }
    return undefined;
  }

  change(changes: ConfChange[]): ReturnType<NonNullable<RaftInstance['proposeConfChange']>> {
    const leader = this.leader();
    const result = this.instance(leader).proposeConfChange?.({ changes });
    if (result === undefined) throw new Error('no proposeConfChange');
    this.drain(leader);
    this.deliver();
    return result;
  }

  /** Proposes a command at the leader and waits until every live node of `on` has applied it. */
  write(data: string, on: readonly NodeId[]): void {
    const result = this.instance(this.leader()).propose(data);
    expect(result.accepted).toBe(true);
    this.drain(this.leader());
    this.until(() => on.every((id) => this.node(id).applied.some((e) => e.data === data)));
  }
}

const conf = (voters: number[], learners: number[] = [], outgoing: number[] = []): Configuration => ({ voters, learners, outgoing });

describe('js-raft membership: changes', () => {
  it('declares both capabilities and has both methods; the plain example declares neither', () => {
    expect(membership.capabilities).toEqual(['membership-change', 'leadership-transfer']);
    const node = membership.create({ id: 1, peers: [1, 2, 3], storage: { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, random: () => 0.5, seed: 0, electionTicks: 10, heartbeatTicks: 2 });
    expect(typeof node.proposeConfChange).toBe('function');
    expect(typeof node.transferLeadership).toBe('function');
    expect(plain.capabilities).toEqual([]);
    const plainNode = plain.create({ id: 1, peers: [1, 2, 3], storage: { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, random: () => 0.5, seed: 0, electionTicks: 10, heartbeatTicks: 2 });
    expect(plainNode.proposeConfChange).toBeUndefined();
    expect(plainNode.transferLeadership).toBeUndefined();
  });

  it.each([1, 2, 3])('adds a learner that joins with no configuration, promotes it, removes an original voter (seed %i)', (seed) => {
    const d = new Driver(seed);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    const leader = d.electLeader();
    d.write('{"a":1}', [1, 2, 3]);
    d.start(4, []); // joins: no configuration, must not campaign
    d.tick(100);
    expect(d.node(4).role).toBe('follower');
    expect(d.node(4).hardState.term).toBe(0);

    expect(d.change([{ type: 'add-learner', node: 4 }])).toMatchObject({ accepted: true });
    d.until(() => d.persistedConfiguration(4) !== undefined && d.node(4).hardState.commit >= d.node(leader).hardState.commit);
    expect(d.persistedConfiguration(4)).toEqual(conf([1, 2, 3], [4]));
    expect(d.node(4).applied.map((e) => e.data)).toContain('{"a":1}'); // the learner received the whole log

    // One change at a time: promote once the learner's entry is committed.
    d.until(() => d.committedOwnTerm(d.leader()) && d.node(d.leader()).hardState.commit >= d.node(d.leader()).entries.length);
    expect(d.change([{ type: 'promote', node: 4 }])).toMatchObject({ accepted: true });
    d.until(() => [1, 2, 3, 4].every((id) => d.persistedConfiguration(id)?.voters.length === 4));
    const remove = leader === 1 ? 2 : 1;
    d.until(() => d.node(d.leader()).hardState.commit >= d.node(d.leader()).entries.length);
    expect(d.change([{ type: 'remove', node: remove }])).toMatchObject({ accepted: true });
    const rest = [1, 2, 3, 4].filter((id) => id !== remove);
    d.until(() => rest.every((id) => d.persistedConfiguration(id)?.voters.join() === rest.join()));
    // The removed node knows a leader, but one that may be gone for good by the time a client gets there.
    d.until(() => d.persistedConfiguration(remove)?.voters.join() === rest.join());
    expect(d.instance(remove).propose('{"late":1}')).toEqual({ accepted: false, reason: 'not-leader', leaderHint: 0 });
    d.write('{"b":2}', rest);
    // Every node applied the same entries, in the same order, as far as it got.
    const applied = rest.map((id) => d.node(id).applied.map((e) => `${e.index}:${e.term}:${e.data}`));
    const shortest = Math.min(...applied.map((a) => a.length));
    for (const a of applied) expect(a.slice(0, shortest)).toEqual(applied[0]?.slice(0, shortest));
  });

  it('goes through joint consensus for a change of two voters, and leaves it with its own C_new', () => {
    const d = new Driver(4);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    d.electLeader();
    d.start(4, []);
    d.start(5, []);
    const result = d.change([
      { type: 'add-voter', node: 4 },
      { type: 'add-voter', node: 5 },
    ]);
    expect(result).toMatchObject({ accepted: true });
    const leader = d.leader();
    d.until(() => d.persistedConfiguration(leader)?.outgoing.length === 0);
    const configs = d.node(leader).entries.map((e) => decodeConfEntry(e.data)).filter((c) => c !== undefined);
    expect(configs).toEqual([conf([1, 2, 3, 4, 5], [], [1, 2, 3]), conf([1, 2, 3, 4, 5])]);
    d.write('{"c":3}', [1, 2, 3, 4, 5]);
  });

  it('refuses a change before the new leader committed an entry of its term, and a second one while the first is uncommitted', () => {
    const d = new Driver(5);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    // Appends are lost: a leader is elected, but its no-op cannot commit (the 2015 single-server bug's window).
    d.block = (m) => m.type === 'append';
    d.until(() => d.leader() !== 0);
    const leader = d.leader();
    expect(d.committedOwnTerm(leader)).toBe(false);
    expect(d.instance(leader).proposeConfChange?.({ changes: [{ type: 'add-learner', node: 4 }] })).toMatchObject({ accepted: false, leaderHint: leader });
    d.block = () => false;
    d.until(() => d.committedOwnTerm(d.leader()));
    const now = d.leader();
    expect(d.instance(now).proposeConfChange?.({ changes: [{ type: 'add-learner', node: 4 }] })).toMatchObject({ accepted: true });
    expect(d.instance(now).proposeConfChange?.({ changes: [{ type: 'add-learner', node: 5 }] })).toMatchObject({ accepted: false, leaderHint: now });
    // Changes that cannot apply are refused too.
    d.drain(now);
    d.until(() => d.node(now).hardState.commit >= d.node(now).entries.length);
    expect(d.instance(now).proposeConfChange?.({ changes: [{ type: 'promote', node: 2 }] })).toMatchObject({ accepted: false });
    expect(d.instance(now).proposeConfChange?.({ changes: [{ type: 'remove', node: 9 }] })).toMatchObject({ accepted: false });
    expect(d.instance(now).proposeConfChange?.({ changes: [{ type: 'add-voter', node: 2 }] })).toMatchObject({ accepted: false });
  });

  it('a removed leader steps down once C_new is committed, and the rest elect a leader among themselves', () => {
    const d = new Driver(6);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    const leader = d.electLeader();
    expect(d.change([{ type: 'remove', node: leader }])).toMatchObject({ accepted: true });
    const rest = [1, 2, 3].filter((id) => id !== leader);
    d.until(() => d.node(leader).role === 'follower');
    d.until(() => rest.includes(d.leader()));
    d.tick(300);
    // The removed node never campaigns again: its own log says it is not a voter.
    expect(d.node(leader).role).toBe('follower');
    d.write('{"d":4}', rest);
  });

  it('a removed node that never learnt of its removal cannot depose the leader with its campaigns (thesis §4.2.3)', () => {
    const d = new Driver(11);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    const leader = d.electLeader();
    const removed = leader === 3 ? 2 : 3;
    d.cut.add(removed);
    expect(d.change([{ type: 'remove', node: removed }])).toMatchObject({ accepted: true });
    d.tick(100); // the removed node times out again and again, raising its term
    expect(d.node(removed).hardState.term).toBeGreaterThan(d.node(leader).hardState.term);
    const term = d.node(leader).hardState.term;
    d.cut.delete(removed);
    d.tick(300);
    expect(d.leader()).toBe(leader);
    expect(d.node(leader).hardState.term).toBe(term);
  });

  it('a removed leader deposed before its C_new commits still campaigns when its log alone holds C_new, and hands over', () => {
    const d = new Driver(12);
    for (const id of [1, 2, 3, 4]) d.start(id, [1, 2, 3, 4]);
    const leader = d.electLeader();
    const others = [1, 2, 3, 4].filter((id) => id !== leader);
    // Its appends are lost: only its own log holds the configuration that removes it.
    d.block = (m) => m.type === 'append' && m.from === leader;
    expect(d.change([{ type: 'remove', node: leader }])).toMatchObject({ accepted: true });
    d.crash(leader);
    d.start(leader);
    const [away, ...live] = others as [NodeId, ...NodeId[]];
    d.cut.add(away);
    d.block = () => false;
    // The two live others need 3 of C_old's 4 votes, and the removed node, whose log is longer, refuses them:
    // only it can win (2 of C_new's 3, without counting itself); it commits C_new, steps down, and they take over.
    d.until(() => live.includes(d.leader()) && d.committedOwnTerm(d.leader()), 3_000);
    expect([...d.leaders.values()]).toContain(leader);
    d.write('{"f":6}', live);
  });

  it('a restarted joiner takes its configuration from its stored log, not from its empty peers', () => {
    const d = new Driver(7);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    d.electLeader();
    d.start(4, []);
    d.change([{ type: 'add-voter', node: 4 }]);
    d.until(() => d.persistedConfiguration(4)?.voters.includes(4) === true);
    d.crash(4);
    d.crash(d.leader());
    d.tick(5);
    d.start(4);
    // Node 4 is a voter now: with one of the four down it is needed, and it campaigns or votes as one.
    d.until(() => d.leader() !== 0 && d.node(d.leader()).instance !== null && d.leader() !== 0 && d.committedOwnTerm(d.leader()), 3_000);
    d.write('{"e":5}', [4]);
  });
});

describe('js-raft membership: leadership transfer', () => {
  it('hands leadership to an up-to-date target, which wins the next term', () => {
    const d = new Driver(8);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    const leader = d.electLeader();
    const term = d.node(leader).hardState.term;
    const target = leader === 3 ? 1 : 3;
    d.tick(5);
    expect(d.instance(leader).transferLeadership?.(target)).toBe(true);
    d.drain(leader);
    d.deliver();
    d.until(() => d.leader() === target);
    expect(d.node(target).hardState.term).toBe(term + 1);
  });

  it('refuses proposals during a transfer, catches a lagging target up first, and refuses non-voters and followers', () => {
    const d = new Driver(9);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    const leader = d.electLeader();
    const target = leader === 2 ? 3 : 2;
    d.cut.add(target);
    for (let i = 0; i < 5; i++) d.instance(leader).propose(`{"lag":${i}}`);
    d.drain(leader);
    d.tick(10);
    expect(d.instance(leader).transferLeadership?.(9)).toBe(false);
    const follower = [1, 2, 3].find((id) => id !== leader && id !== target) as NodeId;
    expect(d.instance(follower).transferLeadership?.(target)).toBe(false);
    d.cut.delete(target);
    expect(d.instance(leader).transferLeadership?.(target)).toBe(true);
    expect(d.instance(leader).propose('{"during":1}')).toMatchObject({ accepted: false, leaderHint: target });
    d.drain(leader);
    d.deliver();
    d.until(() => d.leader() === target);
    // The target won only after it had every entry: nothing of the lagging writes is lost.
    expect(d.node(target).entries.filter((e) => e.data.startsWith('{"lag"')).length).toBe(5);
  });

  it('gives up after an election timeout when the target cannot be reached, and accepts proposals again', () => {
    const d = new Driver(10);
    for (const id of [1, 2, 3]) d.start(id, [1, 2, 3]);
    const leader = d.electLeader();
    const target = leader === 1 ? 2 : 1;
    d.cut.add(target);
    expect(d.instance(leader).transferLeadership?.(target)).toBe(true);
    d.drain(leader);
    expect(d.instance(leader).propose('{"x":1}')).toMatchObject({ accepted: false });
    d.tick(10);
    expect(d.leader()).toBe(leader);
    expect(d.instance(leader).propose('{"x":2}')).toMatchObject({ accepted: true });
  });
});
