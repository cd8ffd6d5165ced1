/**
 * The membership driver: the client of configuration changes and leadership transfers in a run whose plan has
 * `conf-change` and `transfer` events (sim/faults.ts). Like the key-value clients it goes through whoever leads
 * (the live node announcing leadership in the highest term, from the role facts) and retries: a goal ("add node 6
 * as a learner, then promote it", "replace the leader by node 5") becomes one configuration change at a time,
 * computed against the committed configuration (sim/configuration-view.ts), proposed again every `retryMs` until
 * the committed configuration meets the goal or the goal's deadline passes. It starts a node a goal adds (an empty
 * disk, no configuration: a `join` fact) and retires a node a goal removes once its removal is committed, when the
 * goal asks. Goals queue, one active at a time. In the liveness phase it starts nothing new.
 */
import { allMembers, isJoint, isVoter, nextConfiguration } from '../core/configuration.js';
import type { ConfChange, ConfChangeRequest, Configuration, NodeId, RaftImplementation } from './contract.js';
import { mayTakeDown } from './configuration-view.js';
import type { ConfigurationView } from './configuration-view.js';
import type { EventQueue } from './event-queue.js';
import type { FaultCounts } from './fault-injector.js';
import type { ConfGoal, FaultEvent } from './faults.js';
import type { NodeHost } from './host.js';
import type { Prng } from './prng.js';
import type { EventPool, SimEvent } from './sim-event.js';
import { TRACE_CODE } from './trace.js';
import type { MembershipStep, Trace } from './trace.js';

type ConfChangeEvent = Extract<FaultEvent, { kind: 'conf-change' }>;
type TransferEvent = Extract<FaultEvent, { kind: 'transfer' }>;

/** What the driver needs from the simulation. */
export interface MembershipWorld {
  readonly nowMs: number;
  readonly eventIndex: number;
  readonly hosts: readonly NodeHost[];
  readonly queue: EventQueue<SimEvent>;
  readonly events: EventPool;
  readonly trace: Trace;
  readonly faultCounts: FaultCounts;
  /** Starts a node that never ran (it joins with an empty disk) and schedules its ticks. */
  join(host: NodeHost): void;
  /** Whether the node can take an input now (up, not paused, no fsync in flight). */
  accepts(host: NodeHost): boolean;
  /** Arms an after-persist crash point on `host` now, restarting it `downMs` after it strikes; false if refused. */
  crashAfterPersist(host: NodeHost, downMs: number): boolean;
  /** Disarms the crash point armed on `node`, if it has not struck. */
  disarmCrashPoint(node: NodeId): void;
}

/** Codes of the driver's own steps in the trace hash (`b` of TRACE_CODE.membership). */
const STEP_CODE: Readonly<Record<MembershipStep, number>> = { done: 1, 'given-up': 2, 'no-leader': 3, impossible: 4, 'not-capable': 5, dropped: 6 };

interface ActiveGoal {
  readonly event: ConfChangeEvent;
  /** The goal with `'leader'` resolved once a leader was known. */
  goal: ConfGoal;
  readonly deadlineMs: number;
  /** Whether the leader was already crashed mid-change for this goal (`crashLeaderMs`: once per goal). */
  crashed: boolean;
}

export class MembershipDriver {
  private readonly waiting: ConfChangeEvent[] = [];
  private active: ActiveGoal | null = null;
  /** When the next attempt is due (-1: none); step events at other times are stale and ignored. */
  private nextStepMs = -1;
  /** Off from the liveness phase on: nothing new is proposed. */
  private running = true;
  private readonly confCapable: boolean;
  private readonly transferCapable: boolean;

  constructor(
    private readonly world: MembershipWorld,
    private readonly view: ConfigurationView,
    implementation: RaftImplementation,
    /** Draws the targets of `transfer` events aimed at a random voter (a stream of its own). */
    private readonly prng: Prng,
    /** How long the driver waits between two attempts, in simulated ms. */
    private readonly retryMs: number,
  ) {
    const capabilities = implementation.capabilities ?? [];
    this.confCapable = capabilities.includes('membership-change');
    this.transferCapable = capabilities.includes('leadership-transfer');
  }

  /** A plan's `conf-change` or `transfer` event fired. */
  onEvent(fault: ConfChangeEvent | TransferEvent): void {
    if (fault.kind === 'transfer') {
      this.transfer(fault);
      return;
    }
    if (!this.confCapable) {
      this.note('not-capable', fault.goal);
      return;
    }
    this.waiting.push(fault);
    if (this.active === null) this.activateNext();
  }

  /** The configurations that may be in force now, from the logs of the nodes still running or able to restart. */
  inForce(): Configuration[] {
    const nodes: NodeId[] = [];
    for (const h of this.world.hosts) if (h.started && !h.retired) nodes.push(h.id);
    return this.view.inForce(nodes);
  }

  /** The committed configuration. */
  get committed(): Configuration {
    return this.view.committed;
  }

  /**
   * The fault guard of a membership run: whether `host` may go down now without more than f of any half of a
   * configuration in force down. Down: crashed, refused its storage, retired, or with a crash point armed.
   */
  mayTakeDown(host: NodeHost): boolean {
    const hosts = this.world.hosts;
    const isDown = (id: NodeId): boolean => {
      const h = hosts[id - 1];
      return h === undefined || !h.up || h.failed || h.retired || h.armedCrashPoint !== null;
    };
    return mayTakeDown(this.inForce(), host.id, isDown);
  }

  /** The liveness phase: the goals still open are dropped (it promises a quiet cluster). */
  stop(): void {
    this.running = false;
    if (this.active !== null) this.note('dropped', this.active.goal);
    for (const e of this.waiting) this.note('dropped', e.goal);
    this.active = null;
    this.waiting.length = 0;
  }

  /**
   * A node announced leadership: with a goal active, the driver tries it at once (a client hearing of a new leader
   * goes there), not at its next retry.
   */
  onLeaderElected(): void {
    if (this.active !== null && this.running) this.scheduleAt(this.world.nowMs);
  }

  /** A scheduled attempt (a `membership-step` event). */
  step(): void {
    if (this.world.nowMs !== this.nextStepMs) return;
    this.nextStepMs = -1;
    const a = this.active;
    if (a === null || !this.running) return;
    const w = this.world;
    const committed = this.view.committed;
    if (a.goal.op !== 'add' && (a.goal.op === 'remove' ? a.goal.node : a.goal.remove) === 'leader') {
      const leader = this.leader();
      if (leader !== undefined) a.goal = resolveLeader(a.goal, leader.id);
    }
    if (goalMet(a.goal, committed)) {
      w.faultCounts['conf-change-done']++;
      this.note('done', a.goal);
      const removed = removedNode(a.goal);
      if (a.event.retire && typeof removed === 'number') this.retire(removed);
      this.activateNext();
      return;
    }
    if (w.nowMs >= a.deadlineMs) {
      w.faultCounts['conf-change-given-up']++;
      this.note('given-up', a.goal);
      this.activateNext();
      return;
    }
    this.attempt(a, committed);
    this.schedule();
  }

  /** One attempt at the active goal: the next change, proposed to the leader if nothing else is in flight. */
  private attempt(a: ActiveGoal, committed: Configuration): void {
    const leader = this.leader();
    if (leader === undefined || !this.world.accepts(leader)) return;
    // A change the leader appended and has not committed yet (or the auto-leave of a joint one) comes first.
    const own = this.view.latest(leader.id);
    if (own === undefined || own.index !== this.view.committedIndex || isJoint(committed)) return;
    const request = nextRequest(a.goal, committed);
    if (request === null) return;
    if (typeof nextConfiguration(committed, request) === 'string') {
      // The goal cannot be reached from here (it would leave no voter, or names a stranger): give it up now.
      this.note('impossible', a.goal);
      this.activateNext();
      return;
    }
    this.world.faultCounts['conf-proposal']++;
    const crashMs = a.event.crashLeaderMs;
    const armed = crashMs !== undefined && !a.crashed && this.world.crashAfterPersist(leader, crashMs);
    const result = leader.proposeConfChange(request);
    if (armed) {
      a.crashed = result.accepted;
      // Refused: nothing was written, and the crash point must not strike some later, unrelated write.
      if (!result.accepted) this.world.disarmCrashPoint(leader.id);
    }
  }

  private transfer(fault: TransferEvent): void {
    if (!this.transferCapable || !this.running) {
      if (!this.transferCapable) this.note('not-capable', null);
      return;
    }
    const leader = this.leader();
    if (leader === undefined || !this.world.accepts(leader)) {
      this.note('no-leader', null);
      return;
    }
    const voters = this.view.committed.voters.filter((id) => id !== leader.id);
    const target = fault.target === 'random' ? (voters.length === 0 ? undefined : this.prng.pick(voters)) : fault.target;
    if (target === undefined) {
      this.note('no-leader', null);
      return;
    }
    leader.transferLeadership(target);
  }

  private activateNext(): void {
    const w = this.world;
    const next = this.waiting.shift();
    this.active = null;
    if (next === undefined || !this.running) return;
    this.active = { event: next, goal: next.goal, deadlineMs: w.nowMs + next.giveUpMs, crashed: false };
    // The node a goal adds runs before it is proposed, so it can take the log the leader sends it.
    const added = addedNode(next.goal);
    if (added !== null) {
      const host = w.hosts[added - 1];
      if (host !== undefined && !host.started) {
        w.faultCounts.join++;
        w.join(host);
      }
    }
    this.schedule();
  }

  private retire(node: NodeId): void {
    const host = this.world.hosts[node - 1];
    if (host === undefined || host.retired || !host.started) return;
    this.world.faultCounts.retire++;
    host.retire();
  }

  private schedule(): void {
    this.scheduleAt(this.world.nowMs + this.retryMs);
  }

  private scheduleAt(atMs: number): void {
    if (this.nextStepMs !== -1 && this.nextStepMs <= atMs) return;
    this.nextStepMs = atMs;
    const w = this.world;
    w.queue.push(w.events.phaseEvent('membership-step', atMs));
  }

  /** The live node announcing leadership in the highest term, if any (from the role facts, like leader faults). */
  private leader(): NodeHost | undefined {
    let best: NodeHost | undefined;
    for (const h of this.world.hosts) if (h.up && h.role === 'leader' && (best === undefined || h.roleTerm > best.roleTerm)) best = h;
    return best;
  }

  private note(step: MembershipStep, goal: ConfGoal | null): void {
    const w = this.world;
    w.trace.mix(w.eventIndex, TRACE_CODE.membership, STEP_CODE[step], 0, 0);
    if (w.trace.recording) w.trace.add(w.nowMs, w.eventIndex, 0, { type: 'membership', step, goal });
  }
}

function resolveLeader(goal: ConfGoal, leader: NodeId): ConfGoal {
  if (goal.op === 'remove') return { op: 'remove', node: leader };
  if (goal.op === 'replace') return { op: 'replace', remove: leader, add: goal.add };
  return goal;
}

function addedNode(goal: ConfGoal): NodeId | null {
  return goal.op === 'add' ? goal.node : goal.op === 'replace' ? goal.add : null;
}

function removedNode(goal: ConfGoal): NodeId | 'leader' | null {
  return goal.op === 'remove' ? goal.node : goal.op === 'replace' ? goal.remove : null;
}

/** Whether the committed configuration `c` meets the goal (outside joint consensus). */
export function goalMet(goal: ConfGoal, c: Configuration): boolean {
  if (isJoint(c)) return false;
  const removed = removedNode(goal);
  if (removed === 'leader') return false;
  const added = addedNode(goal);
  if (added !== null && !c.voters.includes(added)) return false;
  return removed === null || !allMembers(c).includes(removed);
}

/**
 * The next configuration change towards `goal` from the committed configuration `c`, or null when there is none to
 * make now (a joint configuration must be left first, or the leader to remove is not known yet).
 */
export function nextRequest(goal: ConfGoal, c: Configuration): ConfChangeRequest | null {
  if (isJoint(c)) return null;
  const changes: ConfChange[] = [];
  const added = addedNode(goal);
  if (added !== null && !c.voters.includes(added)) {
    if (c.learners.includes(added)) changes.push({ type: 'promote', node: added });
    else changes.push({ type: goal.op === 'add' && goal.via === 'learner' ? 'add-learner' : 'add-voter', node: added });
  }
  const removed = removedNode(goal);
  if (removed === 'leader') return null;
  if (removed !== null && (isVoter(c, removed) || c.learners.includes(removed))) changes.push({ type: 'remove', node: removed });
  return changes.length === 0 ? null : { changes };
}
