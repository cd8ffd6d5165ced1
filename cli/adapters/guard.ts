/**
 * Determinism guard for in-process (module) implementations: while the simulator is inside a call into the
 * implementation, `Math.random`, `Date.now`, `new Date()` and `performance.now` are replaced by a seeded
 * stream and a virtual clock derived from the node's `seed` and the ticks it has seen. A module that reaches
 * for them therefore still replays byte for byte, and each use is counted so the CLI can tell the author to
 * use `init.random` instead. State kept across runs (module-level variables) is not covered: that is what
 * `--verify-determinism` catches.
 *
 * The same wrapper is the boundary guard (boundary.ts): what ready() returns is deep-frozen, a returned
 * Promise is named, and a throw is reported with its call and the top frame of the user's file.
 */
import { callFault, deepFreeze, isThenable, promiseFault } from './boundary.js';
import type { CallName } from './boundary.js';
import type { ConfChangeRequest, CreateInit, Message, NodeId, ProposeResult, RaftImplementation, RaftInstance, Ready, Snapshot, Status } from '../../sim/contract.js';
import { ImplementationFault } from '../../sim/host.js';
import { missingCapabilityMethods } from './capability-methods.js';

/** Uses of the wall clock and of Math.random seen inside calls, summed over every node and run. */
export interface NondeterminismUsage {
  mathRandom: number;
  clock: number;
}

/** Virtual wall clock origin: 2000-01-01T00:00:00Z, so a virtual date looks like a date. */
const VIRTUAL_EPOCH_MS = 946_684_800_000;

interface VirtualEnv {
  /** mulberry32 state. */
  state: number;
  ticks: number;
}

/** mulberry32: a small, fast 32-bit PRNG; plenty for a substitute Math.random. */
function nextFloat(env: VirtualEnv): number {
  env.state = (env.state + 0x6d2b79f5) | 0;
  let t = env.state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/**
 * Wraps `inner` so every call into it runs with virtual randomness and time. `tickMs` converts the node's
 * tick count into virtual milliseconds.
 */
export function guardNondeterminism(inner: RaftImplementation, tickMs: number): { implementation: RaftImplementation; usage: NondeterminismUsage } {
  const usage: NondeterminismUsage = { mathRandom: 0, clock: 0 };
  const RealDate = Date;
  const realRandom = Math.random;
  const realPerformanceNow = performance.now.bind(performance);
  let current: VirtualEnv = { state: 0, ticks: 0 };
  let depth = 0;
  const virtualNow = (): number => {
    usage.clock++;
    return VIRTUAL_EPOCH_MS + current.ticks * tickMs;
  };
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(virtualNow());
      else super(...(args as [string | number]));
    }
    static override now(): number {
      return virtualNow();
    }
  }
  const virtualRandom = (): number => {
    usage.mathRandom++;
    return nextFloat(current);
  };
  const virtualPerformanceNow = (): number => virtualNow() - VIRTUAL_EPOCH_MS;

  function within<T>(env: VirtualEnv, fn: () => T): T {
    const saved = current;
    current = env;
    if (depth++ === 0) {
      Math.random = virtualRandom;
      globalThis.Date = VirtualDate as DateConstructor;
      performance.now = virtualPerformanceNow;
    }
    try {
      return fn();
    } finally {
      current = saved;
      if (--depth === 0) {
        Math.random = realRandom;
        globalThis.Date = RealDate;
        performance.now = realPerformanceNow;
      }
    }
  }

  /**
   * Set once any node's ready() has handed out a (frozen) value: from then on a write to a frozen object is a
   * mutation of one, the node's own or a message it received (the same object another node's ready() returned).
   */
  let handedOut = false;

  const implementation: RaftImplementation = {
    name: inner.name,
    ...(inner.capabilities === undefined ? {} : { capabilities: inner.capabilities }),
    ...(inner.messageAnnotations === undefined ? {} : { messageAnnotations: inner.messageAnnotations }),
    ...(inner.contract === undefined ? {} : { contract: inner.contract }),
    create(init: CreateInit): RaftInstance {
      const env: VirtualEnv = { state: (init.seed ^ 0x9e3779b9) | 0, ticks: 0 };
      /** One call into the user's code: virtual time and randomness, and misbehaviour named at the boundary. */
      const guarded = <T>(call: CallName, fn: () => T): T => {
        let result: T;
        try {
          result = within(env, fn);
        } catch (error) {
          throw callFault(init.id, call, error, handedOut);
        }
        if (result !== undefined && result !== null && isThenable(result)) throw promiseFault(init.id, call, result);
        return result;
      };
      const node = guarded('create', () => inner.create(init));
      // Validation of the instance's shape is the host's job; only wrap what is there.
      if (typeof node !== 'object' || node === null) return node;
      for (const method of ['tick', 'step', 'propose', 'ready', 'advance', 'status'] as const) {
        if (typeof node[method] !== 'function') return node; // let the host report the missing method
      }
      const wrapped: RaftInstance = {
        tick: (): void => {
          env.ticks++;
          guarded('tick', () => node.tick());
        },
        step: (message: Message): void => guarded('step', () => node.step(message)),
        propose: (data: string): ProposeResult => guarded('propose', () => node.propose(data)),
        ready: (): Ready | null => {
          const ready = guarded('ready', () => node.ready());
          // The host keeps what ready() returns; freezing it turns a later change into a TypeError at the
          // user's line (see boundary.ts).
          if (typeof ready === 'object' && ready !== null) {
            deepFreeze(ready);
            handedOut = true;
          }
          return ready;
        },
        advance: (): void => guarded('advance', () => node.advance()),
        status: (): Status => guarded('status', () => node.status()),
      };
      // A declared membership capability whose method is missing is refused at load (module-load-worker-main.ts);
      // this catches an instance that differs from the one probed there (a create that returns another shape).
      const missing = missingCapabilityMethods(inner.capabilities, node);
      if (missing.length > 0) throw new ImplementationFault(init.id, `create() returned an instance without ${missing.join(' and ')}, which its declared capabilities promise (docs/contract.md § Capabilities)`);
      // The optional methods are wrapped only when the instance has them: the host tells their absence apart.
      const readIndex = typeof node.readIndex === 'function' ? node.readIndex.bind(node) : undefined;
      const compact = typeof node.compact === 'function' ? node.compact.bind(node) : undefined;
      const proposeConfChange = typeof node.proposeConfChange === 'function' ? node.proposeConfChange.bind(node) : undefined;
      const transferLeadership = typeof node.transferLeadership === 'function' ? node.transferLeadership.bind(node) : undefined;
      return {
        ...wrapped,
        ...(readIndex === undefined ? {} : { readIndex: (requestId: number): boolean => guarded('readIndex', () => readIndex(requestId)) }),
        ...(compact === undefined ? {} : { compact: (snapshot: Snapshot): void => guarded('compact', () => compact(snapshot)) }),
        ...(proposeConfChange === undefined
          ? {}
          : { proposeConfChange: (request: ConfChangeRequest): ProposeResult => guarded('proposeConfChange', () => proposeConfChange(request)) }),
        ...(transferLeadership === undefined
          ? {}
          : { transferLeadership: (target: NodeId): boolean => guarded('transferLeadership', () => transferLeadership(target)) }),
      };
    },
  };
  return { implementation, usage };
}

/** One line for the user when the implementation used the clock or Math.random; null when it did not. */
export function describeUsage(name: string, usage: NondeterminismUsage): string | null {
  if (usage.mathRandom === 0 && usage.clock === 0) return null;
  const parts: string[] = [];
  if (usage.mathRandom > 0) parts.push(`Math.random ${usage.mathRandom} times`);
  if (usage.clock > 0) parts.push(`the clock (Date/performance.now) ${usage.clock} times`);
  return `note: ${name} used ${parts.join(' and ')} inside calls; Seaworthy substituted a seeded stream and a virtual clock (ticks × tick length) so runs still replay, but use init.random and count ticks instead`;
}
