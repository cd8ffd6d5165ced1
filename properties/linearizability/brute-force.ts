/**
 * A deliberately naive linearizability oracle for tests: enumerates every order of a native history's
 * operations that respects real time, with no partitioning or pruning. Exponential; only for
 * histories of a handful of operations. Written independently of the checker (its own pairing, its own map, a plain string memo of failed configurations).
 */
import type { HistoryEvent } from './history.js';

interface BruteOp {
  readonly f: string;
  readonly key: string;
  readonly arg: unknown;
  readonly result: unknown;
  readonly call: number;
  /** Infinity when the operation may take effect at any later time or never. */
  readonly ret: number;
  readonly required: boolean;
}

function pair(events: readonly HistoryEvent[]): BruteOp[] {
  const open = new Map<number, { event: HistoryEvent; index: number }>();
  const ops: BruteOp[] = [];
  events.forEach((event, index) => {
    if (event.type === 'invoke') {
      open.set(event.process, { event, index });
      return;
    }
    const start = open.get(event.process);
    if (start === undefined) throw new Error(`event ${String(index)}: completion without invocation`);
    open.delete(event.process);
    if (event.type === 'fail') return;
    const known = event.type === 'ok';
    ops.push({
      f: start.event.f,
      key: start.event.key,
      arg: start.event.value,
      result: event.value,
      call: start.index,
      ret: known ? index : Infinity,
      required: known,
    });
  });
  for (const { event, index } of open.values()) {
    ops.push({ f: event.f, key: event.key, arg: event.value, result: null, call: index, ret: Infinity, required: false });
  }
  return ops;
}

/** The next map, or undefined when `op` cannot take effect in `state`. */
function apply(state: ReadonlyMap<string, unknown>, op: BruteOp): ReadonlyMap<string, unknown> | undefined {
  const current = state.get(op.key) ?? null;
  if (op.f === 'read') return !op.required || op.result === current ? state : undefined;
  if (op.f === 'write') return new Map(state).set(op.key, op.arg);
  const [expected, next] = op.arg as [unknown, unknown];
  return expected === current ? new Map(state).set(op.key, next) : undefined;
}

/** True when some real-time-respecting order of the operations is legal for a map of registers. */
export function bruteForceLinearizable(events: readonly HistoryEvent[]): boolean {
  const ops = pair(events);
  const placed = ops.map(() => false);
  // Only to keep the enumeration affordable: (placed set, state) pairs already known to fail.
  const failed = new Set<string>();
  const search = (state: ReadonlyMap<string, unknown>): boolean => {
    if (ops.every((op, i) => placed[i] === true || !op.required)) return true;
    const memo = `${placed.map((p) => (p ? 1 : 0)).join('')}|${JSON.stringify([...state].sort())}`;
    if (failed.has(memo)) return false;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i] === true) continue;
      const op = ops[i] as BruteOp;
      // Every operation that returned before this one was invoked must already be in the order.
      if (ops.some((other, j) => placed[j] !== true && other.ret < op.call)) continue;
      const next = apply(state, op);
      if (next === undefined) continue;
      placed[i] = true;
      const found = search(next);
      placed[i] = false;
      if (found) return true;
    }
    failed.add(memo);
    return false;
  };
  return search(new Map());
}
