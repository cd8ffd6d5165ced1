/**
 * Fault injection: applies the plan's fault events to the running cluster and owns the state faults leave
 * behind — which nodes are paused and the inputs waiting for them, the messages held on clogged links, and the
 * restart delay of each armed crash point. It counts every fault (`FaultCounts`), mixes each into the trace
 * hash and records what it did. The simulation asks it, on the hot path, whether a node is paused.
 */
import { isConfEntryData } from '../core/configuration.js';
import { assertFail } from './assert.js';
import type { NodeId } from './contract.js';
import type { EventQueue } from './event-queue.js';
import type { Fact } from './facts.js';
import { peerOf } from './faults.js';
import type { FaultEvent, FaultKind } from './faults.js';
import type { CrashPoint, NodeHost } from './host.js';
import type { MembershipDriver } from './membership.js';
import type { Network } from './network.js';
import type { Prng } from './prng.js';
import type { DeliverEvent, EventPool, PausedInput, SimEvent } from './sim-event.js';
import { TRACE_CODE, traceHash32 } from './trace.js';
import type { Trace, TraceDetail } from './trace.js';

export interface FaultCounts {
  partition: number;
  bridge: number;
  'isolate-leader': number;
  heal: number;
  crash: number;
  bounce: number;
  restart: number;
  'power-loss': number;
  corrupt: number;
  'crash-point': number;
  /** Crash points that struck (armed ones may be disarmed unstruck). */
  'crash-point-struck': number;
  /** Torn writes left by crashes (and dropped on restart). */
  'torn-write': number;
  /** Nodes that refused to start on corrupt storage. */
  'storage-refused': number;
  'one-way': number;
  ring: number;
  'latency-spike': number;
  clog: number;
  pause: number;
  'clock-jump': number;
  /** Nodes cut off and later reconnected (`away` faults, and reactive `isolate` actions). */
  away: number;
  /** `replay` events fired. */
  replay: number;
  /** Old messages a `replay` put back in flight (those whose link was cut or full are not counted). */
  'message-replay': number;
  /** Reactive faults armed. */
  reactive: number;
  /** Reactive faults whose trigger was seen and whose action was scheduled (also counted under that action's kind). */
  'reactive-fired': number;
  /** Messages dropped because their link already had `linkCapacity` messages in flight. */
  'message-overflow': number;
  /** Messages dropped by loss or partitions. */
  'message-loss': number;
  'message-duplicate': number;
  /** Membership goals that became due (`conf-change` events; they queue, one active at a time). */
  'conf-change': number;
  /** Membership goals the committed configuration met, and those given up at their deadline. */
  'conf-change-done': number;
  'conf-change-given-up': number;
  /** Configuration changes proposed to a leader (accepted or not). */
  'conf-proposal': number;
  /** `transfer` events fired (each asks the leader once, when there is one). */
  transfer: number;
  /** Nodes started with an empty disk to join, and nodes stopped for good. */
  join: number;
  retire: number;
  /** Faults that would have taken down more than f of a configuration in force, skipped (membership runs only). */
  'fault-skipped': number;
}

/** Every count at zero. */
export function zeroFaultCounts(): FaultCounts {
  return { partition: 0, bridge: 0, 'isolate-leader': 0, heal: 0, crash: 0, bounce: 0, restart: 0, 'power-loss': 0, corrupt: 0, 'crash-point': 0, 'crash-point-struck': 0, 'torn-write': 0, 'storage-refused': 0, 'one-way': 0, ring: 0, 'latency-spike': 0, clog: 0, pause: 0, 'clock-jump': 0, away: 0, replay: 0, 'message-replay': 0, reactive: 0, 'reactive-fired': 0, 'message-overflow': 0, 'message-loss': 0, 'message-duplicate': 0, 'conf-change': 0, 'conf-change-done': 0, 'conf-change-given-up': 0, 'conf-proposal': 0, transfer: 0, join: 0, retire: 0, 'fault-skipped': 0 };
}

/**
 * Each fault kind's trace hash (`traceHash32` of its name), computed once: `apply`, `end` and the fault guard mix it
 * for every fault, and hashing the name there inlined the string hash's loop into each of them, once-a-fault code
 * that TurboFan compiles in the bench's measured seeds. The fault counts name every kind; each entry depends only on
 * its own key, so the order the keys are visited in does not matter.
 */
const FAULT_KIND_HASHES: Readonly<Record<string, number>> = faultKindHashes();

function faultKindHashes(): Record<string, number> {
  const hashes: Record<string, number> = { ...zeroFaultCounts() };
  for (const kind in hashes) hashes[kind] = traceHash32(kind);
  return hashes;
}

/** {@link FAULT_KIND_HASHES}' entry for `kind`. */
function faultKindHash(kind: FaultKind): number {
  return FAULT_KIND_HASHES[kind] as number;
}

/** What the fault injector needs from the simulation: the clock, the cluster, the network, the agenda and the trace. */
export interface FaultWorld {
  readonly nowMs: number;
  readonly eventIndex: number;
  /** End of the safety phase: timed faults and restarts are clamped to it (the liveness phase takes over). */
  readonly safetyMs: number;
  readonly hosts: readonly NodeHost[];
  readonly network: Network;
  readonly queue: EventQueue<SimEvent>;
  readonly events: EventPool;
  readonly trace: Trace;
  readonly faultCounts: FaultCounts;
  /** Starts a crashed node again and schedules its ticks. */
  restart(host: NodeHost): void;
  /** The membership driver of a run with membership changes (it also guards faults); null otherwise. */
  readonly membership: MembershipDriver | null;
}

type ReactiveFault = Extract<FaultEvent, { kind: 'reactive' }>;

/** An armed reactive fault and when its window closes. */
interface ArmedReactive {
  readonly fault: ReactiveFault;
  readonly untilMs: number;
}

/** How `conf:`, the configuration entries' prefix, starts in base64 (contract version 2's `entryData: 'base64'`). */
const CONF_PREFIX_BASE64 = 'Y29uZjp';

/** Bound on inputs held for paused nodes and on clogged links. */
const HELD_EVENTS_MAX = 1_000_000;

export class FaultInjector {
  /** Restart delay of each node's armed crash point. */
  private readonly crashPointDownMs = new Map<NodeId, number>();
  /** Per node id: the incarnation that is paused (0: not paused; incarnations start at 1). */
  private readonly pausedIncarnation: Int32Array;
  /** Per node id: when its latest pause ends. */
  private readonly pauseUntilMs: Float64Array;
  /** Nodes with a pause in progress: {@link isPaused} skips the lookup when 0. */
  private pausedCount = 0;
  /** Per node id: inputs that arrived while it was paused, in arrival order. */
  private readonly pauseHeld: PausedInput[][] = [];
  /** Deliveries held on clogged links, in the order they reached the clog. */
  private readonly clogHeld: DeliverEvent[] = [];
  /** Armed reactive faults, in arming order (the first that matches a fact fires). */
  private armed: ArmedReactive[] = [];
  /** Per node id: the term and vote of its last persist seen while reactive faults were armed (the `vote` trigger). */
  private readonly lastTerm: Float64Array;
  private readonly lastVote: Int32Array;
  /** Picks the record a `corrupt` fault flips: fork `corruption` of the run's root, forked at the first one. */
  private corruptionPrng: Prng | null = null;

  constructor(
    private readonly world: FaultWorld,
    /** The run's root stream; forked only when a fault needs a stream of its own (most runs need none). */
    private readonly root: Prng,
  ) {
    const nodeCount = world.hosts.length;
    this.pausedIncarnation = new Int32Array(nodeCount + 1);
    this.pauseUntilMs = new Float64Array(nodeCount + 1);
    for (let id = 0; id <= nodeCount; id++) this.pauseHeld.push([]);
    this.lastTerm = new Float64Array(nodeCount + 1);
    this.lastVote = new Int32Array(nodeCount + 1);
  }

  /**
   * A fact was observed: the first armed reactive fault it triggers fires, scheduling its action `delayMs`
   * later as a fault event of its own (so it is traced, hashed and counted like a planned one). On the hot
   * path, so it returns at once when nothing is armed.
   */
  onFact(fact: Fact): void {
    if (this.armed.length === 0) return;
    const w = this.world;
    let voteChanged = false;
    if (fact.kind === 'persist') {
      const hs = fact.hardState;
      voteChanged = hs.vote !== 0 && (hs.vote !== this.lastVote[fact.node] || hs.term !== this.lastTerm[fact.node]);
      this.lastVote[fact.node] = hs.vote;
      this.lastTerm[fact.node] = hs.term;
    }
    for (let i = 0; i < this.armed.length; i++) {
      const a = this.armed[i] as ArmedReactive;
      if (a.untilMs < w.nowMs) continue;
      if (!this.triggers(a.fault, fact, voteChanged)) continue;
      const atMs = w.nowMs + a.fault.delayMs;
      // Acting in the liveness phase would break its promise of a quiet majority: an action too late is dropped.
      if (atMs >= w.safetyMs) continue;
      this.armed.splice(i, 1);
      w.faultCounts['reactive-fired']++;
      for (const action of this.reactiveActions(a.fault, fact.node, atMs)) w.queue.push(w.events.faultEvent(atMs, action));
      return;
    }
    // Expired ones are dropped in place: a filtered copy per fact, while any reactive fault is armed, was a
    // measurable share of a run's garbage.
    const armed = this.armed;
    let kept = 0;
    for (let i = 0; i < armed.length; i++) {
      const a = armed[i] as ArmedReactive;
      if (a.untilMs >= w.nowMs) armed[kept++] = a;
    }
    if (kept !== armed.length) armed.length = kept;
  }

  /** Whether the host's current incarnation is paused (a restart ends a pause: the process it froze is gone). */
  isPaused(host: NodeHost): boolean {
    return this.pausedCount > 0 && this.pausedIncarnation[host.id] === host.incarnation;
  }

  /** Keeps an input for a paused node until it resumes. */
  holdForPause(node: NodeId, event: PausedInput): void {
    hold(this.pauseHeld[node] as PausedInput[], event);
  }

  /** Keeps a delivery on a clogged link until the clog ends. */
  holdClogged(event: DeliverEvent): void {
    hold(this.clogHeld, event);
  }

  /** A fault event fires. */
  apply(fault: FaultEvent): void {
    const w = this.world;
    // The kind read once: plan events come in some twenty shapes, so each read of a field common to all of them is
    // a megamorphic load (a call) that the compiler cannot merge with the next.
    const { kind } = fault;
    w.faultCounts[kind]++;
    const node = kind === 'crash' || kind === 'restart' || kind === 'away' ? fault.node : kind === 'bounce' && fault.node !== 'leader' ? fault.node : 0;
    w.trace.mix(w.eventIndex, TRACE_CODE.fault, faultKindHash(kind), node, 0);
    if (this.recording) this.record(node, { type: 'fault', fault });
    switch (kind) {
      case 'partition':
        w.network.partition(w.membership === null ? fault.groups : withJoiners(fault.groups, w.hosts.length));
        return;
      case 'bridge':
        w.network.bridge(fault.bridge, fault.sides);
        return;
      case 'isolate-leader':
        this.isolateLeader(fault.companions);
        return;
      case 'heal':
        w.network.heal();
        return;
      case 'crash': {
        const host = this.host(fault.node);
        if (host.up && this.mayTakeDown(host, fault.kind)) host.crash();
        return;
      }
      case 'bounce': {
        const host = this.target(fault);
        if (host === undefined || !this.mayTakeDown(host, fault.kind)) return;
        host.crash();
        this.scheduleRestart(host.id, fault.downMs);
        return;
      }
      case 'restart': {
        const host = this.host(fault.node);
        if (!host.up) w.restart(host);
        return;
      }
      case 'power-loss':
        for (const host of w.hosts) {
          if (!host.up) continue;
          host.crash();
          this.scheduleRestart(host.id, fault.downMs);
        }
        return;
      case 'corrupt': {
        const host = this.host(fault.node);
        if (!this.mayTakeDown(host, fault.kind)) return;
        if (host.up) host.crash();
        if (this.corruptionPrng === null) this.corruptionPrng = this.root.fork('corruption');
        const index = host.disk.corrupt(this.corruptionPrng);
        if (this.recording) this.record(host.id, { type: 'corrupted', index });
        this.scheduleRestart(host.id, fault.downMs);
        return;
      }
      case 'crash-point':
        this.armCrashPoint(fault);
        return;
      case 'one-way':
        w.network.oneWay(fault.from, fault.to);
        return;
      case 'ring':
        w.network.ring();
        return;
      case 'latency-spike':
        w.network.startLatencySpike(fault.extraMsMax);
        this.scheduleEnd(fault, 0, fault.durationMs);
        return;
      case 'clog':
        w.network.clog(fault.from, fault.to);
        this.scheduleEnd(fault, 0, fault.durationMs);
        return;
      case 'pause':
        this.pause(fault);
        return;
      case 'clock-jump':
        this.clockJump(fault.node, fault.ticks);
        return;
      case 'away':
        w.network.setIsolated(fault.node, true);
        this.scheduleEnd(fault, fault.node, fault.durationMs);
        return;
      case 'replay':
        this.replay(fault);
        return;
      case 'reactive':
        this.armed.push({ fault, untilMs: Math.min(w.nowMs + fault.windowMs, w.safetyMs) });
        return;
      case 'conf-change':
      case 'transfer':
        w.membership?.onEvent(fault);
        return;
    }
  }

  /**
   * Whether a fault may take `host` down: always in a fixed cluster (the plan guard judged it), and in a membership
   * run only when no half of a configuration in force would have more than f down; a skipped fault is counted,
   * hashed and recorded.
   */
  private mayTakeDown(host: NodeHost, kind: FaultKind): boolean {
    const w = this.world;
    if (w.membership === null || w.membership.mayTakeDown(host)) return true;
    w.faultCounts['fault-skipped']++;
    w.trace.mix(w.eventIndex, TRACE_CODE.fault, faultKindHash(kind), host.id, 2);
    if (this.recording) this.record(host.id, { type: 'fault-skipped', fault: kind, target: host.id });
    return false;
  }

  /** Whether `fact` is what the reactive fault waits for. */
  private triggers(fault: ReactiveFault, fact: Fact, voteChanged: boolean): boolean {
    switch (fault.trigger) {
      case 'vote':
        return voteChanged;
      case 'candidate':
        return fact.kind === 'role' && fact.role === 'candidate';
      case 'leader-elected':
        return fact.kind === 'role' && fact.role === 'leader';
      case 'leader-append':
        return fact.kind === 'persist' && fact.entries.length > 0 && this.host(fact.node).role === 'leader';
      case 'ack':
        return fact.kind === 'ack';
      case 'conf-append':
        return fact.kind === 'persist' && this.host(fact.node).role === 'leader' && fact.entries.some((e) => isConfEntryData(e.data) || e.data.startsWith(CONF_PREFIX_BASE64));
    }
  }

  /**
   * Delivers old messages again (see the `replay` fault): a sample of those sent at least `ageMsMin` ago, each
   * routed on its link as it is now. Its stream is forked by the event's time and age, so the sample does not
   * depend on other replays of the plan (a shrinker removing one leaves the others' picks alone).
   */
  private replay(fault: Extract<FaultEvent, { kind: 'replay' }>): void {
    const w = this.world;
    const draw = w.network.replayDraw(`${fault.atMs}/${fault.ageMsMin}`);
    for (const { message, sentAtMs } of w.network.replaySample(fault.count, w.nowMs - fault.ageMsMin, draw)) {
      const copies = w.network.routeReplay(message.from, message.to, draw);
      const typeHash = traceHash32(message.type);
      w.trace.mix(w.eventIndex, TRACE_CODE.replay, typeHash, message.from * 256 + message.to, message.term * 4 + copies);
      if (w.trace.recording) w.trace.add(w.nowMs, w.eventIndex, message.from, { type: 'replayed', message, sentAtMs, copies });
      if (copies === 0) continue;
      w.faultCounts['message-replay']++;
      w.queue.push(w.events.deliverEvent(w.nowMs + (w.network.delays[0] as number), message, typeHash));
    }
  }

  /** The plain fault events a fired reactive fault becomes, aimed at the node that triggered it or its peer. */
  private reactiveActions(fault: ReactiveFault, node: NodeId, atMs: number): FaultEvent[] {
    const nodeCount = this.world.hosts.length;
    const peer = peerOf(node, fault.peer, nodeCount);
    switch (fault.action) {
      case 'bounce':
        return [{ atMs, kind: 'bounce', node, downMs: fault.durationMs }];
      case 'bounce-peer':
        return [{ atMs, kind: 'bounce', node: peer, downMs: fault.durationMs }];
      case 'isolate':
        return [{ atMs, kind: 'away', node, durationMs: fault.durationMs }];
      case 'clog':
        return [{ atMs, kind: 'clog', from: node, to: peer, durationMs: fault.durationMs }];
      case 'mute':
        // One clog per outgoing link, in id order: clogs hold deliveries, so what was already sent waits too.
        return Array.from({ length: nodeCount - 1 }, (_, k): FaultEvent => ({ atMs, kind: 'clog', from: node, to: peerOf(node, k + 1, nodeCount), durationMs: fault.durationMs }));
    }
  }

  /** A timed fault ends: a latency spike, a clog, or the pause of `node`. */
  end(fault: FaultEvent, node: NodeId): void {
    const w = this.world;
    const { kind } = fault;
    w.trace.mix(w.eventIndex, TRACE_CODE.fault, faultKindHash(kind), node, 1);
    switch (kind) {
      case 'latency-spike':
        w.network.endLatencySpike(fault.extraMsMax);
        if (this.recording) this.record(0, { type: 'latency-spike-end', extraMsMax: fault.extraMsMax });
        return;
      case 'clog':
        if (w.network.unclog(fault.from, fault.to)) this.releaseClog(fault.from, fault.to);
        return;
      case 'pause':
        this.resume(node);
        return;
      case 'away':
        // From the end of the safety phase the liveness phase owns the links (it may keep this node cut off).
        if (w.nowMs < w.safetyMs) w.network.setIsolated(node, false);
        return;
      default:
        assertFail(`fault ${kind} has no end`);
    }
  }

  /** An armed crash point expired unstruck. */
  disarm(node: NodeId): void {
    if (this.host(node).disarmCrashPoint()) this.crashPointDownMs.delete(node);
  }

  /** An armed crash point struck (the host has crashed itself): count it and schedule the restart. */
  crashPointStruck(node: NodeId): void {
    this.world.faultCounts['crash-point-struck']++;
    const downMs = this.crashPointDownMs.get(node) ?? 1;
    this.crashPointDownMs.delete(node);
    if (this.recording) this.record(node, { type: 'crash-point-struck', downMs });
    this.scheduleRestart(node, downMs);
  }

  private isolateLeader(companions: number): void {
    const w = this.world;
    const leader = this.currentLeader();
    if (leader === undefined) return;
    const nodeCount = w.hosts.length;
    const side = [leader.id];
    for (let k = 1; k <= companions; k++) side.push(((leader.id - 1 + k) % nodeCount) + 1);
    const rest = w.hosts.map((h) => h.id).filter((id) => !side.includes(id));
    if (this.recording) this.record(leader.id, { type: 'fault-target', fault: 'isolate-leader', leader: leader.id, cut: { side, rest } });
    w.network.partition([side, rest]);
  }

  /**
   * Arms a crash point on `host` at once, for the membership driver's crash of a leader in the middle of a
   * configuration change (it strikes in the Ready that writes the entry); it restarts `downMs` after striking.
   * Returns false, arming nothing, when the node is down or the fault guard refuses. The caller disarms it
   * ({@link disarm}) if the change was not accepted.
   */
  armNow(host: NodeHost, point: CrashPoint, downMs: number): boolean {
    if (!host.up || host.armedCrashPoint !== null || !this.mayTakeDown(host, 'crash-point')) return false;
    this.world.faultCounts['crash-point']++;
    host.armCrashPoint(point);
    this.crashPointDownMs.set(host.id, downMs);
    if (this.recording) this.record(host.id, { type: 'crash-point-armed', point });
    return true;
  }

  private armCrashPoint(fault: Extract<FaultEvent, { kind: 'crash-point' }>): void {
    const host = fault.node === 'leader' ? this.currentLeader() : this.host(fault.node);
    if (host === undefined || !host.up || !this.mayTakeDown(host, fault.kind)) return;
    host.armCrashPoint(fault.point);
    this.crashPointDownMs.set(host.id, fault.downMs);
    if (this.recording) this.record(host.id, { type: 'crash-point-armed', point: fault.point });
    const w = this.world;
    w.queue.push(w.events.nodeEvent('disarm', w.nowMs + fault.downMs, host.id));
  }

  /** The live host a bounce or pause hits (the leader when it names 'leader'), or undefined. */
  private target(fault: Extract<FaultEvent, { kind: 'bounce' | 'pause' }>): NodeHost | undefined {
    const host = fault.node === 'leader' ? this.currentLeader() : this.host(fault.node);
    if (host === undefined || !host.up) return undefined;
    if (fault.node === 'leader' && this.recording) this.record(host.id, { type: 'fault-target', fault: fault.kind, leader: host.id, cut: null });
    return host;
  }

  /** Ends `fault` after `durationMs`, clamped to the end of the safety phase like restarts are. */
  private scheduleEnd(fault: FaultEvent, node: NodeId, durationMs: number): number {
    const w = this.world;
    const atMs = Math.min(w.nowMs + durationMs, Math.max(w.nowMs, w.safetyMs));
    w.queue.push(w.events.faultEndEvent(atMs, fault, node));
    return atMs;
  }

  /** Restarts `node` after `downMs` (clamped to the end of the safety phase, where the liveness phase takes over). */
  private scheduleRestart(node: NodeId, downMs: number): void {
    const w = this.world;
    const atMs = Math.min(w.nowMs + downMs, Math.max(w.nowMs, w.safetyMs));
    w.queue.push(w.events.faultEvent(atMs, { atMs, kind: 'restart', node }));
  }

  /** The clog of `from → to` is over: what it held is delivered now, all at once, in send order. */
  private releaseClog(from: NodeId, to: NodeId): void {
    const w = this.world;
    const held = this.clogHeld;
    const released: DeliverEvent[] = [];
    // Kept in place, in indexed loops: this runs a few times a run and is compiled in the bench's measured seeds,
    // where for-of's iteration protocol and a second list made it several times the code.
    let kept = 0;
    for (let i = 0; i < held.length; i++) {
      const e = held[i] as DeliverEvent;
      if (e.message.from === from && e.message.to === to) released.push(e);
      else held[kept++] = e;
    }
    if (kept !== held.length) held.length = kept;
    // Queue sequence numbers were assigned when the messages were sent: sorting by them restores send order.
    released.sort(bySeq);
    for (let i = 0; i < released.length; i++) {
      const e = released[i] as DeliverEvent;
      w.queue.push(w.events.deliverEvent(w.nowMs, e.message, e.typeHash));
    }
    if (this.recording) this.record(from, { type: 'clog-end', from, to, released: released.length });
  }

  /** Stops a node's process for the fault's duration (the leader's, when it names 'leader'). */
  private pause(fault: Extract<FaultEvent, { kind: 'pause' }>): void {
    const host = this.target(fault);
    if (host === undefined) return;
    if (this.pausedIncarnation[host.id] === 0) this.pausedCount++;
    this.pausedIncarnation[host.id] = host.incarnation;
    const untilMs = this.scheduleEnd(fault, host.id, fault.durationMs);
    this.pauseUntilMs[host.id] = Math.max(this.pauseUntilMs[host.id] as number, untilMs);
  }

  /**
   * The node's process runs again with the state it had: first the fsyncs its disk completed meanwhile,
   * then the messages and client requests that waited, in arrival order (queued now, behind nothing new).
   */
  private resume(node: NodeId): void {
    const w = this.world;
    if (this.pausedIncarnation[node] === 0 || w.nowMs < (this.pauseUntilMs[node] as number)) return;
    this.pausedIncarnation[node] = 0;
    this.pauseUntilMs[node] = 0;
    this.pausedCount--;
    const held = this.pauseHeld[node] as PausedInput[];
    this.pauseHeld[node] = [];
    if (this.recording) this.record(node, { type: 'resume', held: held.length });
    const host = this.host(node);
    for (let i = 0; i < held.length; i++) {
      const e = held[i] as PausedInput;
      if (e.kind === 'fsync') host.onFsync(e.incarnation);
    }
    for (let i = 0; i < held.length; i++) {
      const e = held[i] as PausedInput;
      if (e.kind !== 'fsync') w.queue.push(w.events.retimed(e, w.nowMs));
    }
  }

  /**
   * The node's clock jumps forward: `ticks` ticks at once. Nothing happens to a node that is down or paused;
   * the jump stops early if a tick leaves the node waiting on an fsync (it takes no input until then).
   */
  private clockJump(node: NodeId, ticks: number): void {
    const w = this.world;
    const host = this.host(node);
    if (!host.up || this.isPaused(host)) return;
    for (let k = 0; k < ticks && host.up && !host.busy; k++) {
      w.trace.mix(w.eventIndex, TRACE_CODE.tick, node, 0, 0);
      host.tick();
    }
  }

  /** The live node leading in the highest term, if any. */
  private currentLeader(): NodeHost | undefined {
    let best: NodeHost | undefined;
    const hosts = this.world.hosts;
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i] as NodeHost;
      if (h.up && h.role === 'leader' && (best === undefined || h.roleTerm > best.roleTerm)) best = h;
    }
    return best;
  }

  private host(node: NodeId): NodeHost {
    const host = this.world.hosts[node - 1];
    if (host === undefined) assertFail(`no node ${node}`);
    return host;
  }

  /**
   * Whether the run keeps trace records. Every `record` call is behind it, so a run that does not record builds no
   * detail object: these are once-a-fault paths that reach TurboFan in the bench's measured seeds, and an object
   * literal built on every call (then dropped) is allocation code in each of them.
   */
  private get recording(): boolean {
    return this.world.trace.recording;
  }

  private record(node: NodeId, detail: TraceDetail): void {
    const w = this.world;
    w.trace.add(w.nowMs, w.eventIndex, node, detail);
  }
}

/**
 * A membership run's partition: a plan names the nodes it knew of, so a node it does not name (one that joined
 * later) stays with the largest group (the first of the largest) instead of being cut off alone.
 */
function withJoiners(groups: readonly (readonly NodeId[])[], nodeCount: number): NodeId[][] {
  const out = groups.map((g) => [...g]);
  let largest = out[0];
  for (const g of out) if (largest === undefined || g.length > largest.length) largest = g;
  if (largest === undefined) return out;
  const named = new Set(groups.flat());
  for (let id = 1; id <= nodeCount; id++) if (!named.has(id)) largest.push(id);
  largest.sort((a, b) => a - b);
  return out;
}

function bySeq(a: DeliverEvent, b: DeliverEvent): number {
  return a.seq - b.seq;
}

function hold<E>(held: E[], event: E): void {
  if (!(held.length < HELD_EVENTS_MAX)) assertFail(`more than ${HELD_EVENTS_MAX} events held for a paused node or a clogged link`);
  held.push(event);
}
