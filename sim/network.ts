/**
 * The simulated network between nodes: latency, loss, duplication, partitions (symmetric, one-way, bridge,
 * ring), latency spikes, clogged links and per-link capacity. It decides the fate of each message (dropped,
 * delivered once, or delivered twice, and after how long); the simulation schedules the deliveries and
 * holds messages on clogged links. Reordering falls out of independent per-copy latencies. For `replay`
 * faults it can also remember the messages sent recently and pick old ones to deliver again.
 */
import { assert, assertFail } from './assert.js';
import type { Message } from './contract.js';
import type { Prng } from './prng.js';

/** Knobs whose zero value means "no fault" (probabilities are per-mille, exact). */
export interface NetworkOptions {
  readonly latencyMsMin: number;
  readonly latencyMsMax: number;
  /** Chance that a message is dropped, per 1000. */
  readonly lossPerMille: number;
  /** Chance that a delivered message is delivered a second time, per 1000. */
  readonly duplicatePerMille: number;
  /** Chance that a copy takes a long detour (up to `longDelayMsMax`), per 1000: heavy reordering. */
  readonly longDelayPerMille: number;
  readonly longDelayMsMax: number;
  /**
   * Most messages in flight (sent, not yet delivered or dropped) per directed link; a message beyond it is
   * dropped as an overflow (a full socket buffer). 0 or absent: unlimited.
   */
  readonly linkCapacity?: number;
}

/** A remembered message picked for a `replay` fault, and when its node sent it. */
export interface ReplayedMessage {
  readonly message: Message;
  readonly sentAtMs: number;
}

/** Why the last {@link Network.route} call that returned 0 dropped the message. */
export type DropReason = 'partition' | 'loss' | 'overflow';

/**
 * The most sent messages a network remembers for `replay` faults (the oldest are forgotten first). A standard
 * 5-node run sends about 800 messages per simulated second, so this reaches back several seconds: dozens of
 * election timeouts, across many terms.
 */
export const REPLAY_HISTORY_MAX = 4096;

/** {@link Network}'s bound on copies in flight per link when its capacity is unlimited: the largest small integer. */
const INFLIGHT_UNLIMITED = 0x3fffffff;

export const RELIABLE_NETWORK: NetworkOptions = Object.freeze({
  latencyMsMin: 1,
  latencyMsMax: 5,
  lossPerMille: 0,
  duplicatePerMille: 0,
  longDelayPerMille: 0,
  longDelayMsMax: 0,
});

export class Network {
  /** blocked[from * stride + to] = 1 when messages from `from` to `to` are cut. Node ids are 1-based. */
  private readonly blocked: Uint8Array;
  private readonly stride: number;
  private options: NetworkOptions;
  /*
   * The options the per-message paths read, copied into fields: scenarios and the liveness phase build
   * `NetworkOptions` in several shapes (with or without linkCapacity, spread copies), so reading them through
   * `options` on every message was a polymorphic load.
   */
  private lossPerMille = 0;
  private duplicatePerMille = 0;
  private longDelayPerMille = 0;
  private latencyMsMin = 0;
  private latencyMsMax = 0;
  private longDelayMsMax = 0;
  /**
   * Most copies in flight per link: `linkCapacity`, or for an unlimited link a bound no run reaches (the run's event
   * bound is far below it). One compare on every route, always taken, instead of `capacity > 0 && …`: the second
   * operand's type feedback then exists from the first message, where it used to start only at the first run with
   * a capacity (a stale replay on such a run deoptimized the replay path, "insufficient type feedback").
   */
  private inflightMax = INFLIGHT_UNLIMITED;
  /** Invariant: inflight[from * stride + to] >= 0 counts copies routed on that link and not yet delivered. */
  private readonly inflight: Int32Array;
  /** clogs[from * stride + to] = number of clogs holding that link (they may overlap). */
  private readonly clogs: Uint16Array;
  /** Number of links with at least one clog: the hot path skips the lookup when it is 0. */
  private cloggedLinkCount = 0;
  /** extraMsMax of every latency spike in progress; the largest applies. */
  private readonly spikes: number[] = [];
  private spikeExtraMsMax = 0;
  /**
   * Latency spikes draw from a stream of their own, so a spike never shifts the other network draws. Forked at the
   * first spike: most runs have none, and seeding a stream is not free.
   */
  private spikePrng: Prng | null = null;
  /** Delays of the copies decided by the last {@link route} call. */
  readonly delays: number[] = [0, 0];
  /** Why the last {@link route} call that returned 0 dropped the message. */
  dropReason: DropReason = 'loss';
  /**
   * The messages sent most recently, for `replay` faults: a ring of at most {@link REPLAY_HISTORY_MAX}, oldest
   * overwritten first. Null unless {@link keepHistory} was called, so a run without replays pays one field read
   * per send. Invariant: `historyCount <= history.length`; `historyNext` is where the next message goes.
   */
  private history: Message[] | null = null;
  /** When each message of {@link history} was sent, in simulated ms (same ring positions). */
  private historySentAtMs: Float64Array = new Float64Array(0);
  private historyNext = 0;
  private historyCount = 0;

  constructor(
    readonly nodeCount: number,
    options: NetworkOptions,
    private readonly prng: Prng,
  ) {
    this.stride = nodeCount + 1;
    this.blocked = new Uint8Array(this.stride * this.stride);
    this.inflight = new Int32Array(this.stride * this.stride);
    this.clogs = new Uint16Array(this.stride * this.stride);
    this.options = this.adopt(options);
  }

  get settings(): NetworkOptions {
    return this.options;
  }

  setOptions(options: NetworkOptions): void {
    this.options = this.adopt(options);
  }

  /** Validates `options` and copies what the per-message paths read into fields. */
  private adopt(options: NetworkOptions): NetworkOptions {
    const o = validate(options);
    this.lossPerMille = o.lossPerMille;
    this.duplicatePerMille = o.duplicatePerMille;
    this.longDelayPerMille = o.longDelayPerMille;
    this.latencyMsMin = o.latencyMsMin;
    this.latencyMsMax = o.latencyMsMax;
    this.longDelayMsMax = o.longDelayMsMax;
    const capacity = o.linkCapacity ?? 0;
    this.inflightMax = capacity > 0 ? capacity : INFLIGHT_UNLIMITED;
    return o;
  }

  /**
   * Decides the fate of one message: returns how many copies arrive (0, 1 or 2) and leaves their delays in
   * {@link delays}. Draws from the PRNG only for faults that are switched on.
   */
  route(from: number, to: number): number {
    const link = from * this.stride + to;
    const inflightMax = this.inflightMax;
    const inflight = this.inflight[link] as number;
    // The reason in a local and one store for all three: `drop`, called from three rare sites that TurboFan does
    // not inline (too infrequent), stayed in the interpreter, ~650 instructions a dropped message.
    let dropped: DropReason | null = null;
    if (this.blocked[link] === 1) dropped = 'partition';
    else if (inflight >= inflightMax) dropped = 'overflow';
    else if (this.prng.chance(this.lossPerMille, 1000)) dropped = 'loss';
    if (dropped !== null) {
      this.dropReason = dropped;
      return 0;
    }
    this.delays[0] = this.latency();
    // A duplicate that finds the link full is dropped on its own: the original still goes.
    if (!this.prng.chance(this.duplicatePerMille, 1000) || inflight + 1 >= inflightMax) {
      this.inflight[link] = inflight + 1;
      return 1;
    }
    this.delays[1] = this.latency();
    this.inflight[link] = inflight + 2;
    return 2;
  }

  /**
   * One copy routed on `from → to` has left the network (delivered, or found its node down). Pairs with
   * every copy {@link route} counted; asserts on a delivery nobody routed.
   */
  delivered(from: number, to: number): void {
    const link = from * this.stride + to;
    const inflight = this.inflight[link] as number;
    if (!(inflight > 0)) assertFail(`delivery on link ${from}→${to} with nothing in flight`);
    this.inflight[link] = inflight - 1;
  }

  /** Copies routed on `from → to` and not yet delivered. */
  inflightCount(from: number, to: number): number {
    return this.inflight[from * this.stride + to] as number;
  }

  /**
   * One delay for a message on an unpartitioned path, spikes included. Client traffic passes its own stream
   * (`draw`), so how busy the clients are never shifts the draws of node-to-node messages.
   */
  latency(draw: Prng = this.prng): number {
    const max = this.latencyMsMax;
    const base = draw.chance(this.longDelayPerMille, 1000) ? draw.range(max, Math.max(max, this.longDelayMsMax)) : draw.range(this.latencyMsMin, max);
    if (this.spikeExtraMsMax === 0) return base;
    return base + (draw === this.prng ? this.spikeDraw() : draw).range(0, this.spikeExtraMsMax);
  }

  /** The spikes' stream (fork `latency-spike` of the network's), forked on first use. */
  private spikeDraw(): Prng {
    if (this.spikePrng === null) this.spikePrng = this.prng.fork('latency-spike');
    return this.spikePrng;
  }

  /** Starts a latency spike: until {@link endLatencySpike}, every delay grows by a uniform [0, extraMsMax]. */
  startLatencySpike(extraMsMax: number): void {
    if (!(Number.isInteger(extraMsMax) && extraMsMax >= 1)) assertFail(`latency spike extraMsMax must be an integer >= 1, got ${extraMsMax}`);
    this.spikes.push(extraMsMax);
    this.spikeExtraMsMax = Math.max(this.spikeExtraMsMax, extraMsMax);
  }

  /** Ends one spike started with `extraMsMax`; overlapping spikes keep the largest still in progress. */
  endLatencySpike(extraMsMax: number): void {
    const i = this.spikes.indexOf(extraMsMax);
    if (!(i >= 0)) assertFail(`no latency spike of ${extraMsMax} ms in progress`);
    this.spikes.splice(i, 1);
    this.spikeExtraMsMax = this.spikes.length === 0 ? 0 : Math.max(...this.spikes);
  }

  /** The largest extra delay of the spikes in progress (0: none). */
  get latencySpikeMsMax(): number {
    return this.spikeExtraMsMax;
  }

  /**
   * Clogs the link `from → to`: messages on it are held (not dropped) until it is unclogged. The network
   * only keeps the state; the simulation holds the deliveries. Clogs may overlap and nest.
   */
  clog(from: number, to: number): void {
    this.checkNode(from);
    this.checkNode(to);
    const link = from * this.stride + to;
    const count = this.clogs[link] as number;
    if (!(count < 0xffff)) assertFail(`too many clogs on link ${from}→${to}`);
    if (count === 0) this.cloggedLinkCount++;
    this.clogs[link] = count + 1;
  }

  /** Ends one clog of `from → to`; returns whether the link is now open (no other clog holds it). */
  unclog(from: number, to: number): boolean {
    const link = from * this.stride + to;
    const count = this.clogs[link] as number;
    if (!(count > 0)) assertFail(`link ${from}→${to} is not clogged`);
    this.clogs[link] = count - 1;
    if (count === 1) this.cloggedLinkCount--;
    return count === 1;
  }

  /** Whether messages on `from → to` are held. Cheap when nothing is clogged (the usual case). */
  isClogged(from: number, to: number): boolean {
    return this.cloggedLinkCount > 0 && this.clogs[from * this.stride + to] !== 0;
  }

  /**
   * Starts remembering every message sent (see {@link remember}), up to the last `capacity`, for `replay`
   * faults. Called once, before the run, when its plan has a replay; never on a run without one.
   */
  keepHistory(capacity: number = REPLAY_HISTORY_MAX): void {
    if (!(Number.isInteger(capacity) && capacity >= 1)) assertFail(`history capacity must be an integer >= 1, got ${capacity}`);
    this.history = new Array<Message>(capacity);
    this.historySentAtMs = new Float64Array(capacity);
    this.historyNext = 0;
    this.historyCount = 0;
  }

  /** Whether sent messages are remembered: the simulation calls {@link remember} only then. */
  get remembering(): boolean {
    return this.history !== null;
  }

  /** Remembers a message a node sent at `atMs` (whatever its fate), dropping the oldest one when full. */
  remember(message: Message, atMs: number): void {
    const history = this.history;
    if (history === null) return;
    const i = this.historyNext;
    history[i] = message;
    this.historySentAtMs[i] = atMs;
    this.historyNext = i + 1 === history.length ? 0 : i + 1;
    if (this.historyCount < history.length) this.historyCount++;
  }

  /**
   * Up to `count` distinct remembered messages sent at or before `sentAtMsMax`, chosen uniformly by `draw`, in
   * send order, with their send times. A partial Fisher-Yates over the eligible ones: the first k of a larger
   * sample are the sample of k, so a shrinker lowering `count` keeps a subset of the same messages. Empty when
   * nothing is remembered.
   */
  replaySample(count: number, sentAtMsMax: number, draw: Prng): ReplayedMessage[] {
    const history = this.history;
    if (history === null || count <= 0) return [];
    const capacity = history.length;
    const oldest = (this.historyNext - this.historyCount + capacity) % capacity;
    // Send times never decrease along the ring, so the eligible messages are its oldest ones: a binary search.
    let lo = 0;
    let hi = this.historyCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.historySentAtMs[(oldest + mid) % capacity] as number) <= sentAtMsMax) lo = mid + 1;
      else hi = mid;
    }
    const eligible = lo;
    const k = Math.min(count, eligible);
    // The permutation in a typed array (at most REPLAY_HISTORY_MAX slots), not a Map of the swapped slots: three
    // Map operations per pick and a sort with a comparator were most of a replay's cost. Position i is never read
    // again after pick i (later picks come from i + 1 on), so it is not written back.
    const order = new Int32Array(eligible);
    for (let i = 0; i < eligible; i++) order[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + draw.int(eligible - i);
      const p = order[j] as number;
      order[j] = order[i] as number;
      order[i] = p;
    }
    // A typed array sorts numerically: send order.
    const picked = order.subarray(0, k).sort();
    const out: ReplayedMessage[] = [];
    for (let i = 0; i < k; i++) {
      const at = (oldest + (picked[i] as number)) % capacity;
      out.push({ message: history[at] as Message, sentAtMs: this.historySentAtMs[at] as number });
    }
    return out;
  }

  /** The stream a `replay` fault labelled `label` draws its sample and delays from (a fork: nothing else shifts). */
  replayDraw(label: string): Prng {
    return this.prng.fork(`replay/${label}`);
  }

  /** When the remembered messages were sent: the oldest's and the newest's times, or null when none is. */
  historySpanMs(): { readonly oldestMs: number; readonly newestMs: number } | null {
    const history = this.history;
    if (history === null || this.historyCount === 0) return null;
    const capacity = history.length;
    const oldest = (this.historyNext - this.historyCount + capacity) % capacity;
    const newest = (this.historyNext - 1 + capacity) % capacity;
    return { oldestMs: this.historySentAtMs[oldest] as number, newestMs: this.historySentAtMs[newest] as number };
  }

  /**
   * Routes one replayed copy of an old message on `from → to` as the network is now: dropped (0) on a cut or
   * full link, else in flight (1) with its delay in `delays[0]`, drawn from `draw`. No loss or duplication of
   * its own: the replay is already the extra copy. Paired with {@link delivered} like any routed copy.
   */
  routeReplay(from: number, to: number, draw: Prng): 0 | 1 {
    const link = from * this.stride + to;
    // Both tests always run and one call drops for either reason: a replay onto a full link is rare, and its own
    // call site, without type feedback until then, deoptimized the optimised replay path when one first came.
    const blocked = this.blocked[link] === 1;
    const inflight = this.inflight[link] as number;
    const full = inflight >= this.inflightMax;
    if (blocked || full) return this.drop(blocked ? 'partition' : 'overflow');
    this.delays[0] = this.latency(draw);
    this.inflight[link] = inflight + 1;
    return 1;
  }

  /** Whether a message between a client and a node arrives (clients see loss, not partitions), drawn from `draw`. */
  clientMessageArrives(draw: Prng): boolean {
    return !draw.chance(this.lossPerMille, 1000);
  }

  isBlocked(from: number, to: number): boolean {
    return this.blocked[from * this.stride + to] === 1;
  }

  /** Cuts one direction of one link (an asymmetric partition when only one direction is cut). */
  block(from: number, to: number): void {
    this.checkNode(from);
    this.checkNode(to);
    this.blocked[from * this.stride + to] = 1;
  }

  /**
   * Splits the cluster into groups that cannot talk to each other. Nodes missing from every group are
   * isolated on their own.
   */
  partition(groups: readonly (readonly number[])[]): void {
    // Indexed loops, not forEach with a closure and for-of: the fault paths run a few times a run, so they are
    // compiled in the bench's measured seeds, where the iteration protocol is inlined code of its own.
    const groupOf = new Int32Array(this.stride).fill(-1);
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g] as readonly number[];
      for (let i = 0; i < group.length; i++) {
        const node = group[i] as number;
        this.checkNode(node);
        if (!(groupOf[node] === -1)) assertFail(`node ${node} is in two partition groups`);
        groupOf[node] = g;
      }
    }
    for (let a = 1; a <= this.nodeCount; a++) {
      for (let b = 1; b <= this.nodeCount; b++) {
        const ga = groupOf[a] as number;
        const together = a === b || (ga !== -1 && ga === groupOf[b]);
        this.blocked[a * this.stride + b] = together ? 0 : 1;
      }
    }
  }

  /** Cuts every link between the two sides; the bridge (in neither side) keeps talking to all. */
  bridge(bridgeNode: number, sides: readonly [readonly number[], readonly number[]]): void {
    this.checkNode(bridgeNode);
    this.heal();
    const left = sides[0];
    const right = sides[1];
    for (let i = 0; i < left.length; i++) {
      const a = left[i] as number;
      for (let j = 0; j < right.length; j++) {
        const b = right[j] as number;
        if (!(a !== bridgeNode && b !== bridgeNode)) assertFail(`bridge node ${bridgeNode} cannot be on a side`);
        this.block(a, b);
        this.block(b, a);
      }
    }
  }

  /**
   * An asymmetric partition: messages from any node of `from` to any node of `to` are dropped, the reverse
   * direction still works (a node that hears its leader but whose answers never arrive, or the opposite).
   * Like {@link partition}, replaces the previous shape.
   */
  oneWay(from: readonly number[], to: readonly number[]): void {
    this.heal();
    for (let i = 0; i < from.length; i++) {
      const a = from[i] as number;
      for (let j = 0; j < to.length; j++) {
        const b = to[j] as number;
        if (a !== b) this.block(a, b);
      }
    }
  }

  /**
   * A majority ring: node i talks only to itself and its ring neighbours i - 1 and i + 1 (mod n). With 5
   * nodes each node's neighbourhood {i - 1, i, i + 1} is exactly a majority, yet no two non-adjacent nodes
   * hear each other: 1 sees 5 and 2, 3 sees 2 and 4, so leaders of 1's and 3's majorities never meet
   * directly. With 3 nodes it is no cut at all, with 4 each neighbourhood is 3 of 4, and from 6 nodes up no
   * node would see a majority, so there each node reaches the `reach` nearest on either side: the fewest that
   * make 2 * reach + 1 a majority of n (2 for 6 and 7 nodes; 1 for 2 to 5, so their shape is unchanged).
   */
  ring(): void {
    const n = this.nodeCount;
    const reach = Math.ceil(Math.floor(n / 2) / 2);
    for (let a = 1; a <= n; a++) {
      for (let b = 1; b <= n; b++) {
        const distance = (b - a + n) % n;
        const neighbours = distance <= reach || distance >= n - reach;
        this.blocked[a * this.stride + b] = neighbours ? 0 : 1;
      }
    }
  }

  /** Cuts every link to and from `node`, or (`cut` false) restores them all; other links keep their state. */
  setIsolated(node: number, cut: boolean): void {
    this.checkNode(node);
    const value = cut ? 1 : 0;
    for (let b = 1; b <= this.nodeCount; b++) {
      if (b === node) continue;
      this.blocked[node * this.stride + b] = value;
      this.blocked[b * this.stride + node] = value;
    }
  }

  /** Restores every link (clogs and spikes are timed faults and end on their own). */
  heal(): void {
    this.blocked.fill(0);
  }

  private drop(reason: DropReason): 0 {
    this.dropReason = reason;
    return 0;
  }

  private checkNode(node: number): void {
    if (!(Number.isInteger(node) && node >= 1 && node <= this.nodeCount)) assertFail(`no node ${node} in the network`);
  }
}

function validate(o: NetworkOptions): NetworkOptions {
  assert(Number.isInteger(o.latencyMsMin) && o.latencyMsMin >= 0, 'latencyMsMin must be an integer >= 0');
  assert(Number.isInteger(o.latencyMsMax) && o.latencyMsMax >= o.latencyMsMin, 'latencyMsMax must be >= latencyMsMin');
  for (const name of ['lossPerMille', 'duplicatePerMille', 'longDelayPerMille'] as const) {
    const value = o[name];
    if (!(Number.isInteger(value) && value >= 0 && value <= 1000)) assertFail(`${name} must be an integer in [0, 1000]`);
  }
  assert(Number.isInteger(o.longDelayMsMax) && o.longDelayMsMax >= 0, 'longDelayMsMax must be an integer >= 0');
  assert(o.longDelayPerMille === 0 || o.longDelayMsMax >= o.latencyMsMax, 'longDelayMsMax must be >= latencyMsMax when long delays are on');
  const capacity = o.linkCapacity ?? 0;
  if (!(Number.isInteger(capacity) && capacity >= 0)) assertFail(`linkCapacity must be an integer >= 0 (0: unlimited), got ${capacity}`);
  return o;
}
