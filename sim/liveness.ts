/**
 * The liveness phase (TigerBeetle's VOPR shape): from the end of the safety phase the network turns reliable
 * (the latency range is kept), clients start nothing new and stop giving up, and a random *core* — a majority
 * or more of the nodes that did not refuse corrupt storage — is healed: its crashed nodes restart and its
 * links are restored. The rest stay faulty: a crashed node stays down, a running one is cut off from everyone.
 * Raft promises progress whenever a majority is up and connected, so the core must converge — one leader in
 * its highest stored term, no client operation pending, every core node at the same applied index — before a
 * deadline. With `fullHeal` the core is every node (the behaviour before majority-only liveness). It owns the
 * phase's start, the periodic convergence check and the outcome.
 */
import { allMembers } from '../core/configuration.js';
import type { NodeId } from './contract.js';
import { mayTakeDown } from './configuration-view.js';
import type { MembershipDriver } from './membership.js';
import type { EventQueue } from './event-queue.js';
import type { NodeHost } from './host.js';
import { RELIABLE_NETWORK } from './network.js';
import type { Network } from './network.js';
import type { Prng } from './prng.js';
import type { EventPool, SimEvent } from './sim-event.js';
import { TRACE_CODE } from './trace.js';
import type { Trace } from './trace.js';
import type { Workload } from './workload.js';

/** How often the liveness phase checks for convergence, in simulated ms. */
export const LIVENESS_CHECK_MS = 50;

export interface LivenessOutcome {
  /** False when the liveness phase was off. */
  readonly checked: boolean;
  readonly ok: boolean;
  /** Simulated ms from the start of the liveness phase to convergence, when it converged. */
  readonly convergedAfterMs: number | null;
  /** What was still wrong at the deadline. */
  readonly problems: readonly string[];
  /** The nodes healed and judged (every node that did not refuse corrupt storage, with a full heal), ascending. */
  readonly core: readonly NodeId[];
}

/** What the liveness phase needs from the simulation. */
export interface LivenessWorld {
  readonly nowMs: number;
  readonly eventIndex: number;
  readonly hosts: readonly NodeHost[];
  readonly network: Network;
  readonly workload: Workload;
  readonly queue: EventQueue<SimEvent>;
  readonly events: EventPool;
  readonly trace: Trace;
  /** Starts a crashed node again and schedules its ticks. */
  restart(host: NodeHost): void;
  /** The membership driver of a run with membership changes; null in a fixed cluster. */
  readonly membership: MembershipDriver | null;
}

export class LivenessPhase {
  private startMs = -1;
  private result: LivenessOutcome = { checked: false, ok: true, convergedAfterMs: null, problems: [], core: [] };
  /** The hosts healed and judged; set at {@link start}. */
  private core: NodeHost[] = [];

  constructor(
    private readonly world: LivenessWorld,
    /** Picks the core (drawn only without a full heal, at the start of the phase). */
    private readonly prng: Prng,
    /** Heal and restart every node, as before majority-only liveness. */
    private readonly fullHeal: boolean,
  ) {}

  /** The outcome so far: unchecked until {@link finish}. */
  get outcome(): LivenessOutcome {
    return this.result;
  }

  /** The safety phase is over: heal the core, leave the rest faulty, quiet the clients, schedule the first check. */
  start(): void {
    const w = this.world;
    this.startMs = w.nowMs;
    if (w.trace.recording) w.trace.add(w.nowMs, w.eventIndex, 0, { type: 'liveness-start' });
    w.trace.mix(w.eventIndex, TRACE_CODE.phase, 1, 0, 0);
    w.network.heal();
    w.network.setOptions({ ...RELIABLE_NETWORK, latencyMsMin: w.network.settings.latencyMsMin, latencyMsMax: w.network.settings.latencyMsMax });
    w.membership?.stop();
    this.core = w.membership === null ? this.healCore() : this.healMembershipCore(w.membership);
    for (const host of w.hosts) {
      if (this.core.includes(host)) continue;
      // Outside the core: a crashed node stays down (unless a restart was already due), and no node outside
      // hears anyone or is heard, so it cannot disturb the core whatever its state.
      w.trace.mix(w.eventIndex, TRACE_CODE.phase, 2, host.id, host.up ? 1 : 0);
      w.network.setIsolated(host.id, true);
    }
    w.workload.finishOnly();
    w.queue.push(w.events.phaseEvent('liveness-check', w.nowMs + LIVENESS_CHECK_MS));
  }

  /** A scheduled check: finishes the phase when the cluster converged (returns true), else schedules the next. */
  check(): boolean {
    if (this.problems().length === 0) {
      this.finish(true);
      return true;
    }
    const w = this.world;
    w.queue.push(w.events.phaseEvent('liveness-check', w.nowMs + LIVENESS_CHECK_MS));
    return false;
  }

  /** Ends the phase: converged (`ok`), or at the deadline with whatever still keeps the cluster from converging. */
  finish(ok: boolean): void {
    const w = this.world;
    const problems = ok ? [] : this.problems();
    const convergedAfterMs = problems.length === 0 ? w.nowMs - this.startMs : null;
    this.result = { checked: true, ok: problems.length === 0, convergedAfterMs, problems, core: this.core.filter((h) => !h.failed).map((h) => h.id) };
    if (w.trace.recording) w.trace.add(w.nowMs, w.eventIndex, 0, { type: 'liveness-end', convergedAfterMs, problems });
  }

  /**
   * Restarts the core and returns it, ascending: every node that did not refuse corrupt storage with a full
   * heal, else a random subset of them of a random size from a majority of the cluster up to all of them. A
   * core node that refuses its corrupt storage on this restart is replaced by the next in the random order (the
   * fault model keeps corrupted nodes to at most f, so a majority is always reachable).
   */
  private healCore(): NodeHost[] {
    const w = this.world;
    const eligible = w.hosts.filter((h) => !h.failed);
    const majority = Math.floor(w.hosts.length / 2) + 1;
    const size = this.fullHeal ? eligible.length : this.prng.range(Math.min(majority, eligible.length), eligible.length);
    const order = this.fullHeal ? eligible : this.prng.shuffle(eligible);
    const core: NodeHost[] = [];
    let healthy = 0;
    for (const host of order) {
      if (healthy >= size) break;
      if (!host.up) w.restart(host);
      core.push(host);
      if (!host.failed) healthy++;
    }
    return core.sort((a, b) => a.id - b.id);
  }

  /**
   * The core of a membership run: the members of the configurations in force that still run or can restart (a
   * removed node, or one that joined and was never added, stays out and cut off), less a random few, never so many
   * that a voter half of a configuration in force loses its majority (`fullHeal`: none left out).
   */
  private healMembershipCore(membership: MembershipDriver): NodeHost[] {
    const w = this.world;
    const configurations = membership.inForce();
    const members = new Set(configurations.flatMap(allMembers));
    const eligible = w.hosts.filter((h) => h.started && !h.failed && !h.retired && members.has(h.id));
    const out = new Set<NodeId>();
    if (!this.fullHeal) {
      const leaveOutMax = this.prng.range(0, eligible.length);
      const isDown = (id: NodeId): boolean => out.has(id) || w.hosts[id - 1]?.failed === true || w.hosts[id - 1]?.retired === true;
      for (const host of this.prng.shuffle(eligible)) {
        if (out.size >= leaveOutMax) break;
        if (mayTakeDown(configurations, host.id, isDown)) out.add(host.id);
      }
    }
    const core = eligible.filter((h) => !out.has(h.id));
    for (const host of core) if (!host.up) w.restart(host);
    return core;
  }

  /** What still keeps the core from having converged (empty when it has). */
  private problems(): string[] {
    const w = this.world;
    const problems: string[] = [];
    // A node that refused corrupt storage is out for good; the rest of the core must converge without it. With
    // membership changes, a core node the committed configuration no longer holds is not judged either.
    const members = w.membership === null ? null : allMembers(w.membership.committed);
    const live = this.core.filter((h) => !h.failed && (members === null || members.includes(h.id)));
    const leaders = live.filter((h) => h.up && h.role === 'leader');
    const maxTerm = Math.max(...live.map((h) => h.disk.durableHardState.term));
    const leader = leaders.find((h) => h.roleTerm === maxTerm);
    if (leader === undefined) problems.push(`no leader in the highest term ${maxTerm}`);
    const outstanding = w.workload.outstanding();
    if (outstanding > 0) problems.push(`${outstanding} client operation(s) still pending`);
    const applied = live.map((h) => h.appliedIndex);
    if (Math.min(...applied) !== Math.max(...applied)) problems.push(`nodes applied different prefixes (applied indexes ${applied.join(', ')})`);
    return problems;
  }
}
