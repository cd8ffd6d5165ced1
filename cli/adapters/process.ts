/**
 * `--impl-cmd "python3 node.py"`: an implementation in any language, one OS process per node incarnation,
 * speaking newline-delimited JSON over stdin/stdout in lockstep (docs/protocol.md).
 *
 * Two forms of the protocol, chosen by the process in its create reply: the lockstep form (1, the default), where
 * every input is followed by a `ready` request of its own, and the compact form (`"protocol": 2`), where the reply
 * to every input and `advance` carries the next Ready, and an `advance` the process declared idle
 * (`"idleAfterAdvance": true`) is not waited for but written in front of the node's next request. The host sees
 * the same values either way, so a seed's trace hash does not depend on the form; the compact one saves about a
 * third of the round trips (docs/protocol.md § Cost).
 *
 * One process per node, not one per cluster: a crash in the simulator kills the node's process and a restart
 * starts a new one from the stored state, so nothing the implementation kept in memory can survive a crash,
 * exactly as for a real process death. The old process is killed when its node restarts (it gets no input
 * while its node is down) and every process is killed when the adapter closes or the CLI exits.
 *
 * The simulator is synchronous, so every call here is synchronous too: a worker thread
 * (process-worker.js) owns the child processes and does the asynchronous I/O, and the main thread blocks on
 * Atomics.wait over a SharedArrayBuffer until the worker has posted the one reply (receiveMessageOnPort then
 * takes it without an event loop turn). Time and randomness come only from the harness: the process gets
 * `seed`, and must not read its own clock or random source. The wall clock is used only as a watchdog on the
 * error path: a process that writes nothing for `timeoutMs` while a reply is due (counted from the last byte
 * received, so a large reply still arriving is not cut off) is killed and the run ends as an implementation
 * error; so does a reply line over the 16 MiB limit (docs/protocol.md § Limits).
 */
import { isMainThread, MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { Capability, ContractOptions, CreateInit, Message, MessageAnnotations, ProposeResult, RaftImplementation, RaftInstance, Ready, Status } from '../../sim/contract.js';
import { ImplementationFault } from '../../sim/host.js';
import { UsageError } from '../errors.js';
import { annotationProblems, parseAnnotations } from './annotations.js';
import { contractProblems, parseContract } from './contract-options.js';
import { capabilityProblems } from './module.js';
import { installProcessGroupExitHook, processGroupTable } from './process-groups.js';
import { installInterruptCleanup } from '../interrupt.js';

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
}

interface WorkerReply {
  readonly ok: boolean;
  readonly lines?: readonly string[];
  readonly pid?: number;
  readonly error?: string;
}

/** Extra wait beyond the watchdog before the main thread concludes the worker itself is stuck. */
const WORKER_GRACE_MS = 10_000;
/**
 * How long a new process may take from its start to its first reply, whatever `timeoutMs` (an interpreter or a
 * VM booting on a loaded machine is not a stuck implementation). Keep in step with process-worker.js.
 */
const PROCESS_START_MS = 10_000;
const QUOTE_MAX = 300;
const TICK = '{"type":"tick"}';
const READY = '{"type":"ready"}';
const ADVANCE = '{"type":"advance"}';
const STATUS = '{"type":"status"}';

/** Processes this thread knows alive, killed when a worker thread running adapters exits on its own. */
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
    for (const pid of livePids) {
      try {
        process.kill(-pid, 'SIGKILL');
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
  /** Node id -> pid of its current process. */
  private readonly pids = new Map<number, number>();
  private closed = false;
  private requestId = 0;
  /** Round trips with the processes so far (one write, its replies), for the bench. */
  private roundTripCount = 0;
  /** Node id -> the next Ready, known before the host asks for it (see Prefetched). */
  private readonly prefetched = new Map<number, Prefetched>();
  /** Nodes whose last Ready was declared idle after `advance` (compact form): their next advance() is deferred. */
  private readonly idleAfterAdvance = new Set<number>();
  /**
   * Nodes with an `advance` not yet written: it goes out in front of the node's next request, in the same
   * write, and its reply is checked then. Dropped when the node's process is replaced (a crash loses it anyway).
   */
  private readonly deferredAdvance = new Set<number>();

  private constructor(
    private readonly options: ProcessAdapterOptions,
    name: string,
    private readonly capabilities: readonly Capability[],
    parts: { worker: Worker; port: MessagePort; signal: Int32Array },
    private readonly protocol: ProtocolVersion,
    messageAnnotations?: MessageAnnotations,
    contract?: ContractOptions,
  ) {
    this.worker = parts.worker;
    this.port = parts.port;
    this.signal = parts.signal;
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
    // Word 0 counts replies (the main thread waits on it), word 1 counts stdout chunks (progress of a reply).
    const signal = new Int32Array(new SharedArrayBuffer(8));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./process-worker.js', import.meta.url), {
      // One spare process per node: a seed starts every node at once (process-worker.js).
      workerData: { signal: signal.buffer, replyPort: port2, command: options.command, cwd: options.cwd, groups: processGroupTable().buffer, sparesWanted: options.nodeCount },
      transferList: [port2],
    });
    worker.unref();
    const parts = { worker, port: port1, signal };
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
    const problems = [...capabilityProblems(created.capabilities), ...annotationProblems(created.messageAnnotations), ...protocolProblems(created.protocol), ...contractProblems(created.contract)];
    if (problems.length > 0) {
      probe.close();
      throw new UsageError(`--impl-cmd ${JSON.stringify(options.command)}: the create reply is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    const name = typeof created.name === 'string' && created.name !== '' ? created.name : `process:${options.command}`;
    const protocol: ProtocolVersion = created.protocol === 2 ? 2 : 1;
    return new ProcessAdapter(options, name, (created.capabilities ?? []) as Capability[], parts, protocol, parseAnnotations(created.messageAnnotations), parseContract(created.contract));
  }

  /** Round trips with the processes so far: each is one write of request lines and the wait for their replies. */
  get roundTrips(): number {
    return this.roundTripCount;
  }

  /** Kills every process and stops the worker. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.exchange({ op: 'close' });
    } catch {
      // the exit hook still kills what is left
    }
    for (const pid of this.pids.values()) livePids.delete(pid);
    this.pids.clear();
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
    // The host drains a node right after create (contract.md): the compact form's create reply carries that Ready.
    if (this.protocol === 2) this.keepReady(init.id, 'create', created);
    return new ProcessInstance(this, init.id, init.peers, this.capabilities.includes('read-index'));
  }

  /** Starts a fresh process in `slot` (killing the old one) and sends it `create`. */
  private createReply(slot: number, fields: Record<string, unknown>): Record<string, unknown> {
    this.forget(slot);
    const reply = this.exchange({ op: 'call', slot, lines: [JSON.stringify({ type: 'create', ...fields })], timeoutMs: this.options.timeoutMs, fresh: true }, slot);
    const old = this.pids.get(slot);
    if (old !== undefined) livePids.delete(old);
    if (reply.pid !== undefined) {
      this.pids.set(slot, reply.pid);
      livePids.add(reply.pid);
    }
    return parseReply(slot, 'create', firstLine(slot, reply, 'create'), 'created');
  }

  /** Drops what the host knew ahead about `slot`'s process: it is being replaced or killed. */
  private forget(slot: number): void {
    this.prefetched.delete(slot);
    this.idleAfterAdvance.delete(slot);
    this.deferredAdvance.delete(slot);
  }

  private kill(slot: number): void {
    this.forget(slot);
    this.exchange({ op: 'kill', slot }, slot);
    const pid = this.pids.get(slot);
    if (pid !== undefined) livePids.delete(pid);
    this.pids.delete(slot);
  }

  /**
   * Sends one request to node `slot`'s process and returns its parsed reply of type `expected`.
   *
   * With `thenReady` (the host asks for the next Ready after every input and every `advance()`), that Ready is
   * fetched in the same round trip: in the lockstep form a `ready` request is written right behind the input
   * (the process still reads one request, answers it, then reads the next); in the compact form the input's
   * reply carries it. Either way this saves one round trip through the pipe per input, which is most of the
   * adapter's cost. A deferred `advance` is written first, in the same write.
   */
  call(slot: number, line: string, expected: string, thenReady: boolean): Record<string, unknown> {
    const request = requestTypeOf(line);
    if (this.prefetched.has(slot)) throw new Error(`process adapter: the host called ${request} on node ${slot} before ready(); docs/contract.md promises a drain after every input`);
    const deferred = this.deferredAdvance.delete(slot);
    const lines = [...(deferred ? [ADVANCE] : []), line, ...(thenReady && this.protocol === 1 ? [READY] : [])];
    const reply = this.exchange({ op: 'call', slot, lines, timeoutMs: this.options.timeoutMs, fresh: false }, slot);
    const first = firstLine(slot, reply, deferred ? `advance + ${request}` : request);
    if (deferred) this.checkDeferredAdvance(slot, first);
    const parsed = parseReply(slot, request, deferred ? (reply.lines?.[1] ?? '') : first, expected);
    if (thenReady && this.protocol === 2) this.keepReady(slot, request, parsed);
    const next = reply.lines?.[lines.length - 1];
    if (thenReady && this.protocol === 1 && next !== undefined) this.prefetched.set(slot, { line: next });
    return parsed;
  }

  /**
   * `advance()`: in the compact form, after a Ready the process declared idle after advance, nothing is written
   * now and the host's next ready() gets null at once; the `advance` travels in front of the next request.
   */
  advance(slot: number): void {
    if (this.idleAfterAdvance.delete(slot)) {
      this.deferredAdvance.add(slot);
      this.prefetched.set(slot, { ready: null, idleAfterAdvance: false });
      return;
    }
    this.call(slot, ADVANCE, 'ok', true);
  }

  /** A deferred advance's reply must be `ok` with a null Ready: the process promised that nothing would follow. */
  private checkDeferredAdvance(slot: number, line: string): void {
    const reply = parseReply(slot, 'advance', line, 'ok');
    if (reply.ready !== null) {
      throw new ImplementationFault(slot, `process declared "idleAfterAdvance" on its last Ready, but its reply to that advance carries a Ready (docs/protocol.md § The compact form): ${quote(line)}`, 'adapter');
    }
  }

  /** Keeps the Ready a compact-form reply carries for the host's next ready(). */
  private keepReady(slot: number, request: string, reply: Record<string, unknown>): void {
    if (!('ready' in reply)) throw new ImplementationFault(slot, `process declared "protocol": 2, but its reply to ${request} carries no "ready" (docs/protocol.md § The compact form): ${quote(JSON.stringify(reply))}`, 'adapter');
    this.prefetched.set(slot, { ready: reply.ready, idleAfterAdvance: reply.idleAfterAdvance === true });
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
      idle = this.protocol === 2 && reply.idleAfterAdvance === true;
    } else {
      ready = known.ready;
      idle = known.idleAfterAdvance;
    }
    if (idle && ready !== null && ready !== undefined) this.idleAfterAdvance.add(slot);
    else this.idleAfterAdvance.delete(slot);
    return ready;
  }

  /**
   * One synchronous round trip with the worker. Replies carry the request's id: a reply that is not yet
   * visible on the port after the wake-up is waited for briefly, and a stale one (from a request abandoned
   * by an earlier timeout) is dropped. The worker's watchdog counts from the last byte the process wrote, so
   * the deadline here moves too while bytes arrive: it only catches a worker that is itself stuck.
   */
  private exchange(request: Record<string, unknown>, slot = 0): WorkerReply {
    if (this.closed && request.op !== 'close') throw new ImplementationFault(slot, 'was called after the process adapter closed', 'adapter');
    const id = ++this.requestId;
    if (request.op === 'call') this.roundTripCount++;
    const waitMs = this.options.timeoutMs + WORKER_GRACE_MS + (request.fresh === true ? PROCESS_START_MS : 0);
    let deadline = Date.now() + waitMs;
    let seen = Atomics.load(this.signal, 0);
    let progress = Atomics.load(this.signal, 1);
    this.worker.postMessage({ ...request, id });
    for (;;) {
      const received = receiveMessageOnPort(this.port) as { message: WorkerReply & { id: number } } | undefined;
      if (received !== undefined) {
        if (received.message.id === id) return received.message;
        continue;
      }
      const now = Date.now();
      const progressNow = Atomics.load(this.signal, 1);
      if (progressNow !== progress) {
        progress = progressNow;
        deadline = now + waitMs;
      }
      const leftMs = deadline - now;
      if (leftMs <= 0) throw new ImplementationFault(slot, `process adapter: the worker thread gave no answer within ${waitMs} ms`, 'adapter');
      Atomics.wait(this.signal, 0, seen, Math.min(leftMs, 50));
      seen = Atomics.load(this.signal, 0);
    }
  }
}

/** Problems with the create reply's optional `protocol` (a usage error at the probe). */
export function protocolProblems(value: unknown): string[] {
  if (value === undefined || value === 1 || value === 2) return [];
  return [`"protocol" must be 1 (lockstep, the default) or 2 (compact form, docs/protocol.md), got ${quote(JSON.stringify(value) ?? String(value))}`];
}

function requestTypeOf(line: string): string {
  const match = /^\{"type":"([^"]*)"/.exec(line);
  return match?.[1] ?? 'request';
}

function quote(line: string): string {
  return line.length > QUOTE_MAX ? `${line.slice(0, QUOTE_MAX)}…` : line;
}

/** The first reply line, or the ImplementationFault the worker reported (exit, timeout, stray output). */
function firstLine(node: number, reply: WorkerReply, request: string): string {
  const line = reply.lines?.[0];
  if (!reply.ok || line === undefined) throw new ImplementationFault(node, reply.error ?? `process failed on ${request}`, 'adapter');
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

/** A node's process, seen through the RaftInstance contract. Every method is one lockstep round trip. */
class ProcessInstance implements RaftInstance {
  readonly readIndex?: (requestId: number) => boolean;

  constructor(
    private readonly adapter: ProcessAdapter,
    private readonly id: number,
    private readonly peers: readonly number[],
    offersReadIndex: boolean,
  ) {
    if (offersReadIndex) {
      this.readIndex = (requestId: number): boolean => {
        // Not pipelined: a refused read is followed by status(), not ready().
        const reply = this.adapter.call(this.id, JSON.stringify({ type: 'read-index', requestId }), 'read-index', false);
        return reply.accepted as boolean;
      };
    }
  }

  tick(): void {
    this.adapter.call(this.id, TICK, 'ok', true);
  }

  step(message: Message): void {
    this.adapter.call(this.id, `{"type":"step","message":${JSON.stringify(message)}}`, 'ok', true);
  }

  propose(data: string): ProposeResult {
    const reply = this.adapter.call(this.id, `{"type":"propose","data":${JSON.stringify(data)}}`, 'proposed', true);
    // The host validates the values; only the shape of the union is decided here.
    if (reply.accepted === true) {
      // Unindexed (contract version 2): both left out. Anything else is handed on for the host to judge.
      if (reply.index === undefined && reply.term === undefined) return { accepted: true };
      return { accepted: true, index: reply.index as number, term: reply.term as number };
    }
    return { accepted: false, reason: 'not-leader', leaderHint: (reply.leaderHint ?? 0) as number };
  }

  ready(): Ready | null {
    const ready = this.adapter.takeReady(this.id);
    if (ready === null || ready === undefined) return null;
    const messages = (ready as { messages?: unknown }).messages;
    if (Array.isArray(messages)) {
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
