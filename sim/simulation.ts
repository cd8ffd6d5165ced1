/**
 * One simulated run: a cluster of node hosts on a simulated network, driven by a seeded event queue through a
 * safety phase (with the fault plan) and, optionally, a liveness phase. The simulation owns the event loop and
 * the dispatch of each event, the hosts and the messages between them, the run's statistics and its trace; it
 * delegates fault injection and the state faults leave (pauses, clogs, crash points) to `fault-injector.ts`,
 * the liveness phase to `liveness.ts`, and the clients (requests and the routing of replies) to `workload.ts`.
 * Everything observable feeds the trace hash; facts go to the observer (the checkers), which may stop the run.
 */
import type { KvCommand, KvResult } from '../core/kv.js';
import { assertFail } from './assert.js';
import type { Message, NodeId, RaftImplementation } from './contract.js';
import { NodeClocks, clocksAreImperfect } from './clock.js';
import type { ClockOptions } from './clock.js';
import { CommandCache } from './command-cache.js';
import { PERFECT_DISK } from './disk.js';
import type { DiskOptions } from './disk.js';
import { EventQueue } from './event-queue.js';
import type { Fact } from './facts.js';
import { FaultInjector, zeroFaultCounts } from './fault-injector.js';
import type { FaultCounts, FaultWorld } from './fault-injector.js';
import { checkPlan, NODE_IDS_MAX } from './faults.js';
import { ConfigurationView } from './configuration-view.js';
import { resolveContract } from './contract-options.js';
import { SnapshotConfigurations } from './host-snapshots.js';
import { MembershipDriver } from './membership.js';
import type { MembershipWorld } from './membership.js';
import type { FaultEvent, FaultPlan } from './faults.js';
import { ImplementationFault, NodeHost } from './host.js';
import type { ImplementationErrorKind } from './host.js';
import type { HostContext, HostIncident } from './host.js';
import { LivenessPhase } from './liveness.js';
import type { LivenessOutcome, LivenessWorld } from './liveness.js';
import { Network } from './network.js';
import type { NetworkOptions } from './network.js';
import { Prng } from './prng.js';
import { EventPool } from './sim-event.js';
import type { ClientRequestEvent, DeliverEvent, SimEvent } from './sim-event.js';
import type { RunningHash } from './hash.js';
import { Trace, TRACE_CODE, traceHash32 } from './trace.js';
import type { TraceRecord } from './trace.js';
import type { ClientHistory } from './client-history.js';
import { Workload } from './workload.js';
import type { ClientHistoryEvent, WorkloadContext, WorkloadCounts, WorkloadOptions } from './workload.js';

export type { FaultCounts } from './fault-injector.js';
export type { LivenessOutcome } from './liveness.js';
/** Kept here for the commands that printed plans through this module before trace rendering moved. */
export { describeFault } from './trace.js';

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
  /** Keep the trace's records (replay, reports); off on the hot path. */
  readonly record: boolean;
  /** Disk behaviour (fsync latency, torn writes); a perfect disk when absent. */
  readonly disk?: DiskOptions;
  /** Node clock skew and drift; perfect clocks (every node ticks every tickMs) when absent. */
  readonly clock?: ClockOptions;
  /** Host-level planted bugs; correct behaviour when absent. */
  readonly hostBugs?: HostBugs;
  /**
   * The liveness phase heals and restarts every node, instead of a random majority (or more) while the rest
   * stay crashed or cut off (the default, TigerBeetle VOPR's "core").
   */
  readonly fullHeal?: boolean;
  /**
   * A cluster whose membership changes (`membership-change`, `leadership-transfer`): node ids up to
   * `NODE_IDS_MAX` exist, those beyond `nodeCount` start only when a `conf-change` goal adds them (empty disk,
   * `peers: []`), the plan's `conf-change` and `transfer` events go to the membership driver, faults that take a
   * node down are judged against the configurations in force, and the liveness phase heals a majority of them.
   * Off (absent), nothing of this exists and a run is exactly what it was before membership changes.
   */
  readonly membership?: boolean;
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
  /**
   * Optionally judges every message as its node sends it (checks on annotated messages); returns true to stop
   * the run. Called before the network routes it, so the sender's durable state is the one it was sent under;
   * `atMs` and `event` stamp it as facts are stamped.
   */
  sent?(message: Message, atMs: number, event: number): boolean;
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


export interface SimulationResult {
  readonly seed: number;
  readonly traceHash: string;
  /** Why the run ended. */
  readonly stoppedBy: 'end' | 'observer' | 'implementation-error';
  readonly implementationError: { readonly node: NodeId; readonly message: string; readonly kind: ImplementationErrorKind; readonly atMs: number; readonly event: number } | null;
  readonly liveness: LivenessOutcome;
  /** The client history as native events, built from `clientHistory` on first read. */
  readonly history: readonly ClientHistoryEvent[];
  /** The client history as the workload recorded it (operations paired as they happened), for the checker. */
  readonly clientHistory: ClientHistory;
  readonly stats: SimulationStats;
  /** The records of the run, when `record` was on (see sim/trace.ts); null otherwise. */
  readonly trace: readonly TraceRecord[] | null;
}

/** Hard bound on events in one run, against runaway feedback loops. */
const EVENTS_MAX = 300_000;

/** Node ids 1..count, ascending. */
function idsUpTo(count: number): NodeId[] {
  const ids: NodeId[] = [];
  for (let id = 1; id <= count; id++) ids.push(id);
  return ids;
}

/** Whether the plan has a `replay` fault (whose run must keep the messages it sends). */
function hasReplay(plan: FaultPlan): boolean {
  const events = plan.events;
  for (let i = 0; i < events.length; i++) if ((events[i] as FaultEvent).kind === 'replay') return true;
  return false;
}

export function simulate(options: SimulationOptions, observer: FactObserver): SimulationResult {
  return new Simulation(options, observer).run();
}

class Simulation implements HostContext, WorkloadContext, FaultWorld, LivenessWorld, MembershipWorld {
  nowMs = 0;
  eventIndex = 0;
  /** Node ids 1..nodeCount exist (with membership changes, those that may join too). */
  readonly nodeCount: number;
  readonly membership: MembershipDriver | null = null;
  private readonly configurations: ConfigurationView | null = null;
  readonly safetyMs: number;
  /*
   * The options the event loop reads, copied into fields: callers build the options object in many shapes
   * (optional disk, clock, bugs spread in or not), and reading it inside `run` made the optimised loop bail
   * out ("wrong map") and re-optimise once per run.
   */
  private readonly seed: number;
  private readonly livenessMs: number;
  private readonly tickMs: number;
  readonly queue = new EventQueue<SimEvent>();
  readonly events = new EventPool();
  readonly hosts: NodeHost[] = [];
  readonly network: Network;
  readonly workload: Workload;
  readonly trace: Trace;
  /**
   * The trace's running hash, which the event handlers below mix into directly (`Trace.mix` is this plus one call
   * layer): the optimised handlers inline the host and the core first, so the mix is often an out-of-line call,
   * and each layer of it costs every event its frame. Same integers, same order, so the same trace hash.
   */
  private readonly hash: RunningHash;
  readonly faultCounts: FaultCounts = zeroFaultCounts();
  private readonly faults: FaultInjector;
  private readonly liveness: LivenessPhase;
  /** Message types seen so far and their string hashes: a handful per run, scanned faster than a Map lookup. */
  private readonly typeNames: string[] = [];
  private readonly typeHashes: number[] = [];
  private readonly clientPrng: Prng;
  /** Skewed or drifting node clocks; null for perfect clocks, so the tick path stays a field read. */
  private readonly clocks: NodeClocks | null;
  private stopped: SimulationResult['stoppedBy'] | null = null;
  private implementationError: SimulationResult['implementationError'] = null;
  private readonly stats: SimulationStats;

  constructor(
    private readonly options: SimulationOptions,
    private readonly observer: FactObserver,
  ) {
    const problems = checkPlan(options.plan, options.nodeCount, options.safetyMs, { tickMs: options.tickMs, electionTicks: options.electionTicks });
    if (!(problems.length === 0)) assertFail(`fault plan outside the fault model: ${problems.join('; ')}`);
    const membership = options.membership === true;
    this.nodeCount = membership ? Math.max(options.nodeCount, NODE_IDS_MAX) : options.nodeCount;
    this.safetyMs = options.safetyMs;
    this.seed = options.seed;
    this.livenessMs = options.livenessMs;
    this.tickMs = options.tickMs;
    this.stats = { events: 0, simulatedMs: 0, messagesSent: 0, messagesDelivered: 0, leadersElected: 0, maxTerm: 0, clientOps: { ok: 0, fail: 0, info: 0, retries: 0 }, faults: this.faultCounts };
    const root = Prng.forRun(options.seed);
    this.network = new Network(this.nodeCount, options.network, root.fork('network'));
    // Only a plan with a `replay` fault needs the messages sent kept; every other run keeps none.
    if (hasReplay(options.plan)) this.network.keepHistory();
    this.clientPrng = root.fork('client-network');
    this.clocks = clocksAreImperfect(options.clock) ? new NodeClocks(this.nodeCount, options.tickMs, options.clock as ClockOptions, root.fork('clock')) : null;
    this.trace = new Trace(options.record);
    this.hash = this.trace.hash;
    /*
     * The set-up below runs once a run, so TurboFan compiles it in the bench's measured seeds, at a cost that grows
     * with what it inlines: plain loops rather than `Array.from` and for-of, a method rather than a closure per
     * host start, and the membership run's rare set-up in a method of its own.
     */
    const commands = new CommandCache();
    const decodeCommand = (data: string): KvCommand | undefined => commands.decode(data);
    const peers = idsUpTo(options.nodeCount);
    // A membership run shares one record of snapshot configurations (a follower installs what another host took).
    const snapshotConfigurations = membership ? new SnapshotConfigurations(peers) : null;
    const nodeIds = snapshotConfigurations === null ? peers : idsUpTo(this.nodeCount);
    for (let id = 1; id <= this.nodeCount; id++) {
      const common = {
        id,
        peers: id <= options.nodeCount ? peers : [],
        implementation: options.implementation,
        electionTicks: options.electionTicks,
        heartbeatTicks: options.heartbeatTicks,
        prng: root.fork(`node/${id}`),
        disk: options.disk ?? PERFECT_DISK,
        verifyChecksums: options.hostBugs?.ignoreChecksums !== true,
        sendBeforeFsync: options.hostBugs?.sendBeforeFsync === true,
        decodeCommand,
      };
      this.hosts.push(new NodeHost(snapshotConfigurations === null ? common : { ...common, nodeIds, snapshotConfigurations }, this));
    }
    if (snapshotConfigurations !== null) {
      const driver = this.membershipDriver(root, peers, snapshotConfigurations);
      this.configurations = driver.configurations;
      this.membership = driver.membership;
    }
    this.faults = new FaultInjector(this, root);
    this.liveness = new LivenessPhase(this, root.fork('liveness'), options.fullHeal === true);
    this.workload = new Workload(options.workload, root.fork('workload'), this, commands);
    const tickPhase = root.fork('tick-phase');
    // Nodes that join later (ids beyond nodeCount) start when a membership goal adds them.
    for (let i = 0; i < options.nodeCount; i++) {
      const host = this.hosts[i] as NodeHost;
      this.startHost(host);
      this.scheduleTick(host, tickPhase.int(options.tickMs));
    }
    this.schedulePlan(options.plan.events);
    if (options.livenessMs > 0) this.queue.push(this.events.phaseEvent('liveness-start', options.safetyMs));
    this.workload.begin();
  }

  /**
   * Queues the plan's fault events. A method of its own, not a loop in the constructor: the loop (a plan has dozens
   * of events) is what made the constructor hot enough for TurboFan, which then compiled all of the run's set-up
   * in the bench's measured seeds; alone, it compiles small.
   */
  private schedulePlan(faults: readonly FaultEvent[]): void {
    for (let i = 0; i < faults.length; i++) {
      const fault = faults[i] as FaultEvent;
      this.queue.push(this.events.faultEvent(fault.atMs, fault));
    }
  }

  /** A membership run's view of the configurations and its driver (out of the constructor: no other run has them). */
  private membershipDriver(root: Prng, peers: readonly NodeId[], snapshotConfigurations: SnapshotConfigurations): { configurations: ConfigurationView; membership: MembershipDriver } {
    const options = this.options;
    const base64 = resolveContract(options.implementation.contract).base64Data;
    const configurations = new ConfigurationView(peers, this.nodeCount, snapshotConfigurations, base64);
    // Half an election timeout between attempts: a leader refusing until it commits in its term is asked again soon.
    const retryMs = Math.max(1, (options.electionTicks * options.tickMs) >> 1);
    return { configurations, membership: new MembershipDriver(this, configurations, options.implementation, root.fork('membership'), retryMs) };
  }

  run(): SimulationResult {
    const safetyMs = this.safetyMs;
    const livenessMs = this.livenessMs;
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
    if (this.stopped === null && livenessMs > 0 && !this.liveness.outcome.checked) {
      this.liveness.finish(false);
      this.stopped = 'end';
    }
    this.stats.events = this.eventIndex;
    this.stats.simulatedMs = this.nowMs;
    this.stats.clientOps = { ...this.workload.counts };
    const clientHistory = this.workload.clientHistory;
    return {
      seed: this.seed,
      traceHash: this.trace.hash.digest(),
      stoppedBy: this.stopped ?? 'end',
      implementationError: this.implementationError,
      liveness: this.liveness.outcome,
      // Most runs' histories are checked (from clientHistory) and never read as events: build them only if read.
      get history(): readonly ClientHistoryEvent[] {
        return clientHistory.events();
      },
      clientHistory,
      stats: this.stats,
      trace: this.trace.records,
    };
  }

  // ---- HostContext -------------------------------------------------------------------------------

  observe(fact: Fact): void {
    if (fact.kind === 'role' && fact.role === 'leader') this.stats.leadersElected++;
    if (fact.kind === 'persist' && fact.hardState.term > this.stats.maxTerm) this.stats.maxTerm = fact.hardState.term;
    if (this.trace.recording) this.trace.add(this.nowMs, this.eventIndex, fact.node, { type: 'fact', fact });
    if (this.configurations !== null) {
      this.configurations.observe(fact);
      if (fact.kind === 'role' && fact.role === 'leader') this.membership?.onLeaderElected();
    }
    if (this.observer.observe(fact)) this.stopped = 'observer';
    this.faults.onFact(fact);
  }

  send(message: Message): void {
    this.stats.messagesSent++;
    if (this.observer.sent !== undefined && this.observer.sent(message, this.nowMs, this.eventIndex)) this.stopped = 'observer';
    const copies = this.network.route(message.from, message.to);
    if (this.network.remembering) this.network.remember(message, this.nowMs);
    const typeHash = this.typeHash(message.type);
    this.hash.mix5(this.eventIndex, TRACE_CODE.send, typeHash, message.from * 256 + message.to, message.term * 4 + copies);
    if (copies === 0) {
      const reason = this.network.dropReason === 'overflow' ? 'overflow' : 'loss';
      // Two constant keys, not one computed key: a computed key made this a megamorphic keyed access.
      if (reason === 'overflow') this.faultCounts['message-overflow']++;
      else this.faultCounts['message-loss']++;
      if (this.trace.recording) this.trace.add(this.nowMs, this.eventIndex, message.from, { type: 'drop', message, reason });
      return;
    }
    if (copies === 2) this.faultCounts['message-duplicate']++;
    for (let i = 0; i < copies; i++) {
      this.queue.push(this.events.deliverEvent(this.nowMs + (this.network.delays[i] as number), message, typeHash));
    }
    if (this.trace.recording) this.trace.add(this.nowMs, this.eventIndex, message.from, { type: 'send', message, copies: copies === 2 ? 2 : 1 });
  }

  reply(node: NodeId, command: KvCommand, result: KvResult): void {
    this.workload.answered(node, command, result);
  }

  scheduleFsync(node: NodeId, incarnation: number, delayMs: number): void {
    this.queue.push(this.events.fsyncEvent(this.nowMs + delayMs, node, incarnation));
  }

  incident(node: NodeId, incident: HostIncident): void {
    if (incident.kind === 'crash-point-struck') {
      this.faults.crashPointStruck(node);
      return;
    }
    // A torn write is counted once, when the crash tears it; dropping its tail on restart is only traced.
    if (incident.kind === 'torn-write' || incident.kind === 'storage-refused') this.faultCounts[incident.kind]++;
    this.hash.mix5(this.eventIndex, TRACE_CODE.storage, node, traceHash32(incident.kind), 0);
    if (this.trace.recording) this.trace.add(this.nowMs, this.eventIndex, node, { type: 'storage', incident: incident.kind, index: incident.index });
  }

  // ---- WorkloadContext ---------------------------------------------------------------------------

  sendRequest(slot: number, node: NodeId, session: number, seq: number, data: string): void {
    if (!this.network.clientMessageArrives(this.clientPrng)) return;
    const atMs = this.nowMs + this.network.latency(this.clientPrng);
    this.queue.push(this.events.clientRequestEvent(atMs, { slot, node, session, seq, data }));
  }

  sendReply(slot: number, from: NodeId, session: number, seq: number, result: KvResult | null, leaderHint: NodeId | 0): void {
    if (!this.network.clientMessageArrives(this.clientPrng)) return;
    const atMs = this.nowMs + this.network.latency(this.clientPrng);
    this.queue.push(this.events.clientReplyEvent(atMs, { slot, from, session, seq, result, leaderHint }));
  }

  scheduleTimeout(slot: number, attempt: number, delayMs: number): void {
    this.queue.push(this.events.clientTimeoutEvent(this.nowMs + delayMs, slot, attempt));
  }

  scheduleNext(slot: number, delayMs: number): void {
    this.queue.push(this.events.clientNextEvent(this.nowMs + delayMs, slot));
  }

  // ---- FaultWorld, LivenessWorld -----------------------------------------------------------------

  restart(host: NodeHost): void {
    // A node that never joined has nothing to restart from (a membership run's restart of a later id).
    if (!host.started && this.membership !== null) return;
    host.start();
    if (host.up) this.scheduleTick(host, this.tickMs);
  }

  // ---- MembershipWorld ---------------------------------------------------------------------------

  join(host: NodeHost): void {
    host.start();
    if (host.up) this.scheduleTick(host, this.tickMs);
  }

  accepts(host: NodeHost): boolean {
    return host.up && !host.busy && !this.faults.isPaused(host);
  }

  crashAfterPersist(host: NodeHost, downMs: number): boolean {
    return this.faults.armNow(host, 'after-persist', downMs);
  }

  disarmCrashPoint(node: NodeId): void {
    this.faults.disarm(node);
  }

  // ---- Event handling ----------------------------------------------------------------------------

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'tick':
        this.onTick(event);
        return;
      case 'deliver':
        this.onDeliver(event);
        return;
      case 'fault':
        this.faults.apply(event.fault);
        return;
      case 'client-next':
        this.workload.startNext(event.slot);
        this.events.release(event);
        return;
      case 'client-timeout':
        this.hash.mix5(this.eventIndex, TRACE_CODE['client-timeout'], event.slot, event.attempt, 0);
        this.workload.onTimeout(event.slot, event.attempt);
        this.events.release(event);
        return;
      case 'client-request':
        this.onClientRequest(event);
        return;
      case 'client-reply':
        this.hash.mix5(this.eventIndex, TRACE_CODE['client-reply'], event.slot, event.session, event.seq_ * 2 + (event.result === null ? 0 : 1));
        this.workload.onReply(event.slot, event.from, event.session, event.seq_, event.result, event.leaderHint);
        this.events.release(event);
        return;
      case 'fsync': {
        const host = this.host(event.node);
        if (this.faults.isPaused(host)) {
          this.faults.holdForPause(event.node, event);
          return;
        }
        host.onFsync(event.incarnation);
        this.events.release(event);
        return;
      }
      case 'fault-end':
        this.faults.end(event.fault, event.node);
        return;
      case 'disarm':
        this.faults.disarm(event.node);
        return;
      case 'liveness-start':
        this.liveness.start();
        return;
      case 'liveness-check':
        if (this.liveness.check()) this.stopped = 'end';
        return;
      case 'membership-step':
        this.membership?.step();
        return;
    }
  }

  private onTick(event: Extract<SimEvent, { kind: 'tick' }>): void {
    const host = this.host(event.node);
    if (event.incarnation !== host.incarnation || !host.up) return;
    if (this.faults.isPaused(host)) {
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
    this.hash.mix5(this.eventIndex, TRACE_CODE.tick, event.node, 0, 0);
    host.tick();
    // Reuse the popped event for the next tick: ticks are a third of all events.
    if (host.up && host.incarnation === event.incarnation) {
      event.atMs = this.nowMs + this.tickIntervalMs(event.node);
      this.queue.push(event);
    }
  }

  private onDeliver(event: DeliverEvent): void {
    const m = event.message;
    if (this.network.isClogged(m.from, m.to)) {
      this.faults.holdClogged(event);
      return;
    }
    const host = this.host(m.to);
    if (this.deferred(host, event)) return;
    // Counted out of the network only now: a message a node has not taken in still fills its link.
    this.network.delivered(m.from, m.to);
    this.hash.mix5(this.eventIndex, TRACE_CODE.deliver, event.typeHash, m.from * 256 + m.to, m.term * 2 + (host.up ? 1 : 0));
    this.events.release(event);
    if (!host.up) return;
    this.stats.messagesDelivered++;
    this.observer.deliver?.(m);
    if (this.trace.recording) this.trace.add(this.nowMs, this.eventIndex, m.to, { type: 'deliver', message: m });
    host.step(m);
  }

  /**
   * Holds an input for a node that cannot take it now: a paused node gets it when it resumes; a node waiting
   * on fsync gets it when the fsync completes (it waits in the socket buffer). Returns whether it was deferred.
   */
  private deferred(host: NodeHost, event: DeliverEvent | ClientRequestEvent): boolean {
    if (this.faults.isPaused(host)) {
      this.faults.holdForPause(host.id, event);
      return true;
    }
    if (host.busy) {
      this.queue.push(this.events.retimed(event, host.busyUntilMs));
      this.events.release(event);
      return true;
    }
    return false;
  }

  private onClientRequest(event: ClientRequestEvent): void {
    const host = this.host(event.node);
    if (this.deferred(host, event)) return;
    this.hash.mix5(this.eventIndex, TRACE_CODE['client-request'], event.node, event.session, event.seq_ * 2 + (host.up ? 1 : 0));
    if (!host.up) return;
    const { slot, node, session, seq_: seq, data } = event;
    // The event is done with: release it before the request, whose replies may reuse it.
    this.events.release(event);
    const outcome = host.request(session, seq, data);
    if (this.trace.recording) this.trace.add(this.nowMs, this.eventIndex, node, { type: 'client-request', client: session, seq, data, outcome });
    if (outcome === 'reading' || outcome.accepted) return;
    this.workload.rejected(slot, node, session, seq, outcome.leaderHint);
  }

  /** Simulated ms until the node's next tick: tickMs, or its skewed and drifting clock's interval. */
  private tickIntervalMs(node: NodeId): number {
    return this.clocks === null ? this.tickMs : this.clocks.nextIntervalMs(node);
  }

  private scheduleTick(host: NodeHost, delayMs: number): void {
    this.queue.push(this.events.tickEvent(this.nowMs + delayMs, host.id, host.incarnation));
  }

  /** Starts a node of the initial cluster; an implementation fault ends the run as an implementation error. */
  private startHost(host: NodeHost): void {
    try {
      host.start();
    } catch (error) {
      this.recordFault(error);
    }
  }

  /** An implementation fault ends the run as an implementation error; anything else is our bug. */
  private recordFault(error: unknown): void {
    if (!(error instanceof ImplementationFault)) throw error;
    if (this.implementationError !== null) return;
    this.implementationError = { node: error.node, message: error.message, kind: error.kind, atMs: this.nowMs, event: this.eventIndex };
    if (this.trace.recording) this.trace.add(this.nowMs, this.eventIndex, error.node, { type: 'implementation-error', message: error.message });
    this.stopped = 'implementation-error';
  }

  private host(node: NodeId): NodeHost {
    const host = this.hosts[node - 1];
    if (host === undefined) assertFail(`no node ${node}`);
    return host;
  }

  /**
   * The message type's string hash (signed, see {@link traceHash32}), computed once per type per run. A type found
   * moves one place towards the front, so the common ones (appends and their answers, four sends in five) are found
   * within a compare or two rather than after the election types seen first.
   */
  private typeHash(type: string): number {
    const names = this.typeNames;
    const hashes = this.typeHashes;
    for (let i = 0; i < names.length; i++) {
      if (names[i] !== type) continue;
      const h = hashes[i] as number;
      if (i > 0) {
        names[i] = names[i - 1] as string;
        hashes[i] = hashes[i - 1] as number;
        names[i - 1] = type;
        hashes[i - 1] = h;
      }
      return h;
    }
    const h = traceHash32(type);
    names.push(type);
    this.typeHashes.push(h);
    return h;
  }
}
