/**
 * Leadership transfer (issue 15, thesis §3.10), for implementations that declare `leadership-transfer`: a transfer
 * a leader accepts in calm conditions completes — its target becomes leader of a later term within
 * {@link TRANSFER_DEADLINE_ELECTIONS} election timeouts. The thesis has the leader bring the target's log up to
 * date before it sends TimeoutNow, and give up after one election timeout; a leader that sends TimeoutNow to a
 * target whose log is behind has it campaign with a log a majority refuses to vote for, and the cluster is left
 * without the leader it asked for (and without any, until another election).
 *
 * Judged from facts and the run's plan only, and only where the promise holds:
 * - the network is calm for the whole run (no loss, no long delays, no bounded link capacity that drops, latency
 *   at most {@link TRANSFER_LATENCY_MS_MAX}): lost appends or a lost TimeoutNow rightly make a transfer abort;
 * - no fault of the plan (heals, restarts, transfers and configuration goals aside) acts in the window from the
 *   acceptance to the deadline, no partition-like shape is in place, and the deadline falls before the end of the
 *   safety phase (see {@link disturbedIntervals});
 * - when the transfer is accepted, the facts show the accepting node as the leader of the highest stored term, no
 *   node down, and no configuration activity (a configuration entry persisted, a change proposed and accepted, a
 *   node joining or retiring) for an election timeout before; the target is not behind the accepting leader's
 *   latest snapshot (streaming a snapshot may take longer than an election timeout);
 * - within the window no node crashes, no configuration activity happens, and no node other than the target raises
 *   its term above the leader's before the target does (someone else's election is the environment's doing).
 * Otherwise the transfer is skipped, never failed. A later accepted transfer by the same leader to another target
 * supersedes it (the leader starts over), and is judged in its place. A violation is reported on the first fact at
 * or after the deadline, or at the end of the run (`finish`) when none came.
 */
import type { Capability, NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import { faultEffectEndMs } from '../sim/faults.js';
import type { FaultPlan } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import { confEntryText } from './configurations.js';
import type { Checker, Violation } from './types.js';

/**
 * Election timeouts from a transfer's acceptance within which its target must lead. The leader gives up after one
 * election timeout of its own clock (which may run up to 1.5 times slow), and a TimeoutNow sent just before that
 * still starts an election that takes a few round trips and fsyncs: two leave room for both, and a target that
 * never campaigns, or campaigns with a log the voters refuse, still misses them by far.
 */
export const TRANSFER_DEADLINE_ELECTIONS = 2;

/** The slowest message latency, in ms, under which a transfer must complete: a tenth of the standard election timeout. */
export const TRANSFER_LATENCY_MS_MAX = 10;

/** A stretch of the plan in which some fault acts: a transfer whose window meets it is not judged. */
export interface DisturbedInterval {
  readonly fromMs: number;
  /** Inclusive; infinite for a fault that is never undone (a crash without a restart, a shape without a heal). */
  readonly toMs: number;
}

export interface TransferOptions {
  /** One election timeout, in ms. */
  readonly electionMs: number;
  /** The end of the safety phase, in ms: the liveness phase that follows cuts nodes off. */
  readonly safetyMs: number;
}

/** Shapes that leave links cut until a `heal`. */
const SHAPE_KINDS: ReadonlySet<string> = new Set(['partition', 'bridge', 'isolate-leader', 'one-way', 'ring']);

/** Events that never disturb a transfer in the plan's terms (configuration goals are judged from the facts). */
const BENIGN_KINDS: ReadonlySet<string> = new Set(['heal', 'restart', 'transfer', 'conf-change']);

/**
 * True when `network` lets a transfer complete: nothing is lost or dropped, nothing is delayed long, and no message
 * takes longer than {@link TRANSFER_LATENCY_MS_MAX}.
 */
export function calmForTransfer(network: NetworkOptions): boolean {
  return network.lossPerMille === 0 && network.longDelayPerMille === 0 && network.linkCapacity === undefined && network.latencyMsMax <= TRANSFER_LATENCY_MS_MAX;
}

/**
 * Where the plan's faults act: each event's effect (see `faultEffectEndMs`), a crash until the node's next restart,
 * a partition-like shape until the next heal. Heals, restarts, transfers and configuration goals are no faults here.
 */
export function disturbedIntervals(plan: FaultPlan): DisturbedInterval[] {
  const out: DisturbedInterval[] = [];
  const events = plan.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e === undefined || BENIGN_KINDS.has(e.kind)) continue;
    let toMs = faultEffectEndMs(e);
    if (e.kind === 'crash') {
      const restart = events.find((r, k) => k > i && r.kind === 'restart' && r.node === e.node);
      toMs = restart === undefined ? Number.POSITIVE_INFINITY : restart.atMs;
    } else if (SHAPE_KINDS.has(e.kind)) {
      const heal = events.find((h, k) => k > i && h.kind === 'heal');
      toMs = heal === undefined ? Number.POSITIVE_INFINITY : heal.atMs;
    }
    out.push({ fromMs: e.atMs, toMs });
  }
  return out;
}

/** An accepted transfer being judged. */
interface Pending {
  readonly leader: NodeId;
  readonly target: NodeId;
  /** The leader's term when it accepted. */
  readonly term: number;
  readonly acceptedAtMs: number;
  readonly deadlineMs: number;
  /** The target stored a term above `term` (it campaigned): from then on others may too. */
  targetCampaigned: boolean;
}

/** The transfer checker over the plan's disturbed intervals (see the module comment). */
export function createTransferChecker(disturbed: readonly DisturbedInterval[], options: TransferOptions): Checker {
  return new TransferChecker(disturbed, options);
}

class TransferChecker implements Checker {
  readonly property = 'transfer' as const;
  readonly factKinds = ['persist', 'role', 'crash', 'restart', 'join', 'retire', 'conf-proposal', 'transfer', 'snapshot'] as const;
  /** Per node id: its highest durably stored term. */
  private readonly term: number[] = [];
  /** Per node id: the index of the last entry it persisted (a persist replaces its log from its first entry on). */
  private readonly lastIndex: number[] = [];
  /** Per node id: the index of its latest snapshot. */
  private readonly snapshotIndex: number[] = [];
  private readonly down = new Set<NodeId>();
  /** The latest node to announce leadership and its term. */
  private leader: { node: NodeId; term: number } | null = null;
  /** When configuration activity was last seen, in ms. */
  private lastMembershipMs = Number.NEGATIVE_INFINITY;
  private pending: Pending | null = null;

  constructor(
    private readonly disturbed: readonly DisturbedInterval[],
    private readonly options: TransferOptions,
  ) {}

  observe(fact: Fact): Violation | null {
    const violation = this.pending === null ? null : this.judge(fact, this.pending);
    this.track(fact);
    if (fact.kind === 'transfer' && fact.accepted) this.open(fact.node, fact.target, fact.atMs);
    return violation;
  }

  private judge(fact: Fact, p: Pending): Violation | null {
    if (fact.atMs >= p.deadlineMs) {
      this.pending = null;
      return this.violation(fact.atMs, fact.event, p);
    }
    switch (fact.kind) {
      case 'role':
        if (fact.node === p.target && fact.role === 'leader' && fact.term > p.term) this.pending = null;
        return null;
      case 'persist':
        if (fact.hardState.term <= p.term) return null;
        if (fact.node === p.target) p.targetCampaigned = true;
        // Another node's election before the target's campaign: the environment's, not the transfer's.
        else if (!p.targetCampaigned) this.pending = null;
        if (this.pending !== null && fact.entries.some((e) => confEntryText(e.data) !== undefined)) this.pending = null;
        return null;
      case 'crash':
      case 'join':
      case 'retire':
        this.pending = null;
        return null;
      case 'conf-proposal':
        if (fact.accepted) this.pending = null;
        return null;
      default:
        return null;
    }
  }

  /** Starts judging the transfer `leader` accepted to `target` at `atMs`, when its assumptions hold. */
  private open(leader: NodeId, target: NodeId, atMs: number): void {
    const p = this.pending;
    // Asked again for the same target: the transfer in progress goes on, with its own deadline.
    if (p !== null && p.leader === leader && p.target === target) return;
    this.pending = null;
    const { electionMs, safetyMs } = this.options;
    const deadlineMs = atMs + TRANSFER_DEADLINE_ELECTIONS * electionMs;
    if (deadlineMs >= safetyMs || this.down.size > 0) return;
    if (atMs - this.lastMembershipMs < electionMs) return;
    const l = this.leader;
    if (l === null || l.node !== leader || this.term.some((t) => t !== undefined && t > l.term)) return;
    if ((this.lastIndex[target] ?? 0) < (this.snapshotIndex[leader] ?? 0)) return;
    if (this.disturbed.some((d) => d.fromMs <= deadlineMs && d.toMs >= atMs)) return;
    this.pending = { leader, target, term: l.term, acceptedAtMs: atMs, deadlineMs, targetCampaigned: false };
  }

  /** The run ended past the deadline of a transfer still pending: no fact came after it to report it on. */
  finish(endMs: number, event: number): Violation | null {
    const p = this.pending;
    if (p === null || endMs < p.deadlineMs) return null;
    this.pending = null;
    return this.violation(endMs, event, p);
  }

  private violation(atMs: number, event: number, p: Pending): Violation {
    const afterMs = atMs - p.acceptedAtMs;
    return {
      property: 'transfer',
      atMs,
      event,
      nodes: p.leader < p.target ? [p.leader, p.target] : [p.target, p.leader],
      message: `leader ${p.leader} of term ${p.term} accepted a leadership transfer to node ${p.target} in calm conditions, but node ${p.target} did not become leader of a later term within ${TRANSFER_DEADLINE_ELECTIONS} election timeouts (${p.deadlineMs - p.acceptedAtMs} ms; still not at +${afterMs} ms${p.targetCampaigned ? '; it campaigned and lost' : ''}): the leader must bring the target up to date before TimeoutNow (thesis §3.10)`,
      evidence: { leader: p.leader, target: p.target, leaderTerm: p.term, acceptedAtMs: p.acceptedAtMs, deadlineMs: p.deadlineMs, targetCampaigned: p.targetCampaigned },
    };
  }

  private track(fact: Fact): void {
    switch (fact.kind) {
      case 'persist': {
        if (fact.hardState.term > (this.term[fact.node] ?? 0)) this.term[fact.node] = fact.hardState.term;
        const last = fact.entries[fact.entries.length - 1];
        if (last !== undefined) this.lastIndex[fact.node] = last.index;
        for (const e of fact.entries) if (confEntryText(e.data) !== undefined) this.lastMembershipMs = fact.atMs;
        return;
      }
      case 'role':
        if (fact.role === 'leader') this.leader = { node: fact.node, term: fact.term };
        else if (this.leader !== null && this.leader.node === fact.node) this.leader = null;
        return;
      case 'snapshot':
        this.snapshotIndex[fact.node] = fact.index;
        if (fact.index > (this.lastIndex[fact.node] ?? 0)) this.lastIndex[fact.node] = fact.index;
        return;
      case 'crash':
        this.down.add(fact.node);
        if (this.leader !== null && this.leader.node === fact.node) this.leader = null;
        return;
      case 'restart': {
        this.down.delete(fact.node);
        const last = fact.stored.entries[fact.stored.entries.length - 1];
        this.lastIndex[fact.node] = last?.index ?? fact.stored.snapshot?.index ?? 0;
        return;
      }
      case 'join':
      case 'retire':
        this.lastMembershipMs = fact.atMs;
        return;
      case 'conf-proposal':
        if (fact.accepted) this.lastMembershipMs = fact.atMs;
        return;
      default:
        return;
    }
  }
}

/**
 * The transfer checker for a run, or null when it does not apply: the implementation must declare
 * `leadership-transfer`, the plan must hold a transfer, and the network must be calm ({@link calmForTransfer}).
 */
export function transferCheckerFor(capabilities: readonly Capability[] | undefined, plan: FaultPlan, network: NetworkOptions, options: TransferOptions): Checker | null {
  if (capabilities === undefined || !capabilities.includes('leadership-transfer')) return null;
  if (!plan.events.some((e) => e.kind === 'transfer') || !calmForTransfer(network)) return null;
  return createTransferChecker(disturbedIntervals(plan), options);
}
