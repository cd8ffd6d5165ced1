/**
 * Stability (issue 11, item 3), for implementations that declare both `pre-vote` and `check-quorum`: with a
 * connected majority and a stable leader, a node that is partitioned away and comes back must not depose the
 * leader and must not raise its term while away (thesis §9.6, PreVote; §4.2.3, votes ignored while a leader
 * is heard from). From facts only: during each `away` window of the plan, the away node must not durably
 * store a term above the stable leader's (a pre-vote that bumps its own term), and after it comes back, until
 * a settle time has passed, no node may (its return deposed the leader: a campaign or a pre-vote the others
 * should have refused or ignored).
 *
 * The property is promised only where its assumptions hold, so a window is judged only when they do: the plan
 * has no other fault whose effect reaches into the window (nor a partition left in place), and the facts show a
 * stable leader when the node goes away — the leader in the highest stored term, leading for at least an
 * election timeout, no node down — and no crash until the window ends. Otherwise the window is skipped, never
 * failed. If another node raises its term while the node is still away, the environment did it (the away node
 * cannot reach anyone), and the window is not judged further.
 */
import type { Capability, NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import { faultEffectEndMs } from '../sim/faults.js';
import type { FaultPlan } from '../sim/faults.js';
import type { Checker, Violation } from './types.js';

/** Election timeouts after a node comes back during which it must still not disturb the leader. */
export const STABILITY_SETTLE_ELECTIONS = 3;

/** An `away` fault of the plan that the stability property judges. */
export interface AwayWindow {
  readonly node: NodeId;
  readonly fromMs: number;
  /** When its links are restored. */
  readonly toMs: number;
}

export interface StabilityOptions {
  readonly nodeIds: readonly NodeId[];
  /** One election timeout in ms: how long a leader must have led to count as stable. */
  readonly electionMs: number;
  /** How long after the node comes back it must still not disturb the leader, in ms. */
  readonly settleMs: number;
}

/** Shapes that leave links cut until a `heal`. */
const SHAPE_KINDS: ReadonlySet<string> = new Set(['partition', 'bridge', 'isolate-leader', 'one-way', 'ring']);

/**
 * The plan's `away` windows that no other fault overlaps: no other event's effect (see `faultEffectEndMs`; heals
 * and restarts aside) reaches into [fromMs - calmMs, toMs + settleMs], and no partition-like shape is left in
 * place at fromMs.
 */
export function calmAwayWindows(plan: FaultPlan, calmMs: number, settleMs: number): AwayWindow[] {
  const windows: AwayWindow[] = [];
  const events = plan.events;
  let shaped = false;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e === undefined) continue;
    if (e.kind === 'heal') shaped = false;
    else if (SHAPE_KINDS.has(e.kind)) shaped = true;
    if (e.kind !== 'away' || shaped) continue;
    const from = e.atMs - calmMs;
    const to = e.atMs + e.durationMs + settleMs;
    // Heals and restarts only make the cluster healthier, and the facts show whether a stable leader followed.
    const overlapped = events.some((o, j) => j !== i && o.kind !== 'heal' && o.kind !== 'restart' && o.atMs <= to && effectEndMs(events, j) >= from);
    if (!overlapped) windows.push({ node: e.node, fromMs: e.atMs, toMs: e.atMs + e.durationMs });
  }
  return windows;
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
  readonly window: AwayWindow;
  /** The stable leader's term when the node went away. */
  readonly term: number;
  readonly leader: NodeId;
}

/** The stability checker over the given windows (in time order of `fromMs`). */
export function createStabilityChecker(windows: readonly AwayWindow[], options: StabilityOptions): Checker {
  return new StabilityChecker([...windows].sort((a, b) => a.fromMs - b.fromMs || a.node - b.node), options);
}

class StabilityChecker implements Checker {
  readonly property = 'stability' as const;
  /** Per node id: its highest durably stored term. */
  private readonly term: number[] = [];
  private readonly down = new Set<NodeId>();
  /** The latest node to announce leadership, its term and when. */
  private leader: { node: NodeId; term: number; sinceMs: number } | null = null;
  private next = 0;
  private judged: Judged | null = null;

  constructor(
    private readonly windows: readonly AwayWindow[],
    private readonly options: StabilityOptions,
  ) {
    for (const id of options.nodeIds) this.term[id] = 0;
  }

  observe(fact: Fact): Violation | null {
    // Windows open on the first fact at or after their start: the state seen so far is the state then.
    while (this.judged === null && this.next < this.windows.length && (this.windows[this.next] as AwayWindow).fromMs <= fact.atMs) {
      this.open(this.windows[this.next] as AwayWindow);
      this.next++;
    }
    const violation = this.judged === null ? null : this.judge(fact, this.judged);
    this.track(fact);
    return violation;
  }

  /** Starts judging `window` when its assumptions hold at its start. */
  private open(window: AwayWindow): void {
    // The rest must still be a majority: in a cluster of 1 or 2 a node away leaves a leader without its
    // quorum, and CheckQuorum rightly deposes it.
    const n = this.options.nodeIds.length;
    if (n - 1 < Math.floor(n / 2) + 1) return;
    const l = this.leader;
    if (l === null || l.node === window.node || this.down.size > 0) return;
    if (l.sinceMs + this.options.electionMs > window.fromMs) return;
    if (this.term.some((t) => t > l.term)) return;
    this.judged = { window, term: l.term, leader: l.node };
  }

  private judge(fact: Fact, j: Judged): Violation | null {
    if (fact.atMs > j.window.toMs + this.options.settleMs || fact.kind === 'crash') {
      // Done, or a crash broke the stable-majority assumption: stop judging this window.
      this.judged = null;
      return null;
    }
    if (fact.kind !== 'persist' || fact.hardState.term <= j.term) return null;
    this.judged = null;
    const back = fact.atMs >= j.window.toMs;
    // While the node is away it cannot influence anyone: another node raising its term then is the
    // environment's doing (loss, a slow clock), not the away node's, and the window is not judged further.
    if (fact.node !== j.window.node && !back) return null;
    return {
      property: 'stability',
      atMs: fact.atMs,
      event: fact.event,
      nodes: [...new Set([fact.node, j.leader, j.window.node])].sort((a, b) => a - b),
      message:
        fact.node === j.window.node
          ? `node ${fact.node} stored term ${fact.hardState.term} ${back ? `${fact.atMs - j.window.toMs} ms after it came back` : 'while partitioned away'}, above the term ${j.term} of stable leader ${j.leader}: with pre-vote and check-quorum a node cut off from a healthy majority must neither raise its term nor depose the leader`
          : `node ${fact.node} stored term ${fact.hardState.term}, above the term ${j.term} of stable leader ${j.leader}, ${fact.atMs - j.window.toMs} ms after node ${j.window.node} came back from a partition: with pre-vote and check-quorum a returning node must not depose a healthy leader`,
      evidence: { node: fact.node, away: j.window.node, leader: j.leader, leaderTerm: j.term, term: fact.hardState.term, awayFromMs: j.window.fromMs, awayToMs: j.window.toMs, whileAway: !back },
    };
  }

  private track(fact: Fact): void {
    switch (fact.kind) {
      case 'persist':
        if (fact.hardState.term > (this.term[fact.node] ?? 0)) this.term[fact.node] = fact.hardState.term;
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

/**
 * The stability checker for a run, or null when it does not apply: the implementation must declare both
 * `pre-vote` and `check-quorum` (without them Raft makes no such promise), and the plan must hold a calm
 * `away` window. Off the hot path otherwise.
 */
export function stabilityCheckerFor(capabilities: readonly Capability[] | undefined, plan: FaultPlan, nodeIds: readonly NodeId[], electionMs: number): Checker | null {
  if (capabilities === undefined || !capabilities.includes('pre-vote') || !capabilities.includes('check-quorum')) return null;
  const settleMs = STABILITY_SETTLE_ELECTIONS * electionMs;
  const windows = calmAwayWindows(plan, electionMs, settleMs);
  return windows.length === 0 ? null : createStabilityChecker(windows, { nodeIds, electionMs, settleMs });
}
