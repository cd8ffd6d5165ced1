/**
 * The node host: drives one implementation instance through the Ready loop and owns all of its I/O — the
 * disk it persists to, the messages it sends, the state machine it applies to. Every fact the checkers
 * judge is observed here, so a custom implementation gets the same checks as our own core without being
 * trusted.
 */
import { objectList } from '../core/arrays.js';
import { KvStateMachine } from '../core/kv.js';
import type { KvCommand, KvResult } from '../core/kv.js';
import { Disk } from './disk.js';
import type { DiskOptions } from './disk.js';
import { decodeConfEntry, isConfEntryData, simpleConfiguration } from '../core/configuration.js';
import type { ConfChangeRequest, Configuration, CreateInit, Entry, Message, NodeId, ProposeResult, RaftImplementation, RaftInstance, Ready, Snapshot, Status } from './contract.js';
import { restoreMachine, snapshotConfiguration, SnapshotDigests, takenSnapshot, snapshotInterval, snapshotProblem, SnapshotConfigurations } from './host-snapshots.js';
import { ackFact, applyFact, confProposalFact, crashFact, joinFact, persistFact, restartFact, restoreFact, retireFact, roleFact, snapshotFact, transferFact } from './facts.js';
import type { Fact } from './facts.js';
import { createForHost } from './builtin.js';
import { fromBase64, isCanonicalBase64, mayLeaveEarly, mustSync, resolveContract, roleProblem, toBase64 } from './contract-options.js';
import type { ResolvedContract } from './contract-options.js';
import type { Prng } from './prng.js';
import { TRACE_CODE } from './trace.js';
import type { StorageEventKind, Trace } from './trace.js';

/** Something that happened to a node's storage or its crash point, which the simulation counts and acts on. */
export type HostIncident =
  /** An armed crash point struck: the host crashed itself; the simulation schedules its restart. */
  | { readonly kind: 'crash-point-struck' }
  /** `index`: the first index of a dropped torn tail, or the stored entry failing its checksum (null: a torn write). */
  | { readonly kind: StorageEventKind; readonly index: number | null };

/**
 * What a host needs from the simulation around it: the clock and event index to stamp facts with, the trace
 * to mix its steps into (and record them, when recording), and five outlets. Small on purpose: a host test
 * needs one fake (`FakeHostContext` in fake-host-context.ts).
 */
export interface HostContext {
  readonly nowMs: number;
  readonly eventIndex: number;
  readonly trace: Trace;
  observe(fact: Fact): void;
  send(message: Message): void;
  /** The node answers a client: the command it applied for that client, or the read it served. */
  reply(node: NodeId, command: KvCommand, result: KvResult): void;
  /** Calls {@link NodeHost.onFsync} for this incarnation after `delayMs`. */
  scheduleFsync(node: NodeId, incarnation: number, delayMs: number): void;
  incident(node: NodeId, incident: HostIncident): void;
}

/**
 * What kind of implementation error a fault is, so a user knows where to look (docs/contract.md § What the host
 * validates): `contract`, the implementation broke a rule the host validates; `adapter`, the adapter or the
 * process protocol failed (a throw, a malformed or missing reply, a process that died); `assertion`, the
 * library detected an inconsistency itself and said so (a process's `{"type":"error","kind":"assertion"}`, or
 * a thrown AssertionError) — often a real bug of the library or of the host's persistence surfacing.
 */
export type ImplementationErrorKind = 'contract' | 'adapter' | 'assertion';

/** An implementation broke the contract or threw: reported as an `implementation-error`. */
export class ImplementationFault extends Error {
  override readonly name = 'ImplementationFault';
  constructor(
    readonly node: NodeId,
    message: string,
    readonly kind: ImplementationErrorKind = 'contract',
  ) {
    super(message);
  }
}

/** Bound on Ready rounds per input: an implementation that never runs dry is livelocked. */
const READY_ROUNDS_MAX = 10_000;

export interface HostOptions {
  readonly id: NodeId;
  /** The bootstrap configuration `create()` gets: every initial voter, or [] for a node joining a running cluster. */
  readonly peers: readonly NodeId[];
  /**
   * Every node id of the run, started or not: the ids a message, a leader hint or a role may name. Absent: `peers`
   * (a fixed cluster). With membership changes it also holds the ids that join later.
   */
  readonly nodeIds?: readonly NodeId[];
  /**
   * The configuration each snapshot taken in this run was taken in, shared by the run's hosts (a follower installs
   * snapshots other hosts took). Absent: one of the host's own over `peers`.
   */
  readonly snapshotConfigurations?: SnapshotConfigurations;
  readonly implementation: RaftImplementation;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Randomness for this node; forked per incarnation. */
  readonly prng: Prng;
  readonly disk: DiskOptions;
  /** Verify record checksums on start (false only for the ignore-checksums planted bug). */
  readonly verifyChecksums: boolean;
  /** Send a Ready's messages before its fsync completes (the ack-before-fsync planted bug). */
  readonly sendBeforeFsync: boolean;
  /** Decodes entry data into a client command (undefined for no-ops and foreign data); shared by the cluster's hosts. */
  readonly decodeCommand: (data: string) => KvCommand | undefined;
}

/** Where an armed crash point strikes in the handling of the next Ready that writes. */
export type CrashPoint = 'before-fsync' | 'after-persist';

export class NodeHost {
  readonly id: NodeId;
  readonly disk = new Disk();
  private instance: RaftInstance | null = null;
  private sm = new KvStateMachine();
  /** Incremented on every start; events addressed to an older incarnation are void. */
  incarnation = 0;
  /** Index of the last entry applied in this incarnation (observed, not self-reported). */
  appliedIndex = 0;
  /** The term of the entry at `appliedIndex` (0 before any), the term a snapshot taken now ends with. */
  private appliedTerm = 0;
  /**
   * The disk's fsync latency range, copied out of the options: scenarios build `DiskOptions` in many shapes, so
   * reading them through `options.disk` on every written Ready was a megamorphic load.
   */
  private readonly fsyncMsMin: number;
  private readonly fsyncMsMax: number;
  /** Take a snapshot every this many applied entries (0: never; see host-snapshots.ts snapshotInterval). */
  private readonly snapshotEvery: number;
  /** The index of the newest snapshot this incarnation stored or wrote (pending or durable); 0 without one. */
  private snapshotIndex = 0;
  /** The last role announced in this incarnation, and the stored term when it was announced. */
  role: Status['role'] = 'follower';
  roleTerm = 0;
  /** Client sessions waiting on this node: session -> seq of the command proposed here. */
  private readonly waiting = new Map<number, number>();
  /** Reads accepted by readIndex, by request id, until served. */
  private readonly reads = new Map<number, KvCommand>();
  /** Reads confirmed by the implementation, waiting for the state machine to reach their index. */
  private readonly confirmedReads: { readonly requestId: number; readonly index: number }[] = objectList();
  private nextReadId = 1;
  private readonly isPeer: Uint8Array;
  /** Our own core: its Readys and messages are well formed by construction, so their shape is not re-validated. */
  private readonly trusted: boolean;
  /**
   * How this host creates our own core's nodes (builtin.ts `createForHost`): with reused Readys, since nothing here
   * keeps a Ready, its messages array or the Ready itself past advance() (`syncing` holds it only until the fsync
   * that precedes advance(); a fact keeps the entries array, which the core hands out afresh). Null for others.
   */
  private readonly hostCreate: ((init: CreateInit) => RaftInstance) | null;
  private readonly diskPrng: Prng;
  /** A Ready written to disk whose fsync is in flight; the node takes no input until it completes. */
  private syncing: Ready | null = null;
  /** Whether the syncing Ready's messages already went out (ack-before-fsync bug). */
  private sentEarly = false;
  /** When the fsync in flight completes; inputs arriving before are deferred to then. */
  busyUntilMs = -1;
  /** Refused to start on corrupt storage: stays down for the rest of the run. */
  failed = false;
  /** Armed by a crash-point fault ({@link armCrashPoint}); cleared when it strikes or is disarmed. */
  private crashPoint: CrashPoint | null = null;
  /** The contract version 2 options the implementation declared (all off for version 1). */
  private readonly contract: ResolvedContract;
  /**
   * The durable state machine's last fsynced image and its applied index (`stateMachine: 'durable'` only):
   * survives crashes, restored on every start. Invariant: `sm` is a private copy, never the live one.
   */
  private durableSm: { readonly applied: number; readonly sm: KvStateMachine; readonly configuration: Configuration | null } | null = null;
  /**
   * The configuration in force at `appliedIndex`, from the configuration entries this incarnation applied (or the
   * snapshot it restored, or the bootstrap configuration): the one a snapshot taken now records. Null for a joining
   * node that has applied nothing yet. Invariant: the latest configuration entry at or below `appliedIndex`.
   */
  private appliedConfiguration: Configuration | null;
  private readonly snapshotConfigurations: SnapshotConfigurations;
  /** The digests of the snapshot data this host observed (the facts carry them). */
  private readonly digests = new SnapshotDigests();
  /** Stopped for good by {@link retire}: never starts again. */
  retired = false;

  constructor(
    private readonly options: HostOptions,
    private readonly ctx: HostContext,
  ) {
    this.id = options.id;
    this.diskPrng = options.prng.fork('disk');
    this.hostCreate = createForHost(options.implementation);
    this.trusted = this.hostCreate !== null;
    this.contract = resolveContract(options.implementation.contract);
    this.snapshotEvery = snapshotInterval(options.implementation, options.disk.snapshotEveryEntries);
    this.fsyncMsMin = options.disk.fsyncMsMin;
    this.fsyncMsMax = options.disk.fsyncMsMax;
    this.appliedConfiguration = this.bootstrapConfiguration();
    if (this.contract.durableStateMachine) this.durableSm = { applied: 0, sm: new KvStateMachine(), configuration: this.appliedConfiguration };
    this.snapshotConfigurations = options.snapshotConfigurations ?? new SnapshotConfigurations(options.peers);
    // Indexed loops, not a spread into Math.max and a for-of: TurboFan compiles this constructor in the bench's
    // window (five hosts a run), and the iteration protocol both inline is most of what it would compile.
    const nodeIds = options.nodeIds ?? options.peers;
    let idMax = options.id;
    for (let i = 0; i < nodeIds.length; i++) if ((nodeIds[i] as NodeId) > idMax) idMax = nodeIds[i] as NodeId;
    this.isPeer = new Uint8Array(idMax + 1);
    for (let i = 0; i < nodeIds.length; i++) this.isPeer[nodeIds[i] as NodeId] = 1;
  }

  /** The configuration before any entry: the bootstrap voters, or none for a node that joins. */
  private bootstrapConfiguration(): Configuration | null {
    return this.options.peers.length === 0 ? null : simpleConfiguration(this.options.peers);
  }

  /** Whether the node was ever started (a node joining later is not, until it joins). */
  get started(): boolean {
    return this.incarnation > 0;
  }

  get up(): boolean {
    return this.instance !== null;
  }

  /** The crash point armed on this node, if any. */
  get armedCrashPoint(): CrashPoint | null {
    return this.crashPoint;
  }

  /** Arms a crash point: it strikes in the handling of the next Ready that writes. */
  armCrashPoint(point: CrashPoint): void {
    this.crashPoint = point;
  }

  /** Disarms an unstruck crash point; returns whether one was armed. */
  disarmCrashPoint(): boolean {
    const armed = this.crashPoint !== null;
    this.crashPoint = null;
    return armed;
  }

  /** An fsync is in flight: inputs must wait until {@link busyUntilMs}. */
  get busy(): boolean {
    return this.syncing !== null;
  }

  /**
   * Starts (or restarts) the node from what its disk kept, verifying checksums: a torn tail (never synced)
   * is dropped; corruption of synced records makes the node refuse to start for good (it must never use
   * corrupt data, and it cannot know which of its acknowledged entries are gone).
   */
  start(): void {
    if (this.failed || this.retired) return;
    this.incarnation++;
    // A durable state machine comes back as it was last fsynced; a volatile one starts empty.
    const image = this.durableSm;
    this.appliedIndex = image === null ? 0 : image.applied;
    this.appliedConfiguration = image === null ? this.bootstrapConfiguration() : image.configuration;
    this.role = 'follower';
    this.roleTerm = 0;
    this.sm = image === null ? new KvStateMachine() : image.sm.clone();
    const recovery = this.disk.recover(this.options.verifyChecksums);
    if (recovery.kind === 'corrupt') {
      this.failed = true;
      this.ctx.incident(this.id, { kind: 'storage-refused', index: recovery.index });
      return;
    }
    if (recovery.kind === 'torn-tail') this.ctx.incident(this.id, { kind: 'torn-tail-dropped', index: recovery.droppedFromIndex });
    if (recovery.kind === 'unverified' && recovery.corruptIndex !== null) this.ctx.incident(this.id, { kind: 'corrupt-data-used', index: recovery.corruptIndex });
    const stream = this.options.prng.fork(`incarnation/${this.incarnation}`);
    const storage = recovery.storage;
    if (this.incarnation > 1) {
      this.ctx.observe(restartFact(this.ctx.nowMs, this.ctx.eventIndex, this.id, storage, image === null ? undefined : image.applied));
    } else if (this.options.peers.length === 0) {
      // A node joining a running cluster: its empty disk and empty configuration are the facts' starting point.
      this.ctx.trace.mix(this.ctx.eventIndex, TRACE_CODE.join, this.id, 0, 0);
      this.ctx.observe(joinFact(this.ctx.nowMs, this.ctx.eventIndex, this.id));
    }
    this.appliedTerm = 0;
    this.snapshotIndex = storage.snapshot?.index ?? 0;
    // The state machine restarts from the stored snapshot (unless a durable state machine kept more).
    if (storage.snapshot !== undefined && this.appliedIndex < storage.snapshot.index) this.restoreFrom(storage.snapshot, 'restart');
    const options = this.options;
    const random = (): number => stream.float();
    // Two literals rather than a spread of an optional part (a runtime copy on every start): the same fields in the
    // same order, `applied` only with a durable state machine's image.
    const init: CreateInit =
      image === null
        ? { id: this.id, peers: options.peers, storage, random, seed: stream.uint32(), electionTicks: options.electionTicks, heartbeatTicks: options.heartbeatTicks }
        : { id: this.id, peers: options.peers, storage, random, seed: stream.uint32(), electionTicks: options.electionTicks, heartbeatTicks: options.heartbeatTicks, applied: image.applied };
    // Our own core through its host path (reused Readys: this host keeps none past advance()), others by create().
    // Inline try/catch rather than this.call(() => ...): a start and a compaction are compiled in the bench's window,
    // and the closure and call() were part of what they inline.
    const hostCreate = this.hostCreate;
    let instance: RaftInstance;
    try {
      instance = hostCreate === null ? options.implementation.create(init) : hostCreate(init);
    } catch (error) {
      throw this.fault(error);
    }
    // Our own core's create() returns a RaftNode, which has every method: checked only for other implementations, as
    // their Readys are (the loop's six keyed loads by name were most of what a start of our core ran and compiled).
    if (!this.trusted) this.validateInstance(instance);
    this.instance = instance;
    this.drain();
  }

  /** What create() returned must be an instance with the contract's methods (and not a Promise of one). */
  private validateInstance(instance: RaftInstance): void {
    // A thenable has no tick() either, but "returned a Promise" names the actual mistake (an async create).
    if (typeof instance === 'object' && instance !== null && typeof (instance as { then?: unknown }).then === 'function') {
      throw new ImplementationFault(this.id, 'create() returned a Promise: create(init) must return the instance itself, synchronously (the simulator drives every node from one synchronous loop; see docs/contract.md)');
    }
    for (const method of ['tick', 'step', 'propose', 'ready', 'advance', 'status'] as const) {
      if (typeof instance !== 'object' || instance === null || typeof instance[method] !== 'function') {
        throw new ImplementationFault(this.id, `create() returned ${safeJson(instance)}, which has no ${method}() method`);
      }
    }
  }

  /** Process death: volatile state and unsynced writes are lost. */
  crash(): void {
    this.instance = null;
    this.syncing = null;
    this.busyUntilMs = -1;
    this.crashPoint = null;
    if (this.disk.crash(this.diskPrng, this.options.disk.tornWritePerMille)) {
      this.ctx.incident(this.id, { kind: 'torn-write', index: null });
    }
    this.waiting.clear();
    this.reads.clear();
    this.confirmedReads.length = 0;
    this.ctx.observe(crashFact(this.ctx.nowMs, this.ctx.eventIndex, this.id));
  }

  /**
   * The node's process is stopped for good (a scenario retiring a node removed from the configuration): unlike a
   * crash it never restarts, so what its disk kept no longer matters. A node never started, or already retired,
   * is left alone.
   */
  retire(): void {
    if (this.retired || !this.started) return;
    this.retired = true;
    this.instance = null;
    this.syncing = null;
    this.busyUntilMs = -1;
    this.crashPoint = null;
    this.waiting.clear();
    this.reads.clear();
    this.confirmedReads.length = 0;
    this.ctx.trace.mix(this.ctx.eventIndex, TRACE_CODE.retire, this.id, 0, 0);
    this.ctx.observe(retireFact(this.ctx.nowMs, this.ctx.eventIndex, this.id));
  }

  /**
   * Asks the node for a configuration change (`membership-change`, Raft thesis §4) through the same guard as every
   * call: a throw is an implementation error, and the answer must have `propose`'s shape. The `conf-proposal` fact
   * records the request and whether it was accepted, before the Ready that appends it.
   */
  proposeConfChange(request: ConfChangeRequest): ProposeResult {
    const instance = this.instance;
    if (instance === null) throw new Error('proposeConfChange on a node that is down');
    if (typeof instance.proposeConfChange !== 'function') {
      throw new ImplementationFault(this.id, 'declares the `membership-change` capability but its instance has no proposeConfChange() method (docs/contract.md § Membership changes)');
    }
    const result = this.call(() => instance.proposeConfChange?.(request));
    if (typeof result !== 'object' || result === null || typeof result.accepted !== 'boolean' || !this.proposeResultShape(result)) {
      throw new ImplementationFault(this.id, `proposeConfChange returned ${safeJson(result)}: expected what propose() returns, {accepted: true, index, term} or {accepted: false, leaderHint: 0 or a node id}`);
    }
    const ctx = this.ctx;
    ctx.trace.mix(ctx.eventIndex, TRACE_CODE['conf-proposal'], this.id, result.accepted ? 1 : 0, request.changes.length);
    ctx.observe(confProposalFact(ctx.nowMs, ctx.eventIndex, this.id, request, result.accepted));
    this.drain();
    return result;
  }

  /**
   * Asks the node to hand its leadership to `target` (`leadership-transfer`, thesis §3.10); the answer must be a
   * boolean. The `transfer` fact records it before whatever the node sends to bring the target up to date.
   */
  transferLeadership(target: NodeId): boolean {
    const instance = this.instance;
    if (instance === null) throw new Error('transferLeadership on a node that is down');
    if (typeof instance.transferLeadership !== 'function') {
      throw new ImplementationFault(this.id, 'declares the `leadership-transfer` capability but its instance has no transferLeadership() method (docs/contract.md)');
    }
    const accepted = this.call(() => instance.transferLeadership?.(target));
    if (typeof accepted !== 'boolean') throw new ImplementationFault(this.id, `transferLeadership returned ${safeJson(accepted)}, expected a boolean`);
    const ctx = this.ctx;
    ctx.trace.mix(ctx.eventIndex, TRACE_CODE.transfer, this.id, target, accepted ? 1 : 0);
    ctx.observe(transferFact(ctx.nowMs, ctx.eventIndex, this.id, target, accepted));
    this.drain();
    return accepted;
  }

  tick(): void {
    const instance = this.instance;
    if (instance === null) return;
    // Inline try/catch rather than this.call(() => ...): ticks and steps are the hot path, and a closure
    // per call is garbage per event.
    try {
      instance.tick();
    } catch (error) {
      throw this.fault(error);
    }
    this.drain();
  }

  step(message: Message): void {
    const instance = this.instance;
    if (instance === null) return;
    try {
      instance.step(message);
    } catch (error) {
      throw this.fault(error);
    }
    this.drain();
  }

  /**
   * A client's command arrives here. Reads go through ReadIndex when the implementation offers it (the
   * client waits for the read to be served); everything else is proposed, and the client waits for it to be
   * applied on this node.
   */
  request(session: number, seq: number, data: string): ProposeResult | 'reading' {
    const instance = this.instance;
    if (instance === null) throw new Error('request on a crashed node');
    const command = this.options.decodeCommand(data);
    if (command?.op === 'get' && typeof instance.readIndex === 'function') {
      const requestId = this.nextReadId++;
      // Inline try/catch rather than this.call(() => ...), as tick and step: a closure per request is garbage.
      let accepted: boolean | undefined;
      try {
        accepted = instance.readIndex(requestId);
      } catch (error) {
        throw this.fault(error);
      }
      if (typeof accepted !== 'boolean') throw new ImplementationFault(this.id, `readIndex returned ${safeJson(accepted)}, expected a boolean`);
      if (!accepted) {
        const status = this.call(() => instance.status());
        const hint = Number.isInteger(status?.leader) && this.isPeer[status.leader] === 1 ? status.leader : 0;
        return { accepted: false, reason: 'not-leader', leaderHint: hint };
      }
      this.reads.set(requestId, command);
      this.drain();
      return 'reading';
    }
    return this.propose(session, seq, data);
  }

  /** Proposes a client's command; the client waits for it to be applied on this node. */
  private propose(session: number, seq: number, data: string): ProposeResult {
    const instance = this.instance;
    if (instance === null) throw new Error('propose on a crashed node');
    const proposed = this.contract.base64Data ? toBase64(data) : data;
    let result: ProposeResult;
    try {
      result = instance.propose(proposed);
    } catch (error) {
      throw this.fault(error);
    }
    if (typeof result !== 'object' || result === null || typeof result.accepted !== 'boolean') {
      throw new ImplementationFault(this.id, `propose returned ${safeJson(result)}, expected {accepted: boolean, ...}`);
    }
    if (!this.proposeResultShape(result)) {
      const accepted = this.contract.unindexedProposals ? '{accepted: true} (index and term optional, both or neither)' : '{accepted: true, index >= 1, term >= 1}';
      throw new ImplementationFault(this.id, `propose returned ${safeJson(result)}: expected ${accepted} or {accepted: false, leaderHint: 0 or a node id}`);
    }
    if (result.accepted) this.waiting.set(session, seq);
    this.drain();
    return result;
  }

  /** Whether a proposal's answer is well formed: an accepted one's index and term, a rejected one's leader hint. */
  private proposeResultShape(result: ProposeResult): boolean {
    return result.accepted ? this.acceptedShape(result) : result.leaderHint === 0 || (Number.isInteger(result.leaderHint) && this.isPeer[result.leaderHint] === 1);
  }

  /** An accepted proposal's index and term: both valid, or (unindexed proposals) both absent. */
  private acceptedShape(result: { readonly index?: number | undefined; readonly term?: number | undefined }): boolean {
    if (this.contract.unindexedProposals && result.index === undefined && result.term === undefined) return true;
    return isIndex(result.index) && isIndex(result.term);
  }

  status(): Status | null {
    const instance = this.instance;
    return instance === null ? null : this.call(() => instance.status());
  }

  /** Handles Ready after Ready until the implementation has nothing more to do or an fsync is in flight. */
  private drain(): void {
    const instance = this.instance;
    if (instance === null || this.syncing !== null) return;
    for (let round = 0; round < READY_ROUNDS_MAX; round++) {
      let ready: Ready | null;
      try {
        ready = instance.ready();
      } catch (error) {
        throw this.fault(error);
      }
      if (ready === null || ready === undefined) {
        // Ran dry: the moment to compact, between Readys (then ask again, in case compacting made one). The interval
        // is tested here, not in maybeCompact: most inputs end here with no snapshot due, and a call per input (or
        // maybeCompact's rare body inlined into every input's path) cost more than the test.
        if (this.snapshotEvery !== 0 && this.appliedIndex - this.snapshotIndex >= this.snapshotEvery && this.maybeCompact(instance)) continue;
        return;
      }
      if (!this.trusted) validateReady(this.id, ready, this.contract.base64Data);
      if (!this.handleReady(ready)) return;
      try {
        instance.advance();
      } catch (error) {
        throw this.fault(error);
      }
    }
    throw new ImplementationFault(this.id, `ready() did not run dry after ${READY_ROUNDS_MAX} rounds`);
  }

  /**
   * The fixed order of the contract: write and fsync, then announce, send, apply. Returns false when the
   * Ready is not finished now (an fsync in flight, or a crash point struck).
   */
  private handleReady(ready: Ready): boolean {
    const snapshot = ready.snapshot;
    const entryCount = ready.entries.length;
    if (ready.hardState !== undefined || entryCount > 0 || snapshot !== undefined) {
      // Not entries[0] of an empty array: our core's is frozen, and that read takes the generic keyed-load IC.
      const first = entryCount === 0 ? undefined : ready.entries[0];
      if (snapshot !== undefined) this.writeInstalledSnapshot(snapshot, first?.index);
      else if (first !== undefined && first.index > this.disk.durableLastIndex + 1) throw this.gapFault(first.index);
      const contract = this.contract;
      // etcd's MustSync: a commit-only change is written and left for the next fsync (or lost in a crash).
      if (contract.mustSync && snapshot === undefined && !mustSync(ready, this.disk.durableHardState)) {
        this.disk.write(ready.hardState, ready.entries);
        this.finishReady(ready, false);
        return true;
      }
      // Contract version 2's sendBeforeDurable: the messages leave with the write, before the fsync (and before
      // a crash point can strike), exactly as a leader replicating while it writes its own log.
      const early = contract.sendBeforeDurable !== 'never' && mayLeaveEarly(contract.sendBeforeDurable, ready.softState?.role ?? this.role, ready, this.disk.durableHardState);
      this.disk.write(ready.hardState, ready.entries);
      if (early) this.send(ready);
      if (this.crashPoint === 'before-fsync') return this.strike();
      const fsyncMsMin = this.fsyncMsMin;
      const fsyncMsMax = this.fsyncMsMax;
      const latencyMs = fsyncMsMax > 0 ? this.diskPrng.range(fsyncMsMin, fsyncMsMax) : 0;
      if (latencyMs > 0) return this.startFsync(ready, early, latencyMs);
      this.disk.sync();
      this.observePersist(ready);
      if (this.crashPoint === 'after-persist') return this.strike();
      this.finishReady(ready, early);
      return true;
    }
    this.finishReady(ready, false);
    return true;
  }

  /**
   * The Ready's write waits for an fsync of `latencyMs`: the node is busy until then. Always returns false (the Ready
   * is not finished now). Out of handleReady, as the other rare paths: the smaller the code of every Ready, the more
   * of it TurboFan inlines where the node's inputs arrive.
   */
  private startFsync(ready: Ready, early: boolean, latencyMs: number): false {
    this.syncing = ready;
    this.busyUntilMs = this.ctx.nowMs + latencyMs;
    this.sentEarly = early || this.options.sendBeforeFsync;
    if (this.sentEarly && !early) this.send(ready);
    this.ctx.scheduleFsync(this.id, this.incarnation, latencyMs);
    return false;
  }

  /** A Ready's entries leave a gap after the stored log. */
  private gapFault(firstIndex: number): ImplementationFault {
    return new ImplementationFault(this.id, `ready().entries start at index ${firstIndex}, leaving a gap after the stored log's last index ${this.disk.durableLastIndex}`);
  }

  /** The fsync of the Ready in flight completed (if this incarnation still lives). */
  onFsync(incarnation: number): void {
    const ready = this.syncing;
    const instance = this.instance;
    if (incarnation !== this.incarnation || ready === null || instance === null) return;
    this.syncing = null;
    this.busyUntilMs = -1;
    this.disk.sync();
    this.observePersist(ready);
    if (this.crashPoint === 'after-persist') {
      this.strike();
      return;
    }
    this.finishReady(ready, this.sentEarly);
    try {
      instance.advance();
    } catch (error) {
      throw this.fault(error);
    }
    this.drain();
  }

  /** An armed crash point strikes: the node dies here. Always returns false (the Ready is not finished). */
  private strike(): false {
    this.crashPoint = null;
    this.crash();
    this.ctx.incident(this.id, { kind: 'crash-point-struck' });
    return false;
  }

  /**
   * Step 1 for an installed snapshot (InstallSnapshot, Raft §7): the snapshot is written first, then the Ready's
   * entries after it; the next fsync renames it into place, replacing the whole stored log. Only implementations
   * declaring the `snapshot` capability may hand one over.
   */
  private writeInstalledSnapshot(snapshot: Snapshot, firstEntryIndex: number | undefined): void {
    if (!(this.options.implementation.capabilities ?? []).includes('snapshot')) {
      throw new ImplementationFault(this.id, 'ready() returned a snapshot, but the implementation does not declare the `snapshot` capability (docs/contract.md § Snapshots)');
    }
    const problem = snapshotProblem(snapshot, this.snapshotConfigurations.at(snapshot.index, snapshot.term), firstEntryIndex);
    if (problem !== null) throw new ImplementationFault(this.id, problem);
    this.disk.writeSnapshot({ snapshot, mode: 'install' });
    this.snapshotIndex = snapshot.index;
  }

  /**
   * Takes a snapshot of the state machine at the applied index once `snapshotEvery` entries were applied since the
   * last one, hands it to the implementation (compact) and writes it; the next fsync makes it durable and drops
   * the log prefix it stands for. Called when the implementation has run dry (ready() returned null), so never
   * between a Ready and its advance(). Returns whether it took one.
   */
  private maybeCompact(instance: RaftInstance): boolean {
    if (this.snapshotEvery === 0 || this.appliedIndex - this.snapshotIndex < this.snapshotEvery || this.appliedTerm === 0) return false;
    const configuration = this.appliedConfiguration;
    if (this.disk.snapshotPending || typeof instance.compact !== 'function' || configuration === null) return false;
    const snapshot = takenSnapshot(this.appliedIndex, this.appliedTerm, configuration, this.sm.toSnapshot());
    this.snapshotConfigurations.record(snapshot.index, snapshot.term, configuration);
    try {
      instance.compact(snapshot);
    } catch (error) {
      throw this.fault(error);
    }
    this.disk.writeSnapshot({ snapshot, mode: 'compact' });
    this.snapshotIndex = snapshot.index;
    return true;
  }

  /** The state machine becomes what `snapshot` holds (an install, or a restart from the stored snapshot). */
  private restoreFrom(snapshot: Snapshot, origin: 'install' | 'restart'): void {
    const ctx = this.ctx;
    this.sm = restoreMachine(snapshot.data);
    this.appliedConfiguration = snapshotConfiguration(snapshot);
    this.appliedIndex = snapshot.index;
    this.appliedTerm = snapshot.term;
    const digest = this.digests.of(snapshot.data);
    // Signed, as the trace mixes 32-bit values (same hash; see Trace.mix).
    ctx.trace.mix(ctx.eventIndex, TRACE_CODE.restore, this.id, snapshot.index, digest | 0);
    ctx.observe(restoreFact(ctx.nowMs, ctx.eventIndex, this.id, snapshot.index, snapshot.term, digest, origin));
  }

  /** The snapshots the last fsync renamed into place, as facts (before the persist fact of the same fsync). */
  private observeSnapshots(): void {
    const ctx = this.ctx;
    for (const w of this.disk.syncedSnapshots) {
      const s = w.snapshot;
      const digest = this.digests.of(s.data);
      ctx.trace.mix(ctx.eventIndex, TRACE_CODE.snapshot, this.id, s.index, digest | 0);
      ctx.observe(snapshotFact(ctx.nowMs, ctx.eventIndex, this.id, s.index, s.term, digest, w.mode === 'install' ? 'installed' : 'taken'));
    }
  }

  private observePersist(ready: Ready): void {
    if (this.disk.syncedSnapshots.length > 0) this.observeSnapshots();
    const ctx = this.ctx;
    const stored = this.disk.durableHardState;
    // Most persists carry no entries: reading entries[-1] then is a slow, megamorphic keyed load.
    const count = ready.entries.length;
    const last = count === 0 ? undefined : ready.entries[count - 1];
    ctx.trace.mix(ctx.eventIndex, TRACE_CODE.persist, this.id, stored.term * 64 + stored.vote, (last?.index ?? 0) * 65536 + (last?.term ?? 0));
    // No entries: a fresh empty array rather than the Ready's. Our core hands out one frozen empty array, and
    // every checker's `entries[0]` on a frozen empty array takes the generic keyed-load IC (~280 instructions, five
    // checkers a fact); a plain one is read inline. Fresh, so no fact shares a mutable array with another.
    ctx.observe(persistFact(ctx.nowMs, ctx.eventIndex, this.id, stored, count === 0 ? [] : ready.entries));
  }

  /** After the Ready is durable: announce the role, send, apply, serve reads. */
  private finishReady(ready: Ready, alreadySent: boolean): void {
    const ctx = this.ctx;
    if (ready.softState !== undefined) {
      if (!this.trusted) this.validateRole(ready);
      this.role = ready.softState.role;
      this.roleTerm = this.disk.durableHardState.term;
      ctx.observe(roleFact(ctx.nowMs, ctx.eventIndex, this.id, ready.softState.role, ready.softState.leader, this.roleTerm));
    }
    if (!alreadySent) this.send(ready);
    if (ready.snapshot !== undefined) this.restoreFrom(ready.snapshot, 'install');
    // Indexed loops on the Ready's arrays: our core hands out a frozen empty array when there is nothing, and a
    // for-of over a frozen array allocated an iterator result per call even in optimised code.
    const committed = ready.committedEntries;
    for (let i = 0; i < committed.length; i++) this.applyEntry(committed[i] as Entry);
    // The durable state machine's own fsync: its state and applied index, together, after the Ready's applies.
    if (this.durableSm !== null && (committed.length > 0 || ready.snapshot !== undefined)) this.saveDurableMachine();
    if (ready.readStates !== undefined) this.confirmReads(ready.readStates);
    if (this.confirmedReads.length > 0) this.serveReads();
  }

  /** The durable state machine's fsync (`stateMachine: 'durable'`): its image and applied index, together. */
  private saveDurableMachine(): void {
    this.durableSm = { applied: this.appliedIndex, sm: this.sm.clone(), configuration: this.appliedConfiguration };
  }

  /**
   * A role must be one the contract names, and a candidate or leader must have a term on disk: announcing one
   * while the stored term is still 0 means the term was never persisted, which the checkers would otherwise
   * report as two leaders "of term 0".
   */
  private validateRole(ready: Ready): void {
    const soft = ready.softState as { readonly role: unknown; readonly leader: unknown };
    const problem = roleProblem(soft.role, soft.leader, (id) => this.isPeer[id] === 1 && id >= 1);
    if (problem !== null) throw new ImplementationFault(this.id, problem);
    const role = soft.role as Status['role'];
    if ((role === 'leader' || role === 'candidate') && this.disk.durableHardState.term === 0) {
      throw new ImplementationFault(
        this.id,
        `announced role ${role} while its disk holds term 0: the term it campaigns or leads in was never persisted; put it in hardState.term in the same Ready as the softState or an earlier one (docs/contract.md)`,
      );
    }
  }

  private send(ready: Ready): void {
    const messages = ready.messages;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i] as Message;
      if (!this.trusted) this.validateMessage(message);
      this.ctx.send(message);
    }
  }

  private confirmReads(states: readonly { readonly requestId: number; readonly index: number }[]): void {
    if (!Array.isArray(states)) throw new ImplementationFault(this.id, `ready().readStates is not an array: ${safeJson(states)}`);
    // Indexed loops, no closure: once per Ready that confirms reads (a for-of and a .some closure per read state).
    const confirmed = this.confirmedReads;
    for (let i = 0; i < states.length; i++) {
      const rs = states[i] as { readonly requestId: number; readonly index: number } | null;
      // The shape first: the duplicate scan reads the state's requestId (a null one is the implementation's error).
      let duplicate = false;
      if (typeof rs === 'object' && rs !== null) {
        for (let j = 0; j < confirmed.length && !duplicate; j++) duplicate = (confirmed[j] as { readonly requestId: number }).requestId === rs.requestId;
      }
      if (typeof rs !== 'object' || rs === null || !this.reads.has(rs.requestId) || duplicate || !Number.isInteger(rs.index) || rs.index < 0) {
        throw new ImplementationFault(this.id, `ready().readStates holds ${safeJson(rs)}, which is no pending read request`);
      }
      this.confirmedReads.push(rs);
    }
  }

  /** Answers every confirmed read whose index the state machine has reached. */
  private serveReads(): void {
    let kept = 0;
    const confirmed = this.confirmedReads;
    for (let i = 0; i < confirmed.length; i++) {
      const rs = confirmed[i] as { readonly requestId: number; readonly index: number };
      if (rs.index > this.appliedIndex) {
        confirmed[kept++] = rs;
        continue;
      }
      const command = this.reads.get(rs.requestId) as KvCommand;
      this.reads.delete(rs.requestId);
      const result: KvResult = { ok: true, value: this.sm.read(command.key) };
      const ctx = this.ctx;
      if (ctx.trace.recording) ctx.trace.add(ctx.nowMs, ctx.eventIndex, this.id, { type: 'read-served', client: command.client, seq: command.seq, key: command.key, result });
      ctx.trace.mix(ctx.eventIndex, TRACE_CODE['read-served'], this.id, command.client, command.seq);
      ctx.reply(this.id, command, result);
    }
    // A store to an array's length is a runtime call even when nothing changes: only when reads were served.
    if (kept !== this.confirmedReads.length) this.confirmedReads.length = kept;
  }

  private applyEntry(entry: Entry): void {
    const ctx = this.ctx;
    this.appliedIndex = entry.index;
    this.appliedTerm = entry.term;
    ctx.trace.mix(ctx.eventIndex, TRACE_CODE.apply, this.id, entry.index, entry.term);
    ctx.observe(applyFact(ctx.nowMs, ctx.eventIndex, this.id, entry));
    const command = this.decodeEntry(entry.data);
    if (command === undefined) {
      // The state machine ignores configuration entries (like no-ops); the host keeps the configuration they set.
      if (entry.data.length > 0) this.applyConfiguration(entry.data);
      return;
    }
    const result = this.sm.applyCommand(command);
    if (this.waiting.get(command.client) === command.seq) {
      // The client proposed this command here and waits on this node: a write it sees succeed is acknowledged.
      this.waiting.delete(command.client);
      if (result.ok && command.op !== 'get') {
        ctx.observe(ackFact(ctx.nowMs, ctx.eventIndex, this.id, command.client, command.seq, entry.index, entry.term));
      }
      ctx.reply(this.id, command, result);
    }
  }

  /** A configuration entry applied: it is the configuration in force from its index on (malformed ones are the checkers' to judge). */
  private applyConfiguration(data: string): void {
    const text = this.contract.base64Data ? fromBase64(data) : data;
    if (text === undefined || !isConfEntryData(text)) return;
    const configuration = decodeConfEntry(text);
    if (typeof configuration === 'object') this.appliedConfiguration = configuration;
  }

  /** The client command an entry's data carries, if any (base64 data is decoded as UTF-8 first). */
  private decodeEntry(data: string): KvCommand | undefined {
    if (!this.contract.base64Data) return this.options.decodeCommand(data);
    const text = fromBase64(data);
    return text === undefined ? undefined : this.options.decodeCommand(text);
  }

  private validateMessage(m: Message): void {
    if (typeof m !== 'object' || m === null || typeof m.type !== 'string') {
      throw new ImplementationFault(this.id, `sent a message without a string "type": ${safeJson(m)}`);
    }
    if (m.from !== this.id) throw new ImplementationFault(this.id, `sent a message with from=${safeJson(m.from)}, expected ${this.id}: ${safeJson(m)}`);
    if (!Number.isInteger(m.to) || this.isPeer[m.to] !== 1 || m.to === this.id) {
      throw new ImplementationFault(this.id, `sent a message to a node that does not exist: ${safeJson(m)}`);
    }
    if (!Number.isInteger(m.term) || m.term < 0) throw new ImplementationFault(this.id, `sent a message without an integer "term": ${safeJson(m)}`);
  }

  /** Calls into the implementation; anything it throws becomes an ImplementationFault. */
  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw this.fault(error);
    }
  }

  private fault(error: unknown): ImplementationFault {
    if (error instanceof ImplementationFault) return error;
    const text = error instanceof Error ? error.message : String(error);
    // node:assert's AssertionError is a library checking itself; any other throw is the adapter's failure.
    const kind = error instanceof Error && error.name === 'AssertionError' ? 'assertion' : 'adapter';
    return new ImplementationFault(this.id, `threw: ${text}`, kind);
  }
}

function validateReady(node: NodeId, ready: Ready, base64Data: boolean): void {
  if (typeof ready !== 'object' || !Array.isArray(ready.entries) || !Array.isArray(ready.messages) || !Array.isArray(ready.committedEntries)) {
    throw new ImplementationFault(node, `ready() returned ${safeJson(ready)}, expected {entries: [], messages: [], committedEntries: []}`);
  }
  checkEntries(node, 'entries', ready.entries, base64Data);
  checkEntries(node, 'committedEntries', ready.committedEntries, base64Data);
  const hs = ready.hardState;
  if (hs !== undefined && (!Number.isInteger(hs.term) || !Number.isInteger(hs.vote) || !Number.isInteger(hs.commit))) {
    throw new ImplementationFault(node, `ready() returned a malformed hardState: ${safeJson(hs)}`);
  }
}

function checkEntries(node: NodeId, field: string, entries: readonly Entry[], base64Data: boolean): void {
  let previous = -1;
  for (const e of entries) {
    if (typeof e !== 'object' || e === null || !Number.isInteger(e.index) || !Number.isInteger(e.term) || typeof e.data !== 'string' || e.index < 1) {
      throw new ImplementationFault(node, `ready().${field} holds a malformed entry: ${safeJson(e)}`);
    }
    if (base64Data && !isCanonicalBase64(e.data)) {
      throw new ImplementationFault(node, `ready().${field} holds an entry whose data is not standard base64 with padding (contract entryData "base64"): ${safeJson(e)}`);
    }
    if (previous !== -1 && e.index !== previous + 1) throw new ImplementationFault(node, `ready().${field} indexes are not consecutive: ${previous} then ${e.index}`);
    previous = e.index;
  }
}

function isIndex(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
