/**
 * `--impl-cmd "python3 node.py"`: an implementation in any language, one OS process per node incarnation,
 * speaking newline-delimited JSON over stdin/stdout in lockstep (docs/protocol.md).
 *
 * Two forms of the protocol, chosen by the process in its create reply: the lockstep form (1, the default), where
 * every input is followed by a `ready` request of its own, and the compact form (`"protocol": 2`), where the reply
 * to every input and `advance` carries the next Ready, and an `advance` the process declared idle
 * (`"idleAfterAdvance": true`) is not waited for but written in front of the node's next request, and so are the
 * ticks a reply declared quiet (`"idleTicks": n`), the steps of messages it declared idle (`"idleMessages"`), and
 * the ticks and steps whose Ready it predicted (`"predictions"`, process-predictions.ts). The host sees the same
 * values either way, so a seed's trace hash does not depend on the form; the compact one needs about a third of
 * the round trips (docs/protocol.md § Cost).
 *
 * One process per node, not one per cluster: a crash in the simulator kills the node's process and a restart
 * starts a new one from the stored state, so nothing the implementation kept in memory can survive a crash,
 * exactly as for a real process death. The old process is killed when its node restarts (it gets no input
 * while its node is down) and every process is killed when the adapter closes or the CLI exits.
 *
 * The simulator is synchronous, so every call here is synchronous too, and runs on the simulation's own thread:
 * each process's stdin and stdout are named pipes whose host ends this thread writes and reads with blocking
 * system calls (process-pipe.ts), so a round trip is two context switches. A worker thread
 * (process-worker.js) does the rest, off the hot path: it starts the processes (and keeps spares booted), reaps
 * them, drains their stderr, and runs the watchdog; the host asks it for a process, or how one ended, over a
 * port, blocking on Atomics.wait over a SharedArrayBuffer until the answer is there. Time and randomness come
 * only from the harness: the process gets `seed`, and must not read its own clock or random source. The wall
 * clock is used only as a watchdog on the error path: a process that writes nothing for `timeoutMs` while a
 * reply is due (counted from the last byte received, so a large reply still arriving is not cut off) is killed
 * and the run ends as an implementation error; so does a reply line over the 16 MiB limit (docs/protocol.md §
 * Limits).
 */
import { isMainThread, MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { Capability, ConfChangeRequest, ContractOptions, CreateInit, Message, MessageAnnotations, NodeId, ProposeResult, RaftImplementation, RaftInstance, Ready, Snapshot, Status } from '../../sim/contract.js';
import { ImplementationFault } from '../../sim/host.js';
import { UsageError } from '../errors.js';
import { annotationProblems, parseAnnotations } from './annotations.js';
import { contractProblems, parseContract } from './contract-options.js';
import { capabilityProblems } from './module.js';
import { installProcessGroupExitHook, processGroupTable } from './process-groups.js';
import { isIdleMessage, parseIdleMessages, samePatternValues } from './process-idle-messages.js';
import type { IdleMessagePattern } from './process-idle-messages.js';
import { CallWatch, ProcessPipe, SIGNAL_WORDS } from './process-pipe.js';
import { jsonEqual, nextPredictions, parsePredictions, predictedStep, predictedTick, thenOf } from './process-predictions.js';
import type { PredictedInput, Predictions } from './process-predictions.js';
import type { CallOutcome, ProcessEnding, ProcessEnds } from './process-pipe.js';
import { installInterruptCleanup } from '../interrupt.js';
import { EntryRecord, expandPredictions } from './process-entry-refs.js';

export const DEFAULT_IMPL_TIMEOUT_MS = 5_000;

/** The protocol forms a process may declare in its create reply (`"protocol"`; absent means 1). */
export type ProtocolVersion = 1 | 2;

/**
 * What the host gets at its next `ready()`: in the lockstep form, the reply line to a `ready` written behind the
 * input (parsed when taken, so its faults are reported as a `ready`'s); in the compact form, the Ready the input's
 * reply carried, and whether the process declared that nothing follows its `advance`.
 */
type Prefetched = { readonly line: string } | { readonly ready: unknown; readonly idleAfterAdvance: boolean };

export interface ProcessAdapterOptions {
  /** A shell command line, run with `cwd` as working directory. */
  readonly command: string;
  readonly cwd: string;
  /** Wall-clock watchdog, in ms: how long a process may write nothing while a reply is due. */
  readonly timeoutMs: number;
  /** Cluster size, for the capability probe. */
  readonly nodeCount: number;
  /**
   * Whether to use the fork server a process declares (`"forkServer": true` in its create reply); default true.
   * False starts every node incarnation as a fresh command, as for a process that declares none.
   */
  readonly forkServer?: boolean;
}

interface WorkerReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly pid?: number;
  readonly group?: boolean;
  readonly stdinFd?: number;
  readonly stdoutFd?: number;
  readonly pollFd?: number;
  readonly startedMs?: number;
  readonly exit?: string | null;
  readonly stderr?: string;
}

/** How long the host waits for the worker thread's answer (a process to hand over, an exit) before giving up. */
const WORKER_WAIT_MS = 30_000;
const QUOTE_MAX = 300;
const TICK = '{"type":"tick"}';
const READY = '{"type":"ready"}';
const ADVANCE = '{"type":"advance"}';
const STATUS = '{"type":"status"}';
/** The reply to a held request that kept its promise, as compact JSON spells it. */
const IDLE_REPLY = '{"type":"ok","ready":null}';
/**
 * Most requests deferred in front of a node's next one (an advance and quiet ticks): a bound on what one write
 * carries whatever `idleTicks` a process declares; past it, a tick is sent at once.
 */
const DEFERRED_MAX = 64;

/**
 * Processes this thread knows alive, killed when a worker thread running adapters exits on its own: each as the
 * number a kill signals (a negative group id, or a fork server child's pid; ProcessPipe.killTarget).
 */
const livePids = new Set<number>();
let exitHookInstalled = false;

/**
 * Every exit path kills every process: in the main thread through the shared table of process groups (on
 * exit, and on SIGINT/SIGTERM, which skip exit hooks); in a worker, the pids it knows on its own exit.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  installProcessGroupExitHook();
  installInterruptCleanup();
  if (isMainThread) return;
  process.on('exit', () => {
    for (const target of livePids) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export class ProcessAdapter {
  readonly implementation: RaftImplementation;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private readonly watch: CallWatch;
  /**
   * Spares the worker offered unasked (process-worker.js), oldest first: a node's (re)start takes one without a
   * thread hand-off. Invariant: each is reported 'took' to the worker when taken or dropped.
   */
  private readonly offered: WorkerReply[] = [];
  /** Node id (0: the probe) -> its current process's pipes. */
  private readonly pipes = new Map<number, ProcessPipe>();
  private closed = false;
  private requestId = 0;
  /** Round trips with the processes so far (one write, its replies), for the bench. */
  private roundTripCount = 0;
  /** Node id -> the next Ready, known before the host asks for it (see Prefetched). */
  private readonly prefetched = new Map<number, Prefetched>();
  /** Nodes whose last Ready was declared idle after `advance` (compact form): their next advance() is deferred. */
  private readonly idleAfterAdvance = new Set<number>();
  /** Node id -> ticks its process declared quiet (compact form): that many next ticks are deferred. */
  private readonly quietTicks = new Map<number, number>();
  /** Node id -> the messages its process declared idle (compact form): a step of one of them is deferred. */
  private readonly idleMessages = new Map<number, readonly IdleMessagePattern[]>();
  /** Node id -> the `idleMessages` its process's last reply gave, as written and as parsed (a memo: most replies repeat them). */
  private readonly givenIdleMessages = new Map<number, { readonly value: unknown; readonly patterns: readonly IdleMessagePattern[] }>();
  /** Node id -> the replies its process predicted for its next input (compact form): a step or tick of one is deferred. */
  private readonly predictions = new Map<number, Predictions>();
  /**
   * Node id -> requests not yet written (an `advance`, quiet ticks, idle or predicted steps), each with the Ready
   * its reply must carry (null, or the predicted one): they go out in front of the node's next request, in the
   * same write, and their replies are checked then. Dropped when the node's process is replaced (a crash loses
   * them anyway).
   */
  private readonly deferred = new Map<number, Held[]>();
  /**
   * Node id -> the host's record of its log, from which the references of a process that declared
   * `"entryRefs": true` are expanded (process-entry-refs.ts); null for a process that did not.
   */
  private entryRecords: Map<number, EntryRecord> | null = null;

  private constructor(
    private readonly options: ProcessAdapterOptions,
    name: string,
    private readonly capabilities: readonly Capability[],
    parts: { worker: Worker; port: MessagePort; signal: Int32Array; watch: CallWatch },
    private readonly protocol: ProtocolVersion,
    messageAnnotations?: MessageAnnotations,
    contract?: ContractOptions,
  ) {
    this.worker = parts.worker;
    this.port = parts.port;
    this.signal = parts.signal;
    this.watch = parts.watch;
    const adapter = this;
    this.implementation = {
      name,
      capabilities,
      ...(messageAnnotations === undefined ? {} : { messageAnnotations }),
      ...(contract === undefined ? {} : { contract }),
      create: (init: CreateInit): RaftInstance => adapter.create(init),
    };
  }

  /**
   * Starts the worker and probes the command once (a `create` for node 1 on empty storage) to learn its
   * name and capabilities. Throws a UsageError when the command cannot answer that.
   */
  static start(options: ProcessAdapterOptions): ProcessAdapter {
    installExitHook();
    // Word 0 counts the worker's answers (the host waits on it), word 1 is unused, words 2-4 the watched call.
    const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_WORDS * Int32Array.BYTES_PER_ELEMENT));
    const epochMs = Date.now();
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./process-worker.js', import.meta.url), {
      // One spare process per node: a seed starts every node at once (process-worker.js).
      workerData: { signal: signal.buffer, replyPort: port2, command: options.command, cwd: options.cwd, groups: processGroupTable().buffer, sparesWanted: options.nodeCount, epochMs },
      transferList: [port2],
    });
    worker.unref();
    const parts = { worker, port: port1, signal, watch: new CallWatch(signal, epochMs) };
    const probe = new ProcessAdapter(options, `process:${options.command}`, [], parts, 1);
    let created: Record<string, unknown>;
    try {
      const peers = Array.from({ length: options.nodeCount }, (_, i) => i + 1);
      created = probe.createReply(0, { id: 1, peers, storage: { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, seed: 0, electionTicks: 10, heartbeatTicks: 2 });
    } catch (error) {
      probe.close();
      throw new UsageError(`--impl-cmd ${JSON.stringify(options.command)}: the probe create failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    probe.kill(0);
    const problems = [
      ...capabilityProblems(created.capabilities),
      ...annotationProblems(created.messageAnnotations),
      ...protocolProblems(created.protocol),
      ...forkServerProblems(created.forkServer),
      ...entryRefsProblems(created.entryRefs, created.protocol),
      ...contractProblems(created.contract),
    ];
    if (problems.length > 0) {
      probe.close();
      throw new UsageError(`--impl-cmd ${JSON.stringify(options.command)}: the create reply is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    // From here on, spares are forked by a server the worker starts now (docs/protocol.md § Fork server).
    if (created.forkServer === true && options.forkServer !== false) worker.postMessage({ op: 'fork-server' });
    const name = typeof created.name === 'string' && created.name !== '' ? created.name : `process:${options.command}`;
    const protocol: ProtocolVersion = created.protocol === 2 ? 2 : 1;
    const adapter = new ProcessAdapter(options, name, (created.capabilities ?? []) as Capability[], parts, protocol, parseAnnotations(created.messageAnnotations), parseContract(created.contract));
    if (created.entryRefs === true) adapter.entryRecords = new Map();
    return adapter;
  }

  /** Round trips with the processes so far: each is one write of request lines and the wait for their replies. */
  get roundTrips(): number {
    return this.roundTripCount;
  }

  /** The pids of the nodes' current processes (spares not included). */
  get processIds(): readonly number[] {
    return [...this.pipes.values()].map((pipe) => pipe.pid);
  }

  /** Kills every process and stops the worker. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // End of input first (a well-behaved process exits on it), then the worker's SIGTERM, then SIGKILL.
    for (const pipe of this.pipes.values()) pipe.release();
    // Offered spares are the worker's to kill; their pipe ends are closed with them.
    this.offered.length = 0;
    try {
      this.exchange({ op: 'close' });
    } catch {
      // the exit hook still kills what is left
    }
    for (const pipe of this.pipes.values()) livePids.delete(pipe.killTarget);
    this.pipes.clear();
    void this.worker.terminate();
  }

  private create(init: CreateInit): RaftInstance {
    const created = this.createReply(init.id, {
      id: init.id,
      peers: init.peers,
      storage: init.storage,
      seed: init.seed,
      electionTicks: init.electionTicks,
      heartbeatTicks: init.heartbeatTicks,
      // Only for a durable state machine (contract version 2): older processes see the request unchanged.
      ...(init.applied === undefined ? {} : { applied: init.applied }),
    });
    const declared = Array.isArray(created.capabilities) ? created.capabilities : [];
    if (declared.length !== this.capabilities.length || declared.some((c, i) => c !== this.capabilities[i])) {
      throw new ImplementationFault(init.id, `declared capabilities ${JSON.stringify(declared)} in create, but ${JSON.stringify(this.capabilities)} when probed`, 'adapter');
    }
    this.entryRecords?.set(init.id, new EntryRecord(init.storage));
    // The host drains a node right after create (contract.md): the compact form's create reply carries that Ready.
    if (this.protocol === 2) this.keepReady(init.id, 'create', created);
    return new ProcessInstance(this, init.id, init.peers, {
      readIndex: this.capabilities.includes('read-index'),
      snapshot: this.capabilities.includes('snapshot'),
      membership: this.capabilities.includes('membership-change'),
      transfer: this.capabilities.includes('leadership-transfer'),
    });
  }

  /** Starts a fresh process in `slot` (killing the old one) and sends it `create`. */
  private createReply(slot: number, fields: Record<string, unknown>): Record<string, unknown> {
    this.kill(slot);
    const taken = this.take(slot);
    if (!taken.ok || taken.pid === undefined || taken.stdinFd === undefined || taken.stdoutFd === undefined || taken.pollFd === undefined) {
      throw new ImplementationFault(slot, taken.error ?? 'process could not be started', 'adapter');
    }
    const ends = { pid: taken.pid, group: taken.group !== false, stdinFd: taken.stdinFd, stdoutFd: taken.stdoutFd, pollFd: taken.pollFd, startedMs: taken.startedMs ?? this.watch.nowMs() };
    const handBack = (released: ProcessEnds): void => this.worker.postMessage({ op: 'release', pid: released.pid });
    const pipe = new ProcessPipe(ends, this.watch, (pid, waitMs) => this.ending(slot, pid, waitMs), handBack);
    this.pipes.set(slot, pipe);
    livePids.add(pipe.killTarget);
    this.roundTripCount++;
    const reply = pipe.call([JSON.stringify({ type: 'create', ...fields })], this.options.timeoutMs);
    return parseReply(slot, 'create', firstLine(slot, reply, 'create'), 'created');
  }

  /**
   * A started process for `slot`: a spare the worker has offered, else one asked for ('take', which waits for the
   * worker thread). An offered spare that has died since (killed from outside) is given back, not handed out, as
   * the worker skips one (process-worker.js serveTakers); a spare that dies later fails its create.
   */
  private take(slot: number): WorkerReply {
    this.receive(0);
    for (let spare = this.offered.shift(); spare !== undefined; spare = this.offered.shift()) {
      this.worker.postMessage({ op: 'took', pid: spare.pid });
      if (isAlive(spare.pid ?? 0)) return spare;
      this.worker.postMessage({ op: 'release', pid: spare.pid });
    }
    return this.exchange({ op: 'take' }, slot);
  }

  /**
   * Reads what the worker has posted: offered spares are kept, the answer to request `id` is returned, a stale
   * answer (to a request abandoned by an earlier timeout) is dropped. Never waits.
   */
  private receive(id: number): WorkerReply | undefined {
    for (;;) {
      const received = receiveMessageOnPort(this.port) as { message: WorkerReply & { id?: number; op?: string } } | undefined;
      if (received === undefined) return undefined;
      const message = received.message;
      if (message.op === 'spare') this.offered.push(message);
      else if (message.id === id) return message;
    }
  }

  /** How process `pid` (node `slot`'s) ended, from the worker, which reaps it. */
  private ending(slot: number, pid: number, waitMs: number): ProcessEnding {
    const reply = this.exchange({ op: 'ended', pid, waitMs }, slot);
    return { exit: reply.exit ?? null, stderr: reply.stderr ?? '' };
  }

  /** Drops what the host knew ahead about `slot`'s process: it is being replaced or killed. */
  private forget(slot: number): void {
    this.prefetched.delete(slot);
    this.idleAfterAdvance.delete(slot);
    this.endPromises(slot);
    this.deferred.delete(slot);
  }

  /** The quiet ticks, idle messages and predictions a process declared no longer hold (another request came, or a new process). */
  private endPromises(slot: number): void {
    this.givenIdleMessages.delete(slot);
    this.quietTicks.delete(slot);
    this.idleMessages.delete(slot);
    this.predictions.delete(slot);
  }

  /** A simulated crash (or the probe done with): the slot's process group killed at once. */
  private kill(slot: number): void {
    this.forget(slot);
    const pipe = this.pipes.get(slot);
    if (pipe === undefined) return;
    pipe.kill();
    livePids.delete(pipe.killTarget);
    this.pipes.delete(slot);
  }

  /**
   * Sends one request to node `slot`'s process and returns its parsed reply of type `expected`.
   *
   * With `thenReady` (the host asks for the next Ready after every input and every `advance()`), that Ready is
   * fetched in the same round trip: in the lockstep form a `ready` request is written right behind the input
   * (the process still reads one request, answers it, then reads the next); in the compact form the input's
   * reply carries it. Either way this saves one round trip through the pipe per input. Deferred requests are
   * written first, in the same write.
   */
  call(slot: number, line: string, expected: string, thenReady: boolean): Record<string, unknown> {
    const request = requestTypeOf(line);
    if (this.prefetched.has(slot)) throw new Error(`process adapter: the host called ${request} on node ${slot} before ready(); docs/contract.md promises a drain after every input`);
    if (this.closed) throw new ImplementationFault(slot, 'was called after the process adapter closed', 'adapter');
    const pipe = this.pipes.get(slot);
    if (pipe === undefined) throw new ImplementationFault(slot, `no process for node ${slot}`, 'adapter');
    const deferred = this.deferred.get(slot) ?? [];
    this.deferred.delete(slot);
    const lines = [...deferred.map((held) => held.line), line, ...(thenReady && this.protocol === 1 ? [READY] : [])];
    this.roundTripCount++;
    const reply = pipe.call(lines, this.options.timeoutMs);
    if (!reply.ok) throw new ImplementationFault(slot, reply.error, 'adapter');
    for (let i = 0; i < deferred.length; i++) this.checkDeferred(slot, deferred[i]!, reply.lines[i] ?? '');
    const first = reply.lines[deferred.length];
    if (first === undefined) {
      const what = deferred.length === 0 ? request : `${deferredTypes(deferred.map((held) => held.line))} + ${request}`;
      throw new ImplementationFault(slot, `process failed on ${what}`, 'adapter');
    }
    const parsed = parseReply(slot, request, first, expected);
    if (thenReady && this.protocol === 2) this.keepReady(slot, request, parsed);
    // A request that carries no Ready (read-index, compact, status, ready itself) ends the quiet ticks' and the
    // idle messages' promises ("no other request between them"); a `ready` reply renews them (takeReady).
    else this.endPromises(slot);
    const next = reply.lines[lines.length - 1];
    if (thenReady && this.protocol === 1 && next !== undefined) this.prefetched.set(slot, { line: next });
    return parsed;
  }

  /**
   * `tick()`: in the compact form, a tick the process declared quiet is not written now: the host's next
   * ready() gets null at once, and the tick travels in front of the node's next request.
   */
  tick(slot: number): void {
    const quiet = this.quietTicks.get(slot) ?? 0;
    const deferred = this.deferred.get(slot);
    const room = (deferred?.length ?? 0) < DEFERRED_MAX;
    if (quiet > 0 && room) {
      this.quietTicks.set(slot, quiet - 1);
      this.defer(slot, TICK);
      return;
    }
    // A prediction is for the first tick after the quiet ones, never for a quiet one sent at once.
    const predictions = quiet === 0 && room ? this.predictions.get(slot) : undefined;
    const predicted = predictions === undefined ? undefined : predictedTick(predictions);
    if (predictions !== undefined && predicted !== undefined) {
      this.holdPredicted(slot, TICK, predictions, predicted);
      return;
    }
    this.call(slot, TICK, 'ok', true);
  }

  /**
   * `step()`: in the compact form, a message the process declared idle is not written now: the host's next
   * ready() gets null at once, and the step travels in front of the node's next request.
   */
  step(slot: number, message: Message): void {
    const line = `{"type":"step","message":${JSON.stringify(message)}}`;
    const patterns = this.idleMessages.get(slot);
    const room = (this.deferred.get(slot)?.length ?? 0) < DEFERRED_MAX;
    if (patterns !== undefined && room && isIdleMessage(patterns, message)) {
      this.defer(slot, line);
      return;
    }
    const predictions = room ? this.predictions.get(slot) : undefined;
    const predicted = predictions === undefined ? undefined : predictedStep(predictions, message as unknown as Readonly<Record<string, unknown>>);
    if (predictions !== undefined && predicted !== undefined) {
      this.holdPredicted(slot, line, predictions, predicted);
      return;
    }
    this.call(slot, line, 'ok', true);
  }

  /**
   * `advance()`: in the compact form, after a Ready the process declared idle after advance, nothing is written
   * now and the host's next ready() gets null at once; the `advance` travels in front of the next request.
   */
  advance(slot: number): void {
    if (this.idleAfterAdvance.delete(slot)) {
      this.defer(slot, ADVANCE);
      return;
    }
    this.call(slot, ADVANCE, 'ok', true);
  }

  private defer(slot: number, line: string, ready: unknown = null): void {
    const deferred = this.deferred.get(slot);
    if (deferred === undefined) this.deferred.set(slot, [{ line, ready }]);
    else deferred.push({ line, ready });
    this.prefetched.set(slot, { ready, idleAfterAdvance: false });
  }

  /**
   * A tick or step whose reply the process predicted: not written now. The host's next ready() gets the predicted
   * Ready at once, the promises of the prediction's `then` hold from here, and the request travels in front of the
   * node's next one, whose reply must carry that Ready.
   */
  private holdPredicted(slot: number, line: string, level: Predictions, input: PredictedInput): void {
    const then = thenOf(level, input);
    // Expanded when the prediction came; recorded now, as the host takes it.
    if (input.ready !== null) this.entryRecords?.get(slot)?.apply(input.ready as Record<string, unknown>);
    this.defer(slot, line, input.ready);
    this.prefetched.set(slot, { ready: input.ready, idleAfterAdvance: then.idleAfterAdvance === true });
    this.keepQuietTicks(slot, then.idleTicks);
    const patterns = parseIdleMessages(then.idleMessages);
    // Checked with the predictions (process-predictions.ts): never a string here.
    if (typeof patterns !== 'string' && patterns.length > 0) this.idleMessages.set(slot, patterns);
    else this.idleMessages.delete(slot);
    const next = nextPredictions(level, input);
    if (next === null) this.predictions.delete(slot);
    else this.predictions.set(slot, next);
  }

  /**
   * A deferred request's reply must be `ok` with a null Ready: the process promised that nothing would follow
   * (an advance after a Ready declared idle after advance, a tick declared quiet, a step of a message declared
   * idle).
   */
  private checkDeferred(slot: number, held: Held, line: string): void {
    const sent = held.line;
    // The commonest line of all, in the examples' spelling: nothing to parse.
    if (line === IDLE_REPLY && held.ready === null) return;
    const request = requestTypeOf(sent);
    const reply = parseReply(slot, request, line, 'ok');
    if (held.ready !== null) {
      if (!('ready' in reply)) throw new ImplementationFault(slot, noReady(request, reply), 'adapter');
      // Against the log as the predicted Ready left it (recorded when it was taken).
      const problem = this.entryRecords?.get(slot)?.expandReady(reply.ready) ?? null;
      if (problem !== null) throw new ImplementationFault(slot, `process wrote ${problem} in its reply to ${request} (docs/protocol.md § The compact form)`, 'adapter');
      if (jsonEqual(reply.ready, held.ready)) return;
      throw new ImplementationFault(slot, `process predicted its Ready for this ${request} ("predictions"), but its reply to it carries another (docs/protocol.md § The compact form): ${quote(sent)} -> ${quote(line)}; predicted ${quote(JSON.stringify(held.ready))}`, 'adapter');
    }
    if (reply.ready === null) return;
    if (!('ready' in reply)) throw new ImplementationFault(slot, noReady(request, reply), 'adapter');
    if (request === 'advance') {
      throw new ImplementationFault(slot, `process declared "idleAfterAdvance" on its last Ready, but its reply to that advance carries a Ready (docs/protocol.md § The compact form): ${quote(line)}`, 'adapter');
    }
    if (request === 'step') {
      throw new ImplementationFault(slot, `process declared this message idle ("idleMessages"), but its reply to its step carries a Ready (docs/protocol.md § The compact form): ${quote(sent)} -> ${quote(line)}`, 'adapter');
    }
    throw new ImplementationFault(slot, `process declared this tick quiet ("idleTicks"), but its reply to it carries a Ready (docs/protocol.md § The compact form): ${quote(line)}`, 'adapter');
  }

  /**
   * Keeps the Ready a compact-form reply carries for the host's next ready(), and the ticks and messages it
   * declares idle.
   */
  private keepReady(slot: number, request: string, reply: Record<string, unknown>): void {
    if (!('ready' in reply)) throw new ImplementationFault(slot, noReady(request, reply), 'adapter');
    this.recordReady(slot, reply.ready, request);
    this.prefetched.set(slot, { ready: reply.ready, idleAfterAdvance: reply.idleAfterAdvance === true });
    this.keepPromises(slot, reply);
  }

  /**
   * For a process that declared `"entryRefs"`: records the Ready a reply carries in the node's log record, then
   * expands its references from it (they may name the Ready's own entries), before the host sees the Ready.
   */
  private recordReady(slot: number, ready: unknown, request: string): void {
    const record = this.entryRecords?.get(slot);
    if (record === undefined || typeof ready !== 'object' || ready === null) return;
    record.apply(ready as Record<string, unknown>);
    const problem = record.expandReady(ready);
    if (problem !== null) throw new ImplementationFault(slot, `process wrote ${problem} in its reply to ${request} (docs/protocol.md § The compact form)`, 'adapter');
  }

  /** A compact-form reply's promises: each replaces the last, and one left out means none. */
  private keepPromises(slot: number, reply: Record<string, unknown>): void {
    this.keepQuietTicks(slot, reply.idleTicks);
    const given = this.givenIdleMessages.get(slot);
    // Most replies give the same patterns as the last one: those are parsed already.
    const patterns = given !== undefined && samePatternValues(reply.idleMessages, given.value) ? given.patterns : parseIdleMessages(reply.idleMessages);
    if (typeof patterns === 'string') throw new ImplementationFault(slot, `process replied with ${patterns} (docs/protocol.md § The compact form)`, 'adapter');
    this.givenIdleMessages.set(slot, { value: reply.idleMessages, patterns });
    if (patterns.length === 0) this.idleMessages.delete(slot);
    else this.idleMessages.set(slot, patterns);
    const predictions = parsePredictions(reply.predictions);
    if (typeof predictions === 'string') throw new ImplementationFault(slot, `process replied with ${predictions} (docs/protocol.md § The compact form)`, 'adapter');
    const record = this.entryRecords?.get(slot);
    const problem = record === undefined || predictions === null ? null : expandPredictions(record, reply.predictions);
    if (problem !== null) throw new ImplementationFault(slot, `process wrote ${problem} in "predictions" (docs/protocol.md § The compact form)`, 'adapter');
    if (predictions === null) this.predictions.delete(slot);
    else this.predictions.set(slot, predictions);
  }

  private keepQuietTicks(slot: number, idleTicks: unknown): void {
    if (idleTicks === undefined) this.quietTicks.delete(slot);
    else if (typeof idleTicks === 'number' && Number.isSafeInteger(idleTicks) && idleTicks >= 0) this.quietTicks.set(slot, idleTicks);
    else throw new ImplementationFault(slot, `process replied with "idleTicks" ${quote(JSON.stringify(idleTicks) ?? String(idleTicks))}; it must be a whole number of ticks, 0 or more (docs/protocol.md § The compact form)`, 'adapter');
  }

  /**
   * The host's ready(): the Ready known ahead, else one `ready` request. Remembers whether the process declared
   * this Ready idle after advance (only a non-null Ready is advanced).
   */
  takeReady(slot: number): unknown {
    const known = this.prefetched.get(slot);
    this.prefetched.delete(slot);
    let ready: unknown;
    let idle = false;
    if (known === undefined || 'line' in known) {
      const reply = known === undefined ? this.call(slot, READY, 'ready', false) : parseReply(slot, 'ready', known.line, 'ready');
      ready = reply.ready;
      if (this.protocol === 2) {
        this.recordReady(slot, ready, 'ready');
        idle = reply.idleAfterAdvance === true;
        this.keepPromises(slot, reply);
      }
    } else {
      ready = known.ready;
      idle = known.idleAfterAdvance;
    }
    if (idle && ready !== null && ready !== undefined) this.idleAfterAdvance.add(slot);
    else this.idleAfterAdvance.delete(slot);
    return ready;
  }

  /**
   * One synchronous request to the worker thread (a process to hand over, how one ended, close). Replies carry
   * the request's id: a reply that is not yet visible on the port after the wake-up is waited for briefly, and a
   * stale one (from a request abandoned by an earlier timeout) is dropped.
   */
  private exchange(request: Record<string, unknown>, slot = 0): WorkerReply {
    const id = ++this.requestId;
    const deadline = Date.now() + WORKER_WAIT_MS;
    let seen = Atomics.load(this.signal, 0);
    this.worker.postMessage({ ...request, id });
    for (;;) {
      const received = this.receive(id);
      if (received !== undefined) return received;
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) throw new ImplementationFault(slot, `process adapter: the worker thread gave no answer to ${String(request.op)} within ${WORKER_WAIT_MS} ms`, 'adapter');
      Atomics.wait(this.signal, 0, seen, Math.min(leftMs, 50));
      seen = Atomics.load(this.signal, 0);
    }
  }
}

/** Whether `pid` still exists (a zombie not yet reaped counts: its exit is then reported by its create). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** A request held in front of a node's next one, and the Ready its reply must carry (null, or the predicted one). */
interface Held {
  readonly line: string;
  readonly ready: unknown;
}

function noReady(request: string, reply: Record<string, unknown>): string {
  return `process declared "protocol": 2, but its reply to ${request} carries no "ready" (docs/protocol.md § The compact form): ${quote(JSON.stringify(reply))}`;
}

/** "advance + tick + tick" for the deferred requests in front of a call, as error messages name them. */
function deferredTypes(deferred: readonly string[]): string {
  return deferred.map(requestTypeOf).join(' + ');
}

/** Problems with the create reply's optional `protocol` (a usage error at the probe). */
export function protocolProblems(value: unknown): string[] {
  if (value === undefined || value === 1 || value === 2) return [];
  return [`"protocol" must be 1 (lockstep, the default) or 2 (compact form, docs/protocol.md), got ${quote(JSON.stringify(value) ?? String(value))}`];
}

/** Problems with the create reply's optional `entryRefs` (a usage error at the probe): a boolean, in the compact form only. */
export function entryRefsProblems(value: unknown, protocol: unknown): string[] {
  if (value === undefined || value === false) return [];
  if (value !== true) return [`"entryRefs" must be true or false (docs/protocol.md § The compact form), got ${quote(JSON.stringify(value) ?? String(value))}`];
  return protocol === 2 ? [] : ['"entryRefs" needs the compact form ("protocol": 2): the lockstep form reads every entry written out (docs/protocol.md § The compact form)'];
}

/** Problems with the create reply's optional `forkServer` (a usage error at the probe). */
export function forkServerProblems(value: unknown): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return [`"forkServer" must be true or false (docs/protocol.md § Fork server), got ${quote(JSON.stringify(value) ?? String(value))}`];
}

function requestTypeOf(line: string): string {
  const match = /^\{"type":"([^"]*)"/.exec(line);
  return match?.[1] ?? 'request';
}

function quote(line: string): string {
  return line.length > QUOTE_MAX ? `${line.slice(0, QUOTE_MAX)}…` : line;
}

/** The first reply line, or the ImplementationFault of a failed call (exit, timeout, stray output). */
function firstLine(node: number, reply: CallOutcome, request: string): string {
  if (!reply.ok) throw new ImplementationFault(node, reply.error, 'adapter');
  const line = reply.lines[0];
  if (line === undefined) throw new ImplementationFault(node, `process failed on ${request}`, 'adapter');
  return line;
}

/** Parses one reply line, or throws the ImplementationFault the host reports. */
export function parseReply(node: number, request: string, line: string, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ImplementationFault(node, `process replied to ${request} with malformed JSON: ${quote(line)}`, 'adapter');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
    throw new ImplementationFault(node, `process replied to ${request} without a string "type": ${quote(line)}`, 'adapter');
  }
  const object = value as Record<string, unknown>;
  if (object.type === 'error') {
    const text = typeof object.message === 'string' ? object.message : quote(line);
    // "kind": "assertion" is the library catching an inconsistency itself (docs/protocol.md), not an adapter failure.
    if (object.kind === 'assertion') throw new ImplementationFault(node, `process reported its library's own assertion failure in ${request}: ${text}`, 'assertion');
    throw new ImplementationFault(node, `process reported an error in ${request}: ${text}`, 'adapter');
  }
  if (object.type !== expected) {
    throw new ImplementationFault(node, `process replied to ${request} with unknown reply type ${JSON.stringify(object.type)} (expected "${expected}"): ${quote(line)}`, 'adapter');
  }
  return object;
}

/** Which optional requests a node's process is sent: those of the capabilities it declared, no others. */
interface OptionalRequests {
  readonly readIndex: boolean;
  readonly snapshot: boolean;
  /** `membership-change`: `propose-conf-change`, and messages to nodes outside `create`'s `peers`. */
  readonly membership: boolean;
  /** `leadership-transfer`: `transfer-leadership`. */
  readonly transfer: boolean;
}

/** A node's process, seen through the RaftInstance contract. Every method is one lockstep round trip. */
class ProcessInstance implements RaftInstance {
  readonly readIndex?: (requestId: number) => boolean;
  readonly compact?: (snapshot: Snapshot) => void;
  readonly proposeConfChange?: (request: ConfChangeRequest) => ProposeResult;
  readonly transferLeadership?: (target: NodeId) => boolean;

  constructor(
    private readonly adapter: ProcessAdapter,
    private readonly id: number,
    private readonly peers: readonly number[],
    private readonly offers: OptionalRequests,
  ) {
    if (offers.snapshot) {
      // Sent when the node has run dry (the host compacts only then), so no Ready is pending: a plain round trip.
      this.compact = (snapshot: Snapshot): void => {
        this.adapter.call(this.id, JSON.stringify({ type: 'compact', snapshot }), 'ok', false);
      };
    }
    if (offers.readIndex) {
      this.readIndex = (requestId: number): boolean => {
        // Not pipelined: a refused read is followed by status(), not ready().
        const reply = this.adapter.call(this.id, JSON.stringify({ type: 'read-index', requestId }), 'read-index', false);
        return reply.accepted as boolean;
      };
    }
    // The two requests of membership changes are rare (a few per run), so neither is pipelined with a `ready`:
    // their replies never carry one, in either form, and the host asks for the next Ready on its own. That keeps
    // the protocol independent of whether the host drains after them, and costs one round trip per change.
    if (offers.membership) {
      this.proposeConfChange = (request: ConfChangeRequest): ProposeResult => {
        const reply = this.adapter.call(this.id, JSON.stringify({ type: 'propose-conf-change', request }), 'proposed', false);
        return confProposalResult(this.id, reply);
      };
    }
    if (offers.transfer) {
      this.transferLeadership = (target: NodeId): boolean => {
        const reply = this.adapter.call(this.id, JSON.stringify({ type: 'transfer-leadership', target }), 'transfer-leadership', false);
        if (typeof reply.accepted !== 'boolean') throw new ImplementationFault(this.id, `process replied to transfer-leadership without a boolean "accepted": ${quote(JSON.stringify(reply))}`, 'adapter');
        return reply.accepted;
      };
    }
  }

  tick(): void {
    this.adapter.tick(this.id);
  }

  step(message: Message): void {
    this.adapter.step(this.id, message);
  }

  propose(data: string): ProposeResult {
    const reply = this.adapter.call(this.id, `{"type":"propose","data":${JSON.stringify(data)}}`, 'proposed', true);
    return proposalResult(reply);
  }

  ready(): Ready | null {
    const ready = this.adapter.takeReady(this.id);
    if (ready === null || ready === undefined) return null;
    const messages = (ready as { messages?: unknown }).messages;
    // With membership changes the destinations are not `peers` (a joining node starts with none, and a leader
    // replicates to nodes added since): the host checks them against every node of the run instead.
    if (Array.isArray(messages) && !this.offers.membership) {
      for (const m of messages as { to?: unknown }[]) {
        if (typeof m === 'object' && m !== null && (!this.peers.includes(m.to as number) || m.to === this.id)) {
          throw new ImplementationFault(this.id, `process sent a message to node ${JSON.stringify(m.to)}, which does not exist or is itself (peers ${this.peers.join(',')}): ${quote(JSON.stringify(ready))}`, 'adapter');
        }
      }
    }
    return ready as Ready;
  }

  advance(): void {
    this.adapter.advance(this.id);
  }

  status(): Status {
    return this.adapter.call(this.id, STATUS, 'status', false).status as Status;
  }
}

/** A `proposed` reply as a ProposeResult. The host validates the values; only the shape of the union is decided here. */
function proposalResult(reply: Record<string, unknown>): ProposeResult {
  if (reply.accepted === true) {
    // Unindexed (contract version 2): both left out. Anything else is handed on for the host to judge.
    if (reply.index === undefined && reply.term === undefined) return { accepted: true };
    return { accepted: true, index: reply.index as number, term: reply.term as number };
  }
  return { accepted: false, reason: 'not-leader', leaderHint: (reply.leaderHint ?? 0) as number };
}

/**
 * The reply to `propose-conf-change`, checked here as well as by the host: a configuration change is the one
 * request whose acceptance the checkers compare with the log (the conf-proposal fact), so a reply that is not
 * plainly one of the two shapes is refused where it arrives, naming the request, rather than read as a refusal.
 */
export function confProposalResult(node: NodeId, reply: Record<string, unknown>): ProposeResult {
  const wrong = (why: string): ImplementationFault =>
    new ImplementationFault(node, `process replied to propose-conf-change with ${why} (docs/protocol.md § Membership changes): ${quote(JSON.stringify(reply))}`, 'adapter');
  if (typeof reply.accepted !== 'boolean') throw wrong('no boolean "accepted"');
  if (reply.accepted) {
    const bothAbsent = reply.index === undefined && reply.term === undefined;
    if (!bothAbsent && !(isPositiveInteger(reply.index) && isPositiveInteger(reply.term))) throw wrong('"accepted": true but no whole "index" and "term" >= 1');
  } else if (reply.leaderHint !== undefined && !(Number.isSafeInteger(reply.leaderHint) && (reply.leaderHint as number) >= 0)) {
    throw wrong('a "leaderHint" that is not 0 or a node id');
  }
  return proposalResult(reply);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
