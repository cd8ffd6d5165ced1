/**
 * The wall-clock watchdog for in-process (`--impl`) implementations. A JavaScript call that never returns
 * cannot be interrupted from inside its own thread, so the implementation runs in a seed worker
 * (cli/seed-worker-main.ts) and the main thread watches it: before each call into the user's instance the
 * worker writes the node and the call into a small SharedArrayBuffer and bumps a counter; the main thread
 * samples it on a timer and, when one call has lasted `--impl-timeout` ms, terminates the worker
 * (cli/parallel.ts).
 *
 * The worker pays four plain stores per call and never reads a clock: the main thread times the calls, by
 * noticing that the counter has not moved. Plain stores, not Atomics: an atomic store costs tens of ns, which
 * over the ~50 000 calls of a seed was a quarter of the run time, while the sampler only needs to see a value
 * within its interval (aligned 32-bit stores never tear). Layout: Int32 words [sequence, call, node], then the
 * seed as a Float64 (seeds are safe integers up to 2^53).
 */
import type { ConfChangeRequest, CreateInit, Message, NodeId, ProposeResult, RaftImplementation, RaftInstance, Ready, Snapshot, Status } from '../../sim/contract.js';

const SEQUENCE = 0;
const CALL = 1;
const NODE = 2;
const SEED_OFFSET_BYTES = 16;
const BYTES = 24;

/** The calls into a user's implementation, by code; 0 means "not inside a call". */
const CALL_NAMES = ['', 'create', 'tick', 'step', 'propose', 'ready', 'advance', 'status', 'readIndex', 'compact', 'proposeConfChange', 'transferLeadership'] as const;
type CallName = Exclude<(typeof CALL_NAMES)[number], ''>;
const TICK = 2;
const STEP = 3;
const PROPOSE = 4;
const READY = 5;
const ADVANCE = 6;
const STATUS = 7;
const READ_INDEX = 8;
const COMPACT = 9;
const PROPOSE_CONF_CHANGE = 10;
const TRANSFER_LEADERSHIP = 11;

/** The shared record of the call in progress. One per seed worker. */
export class CallWatch {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly seed: Float64Array;
  /** Calls begun in this seed (worker side). */
  private sequence = 0;

  /** Wraps `buffer` (from another thread), or allocates a new record. */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES)) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, 3);
    this.seed = new Float64Array(buffer, SEED_OFFSET_BYTES, 1);
  }

  /** Worker side: a new seed starts; its calls are numbered from 1. */
  beginSeed(seed: number): void {
    this.seed[0] = seed;
    this.sequence = 0;
    Atomics.store(this.words, CALL, 0);
    Atomics.store(this.words, SEQUENCE, 0);
  }

  /** Worker side: call `code` into node `node` begins; pair with {@link exit} in a `finally`. */
  enter(node: number, code: number): void {
    const words = this.words;
    words[NODE] = node;
    words[SEQUENCE] = ++this.sequence;
    words[CALL] = code;
  }

  /** Worker side: the call begun by {@link enter} returned or threw. */
  exit(): void {
    this.words[CALL] = 0;
  }

  /** Worker side: runs one call into the implementation, marked as in progress while it runs. */
  around<T>(node: number, call: CallName, fn: () => T): T {
    this.enter(node, CALL_NAMES.indexOf(call));
    try {
      return fn();
    } finally {
      this.exit();
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
  private lastSeed = -1;
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
    // The seed too: numbering restarts with each seed, so the same number in the next seed is another call.
    if (current.sequence !== this.lastSequence || current.seed !== this.lastSeed) {
      this.lastSequence = current.sequence;
      this.lastSeed = current.seed;
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
    ...(inner.messageAnnotations === undefined ? {} : { messageAnnotations: inner.messageAnnotations }),
    ...(inner.contract === undefined ? {} : { contract: inner.contract }),
    create(init: CreateInit): RaftInstance {
      const id = init.id;
      const node = watch.around(id, 'create', () => inner.create(init));
      if (typeof node !== 'object' || node === null) return node;
      for (const method of ['tick', 'step', 'propose', 'ready', 'advance', 'status'] as const) {
        if (typeof node[method] !== 'function') return node;
      }
      // Written out call by call, without a closure per call: these run tens of thousands of times a seed.
      const wrapped: RaftInstance = {
        tick(): void {
          watch.enter(id, TICK);
          try {
            node.tick();
          } finally {
            watch.exit();
          }
        },
        step(message: Message): void {
          watch.enter(id, STEP);
          try {
            node.step(message);
          } finally {
            watch.exit();
          }
        },
        propose(data: string): ProposeResult {
          watch.enter(id, PROPOSE);
          try {
            return node.propose(data);
          } finally {
            watch.exit();
          }
        },
        ready(): Ready | null {
          watch.enter(id, READY);
          try {
            return node.ready();
          } finally {
            watch.exit();
          }
        },
        advance(): void {
          watch.enter(id, ADVANCE);
          try {
            node.advance();
          } finally {
            watch.exit();
          }
        },
        status(): Status {
          watch.enter(id, STATUS);
          try {
            return node.status();
          } finally {
            watch.exit();
          }
        },
      };
      // The optional methods are wrapped only when the instance has them: the host tells their absence apart.
      const readIndex = typeof node.readIndex === 'function' ? node.readIndex.bind(node) : undefined;
      const compact = typeof node.compact === 'function' ? node.compact.bind(node) : undefined;
      const withReadIndex: RaftInstance =
        readIndex === undefined
          ? wrapped
          : {
              ...wrapped,
              readIndex(requestId: number): boolean {
                watch.enter(id, READ_INDEX);
                try {
                  return readIndex(requestId);
                } finally {
                  watch.exit();
                }
              },
            };
      const withCompact: RaftInstance =
        compact === undefined
          ? withReadIndex
          : {
              ...withReadIndex,
              compact(snapshot: Snapshot): void {
                watch.enter(id, COMPACT);
                try {
                  compact(snapshot);
                } finally {
                  watch.exit();
                }
              },
            };
      return withMembershipCalls(node, withCompact, id, watch);
    },
  };
}

/**
 * `wrapped` plus the membership calls of `node` that it has, each marked on `watch` like every other call (they
 * are rare, a few per run, so a closure each costs nothing that matters).
 */
function withMembershipCalls(node: RaftInstance, wrapped: RaftInstance, id: NodeId, watch: CallWatch): RaftInstance {
  const proposeConfChange = typeof node.proposeConfChange === 'function' ? node.proposeConfChange.bind(node) : undefined;
  const transferLeadership = typeof node.transferLeadership === 'function' ? node.transferLeadership.bind(node) : undefined;
  if (proposeConfChange === undefined && transferLeadership === undefined) return wrapped;
  return {
    ...wrapped,
    ...(proposeConfChange === undefined
      ? {}
      : {
          proposeConfChange(request: ConfChangeRequest): ProposeResult {
            watch.enter(id, PROPOSE_CONF_CHANGE);
            try {
              return proposeConfChange(request);
            } finally {
              watch.exit();
            }
          },
        }),
    ...(transferLeadership === undefined
      ? {}
      : {
          transferLeadership(target: NodeId): boolean {
            watch.enter(id, TRANSFER_LEADERSHIP);
            try {
              return transferLeadership(target);
            } finally {
              watch.exit();
            }
          },
        }),
  };
}
