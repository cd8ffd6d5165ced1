/**
 * The wall-clock watchdog for in-process (`--impl`) implementations. A JavaScript call that never returns
 * cannot be interrupted from inside its own thread, so the implementation runs in a seed worker
 * (cli/seed-worker-main.ts) and the main thread watches it: before each call into the user's instance the
 * worker writes the node and the call into a small SharedArrayBuffer and bumps a counter; the main thread
 * samples it on a timer and, when one call has lasted `--impl-timeout` ms, terminates the worker
 * (cli/parallel.ts).
 *
 * The worker pays two atomic stores and one atomic add per call and never reads a clock: the main thread
 * times the calls, by noticing that the counter has not moved. Layout: Int32 words [sequence, call, node],
 * then the seed as a Float64 (seeds are safe integers up to 2^53).
 */
import type { CreateInit, Message, ProposeResult, RaftImplementation, RaftInstance, Ready, Status } from '../../sim/contract.js';

const SEQUENCE = 0;
const CALL = 1;
const NODE = 2;
const SEED_OFFSET_BYTES = 16;
const BYTES = 24;

/** The calls into a user's implementation, by code; 0 means "not inside a call". */
const CALL_NAMES = ['', 'create', 'tick', 'step', 'propose', 'ready', 'advance', 'status', 'readIndex'] as const;
type CallName = Exclude<(typeof CALL_NAMES)[number], ''>;

/** The shared record of the call in progress. One per seed worker. */
export class CallWatch {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly seed: Float64Array;

  /** Wraps `buffer` (from another thread), or allocates a new record. */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES)) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, 3);
    this.seed = new Float64Array(buffer, SEED_OFFSET_BYTES, 1);
  }

  /** Worker side: a new seed starts; its calls are numbered from 1. */
  beginSeed(seed: number): void {
    this.seed[0] = seed;
    Atomics.store(this.words, CALL, 0);
    Atomics.store(this.words, SEQUENCE, 0);
  }

  /** Worker side: runs one call into the implementation, marked as in progress while it runs. */
  around<T>(node: number, call: CallName, fn: () => T): T {
    Atomics.store(this.words, NODE, node);
    Atomics.store(this.words, CALL, CALL_NAMES.indexOf(call));
    Atomics.add(this.words, SEQUENCE, 1);
    try {
      return fn();
    } finally {
      Atomics.store(this.words, CALL, 0);
    }
  }

  /** Main side: the call in progress now, or null between calls. */
  current(): { readonly sequence: number; readonly call: CallName; readonly node: number; readonly seed: number } | null {
    const code = Atomics.load(this.words, CALL);
    const call = CALL_NAMES[code];
    if (code === 0 || call === undefined || call === '') return null;
    return { sequence: Atomics.load(this.words, SEQUENCE), call, node: Atomics.load(this.words, NODE), seed: this.seed[0] ?? 0 };
  }
}

/** A call that has not returned within the timeout. */
export interface StalledCall {
  readonly seed: number;
  readonly node: number;
  readonly call: CallName;
  /** 1 for the seed's first call into the implementation. */
  readonly sequence: number;
  readonly elapsedMs: number;
}

/**
 * Main side: decides from successive samples whether one call has been running for `timeoutMs`. The same
 * (sequence, call) seen at two samples `timeoutMs` apart is the same call still running.
 */
export class CallWatchdog {
  private lastSequence = -1;
  private sinceMs = 0;

  constructor(
    private readonly watch: CallWatch,
    private readonly timeoutMs: number,
  ) {}

  /** Samples the record at wall-clock `nowMs`; returns the stalled call once it has run `timeoutMs`. */
  check(nowMs: number): StalledCall | null {
    const current = this.watch.current();
    if (current === null) {
      this.lastSequence = -1;
      return null;
    }
    if (current.sequence !== this.lastSequence) {
      this.lastSequence = current.sequence;
      this.sinceMs = nowMs;
      return null;
    }
    const elapsedMs = nowMs - this.sinceMs;
    return elapsedMs >= this.timeoutMs ? { seed: current.seed, node: current.node, call: current.call, sequence: current.sequence, elapsedMs } : null;
  }
}

/**
 * `inner` with every call into it and its instances marked on `watch`. Instances missing a method are returned
 * as they are, so the host reports the missing method exactly as without the watch.
 */
export function watchCalls(inner: RaftImplementation, watch: CallWatch): RaftImplementation {
  return {
    name: inner.name,
    ...(inner.capabilities === undefined ? {} : { capabilities: inner.capabilities }),
    create(init: CreateInit): RaftInstance {
      const id = init.id;
      const node = watch.around(id, 'create', () => inner.create(init));
      if (typeof node !== 'object' || node === null) return node;
      for (const method of ['tick', 'step', 'propose', 'ready', 'advance', 'status'] as const) {
        if (typeof node[method] !== 'function') return node;
      }
      const wrapped: RaftInstance = {
        tick: (): void => watch.around(id, 'tick', () => node.tick()),
        step: (message: Message): void => watch.around(id, 'step', () => node.step(message)),
        propose: (data: string): ProposeResult => watch.around(id, 'propose', () => node.propose(data)),
        ready: (): Ready | null => watch.around(id, 'ready', () => node.ready()),
        advance: (): void => watch.around(id, 'advance', () => node.advance()),
        status: (): Status => watch.around(id, 'status', () => node.status()),
      };
      if (typeof node.readIndex === 'function') {
        const readIndex = node.readIndex.bind(node);
        return { ...wrapped, readIndex: (requestId: number): boolean => watch.around(id, 'readIndex', () => readIndex(requestId)) };
      }
      return wrapped;
    },
  };
}
