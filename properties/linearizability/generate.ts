/**
 * Generated register-map histories for tests and `bench:lin`: linearizable by construction, with many
 * concurrent clients and, optionally, a large share of operations that crash and stay open to the end (the
 * shape that makes WGL search hard), plus a perturbation that makes a history non-linearizable by construction.
 * Deterministic: a fixed xorshift stream per seed, no ambient randomness.
 */
import type { HistoryEvent } from './history.js';

export interface GenerateOptions {
  /** Operations invoked (crashed reads and failed cas are later dropped by pairing, so fewer are checked). */
  readonly operations: number;
  /** Keys `k0`.. `k{keys-1}`; 1 for the single-key shape. */
  readonly keys: number;
  /** Concurrent clients; each runs one operation at a time. */
  readonly clients: number;
  /** Share of operations that crash (`info`) and stay open to the end, per mille. */
  readonly crashPerMille: number;
  /** Values are drawn from `[0, values)`. Default 5, as in the Jepsen etcd logs. */
  readonly values?: number;
  /** Longest operation, in ticks (each at least 1). Default 20. */
  readonly ticksMax?: number;
  readonly seed: number;
}

/**
 * The hard single-key shape of issue 9 (benchmarked by `bench:lin` and pinned by hard.test.ts): 800
 * invocations from 100 clients on one key, half of them crashed and open to the end (about 200 open
 * operations and 300 completed ones survive pairing), values from a wide range so reads pin their writes.
 */
export const HARD_SINGLE_KEY: Omit<GenerateOptions, 'seed'> = { operations: 800, keys: 1, clients: 100, crashPerMille: 500, values: 1000, ticksMax: 20 };

/** xorshift32: a small fixed stream, so a seed always gives the same history on every platform. */
function xorshift(seed: number): (bound: number) => number {
  let x = seed | 0 || 1;
  return (bound) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % bound;
  };
}

interface Planned {
  readonly process: number;
  readonly f: 'read' | 'write' | 'cas';
  readonly key: string;
  readonly value: number;
  readonly expected: number;
  /** Positions: calls at 4k+1, returns at 4k+2, linearization points at 4k+3, so all are distinct. */
  readonly call: number;
  readonly ret: number;
  readonly at: number;
  readonly crashed: boolean;
  /** A crashed operation takes effect at its point, or never. */
  readonly takesEffect: boolean;
}

function plan(options: GenerateOptions): Planned[] {
  const next = xorshift(options.seed);
  const values = options.values ?? 5;
  const ticksMax = options.ticksMax ?? 20;
  const free = new Array<number>(options.clients).fill(0);
  // A crashed client comes back as a new process (Jepsen never reuses a process after :info).
  const generation = new Array<number>(options.clients).fill(0);
  const planned: Planned[] = [];
  let now = 0;
  for (let i = 0; i < options.operations; i++) {
    now += next(3) === 0 ? 1 : 0;
    const client = next(options.clients);
    const start = Math.max(now, free[client] as number);
    const ticks = 1 + next(ticksMax);
    free[client] = start + ticks + 1;
    const pick = next(10);
    const crashed = next(1000) < options.crashPerMille;
    planned.push({
      process: client + options.clients * (generation[client] as number),
      f: pick < 5 ? 'read' : pick < 8 ? 'write' : 'cas',
      key: `k${String(next(options.keys))}`,
      value: next(values),
      expected: next(values),
      call: start * 4 + 1,
      ret: (start + ticks) * 4 + 2,
      at: (start + next(ticks)) * 4 + 3,
      crashed,
      takesEffect: next(2) === 0,
    });
    if (crashed) generation[client] = (generation[client] as number) + 1;
  }
  return planned;
}

/**
 * A register-map history, linearizable by construction: each operation has an interval and a linearization
 * point inside it; reads and cas outcomes follow the state at that point. Crashed operations end with `info`
 * at their return position (they stay open: the checker treats them as never completing).
 */
export function generateRegisterHistory(options: GenerateOptions): HistoryEvent[] {
  const planned = plan(options);
  const state = new Map<string, number>();
  const events: { at: number; order: number; event: HistoryEvent }[] = [];
  const byPoint = planned.map((p, i) => ({ p, i })).sort((a, b) => a.p.at - b.p.at || a.i - b.i);
  for (const { p, i } of byPoint) {
    const current = state.get(p.key) ?? null;
    const effective = !p.crashed || p.takesEffect;
    let type: 'ok' | 'fail' | 'info' = p.crashed ? 'info' : 'ok';
    let value: unknown = null;
    if (p.f === 'read') value = p.crashed ? null : current;
    else if (p.f === 'write') {
      value = p.value;
      if (effective) state.set(p.key, p.value);
    } else {
      value = [p.expected, p.value];
      if (current === p.expected) {
        if (effective) state.set(p.key, p.value);
      } else if (!p.crashed) type = 'fail';
    }
    const invokeValue = p.f === 'read' ? null : p.f === 'write' ? p.value : [p.expected, p.value];
    events.push({ at: p.call, order: i, event: { process: p.process, type: 'invoke', f: p.f, key: p.key, value: invokeValue } });
    events.push({ at: p.ret, order: i, event: { process: p.process, type, f: p.f, key: p.key, value } });
  }
  return events.sort((a, b) => a.at - b.at || a.order - b.order).map((e) => e.event);
}

/** Positions of events within a history, per operation: invoke index and completion index. */
interface Span {
  readonly invoke: number;
  readonly done: number;
}

function spans(events: readonly HistoryEvent[]): Span[] {
  const open = new Map<number, number>();
  const out: Span[] = [];
  events.forEach((event, index) => {
    if (event.type === 'invoke') open.set(event.process, index);
    else {
      out.push({ invoke: open.get(event.process) as number, done: index });
      open.delete(event.process);
    }
  });
  return out;
}

/** True when the operation of `span` can set its key to `value` (a write of it, a cas to it that did not fail). */
function setsValue(events: readonly HistoryEvent[], span: Span, key: string, value: number): boolean {
  const invoke = events[span.invoke] as HistoryEvent;
  const done = events[span.done] as HistoryEvent;
  if (invoke.key !== key || done.type === 'fail') return false;
  if (invoke.f === 'write') return invoke.value === value;
  return invoke.f === 'cas' && (invoke.value as readonly number[])[1] === value;
}

/**
 * A non-linearizable variant: one completed read, from the later half of the history, is made to return a
 * stale value. The value was written by a completed operation, and every operation that can set it and was
 * invoked before the read returned had itself returned before a completed write of another value was invoked,
 * and that write returned before the read was invoked; so no linearization lets the read see it. Returns
 * `undefined` when no read admits such a value (try another seed).
 */
export function perturbRegisterHistory(events: readonly HistoryEvent[]): HistoryEvent[] | undefined {
  const all = spans(events);
  const reads = all.filter((s) => {
    const done = events[s.done] as HistoryEvent;
    return done.f === 'read' && done.type === 'ok' && s.invoke > events.length / 2;
  });
  for (const read of reads) {
    const key = (events[read.invoke] as HistoryEvent).key;
    const current = (events[read.done] as HistoryEvent).value;
    // Completed writes of this key that returned before the read was invoked: each forces its value away.
    const blockers = all.filter((s) => {
      const done = events[s.done] as HistoryEvent;
      return done.type === 'ok' && done.f === 'write' && done.key === key && s.done < read.invoke;
    });
    for (const blocker of blockers) {
      const blocked = (events[blocker.invoke] as HistoryEvent).value as number;
      const candidates = all
        .filter((s) => s.done < blocker.invoke && (events[s.done] as HistoryEvent).type === 'ok')
        .map((s) => events[s.invoke] as HistoryEvent)
        .filter((e) => e.key === key && e.f === 'write' && e.value !== blocked && e.value !== current)
        .map((e) => e.value as number);
      for (const stale of candidates) {
        // Any operation that could set `stale` after the blocker must be invoked only after the read returned.
        const laterSetter = all.some(
          (s) => s.invoke < read.done && !(s.done < blocker.invoke && (events[s.done] as HistoryEvent).type === 'ok') && setsValue(events, s, key, stale),
        );
        // Open operations (info, or never completed) count as possible setters; `spans` only lists completed
        // ones, so check the invocations without a completion too.
        if (laterSetter || openSetter(events, read.done, key, stale)) continue;
        return events.map((e, i) => (i === read.done ? { ...e, value: stale } : e));
      }
    }
  }
  return undefined;
}

/** True when an operation invoked before `before` never completes and can set `key` to `value`. */
function openSetter(events: readonly HistoryEvent[], before: number, key: string, value: number): boolean {
  const open = new Map<number, number>();
  events.forEach((event, index) => {
    if (event.type === 'invoke') open.set(event.process, index);
    else open.delete(event.process);
  });
  for (const index of open.values()) {
    const e = events[index] as HistoryEvent;
    if (index >= before || e.key !== key) continue;
    if ((e.f === 'write' && e.value === value) || (e.f === 'cas' && (e.value as readonly number[])[1] === value)) return true;
  }
  return false;
}
