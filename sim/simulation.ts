/**
 * One simulated run: a cluster of node hosts on a simulated network, driven by a seeded event queue
 * through a safety phase (with the fault plan) and, optionally, a liveness phase (faults healed, every
 * node restarted, the cluster must converge). Everything observable feeds the trace hash; facts go to the
 * observer (the checkers), which may stop the run.
 */
import { decodeKvCommand } from '../core/kv.js';
import type { KvCommand, KvResult } from '../core/kv.js';
import { assert, assertFail } from './assert.js';
import type { Entry, Message, NodeId, RaftImplementation } from './contract.js';
import { EventQueue } from './event-queue.js';
import type { Fact } from './facts.js';
import { NodeClocks, clocksAreImperfect } from './clock.js';
import type { ClockOptions } from './clock.js';
import { checkPlan } from './faults.js';
import type { FaultEvent, FaultPlan } from './faults.js';
import { hashString } from './hash.js';
import { ImplementationFault, NodeHost } from './host.js';
import type { HostContext } from './host.js';
import { PERFECT_DISK } from './disk.js';
import type { DiskOptions } from './disk.js';
import { Network, RELIABLE_NETWORK } from './network.js';
import type { NetworkOptions } from './network.js';
import { Prng } from './prng.js';
import { Trace, TRACE_CODE } from './trace.js';
import type { TraceKind, TraceLine } from './trace.js';
import { Workload } from './workload.js';
import type { ClientHistoryEvent, WorkloadContext, WorkloadCounts, WorkloadOptions } from './workload.js';

export interface SimulationOptions {
  readonly seed: number;
  readonly nodeCount: number;
  readonly implementation: RaftImplementation;
  /** Real time between two ticks of a node, in simulated ms. */
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Length of the safety phase (faults on), in simulated ms. */
  readonly safetyMs: number;
  /** Bound on the liveness phase (faults off, cluster must converge), in simulated ms; 0 turns it off. */
  readonly livenessMs: number;
  readonly network: NetworkOptions;
  readonly workload: WorkloadOptions;
  readonly plan: FaultPlan;
  /** Record readable trace lines (replay, reports); off on the hot path. */
  readonly record: boolean;
  /** Disk behaviour (fsync latency, torn writes); a perfect disk when absent. */
  readonly disk?: DiskOptions;
  /** Node clock skew and drift; perfect clocks (every node ticks every tickMs) when absent. */
  readonly clock?: ClockOptions;
  /** Host-level planted bugs; correct behaviour when absent. */
  readonly hostBugs?: HostBugs;
}

/** Deliberately broken host behaviours, planted to prove the checkers catch what they cause. */
export interface HostBugs {
  /** Use storage whose checksums fail instead of refusing to start. */
  readonly ignoreChecksums?: boolean;
  /** Send a Ready's messages before its fsync completes. */
  readonly sendBeforeFsync?: boolean;
}

/** Receives every fact as it is observed; returns true to stop the run (a violation was found). */
export interface FactObserver {
  observe(fact: Fact): boolean;
  /** Optionally sees every message delivered to a live node (coverage probes). */
  deliver?(message: Message): void;
}

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
  /** Messages dropped because their link already had `linkCapacity` messages in flight. */
  'message-overflow': number;
  /** Messages dropped by loss or partitions. */
  'message-loss': number;
  'message-duplicate': number;
}

export interface SimulationStats {
  events: number;
  simulatedMs: number;
  messagesSent: number;
  messagesDelivered: number;
  leadersElected: number;
  maxTerm: number;
  clientOps: WorkloadCounts;
  faults: FaultCounts;
}

export interface LivenessOutcome {
  /** False when the liveness phase was off. */
  readonly checked: boolean;
  readonly ok: boolean;
  /** Simulated ms from the start of the liveness phase to convergence, when it converged. */
  readonly convergedAfterMs: number | null;
  /** What was still wrong at the deadline. */
  readonly problems: readonly string[];
}

export interface SimulationResult {
  readonly seed: number;
  readonly traceHash: string;
  /** Why the run ended. */
  readonly stoppedBy: 'end' | 'observer' | 'implementation-error';
  readonly implementationError: { readonly node: NodeId; readonly message: string; readonly atMs: number; readonly event: number } | null;
  readonly liveness: LivenessOutcome;
  readonly history: readonly ClientHistoryEvent[];
  readonly stats: SimulationStats;
  readonly trace: readonly TraceLine[] | null;
}

type SimEvent =
  | { atMs: number; seq: number; readonly kind: 'tick'; readonly node: NodeId; readonly incarnation: number }
  | { readonly atMs: number; seq: number; readonly kind: 'deliver'; readonly message: Message }
  | { readonly atMs: number; seq: number; readonly kind: 'fault'; readonly fault: FaultEvent }
  | { readonly atMs: number; seq: number; readonly kind: 'client-next'; readonly slot: number }
  | { readonly atMs: number; seq: number; readonly kind: 'client-timeout'; readonly slot: number; readonly attempt: number }
  | {
      readonly atMs: number;
      seq: number;
      readonly kind: 'client-request';
      readonly slot: number;
      readonly node: NodeId;
      readonly session: number;
      readonly seq_: number;
      readonly data: string;
    }
  | {
      readonly atMs: number;
      seq: number;
      readonly kind: 'client-reply';
      readonly slot: number;
      readonly from: NodeId;
      readonly session: number;
      readonly seq_: number;
      readonly result: KvResult | null;
      readonly leaderHint: NodeId | 0;
    }
  | { readonly atMs: number; seq: number; readonly kind: 'fsync'; readonly node: NodeId; readonly incarnation: number }
  | { readonly atMs: number; seq: number; readonly kind: 'disarm'; readonly node: NodeId }
  /** A timed network or clock fault ends: a latency spike, a clog (`node` 0) or a pause of `node`. */
  | { readonly atMs: number; seq: number; readonly kind: 'fault-end'; readonly fault: FaultEvent; readonly node: NodeId }
  | { readonly atMs: number; seq: number; readonly kind: 'liveness-start' }
  | { readonly atMs: number; seq: number; readonly kind: 'liveness-check' };

/** How often the liveness phase checks for convergence, in simulated ms. */
const LIVENESS_CHECK_MS = 50;
/** Hard bound on events in one run, against runaway feedback loops. */
const EVENTS_MAX = 300_000;
/** Bound on inputs held for paused nodes and on clogged links. */
const HELD_EVENTS_MAX = 1_000_000;

type DeliverEvent = Extract<SimEvent, { kind: 'deliver' }>;
/** What waits for a paused node: its messages, client requests and fsync completions. */
type PausedInput = Extract<SimEvent, { kind: 'deliver' | 'client-request' | 'fsync' }>;

export function simulate(options: SimulationOptions, observer: FactObserver): SimulationResult {
  return new Simulation(options, observer).run();
}

class Simulation implements HostContext, WorkloadContext {
  nowMs = 0;
  eventIndex = 0;
  readonly nodeCount: number;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly hosts: NodeHost[] = [];
  private readonly network: Network;
  private readonly workload: Workload;
  private readonly trace: Trace;
  private readonly typeHashes = new Map<string, number>();
  private readonly commandCache = new Map<string, KvCommand | null>();
  private readonly clientPrng: Prng;
  private readonly corruptionPrng: Prng;
  /** Restart delay of each node's armed crash point. */
  private readonly crashPointDownMs = new Map<NodeId, number>();
  /** Skewed or drifting node clocks; null for perfect clocks, so the tick path stays a field read. */
  private readonly clocks: NodeClocks | null;
  /** Per node id: the incarnation that is paused (0: not paused; incarnations start at 1). */
  private readonly pausedIncarnation: Int32Array;
  /** Per node id: when its latest pause ends. */
  private readonly pauseUntilMs: Float64Array;
  /** Nodes with a pause in progress: the hot paths skip the pause lookup when 0. */
  private pausedCount = 0;
  /** Per node id: inputs that arrived while it was paused, in arrival order. */
  private readonly pauseHeld: PausedInput[][] = [];
  /** Deliveries held on clogged links, in the order they reached the clog. */
  private clogHeld: DeliverEvent[] = [];
  private stopped: SimulationResult['stoppedBy'] | null = null;
  private implementationError: SimulationResult['implementationError'] = null;
  private livenessStartMs = -1;
  private liveness: LivenessOutcome = { checked: false, ok: true, convergedAfterMs: null, problems: [] };
  private readonly stats: SimulationStats = {
    events: 0,
    simulatedMs: 0,
    messagesSent: 0,
    messagesDelivered: 0,
    leadersElected: 0,
    maxTerm: 0,
    clientOps: { ok: 0, fail: 0, info: 0, retries: 0 },
    faults: { partition: 0, bridge: 0, 'isolate-leader': 0, heal: 0, crash: 0, bounce: 0, restart: 0, 'power-loss': 0, corrupt: 0, 'crash-point': 0, 'crash-point-struck': 0, 'torn-write': 0, 'storage-refused': 0, 'one-way': 0, ring: 0, 'latency-spike': 0, clog: 0, pause: 0, 'clock-jump': 0, 'message-overflow': 0, 'message-loss': 0, 'message-duplicate': 0 },
  };

  constructor(
    private readonly options: SimulationOptions,
    private readonly observer: FactObserver,
  ) {
    const problems = checkPlan(options.plan, options.nodeCount, options.safetyMs, { tickMs: options.tickMs, electionTicks: options.electionTicks });
    if (!(problems.length === 0)) assertFail(`fault plan outside the fault model: ${problems.join('; ')}`);
    this.nodeCount = options.nodeCount;
    const root = Prng.forRun(options.seed);
    this.network = new Network(options.nodeCount, options.network, root.fork('network'));
    this.clientPrng = root.fork('client-network');
    this.corruptionPrng = root.fork('corruption');
    this.clocks = clocksAreImperfect(options.clock) ? new NodeClocks(options.nodeCount, options.tickMs, options.clock as ClockOptions, root.fork('clock')) : null;
    this.pausedIncarnation = new Int32Array(options.nodeCount + 1);
    this.pauseUntilMs = new Float64Array(options.nodeCount + 1);
    for (let id = 0; id <= options.nodeCount; id++) this.pauseHeld.push([]);
    this.trace = new Trace(options.record);
    const peers = Array.from({ length: options.nodeCount }, (_, i) => i + 1);
    for (const id of peers) {
      const host = new NodeHost(
        {
          id,
          peers,
          implementation: options.implementation,
          electionTicks: options.electionTicks,
          heartbeatTicks: options.heartbeatTicks,
          prng: root.fork(`node/${id}`),
          disk: options.disk ?? PERFECT_DISK,
          verifyChecksums: options.hostBugs?.ignoreChecksums !== true,
          sendBeforeFsync: options.hostBugs?.sendBeforeFsync === true,
        },
        this,
      );
      this.hosts.push(host);
    }
    this.workload = new Workload(options.workload, root.fork('workload'), this);
    const tickPhase = root.fork('tick-phase');
    for (const host of this.hosts) {
      this.guard(() => host.start());
      this.scheduleTick(host, tickPhase.int(options.tickMs));
    }
    for (const fault of options.plan.events) this.queue.push({ atMs: fault.atMs, seq: 0, kind: 'fault', fault });
    if (options.livenessMs > 0) this.queue.push({ atMs: options.safetyMs, seq: 0, kind: 'liveness-start' });
    this.workload.begin();
  }

  run(): SimulationResult {
    const { safetyMs, livenessMs } = this.options;
    const endMs = safetyMs + livenessMs;
    while (this.stopped === null) {
      const event = this.queue.pop();
      if (event === undefined || event.atMs > endMs) break;
      this.nowMs = event.atMs;
      this.eventIndex++;
      if (this.eventIndex >= EVENTS_MAX) {
        // Typical runs take ~20k events; this many means the implementation is in a message storm or a
        // livelock. Stopping here keeps a broken implementation from stalling a whole batch.
        this.recordFault(new ImplementationFault(0, `event storm: more than ${EVENTS_MAX} events by ${this.nowMs} ms (a livelock or a message storm)`));
        break;
      }
      try {
        this.handle(event);
      } catch (error) {
        this.recordFault(error);
      }
    }
    if (this.stopped === null && livenessMs > 0 && !this.liveness.checked) this.finishLiveness(false);
    this.stats.events = this.eventIndex;
    this.stats.simulatedMs = this.nowMs;
    this.stats.clientOps = { ...this.workload.counts };
    return {
      seed: this.options.seed,
      traceHash: this.trace.hash.digest(),
      stoppedBy: this.stopped ?? 'end',
      implementationError: this.implementationError,
      liveness: this.liveness,
      history: this.workload.history,
      stats: this.stats,
      trace: this.trace.lines,
    };
  }

  // ---- HostContext -------------------------------------------------------------------------------

  observe(fact: Fact): void {
    if (fact.kind === 'role' && fact.role === 'leader') this.stats.leadersElected++;
    if (fact.kind === 'persist' && fact.hardState.term > this.stats.maxTerm) this.stats.maxTerm = fact.hardState.term;
    if (this.trace.recording) this.recordFact(fact);
    if (this.observer.observe(fact)) this.stopped = 'observer';
  }

  send(message: Message): void {
    this.stats.messagesSent++;
    const copies = this.network.route(message.from, message.to);
    this.traceHash(4, this.typeHash(message.type), message.from * 256 + message.to, message.term * 4 + copies);
    if (copies === 0) {
      this.stats.faults[this.network.dropReason === 'overflow' ? 'message-overflow' : 'message-loss']++;
      if (this.trace.recording) this.line('drop', message.from, `${describeMessage(message)} dropped`);
      return;
    }
    if (copies === 2) this.stats.faults['message-duplicate']++;
    for (let i = 0; i < copies; i++) {
      this.queue.push({ atMs: this.nowMs + (this.network.delays[i] as number), seq: 0, kind: 'deliver', message });
    }
    if (this.trace.recording) this.line('send', message.from, `${describeMessage(message)}${copies === 2 ? ' (duplicated)' : ''}`);
  }

  commandApplied(node: NodeId, command: KvCommand, result: KvResult, entry: Entry): void {
    const slot = this.workload.slotOf(command.client);
    if (slot < 0) return;
    if (result.ok && command.op !== 'get') {
      this.observe({ kind: 'ack', atMs: this.nowMs, event: this.eventIndex, node, clientId: command.client, seq: command.seq, index: entry.index, term: entry.term });
    }
    if (!this.network.clientMessageArrives(this.clientPrng)) return;
    const atMs = this.nowMs + this.network.latency(this.clientPrng);
    this.queue.push({ atMs, seq: 0, kind: 'client-reply', slot, from: node, session: command.client, seq_: command.seq, result, leaderHint: 0 });
  }

  scheduleFsync(node: NodeId, incarnation: number, delayMs: number): void {
    this.queue.push({ atMs: this.nowMs + delayMs, seq: 0, kind: 'fsync', node, incarnation });
  }

  crashPointFired(node: NodeId): void {
    this.stats.faults['crash-point-struck']++;
    const downMs = this.crashPointDownMs.get(node) ?? 1;
    this.crashPointDownMs.delete(node);
    if (this.trace.recording) this.line('fault', node, `crash point struck: node ${node} dies mid-Ready, back in ${downMs} ms`);
    this.scheduleRestart(node, downMs);
  }

  storageEvent(node: NodeId, kind: 'torn-write' | 'torn-tail-dropped' | 'storage-refused' | 'corrupt-data-used', text: string): void {
    // A torn write is counted once, when the crash tears it; dropping its tail on restart is only traced.
    if (kind === 'torn-write' || kind === 'storage-refused') this.stats.faults[kind]++;
    this.traceHash(24, node, hashString(kind), 0);
    if (this.trace.recording) this.line(kind === 'torn-write' || kind === 'torn-tail-dropped' ? 'crash' : 'violation', node, text);
  }

  readServed(node: NodeId, command: KvCommand, result: KvResult): void {
    const slot = this.workload.slotOf(command.client);
    if (slot < 0) return;
    if (this.trace.recording) this.line('client', node, `read ${command.key} by client ${command.client} seq ${command.seq} served: ${result.ok ? String(result.value) : 'failed'}`);
    this.traceHash(23, node, command.client, command.seq);
    if (!this.network.clientMessageArrives(this.clientPrng)) return;
    const atMs = this.nowMs + this.network.latency(this.clientPrng);
    this.queue.push({ atMs, seq: 0, kind: 'client-reply', slot, from: node, session: command.client, seq_: command.seq, result, leaderHint: 0 });
  }

  traceHash(a: number, b: number, c: number, d: number): void {
    const h = this.trace.hash;
    h.mix(this.eventIndex);
    h.mix(a);
    h.mix(b);
    h.mix(c);
    h.mix(d);
  }

  decodeCommand(data: string): KvCommand | undefined {
    // Every node applies the same entry data: decode each distinct command once per run.
    if (data === '') return undefined;
    let command = this.commandCache.get(data);
    if (command === undefined) {
      command = decodeKvCommand(data) ?? null;
      this.commandCache.set(data, command);
    }
    return command ?? undefined;
  }

  // ---- WorkloadContext ---------------------------------------------------------------------------

  sendRequest(slot: number, node: NodeId, session: number, seq: number, data: string): void {
    if (!this.network.clientMessageArrives(this.clientPrng)) return;
    const atMs = this.nowMs + this.network.latency(this.clientPrng);
    this.queue.push({ atMs, seq: 0, kind: 'client-request', slot, node, session, seq_: seq, data });
  }

  scheduleTimeout(slot: number, attempt: number, delayMs: number): void {
    this.queue.push({ atMs: this.nowMs + delayMs, seq: 0, kind: 'client-timeout', slot, attempt });
  }

  scheduleNext(slot: number, delayMs: number): void {
    this.queue.push({ atMs: this.nowMs + delayMs, seq: 0, kind: 'client-next', slot });
  }

  // ---- Event handling ----------------------------------------------------------------------------

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'tick': {
        const host = this.host(event.node);
        if (event.incarnation !== host.incarnation || !host.up) return;
        if (this.pausedCount > 0 && this.isPaused(host)) {
          // A paused process misses its ticks: they are skipped, not made up when it resumes.
          event.atMs = this.nowMs + this.tickIntervalMs(event.node);
          this.queue.push(event);
          return;
        }
        if (host.busy) {
          event.atMs = host.busyUntilMs;
          this.queue.push(event);
          return;
        }
        this.traceHash(20, event.node, 0, 0);
        host.tick();
        // Reuse the popped event for the next tick: ticks are a third of all events.
        if (host.up && host.incarnation === event.incarnation) {
          event.atMs = this.nowMs + this.tickIntervalMs(event.node);
          this.queue.push(event);
        }
        return;
      }
      case 'deliver': {
        const m = event.message;
        if (this.network.isClogged(m.from, m.to)) {
          this.hold(this.clogHeld, event);
          return;
        }
        const host = this.host(m.to);
        if (this.deferred(host, event)) return;
        // Counted out of the network only now: a message a node has not taken in still fills its link.
        this.network.delivered(m.from, m.to);
        this.traceHash(TRACE_CODE.deliver, this.typeHash(m.type), m.from * 256 + m.to, m.term * 2 + (host.up ? 1 : 0));
        if (!host.up) return;
        this.stats.messagesDelivered++;
        this.observer.deliver?.(m);
        if (this.trace.recording) this.line('deliver', m.to, `${describeMessage(m)} delivered`);
        host.step(m);
        return;
      }
      case 'fault':
        this.applyFault(event.fault);
        return;
      case 'client-next':
        this.workload.startNext(event.slot);
        return;
      case 'client-timeout':
        this.traceHash(21, event.slot, event.attempt, 0);
        this.workload.onTimeout(event.slot, event.attempt);
        return;
      case 'client-request':
        this.onClientRequest(event);
        return;
      case 'client-reply':
        this.traceHash(TRACE_CODE.client, event.slot, event.session, event.seq_ * 2 + (event.result === null ? 0 : 1));
        if (event.result === null) this.workload.onNotLeader(event.slot, event.session, event.seq_, event.leaderHint);
        else this.workload.onApplied(event.slot, event.session, event.seq_, event.from, event.result);
        return;
      case 'fsync':
        if (this.pausedCount > 0 && this.isPaused(this.host(event.node))) {
          this.hold(this.pauseHeld[event.node] as PausedInput[], event);
          return;
        }
        this.host(event.node).onFsync(event.incarnation);
        return;
      case 'fault-end':
        this.endFault(event.fault, event.node);
        return;
      case 'disarm': {
        const host = this.host(event.node);
        if (host.crashPoint !== null) {
          host.crashPoint = null;
          this.crashPointDownMs.delete(event.node);
        }
        return;
      }
      case 'liveness-start':
        this.startLiveness();
        return;
      case 'liveness-check':
        if (this.converged().length === 0) this.finishLiveness(true);
        else this.queue.push({ atMs: this.nowMs + LIVENESS_CHECK_MS, seq: 0, kind: 'liveness-check' });
        return;
    }
  }

  /**
   * Holds an input for a node that cannot take it now: a paused node gets it when it resumes; a node waiting
   * on fsync gets it when the fsync completes (it waits in the socket buffer). Returns whether it was deferred.
   */
  private deferred(host: NodeHost, event: DeliverEvent | Extract<SimEvent, { kind: 'client-request' }>): boolean {
    if (this.pausedCount > 0 && this.isPaused(host)) {
      this.hold(this.pauseHeld[host.id] as PausedInput[], event);
      return true;
    }
    if (host.busy) {
      this.queue.push({ ...event, atMs: host.busyUntilMs });
      return true;
    }
    return false;
  }

  private onClientRequest(event: Extract<SimEvent, { kind: 'client-request' }>): void {
    const host = this.host(event.node);
    if (this.deferred(host, event)) return;
    this.traceHash(22, event.node, event.session, event.seq_ * 2 + (host.up ? 1 : 0));
    if (!host.up) return;
    const result = host.request(event.session, event.seq_, event.data);
    if (this.trace.recording) {
      const outcome = result === 'reading' ? 'read via ReadIndex' : result.accepted ? `accepted at ${result.index}` : `not leader (hint ${result.leaderHint})`;
      this.line('client', event.node, `client ${event.session} seq ${event.seq_} ${event.data} → ${outcome}`);
    }
    if (result === 'reading' || result.accepted || !this.network.clientMessageArrives(this.clientPrng)) return;
    const atMs = this.nowMs + this.network.latency(this.clientPrng);
    this.queue.push({ atMs, seq: 0, kind: 'client-reply', slot: event.slot, from: event.node, session: event.session, seq_: event.seq_, result: null, leaderHint: result.leaderHint });
  }

  private applyFault(fault: FaultEvent): void {
    this.stats.faults[fault.kind]++;
    const node = fault.kind === 'crash' || fault.kind === 'restart' ? fault.node : fault.kind === 'bounce' && fault.node !== 'leader' ? fault.node : 0;
    this.traceHash(TRACE_CODE.fault, hashString(fault.kind), node, 0);
    if (this.trace.recording) this.line('fault', node, describeFault(fault));
    switch (fault.kind) {
      case 'partition':
        this.network.partition(fault.groups);
        return;
      case 'bridge':
        this.network.bridge(fault.bridge, fault.sides);
        return;
      case 'isolate-leader': {
        const leader = this.currentLeader();
        if (leader === undefined) return;
        const side = [leader.id];
        for (let k = 1; k <= fault.companions; k++) side.push(((leader.id - 1 + k) % this.nodeCount) + 1);
        const rest = this.hosts.map((h) => h.id).filter((id) => !side.includes(id));
        if (this.trace.recording) this.line('fault', leader.id, `(the leader is node ${leader.id}: cut off {${side.join(',')}} from {${rest.join(',')}})`);
        this.network.partition([side, rest]);
        return;
      }
      case 'heal':
        this.network.heal();
        return;
      case 'crash': {
        const host = this.host(fault.node);
        if (host.up) host.crash();
        return;
      }
      case 'bounce': {
        const host = fault.node === 'leader' ? this.currentLeader() : this.host(fault.node);
        if (host === undefined || !host.up) return;
        if (this.trace.recording && fault.node === 'leader') this.line('fault', host.id, `(the leader is node ${host.id})`);
        host.crash();
        this.scheduleRestart(host.id, fault.downMs);
        return;
      }
      case 'restart': {
        const host = this.host(fault.node);
        if (!host.up) this.restart(host);
        return;
      }
      case 'power-loss':
        for (const host of this.hosts) {
          if (!host.up) continue;
          host.crash();
          this.scheduleRestart(host.id, fault.downMs);
        }
        return;
      case 'corrupt': {
        const host = this.host(fault.node);
        if (host.up) host.crash();
        const index = host.disk.corrupt(this.corruptionPrng);
        if (this.trace.recording) this.line('fault', host.id, index === null ? 'nothing synced to corrupt' : `bit flip in stored entry ${index}`);
        this.scheduleRestart(host.id, fault.downMs);
        return;
      }
      case 'crash-point': {
        const host = fault.node === 'leader' ? this.currentLeader() : this.host(fault.node);
        if (host === undefined || !host.up) return;
        host.crashPoint = fault.point;
        this.crashPointDownMs.set(host.id, fault.downMs);
        if (this.trace.recording) this.line('fault', host.id, `crash point armed on node ${host.id}: ${fault.point}`);
        this.queue.push({ atMs: this.nowMs + fault.downMs, seq: 0, kind: 'disarm', node: host.id });
        return;
      }
      case 'one-way':
        this.network.oneWay(fault.from, fault.to);
        return;
      case 'ring':
        this.network.ring();
        return;
      case 'latency-spike':
        this.network.startLatencySpike(fault.extraMsMax);
        this.scheduleFaultEnd(fault, 0, fault.durationMs);
        return;
      case 'clog':
        this.network.clog(fault.from, fault.to);
        this.scheduleFaultEnd(fault, 0, fault.durationMs);
        return;
      case 'pause':
        this.pause(fault);
        return;
      case 'clock-jump':
        this.clockJump(fault.node, fault.ticks);
        return;
    }
  }

  // ---- Network and clock faults ------------------------------------------------------------------

  /** Ends `fault` after `durationMs`, clamped to the end of the safety phase like restarts are. */
  private scheduleFaultEnd(fault: FaultEvent, node: NodeId, durationMs: number): number {
    const atMs = Math.min(this.nowMs + durationMs, Math.max(this.nowMs, this.options.safetyMs));
    this.queue.push({ atMs, seq: 0, kind: 'fault-end', fault, node });
    return atMs;
  }

  private endFault(fault: FaultEvent, node: NodeId): void {
    this.traceHash(TRACE_CODE.fault, hashString(fault.kind), node, 1);
    switch (fault.kind) {
      case 'latency-spike':
        this.network.endLatencySpike(fault.extraMsMax);
        if (this.trace.recording) this.line('fault', 0, `latency spike of up to ${fault.extraMsMax} ms ends`);
        return;
      case 'clog':
        if (this.network.unclog(fault.from, fault.to)) this.releaseClog(fault.from, fault.to);
        return;
      case 'pause':
        this.resume(node);
        return;
      default:
        if (!(false)) assertFail(`fault ${fault.kind} has no end`);
    }
  }

  /** The clog of `from → to` is over: what it held is delivered now, all at once, in send order. */
  private releaseClog(from: NodeId, to: NodeId): void {
    const released: DeliverEvent[] = [];
    const kept: DeliverEvent[] = [];
    for (const e of this.clogHeld) (e.message.from === from && e.message.to === to ? released : kept).push(e);
    this.clogHeld = kept;
    // Queue sequence numbers were assigned when the messages were sent: sorting by them restores send order.
    released.sort((a, b) => a.seq - b.seq);
    for (const e of released) this.queue.push({ atMs: this.nowMs, seq: 0, kind: 'deliver', message: e.message });
    if (this.trace.recording) this.line('fault', from, `clog ${from}→${to} ends: ${released.length} held message(s) delivered in send order`);
  }

  /** Stops a node's process for the fault's duration (the leader's, when it names 'leader'). */
  private pause(fault: Extract<FaultEvent, { kind: 'pause' }>): void {
    const host = fault.node === 'leader' ? this.currentLeader() : this.host(fault.node);
    if (host === undefined || !host.up) return;
    if (this.trace.recording && fault.node === 'leader') this.line('fault', host.id, `(the leader is node ${host.id})`);
    if (this.pausedIncarnation[host.id] === 0) this.pausedCount++;
    this.pausedIncarnation[host.id] = host.incarnation;
    const untilMs = this.scheduleFaultEnd(fault, host.id, fault.durationMs);
    this.pauseUntilMs[host.id] = Math.max(this.pauseUntilMs[host.id] as number, untilMs);
  }

  /**
   * The node's process runs again with the state it had: first the fsyncs its disk completed meanwhile,
   * then the messages and client requests that waited, in arrival order (queued now, behind nothing new).
   */
  private resume(node: NodeId): void {
    if (this.pausedIncarnation[node] === 0 || this.nowMs < (this.pauseUntilMs[node] as number)) return;
    this.pausedIncarnation[node] = 0;
    this.pauseUntilMs[node] = 0;
    this.pausedCount--;
    const held = this.pauseHeld[node] as PausedInput[];
    this.pauseHeld[node] = [];
    if (this.trace.recording) this.line('fault', node, `node ${node} resumes with stale state; ${held.length} input(s) waited for it`);
    const host = this.host(node);
    for (const e of held) if (e.kind === 'fsync') host.onFsync(e.incarnation);
    for (const e of held) if (e.kind !== 'fsync') this.queue.push({ ...e, atMs: this.nowMs, seq: 0 });
  }

  /** Whether the host's current incarnation is paused (a restart ends a pause: the process it froze is gone). */
  private isPaused(host: NodeHost): boolean {
    return this.pausedIncarnation[host.id] === host.incarnation;
  }

  private hold<E extends SimEvent>(held: E[], event: E): void {
    if (!(held.length < HELD_EVENTS_MAX)) assertFail(`more than ${HELD_EVENTS_MAX} events held for a paused node or a clogged link`);
    held.push(event);
  }

  /**
   * The node's clock jumps forward: `ticks` ticks at once. Nothing happens to a node that is down or paused;
   * the jump stops early if a tick leaves the node waiting on an fsync (it takes no input until then).
   */
  private clockJump(node: NodeId, ticks: number): void {
    const host = this.host(node);
    if (!host.up || this.isPaused(host)) return;
    for (let k = 0; k < ticks && host.up && !host.busy; k++) {
      this.traceHash(20, node, 0, 0);
      host.tick();
    }
  }

  /** Simulated ms until the node's next tick: tickMs, or its skewed and drifting clock's interval. */
  private tickIntervalMs(node: NodeId): number {
    return this.clocks === null ? this.options.tickMs : this.clocks.nextIntervalMs(node);
  }

  /** Restarts `node` after `downMs` (clamped to the end of the safety phase, where the liveness phase takes over). */
  private scheduleRestart(node: NodeId, downMs: number): void {
    const atMs = Math.min(this.nowMs + downMs, Math.max(this.nowMs, this.options.safetyMs));
    this.queue.push({ atMs, seq: 0, kind: 'fault', fault: { atMs, kind: 'restart', node } });
  }

  /** The live node leading in the highest term, if any. */
  private currentLeader(): NodeHost | undefined {
    let best: NodeHost | undefined;
    for (const h of this.hosts) if (h.up && h.role === 'leader' && (best === undefined || h.roleTerm > best.roleTerm)) best = h;
    return best;
  }

  private restart(host: NodeHost): void {
    host.start();
    if (host.up) this.scheduleTick(host, this.options.tickMs);
  }

  private startLiveness(): void {
    this.livenessStartMs = this.nowMs;
    if (this.trace.recording) this.line('phase', 0, 'liveness phase: network healed, every node up, no new client operations');
    this.traceHash(TRACE_CODE.phase, 1, 0, 0);
    this.network.heal();
    this.network.setOptions({ ...RELIABLE_NETWORK, latencyMsMin: this.network.settings.latencyMsMin, latencyMsMax: this.network.settings.latencyMsMax });
    for (const host of this.hosts) if (!host.up) this.restart(host);
    this.workload.accepting = false;
    this.workload.mayGiveUp = false;
    this.queue.push({ atMs: this.nowMs + LIVENESS_CHECK_MS, seq: 0, kind: 'liveness-check' });
  }

  /** What still keeps the cluster from having converged (empty when it has). */
  private converged(): string[] {
    const problems: string[] = [];
    // Nodes that refused to start on corrupt storage are out for good; the rest must converge without them.
    const live = this.hosts.filter((h) => !h.failed);
    const leaders = live.filter((h) => h.up && h.role === 'leader');
    const maxTerm = Math.max(...live.map((h) => h.disk.durableHardState.term));
    const leader = leaders.find((h) => h.roleTerm === maxTerm);
    if (leader === undefined) problems.push(`no leader in the highest term ${maxTerm}`);
    const outstanding = this.workload.outstanding();
    if (outstanding > 0) problems.push(`${outstanding} client operation(s) still pending`);
    const applied = live.map((h) => h.appliedIndex);
    if (Math.min(...applied) !== Math.max(...applied)) problems.push(`nodes applied different prefixes (applied indexes ${applied.join(', ')})`);
    return problems;
  }

  private finishLiveness(ok: boolean): void {
    const problems = ok ? [] : this.converged();
    this.liveness = {
      checked: true,
      ok: problems.length === 0,
      convergedAfterMs: problems.length === 0 ? this.nowMs - this.livenessStartMs : null,
      problems,
    };
    if (this.trace.recording) this.line('phase', 0, problems.length === 0 ? `converged after ${this.nowMs - this.livenessStartMs} ms` : `did not converge: ${problems.join('; ')}`);
    this.stopped = 'end';
  }

  private scheduleTick(host: NodeHost, delayMs: number): void {
    this.queue.push({ atMs: this.nowMs + delayMs, seq: 0, kind: 'tick', node: host.id, incarnation: host.incarnation });
  }

  /** Runs `fn`; an implementation fault ends the run as an implementation error. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.recordFault(error);
    }
  }

  /** An implementation fault ends the run as an implementation error; anything else is our bug. */
  private recordFault(error: unknown): void {
    {
      if (!(error instanceof ImplementationFault)) throw error;
      if (this.implementationError !== null) return;
      this.implementationError = { node: error.node, message: error.message, atMs: this.nowMs, event: this.eventIndex };
      if (this.trace.recording) this.line('violation', error.node, `implementation error on node ${error.node}: ${error.message}`);
      this.stopped = 'implementation-error';
    }
  }

  private host(node: NodeId): NodeHost {
    const host = this.hosts[node - 1];
    if (!(host !== undefined)) assertFail(`no node ${node}`);
    return host;
  }

  private typeHash(type: string): number {
    let h = this.typeHashes.get(type);
    if (h === undefined) {
      h = hashString(type);
      this.typeHashes.set(type, h);
    }
    return h;
  }

  private line(kind: TraceKind, node: number, text: string): void {
    this.trace.line(this.nowMs, this.eventIndex, kind, node, text);
  }

  private recordFact(fact: Fact): void {
    switch (fact.kind) {
      case 'persist':
        this.line('persist', fact.node, `persist term ${fact.hardState.term} vote ${fact.hardState.vote} commit ${fact.hardState.commit}${fact.entries.length > 0 ? ` entries ${describeEntries(fact.entries)}` : ''}`);
        return;
      case 'role':
        this.line('role', fact.node, `becomes ${fact.role} in term ${fact.term}${fact.leader !== 0 ? ` (leader ${fact.leader})` : ''}`);
        return;
      case 'apply':
        this.line('apply', fact.node, `apply ${describeEntry(fact.entry)}`);
        return;
      case 'ack':
        this.line('client', fact.node, `ack client ${fact.clientId} seq ${fact.seq} at ${fact.index}/${fact.term}`);
        return;
      case 'crash':
        this.line('crash', fact.node, 'crashed: volatile state and unsynced writes lost');
        return;
      case 'restart':
        this.line('restart', fact.node, `restarted from disk: term ${fact.stored.hardState.term} vote ${fact.stored.hardState.vote} commit ${fact.stored.hardState.commit}, ${fact.stored.entries.length} entries`);
        return;
    }
  }
}

function describeMessage(m: Message): string {
  const extra: string[] = [];
  for (const key of Object.keys(m)) {
    if (key === 'type' || key === 'from' || key === 'to' || key === 'term') continue;
    const value = m[key];
    extra.push(Array.isArray(value) ? `${key}=[${value.length}]` : `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return `${m.type} ${m.from}→${m.to} t${m.term}${extra.length > 0 ? ` ${extra.join(' ')}` : ''}`;
}

function describeEntry(e: Entry): string {
  return `${e.index}/t${e.term} ${e.data === '' ? 'no-op' : e.data}`;
}

function describeEntries(entries: readonly Entry[]): string {
  const first = entries[0] as Entry;
  const last = entries[entries.length - 1] as Entry;
  return entries.length === 1 ? `[${first.index}/t${first.term}]` : `[${first.index}/t${first.term} .. ${last.index}/t${last.term}]`;
}

export function describeFault(f: FaultEvent): string {
  switch (f.kind) {
    case 'partition':
      return `partition ${f.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`;
    case 'bridge':
      return `bridge: node ${f.bridge} links {${f.sides[0].join(',')}} and {${f.sides[1].join(',')}}, which cannot talk`;
    case 'isolate-leader':
      return f.companions === 0 ? 'isolate the leader' : `isolate the leader with ${f.companions} follower(s)`;
    case 'heal':
      return 'heal all links';
    case 'crash':
      return `crash node ${f.node}`;
    case 'bounce':
      return `crash ${f.node === 'leader' ? 'the leader' : `node ${f.node}`}, restart it ${f.downMs} ms later`;
    case 'restart':
      return `restart node ${f.node}`;
    case 'power-loss':
      return `power loss: every node crashes, back ${f.downMs} ms later`;
    case 'corrupt':
      return `corrupt a stored entry of node ${f.node} (crash, restart ${f.downMs} ms later)`;
    case 'crash-point':
      return `arm crash point ${f.point} on ${f.node === 'leader' ? 'the leader' : `node ${f.node}`} (restart ${f.downMs} ms after it strikes)`;
    case 'one-way':
      return `one-way partition: {${f.from.join(',')}} cannot reach {${f.to.join(',')}}, the reverse still works`;
    case 'ring':
      return 'ring: every node talks only to its two ring neighbours';
    case 'latency-spike':
      return `latency spike: up to ${f.extraMsMax} ms extra on every message for ${f.durationMs} ms`;
    case 'clog':
      return `clog link ${f.from}→${f.to} for ${f.durationMs} ms (messages held, then delivered in order)`;
    case 'pause':
      return `pause ${f.node === 'leader' ? 'the leader' : `node ${f.node}`} for ${f.durationMs} ms`;
    case 'clock-jump':
      return `clock of node ${f.node} jumps ${f.ticks} tick(s) forward`;
  }
}
