/**
 * `--impl-cmd "python3 node.py"`: an implementation in any language, one OS process per node incarnation,
 * speaking newline-delimited JSON over stdin/stdout in lockstep (docs/protocol.md).
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
import type { Capability, CreateInit, Message, MessageAnnotations, ProposeResult, RaftImplementation, RaftInstance, Ready, Status } from '../../sim/contract.js';
import { ImplementationFault } from '../../sim/host.js';
import { UsageError } from '../errors.js';
import { annotationProblems, parseAnnotations } from './annotations.js';
import { capabilityProblems } from './module.js';
import { installProcessGroupExitHook, processGroupTable } from './process-groups.js';
import { installInterruptCleanup } from '../interrupt.js';

export const DEFAULT_IMPL_TIMEOUT_MS = 5_000;

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
  /** Node id -> the reply line to a `ready` pipelined behind its last input, until the host asks. */
  private readonly prefetched = new Map<number, string>();

  private constructor(
    private readonly options: ProcessAdapterOptions,
    name: string,
    private readonly capabilities: readonly Capability[],
    parts: { worker: Worker; port: MessagePort; signal: Int32Array },
    messageAnnotations?: MessageAnnotations,
  ) {
    this.worker = parts.worker;
    this.port = parts.port;
    this.signal = parts.signal;
    const adapter = this;
    this.implementation = {
      name,
      capabilities,
      ...(messageAnnotations === undefined ? {} : { messageAnnotations }),
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
      workerData: { signal: signal.buffer, replyPort: port2, command: options.command, cwd: options.cwd, groups: processGroupTable().buffer },
      transferList: [port2],
    });
    worker.unref();
    const parts = { worker, port: port1, signal };
    const probe = new ProcessAdapter(options, `process:${options.command}`, [], parts);
    let created: Record<string, unknown>;
    try {
      const peers = Array.from({ length: options.nodeCount }, (_, i) => i + 1);
      created = probe.createReply(0, { id: 1, peers, storage: { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, seed: 0, electionTicks: 10, heartbeatTicks: 2 });
    } catch (error) {
      probe.close();
      throw new UsageError(`--impl-cmd ${JSON.stringify(options.command)}: the probe create failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    probe.kill(0);
    const problems = [...capabilityProblems(created.capabilities), ...annotationProblems(created.messageAnnotations)];
    if (problems.length > 0) {
      probe.close();
      throw new UsageError(`--impl-cmd ${JSON.stringify(options.command)}: the create reply is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    const name = typeof created.name === 'string' && created.name !== '' ? created.name : `process:${options.command}`;
    return new ProcessAdapter(options, name, (created.capabilities ?? []) as Capability[], parts, parseAnnotations(created.messageAnnotations));
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
    });
    const declared = Array.isArray(created.capabilities) ? created.capabilities : [];
    if (declared.length !== this.capabilities.length || declared.some((c, i) => c !== this.capabilities[i])) {
      throw new ImplementationFault(init.id, `declared capabilities ${JSON.stringify(declared)} in create, but ${JSON.stringify(this.capabilities)} when probed`);
    }
    return new ProcessInstance(this, init.id, init.peers, this.capabilities.includes('read-index'));
  }

  /** Starts a fresh process in `slot` (killing the old one) and sends it `create`. */
  private createReply(slot: number, fields: Record<string, unknown>): Record<string, unknown> {
    this.prefetched.delete(slot);
    const reply = this.exchange({ op: 'call', slot, lines: [JSON.stringify({ type: 'create', ...fields })], timeoutMs: this.options.timeoutMs, fresh: true }, slot);
    const old = this.pids.get(slot);
    if (old !== undefined) livePids.delete(old);
    if (reply.pid !== undefined) {
      this.pids.set(slot, reply.pid);
      livePids.add(reply.pid);
    }
    return parseReply(slot, 'create', firstLine(slot, reply, 'create'), 'created');
  }

  private kill(slot: number): void {
    this.exchange({ op: 'kill', slot }, slot);
    const pid = this.pids.get(slot);
    if (pid !== undefined) livePids.delete(pid);
    this.pids.delete(slot);
  }

  /**
   * Sends one request to node `slot`'s process and returns its parsed reply of type `expected`.
   *
   * With `thenReady`, a `ready` request is written right behind it and its reply kept for the host's next
   * call, which the contract makes `ready()`: after every input and every `advance()` the host drains the
   * node. The process still reads one request, answers it, then reads the next; this saves one round trip
   * through the pipe per input, which is most of the adapter's cost.
   */
  call(slot: number, line: string, expected: string, thenReady: boolean): Record<string, unknown> {
    const request = requestTypeOf(line);
    if (this.prefetched.has(slot)) throw new Error(`process adapter: the host called ${request} on node ${slot} before ready(); docs/contract.md promises a drain after every input`);
    const lines = thenReady ? [line, READY] : [line];
    const reply = this.exchange({ op: 'call', slot, lines, timeoutMs: this.options.timeoutMs, fresh: false }, slot);
    const parsed = parseReply(slot, request, firstLine(slot, reply, request), expected);
    const next = reply.lines?.[1];
    if (thenReady && next !== undefined) this.prefetched.set(slot, next);
    return parsed;
  }

  /** The reply to a `ready` already written behind the last input, if any; consumed. */
  takePrefetchedReady(slot: number): string | undefined {
    const line = this.prefetched.get(slot);
    this.prefetched.delete(slot);
    return line;
  }

  /**
   * One synchronous round trip with the worker. Replies carry the request's id: a reply that is not yet
   * visible on the port after the wake-up is waited for briefly, and a stale one (from a request abandoned
   * by an earlier timeout) is dropped. The worker's watchdog counts from the last byte the process wrote, so
   * the deadline here moves too while bytes arrive: it only catches a worker that is itself stuck.
   */
  private exchange(request: Record<string, unknown>, slot = 0): WorkerReply {
    if (this.closed && request.op !== 'close') throw new ImplementationFault(slot, 'was called after the process adapter closed');
    const id = ++this.requestId;
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
      if (leftMs <= 0) throw new ImplementationFault(slot, `process adapter: the worker thread gave no answer within ${waitMs} ms`);
      Atomics.wait(this.signal, 0, seen, Math.min(leftMs, 50));
      seen = Atomics.load(this.signal, 0);
    }
  }
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
  if (!reply.ok || line === undefined) throw new ImplementationFault(node, reply.error ?? `process failed on ${request}`);
  return line;
}

/** Parses one reply line, or throws the ImplementationFault the host reports. */
export function parseReply(node: number, request: string, line: string, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ImplementationFault(node, `process replied to ${request} with malformed JSON: ${quote(line)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
    throw new ImplementationFault(node, `process replied to ${request} without a string "type": ${quote(line)}`);
  }
  const object = value as Record<string, unknown>;
  if (object.type === 'error') {
    throw new ImplementationFault(node, `process reported an error in ${request}: ${typeof object.message === 'string' ? object.message : quote(line)}`);
  }
  if (object.type !== expected) {
    throw new ImplementationFault(node, `process replied to ${request} with unknown reply type ${JSON.stringify(object.type)} (expected "${expected}"): ${quote(line)}`);
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
    if (reply.accepted === true) return { accepted: true, index: reply.index as number, term: reply.term as number };
    return { accepted: false, reason: 'not-leader', leaderHint: (reply.leaderHint ?? 0) as number };
  }

  ready(): Ready | null {
    const prefetched = this.adapter.takePrefetchedReady(this.id);
    const reply = prefetched === undefined ? this.adapter.call(this.id, READY, 'ready', false) : parseReply(this.id, 'ready', prefetched, 'ready');
    const ready = reply.ready;
    if (ready === null || ready === undefined) return null;
    const messages = (ready as { messages?: unknown }).messages;
    if (Array.isArray(messages)) {
      for (const m of messages as { to?: unknown }[]) {
        if (typeof m === 'object' && m !== null && (!this.peers.includes(m.to as number) || m.to === this.id)) {
          throw new ImplementationFault(this.id, `process sent a message to node ${JSON.stringify(m.to)}, which does not exist or is itself (peers ${this.peers.join(',')}): ${quote(JSON.stringify(reply))}`);
        }
      }
    }
    return ready as Ready;
  }

  advance(): void {
    this.adapter.call(this.id, ADVANCE, 'ok', true);
  }

  status(): Status {
    return this.adapter.call(this.id, STATUS, 'status', false).status as Status;
  }
}
