/**
 * Stability (issue 11, item 3), for implementations that declare both `pre-vote` and `check-quorum`: with a
 * connected majority and a stable leader, nodes that are cut off and come back must not depose the leader and
 * must not raise their terms while away (thesis §9.6, PreVote; §4.2.3, votes ignored while a leader is heard
 * from), and a leader cut off from the majority steps down (thesis §6.2, CheckQuorum). From facts only, over
 * calm windows of the plan of three kinds:
 * - a node away (an `away` fault), or a minority partitioned from the rest (a `partition` into two groups,
 *   until the next `heal`): while away, no away node may durably store a term above the stable leader's (a
 *   minority can never win a pre-vote, so with PreVote it never campaigns; a pre-vote that bumps terms does);
 *   after they come back, until a settle time has passed, no node may (their return deposed the leader);
 * - the stable leader itself away (alone or in the minority): it must announce a non-leader role within
 *   {@link STABILITY_STEP_DOWN_ELECTIONS} election timeouts while still cut off, and the away side must not
 *   raise its terms meanwhile (the rest may: it rightly elects a new leader);
 * - a follower's clock jump (a `clock-jump`: its election timer fires spuriously while the leader is healthy):
 *   until the settle time has passed, no node may store a term above the leader's (the lease must drop the
 *   follower's pre-vote and vote requests).
 *
 * The property is promised only where its assumptions hold, so a window is judged only when they do: the plan
 * has no other fault whose effect reaches into the window (nor a partition left in place), and the facts show a
 * stable leader when the window opens — the leader in the highest stored term, leading for at least an
 * election timeout, no node down, the rest a majority — and no crash until the window ends. Otherwise the window
 * is skipped, never failed. If a node that is not away raises its term while the others are still away (and the
 * leader is not away), the environment did it (the away nodes cannot reach anyone), and the window is not
 * judged further.
 *
 * The windows assume the run's fixed cluster (a majority of the initial nodes): once the configuration may have
 * changed (a configuration entry reached a disk, or a node joined), no further window is opened. Membership
 * changes have their own checks (configuration-entries, and commit-quorum and leader-votes across configurations).
 */
import type { Capability, Entry, NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import { faultEffectEndMs } from '../sim/faults.js';
import type { FaultEvent, FaultPlan } from '../sim/faults.js';
import { confEntryText } from './configurations.js';
import type { Checker, Violation } from './types.js';

/** Election timeouts after a node comes back during which it must still not disturb the leader. */
export const STABILITY_SETTLE_ELECTIONS = 3;

/**
 * Election timeouts within which a leader cut off from the majority must step down. CheckQuorum checks once per
 * election timeout whether a majority answered since the last check, so a cut-off leader steps down within two
 * of its own timeouts of the last answer it got; the bound adds room for answers still in flight when the cut
 * came (long delays reach two election timeouts) and for a clock running up to 1.5 times slow.
 */
export const STABILITY_STEP_DOWN_ELECTIONS = 6;

/**
 * A calm stretch of the plan that the stability property judges. `away`: `nodes` are cut off from the rest from
 * `fromMs` until `toMs`. `timeout`: the clock of the one node of `nodes` jumps at `fromMs` (= `toMs`).
 */
export interface StabilityWindow {
  readonly kind: 'away' | 'timeout';
  /** Ascending. */
  readonly nodes: readonly NodeId[];
  readonly fromMs: number;
  /** When its links are restored (`away`), or `fromMs` (`timeout`). */
  readonly toMs: number;
}

export interface StabilityOptions {
  readonly nodeIds: readonly NodeId[];
  /** One election timeout in ms: how long a leader must have led to count as stable. */
  readonly electionMs: number;
  /** How long after the node comes back it must still not disturb the leader, in ms. */
  readonly settleMs: number;
}

/** Whether a fault of `kind` is a shape, which leaves links cut until a `heal`. A switch, not a Set of strings: every run asks it of every event of its plan. */
function isShapeKind(kind: FaultEvent['kind']): boolean {
  switch (kind) {
    case 'partition':
    case 'bridge':
    case 'isolate-leader':
    case 'one-way':
    case 'ring':
      return true;
    default:
      return false;
  }
}

/**
 * The plan's windows (see {@link StabilityWindow}) that no other fault overlaps: no other event's effect (see
 * `faultEffectEndMs`; heals and restarts aside) reaches into [fromMs - calmMs, toMs + settleMs], no
 * partition-like shape is left in place at fromMs, and toMs + settleMs falls before `endMs` (the end of the
 * safety phase: the liveness phase that follows cuts off the nodes outside its core, which is no return to a
 * healthy cluster). A `partition` is a window only when it has two groups and a `heal` follows it; its smaller
 * group is the away side.
 */
export function calmWindows(plan: FaultPlan, calmMs: number, settleMs: number, endMs: number = Number.POSITIVE_INFINITY): StabilityWindow[] {
  const windows: StabilityWindow[] = [];
  const events = plan.events;
  // Each event's effect end, computed once per plan (a crash's scans ahead for its restart) rather than once per
  // candidate window: the overlap test below reads it for every event and every window.
  let ends: Float64Array | null = null;
  let shaped = false;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e === undefined) continue;
    const wasShaped = shaped;
    if (e.kind === 'heal') shaped = false;
    else if (isShapeKind(e.kind)) shaped = true;
    if (wasShaped) continue;
    const found = windowAt(events, i);
    if (found === null) continue;
    const { window, healIndex } = found;
    const from = window.fromMs - calmMs;
    const to = window.toMs + settleMs;
    if (to >= endMs) continue;
    ends ??= effectEnds(events);
    if (!overlapped(events, ends, i, healIndex, from, to)) windows.push(window);
  }
  return windows;
}

/**
 * Whether an event other than window event `i` and its heal acts within [from, to]. Heals and restarts only make the
 * cluster healthier, and the facts show whether a stable leader followed. The events after `i` are asked first, then
 * those before it, nearest first: a plan is in time order, so an overlapping event is most often a neighbour, and
 * most candidate windows of a swarm plan are overlapped (the answer does not depend on the order asked).
 */
function overlapped(events: readonly FaultEvent[], ends: Float64Array, i: number, healIndex: number, from: number, to: number): boolean {
  for (let j = i + 1; j < events.length; j++) if (acts(events, ends, j, healIndex, from, to)) return true;
  for (let j = i - 1; j >= 0; j--) if (acts(events, ends, j, healIndex, from, to)) return true;
  return false;
}

/** Whether event `j` (not the window's heal) acts within [from, to] (see {@link overlapped}). */
function acts(events: readonly FaultEvent[], ends: Float64Array, j: number, healIndex: number, from: number, to: number): boolean {
  const o = events[j] as FaultEvent;
  return j !== healIndex && o.kind !== 'heal' && o.kind !== 'restart' && o.atMs <= to && (ends[j] as number) >= from;
}

/** {@link effectEndMs} of every event, by position. */
function effectEnds(events: readonly FaultEvent[]): Float64Array {
  const ends = new Float64Array(events.length);
  for (let j = 0; j < events.length; j++) ends[j] = effectEndMs(events, j);
  return ends;
}

/** The window event `i` opens, with the index of the heal that ends it (-1: none), or null. */
function windowAt(events: readonly FaultEvent[], i: number): { window: StabilityWindow; healIndex: number } | null {
  const e = events[i] as FaultEvent;
  switch (e.kind) {
    case 'away':
      return { window: { kind: 'away', nodes: [e.node], fromMs: e.atMs, toMs: e.atMs + e.durationMs }, healIndex: -1 };
    case 'clock-jump':
      return { window: { kind: 'timeout', nodes: [e.node], fromMs: e.atMs, toMs: e.atMs }, healIndex: -1 };
    case 'partition': {
      // Index reads and loops, no destructuring, spread or closure: this runs for every partition of every plan,
      // and each of those inlined an iterator or a callback into what TurboFan compiled for the run's set-up.
      const groups = e.groups;
      if (groups.length !== 2) return null;
      const a = groups[0] as readonly NodeId[];
      const b = groups[1] as readonly NodeId[];
      let healIndex = i + 1;
      while (healIndex < events.length && (events[healIndex] as FaultEvent).kind !== 'heal') healIndex++;
      const heal = events[healIndex];
      if (heal === undefined) return null;
      const side = a.length <= b.length ? a : b;
      return { window: { kind: 'away', nodes: side.slice().sort(ascending), fromMs: e.atMs, toMs: heal.atMs }, healIndex };
    }
    default:
      return null;
  }
}

/** When event `j` stops acting: a crash lasts until the node's next restart in the plan, the rest as `faultEffectEndMs` says. */
function effectEndMs(events: FaultPlan['events'], j: number): number {
  const e = events[j];
  if (e === undefined) return Number.NEGATIVE_INFINITY;
  if (e.kind !== 'crash') return faultEffectEndMs(e);
  for (let k = j + 1; k < events.length; k++) {
    const r = events[k];
    if (r !== undefined && r.kind === 'restart' && r.node === e.node) return r.atMs;
  }
  return Number.POSITIVE_INFINITY;
}

interface Judged {
  readonly window: StabilityWindow;
  /** The stable leader's term when the window opened. */
  readonly term: number;
  readonly leader: NodeId;
  /** The leader is among the away nodes: it must step down, and only the away side's terms are judged. */
  readonly leaderAway: boolean;
  /** When a leader still leading while away breaks CheckQuorum, in ms. */
  readonly stepDownByMs: number;
}

/** The stability checker over the given windows (in time order of `fromMs`). */
export function createStabilityChecker(windows: readonly StabilityWindow[], options: StabilityOptions): Checker {
  return new StabilityChecker(windows.slice().sort((a, b) => a.fromMs - b.fromMs || (a.nodes[0] ?? 0) - (b.nodes[0] ?? 0)), options);
}

class StabilityChecker implements Checker {
  readonly property = 'stability' as const;
  /** Applies and acks change nothing it tracks; persists come often enough to open, close and time windows. */
  readonly factKinds = ['persist', 'role', 'crash', 'restart', 'join'] as const;
  /** Per node id: its highest durably stored term. */
  private readonly term: number[] = [];
  private readonly down = new Set<NodeId>();
  /** The latest node to announce leadership, its term and when. */
  private leader: { node: NodeId; term: number; sinceMs: number } | null = null;
  private next = 0;
  private judged: Judged | null = null;
  /** A configuration entry reached a disk or a node joined: the cluster may no longer be the initial one. */
  private membershipChanged = false;

  constructor(
    private readonly windows: readonly StabilityWindow[],
    private readonly options: StabilityOptions,
  ) {
    for (const id of options.nodeIds) this.term[id] = 0;
  }

  observe(fact: Fact): Violation | null {
    // Windows open on the first fact at or after their start: the state seen so far is the state then.
    while (this.judged === null && this.next < this.windows.length && (this.windows[this.next] as StabilityWindow).fromMs <= fact.atMs) {
      this.open(this.windows[this.next] as StabilityWindow);
      this.next++;
    }
    const violation = this.judged === null ? null : this.judge(fact, this.judged);
    this.track(fact);
    return violation;
  }

  /** Starts judging `window` when its assumptions hold at its start. */
  private open(window: StabilityWindow): void {
    if (this.membershipChanged) return;
    // The rest must still be a majority: in a cluster of 1 or 2 a node away leaves a leader without its
    // quorum, and CheckQuorum rightly deposes it.
    const n = this.options.nodeIds.length;
    if (n - window.nodes.length < Math.floor(n / 2) + 1) return;
    const l = this.leader;
    if (l === null || this.down.size > 0) return;
    if (l.sinceMs + this.options.electionMs > window.fromMs) return;
    for (let k = 0; k < this.term.length; k++) if ((this.term[k] as number) > l.term) return;
    const leaderAway = window.nodes.includes(l.node);
    // A leader's own clock jump may rightly trip its CheckQuorum: only a follower's timeout is judged.
    if (leaderAway && window.kind === 'timeout') return;
    this.judged = { window, term: l.term, leader: l.node, leaderAway, stepDownByMs: window.fromMs + STABILITY_STEP_DOWN_ELECTIONS * this.options.electionMs };
  }

  private judge(fact: Fact, j: Judged): Violation | null {
    const w = j.window;
    // The first fact at or after the step-down deadline (whatever its kind, even after the window): no role fact
    // said otherwise before it, so the cut-off leader was still leading then.
    if (j.leaderAway && fact.atMs >= j.stepDownByMs && j.stepDownByMs <= w.toMs) return this.stillLeading(fact, j);
    const endMs = j.leaderAway ? w.toMs : w.toMs + this.options.settleMs;
    if (fact.atMs > endMs || fact.kind === 'crash') {
      // Done, or a crash broke the stable-majority assumption: stop judging this window.
      this.judged = null;
      return null;
    }
    if (j.leaderAway) return this.judgeLeaderAway(fact, j);
    if (fact.kind !== 'persist' || fact.hardState.term <= j.term) return null;
    this.judged = null;
    const back = fact.atMs >= w.toMs;
    const away = w.nodes.includes(fact.node);
    // While the nodes are away they cannot influence anyone: another node raising its term then is the
    // environment's doing (loss, a slow clock), not theirs, and the window is not judged further.
    if (!away && !back) return null;
    const what = w.kind === 'timeout' ? `the clock of node ${w.nodes[0]} jumped` : `${nodeList(w.nodes)} came back from a partition`;
    return this.violation(
      fact,
      j,
      away && !back
        ? `node ${fact.node} stored term ${fact.hardState.term} while partitioned away${companions(w.nodes, fact.node)}, above the term ${j.term} of stable leader ${j.leader}: with pre-vote and check-quorum a node cut off from a healthy majority must neither raise its term nor depose the leader`
        : `node ${fact.node} stored term ${fact.hardState.term}, above the term ${j.term} of stable leader ${j.leader}, ${fact.atMs - w.toMs} ms after ${what}: with pre-vote and check-quorum a returning or timed-out node must not depose a healthy leader`,
      { whileAway: !back },
    );
  }

  /** The stable leader is cut off from the majority: it must step down (see {@link judge}), and its side must keep its terms. */
  private judgeLeaderAway(fact: Fact, j: Judged): Violation | null {
    if (fact.kind === 'role' && fact.node === j.leader && fact.role !== 'leader') {
      // Stepped down in time: what remains to judge is the away side's terms.
      this.judged = { ...j, stepDownByMs: Number.POSITIVE_INFINITY };
      return null;
    }
    if (fact.kind !== 'persist' || fact.hardState.term <= j.term || !j.window.nodes.includes(fact.node)) return null;
    this.judged = null;
    return this.violation(
      fact,
      j,
      `node ${fact.node} stored term ${fact.hardState.term} while partitioned away from the majority${companions(j.window.nodes, fact.node)}, above the term ${j.term} it had when leader ${j.leader} was cut off: with pre-vote a minority must never campaign`,
      { whileAway: true },
    );
  }

  private stillLeading(fact: Fact, j: Judged): Violation {
    this.judged = null;
    const afterMs = j.stepDownByMs - j.window.fromMs;
    return this.violation(
      fact,
      j,
      `leader ${j.leader} of term ${j.term} still led ${afterMs} ms after it was cut off from the majority (${STABILITY_STEP_DOWN_ELECTIONS} election timeouts allowed; no step-down by ${fact.atMs - j.window.fromMs} ms): with check-quorum a leader that does not hear from a majority must step down`,
      { whileAway: true, stepDown: true },
    );
  }

  private violation(fact: Fact, j: Judged, message: string, extra: object): Violation {
    const w = j.window;
    return {
      property: 'stability',
      atMs: fact.atMs,
      event: fact.event,
      nodes: [...new Set([fact.node, j.leader, ...w.nodes])].sort((a, b) => a - b),
      message,
      evidence: { node: fact.node, window: w.kind, away: w.nodes, leader: j.leader, leaderTerm: j.term, ...(fact.kind === 'persist' ? { term: fact.hardState.term } : {}), awayFromMs: w.fromMs, awayToMs: w.toMs, ...extra },
    };
  }

  private track(fact: Fact): void {
    switch (fact.kind) {
      case 'persist':
        if (fact.hardState.term > (this.term[fact.node] ?? 0)) this.term[fact.node] = fact.hardState.term;
        if (!this.membershipChanged) this.membershipChanged = holdsConfEntry(fact.entries);
        return;
      case 'join':
        this.membershipChanged = true;
        return;
      case 'role':
        if (fact.role === 'leader') this.leader = { node: fact.node, term: fact.term, sinceMs: fact.atMs };
        else if (this.leader !== null && this.leader.node === fact.node) this.leader = null;
        return;
      case 'crash':
        this.down.add(fact.node);
        if (this.leader !== null && this.leader.node === fact.node) this.leader = null;
        return;
      case 'restart':
        this.down.delete(fact.node);
        return;
      default:
        return;
    }
  }
}

function ascending(x: number, y: number): number {
  return x - y;
}

/**
 * Whether `entries` hold a configuration entry. An index loop (a for-of made an iterator per persist) that stops at
 * the first; {@link confEntryText} settles most entries on their first character.
 */
function holdsConfEntry(entries: readonly Entry[]): boolean {
  for (let k = 0; k < entries.length; k++) if (confEntryText((entries[k] as Entry).data) !== undefined) return true;
  return false;
}

/** "node 3" or "nodes 2, 3". */
function nodeList(nodes: readonly NodeId[]): string {
  return nodes.length === 1 ? `node ${nodes[0]}` : `nodes ${nodes.join(', ')}`;
}

/** " with node 2" when `node` was away together with others, else "". */
function companions(nodes: readonly NodeId[], node: NodeId): string {
  const others = nodes.filter((x) => x !== node);
  return others.length === 0 ? '' : ` with ${nodeList(others)}`;
}

/**
 * The stability checker for a run, or null when it does not apply: the implementation must declare both
 * `pre-vote` and `check-quorum` (without them Raft makes no such promise), and the plan must hold a calm
 * window that ends before `safetyMs`. Off the hot path otherwise.
 */
export function stabilityCheckerFor(capabilities: readonly Capability[] | undefined, plan: FaultPlan, nodeIds: readonly NodeId[], timing: { readonly electionMs: number; readonly safetyMs: number }): Checker | null {
  if (capabilities === undefined || !capabilities.includes('pre-vote') || !capabilities.includes('check-quorum')) return null;
  const { electionMs, safetyMs } = timing;
  const settleMs = STABILITY_SETTLE_ELECTIONS * electionMs;
  const windows = calmWindows(plan, electionMs, settleMs, safetyMs);
  return windows.length === 0 ? null : createStabilityChecker(windows, { nodeIds, electionMs, settleMs });
}
