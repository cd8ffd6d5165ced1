/**
 * The liveness phase (TigerBeetle's VOPR shape): from the end of the safety phase the network heals and turns
 * reliable (the latency range is kept), every crashed node restarts, clients start nothing new and stop giving
 * up, and the cluster must converge — one leader in the highest stored term, no client operation pending, every
 * node that did not refuse corrupt storage at the same applied index — before a deadline. It owns the phase's
 * start, the periodic convergence check and the outcome.
 */
import type { EventQueue } from './event-queue.js';
import type { NodeHost } from './host.js';
import { RELIABLE_NETWORK } from './network.js';
import type { Network } from './network.js';
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
}

export class LivenessPhase {
  private startMs = -1;
  private result: LivenessOutcome = { checked: false, ok: true, convergedAfterMs: null, problems: [] };

  constructor(private readonly world: LivenessWorld) {}

  /** The outcome so far: unchecked until {@link finish}. */
  get outcome(): LivenessOutcome {
    return this.result;
  }

  /** The safety phase is over: heal, restart, quiet the clients, and schedule the first convergence check. */
  start(): void {
    const w = this.world;
    this.startMs = w.nowMs;
    if (w.trace.recording) w.trace.add(w.nowMs, w.eventIndex, 0, { type: 'liveness-start' });
    w.trace.mix(w.eventIndex, TRACE_CODE.phase, 1, 0, 0);
    w.network.heal();
    w.network.setOptions({ ...RELIABLE_NETWORK, latencyMsMin: w.network.settings.latencyMsMin, latencyMsMax: w.network.settings.latencyMsMax });
    for (const host of w.hosts) if (!host.up) w.restart(host);
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
    this.result = { checked: true, ok: problems.length === 0, convergedAfterMs, problems };
    if (w.trace.recording) w.trace.add(w.nowMs, w.eventIndex, 0, { type: 'liveness-end', convergedAfterMs, problems });
  }

  /** What still keeps the cluster from having converged (empty when it has). */
  private problems(): string[] {
    const w = this.world;
    const problems: string[] = [];
    // Nodes that refused to start on corrupt storage are out for good; the rest must converge without them.
    const live = w.hosts.filter((h) => !h.failed);
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
