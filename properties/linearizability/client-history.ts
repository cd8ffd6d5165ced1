/**
 * The simulator's client history, checked as the workload recorded it: its operations are already paired
 * ({@link ClientHistory}), so they become the register-map operations {@link pairNativeEvents} would make of the
 * history's events, without building, validating and pairing the events first.
 */
import type { ClientHistory } from '../../sim/client-history.js';
import { HistoryError, show } from './history.js';
import type { Operation } from './history.js';
import { KNOWN_NULL, UNKNOWN } from './models/register-map.js';
import type { RegisterInput, RegisterOutput } from './models/register-map.js';

/**
 * The operations of `history`, exactly as `pairNativeEvents(history.events())` returns them: sorted by call (the
 * order the workload invoked them in), numbered, positions being event indices; failed operations and reads that
 * never completed left out. Throws the same {@link HistoryError} for a read that returned a non-integer (a value
 * only a corrupted entry can bring), at the earliest such event.
 */
export function clientHistoryOperations(history: ClientHistory): Operation<RegisterInput, RegisterOutput>[] {
  const count = history.operationCount;
  const ops: Operation<RegisterInput, RegisterOutput>[] = [];
  let badRead = false;
  for (let op = 0; op < count; op++) {
    const outcome = history.outcome(op);
    if (outcome === 'fail') continue;
    const f = history.f(op);
    // Compared before the branches: a comparison first made in a branch that opens late in a process (the first
    // operation given up) deoptimized this function (no type feedback for it yet).
    const read = f === 'read';
    let output = UNKNOWN;
    let ret: number | null = null;
    let retAtMs: number | undefined;
    if (outcome === 'ok') {
      output = KNOWN_NULL;
      if (read) {
        const value = history.readValue(op);
        if (value !== null) {
          // Only a corrupted entry brings a non-integer; which read is the earliest is found apart (badReadError).
          if (!Number.isSafeInteger(value)) {
            badRead = true;
            continue;
          }
          output = { kind: 'known', value };
        }
      }
      ret = history.retEvent(op);
      retAtMs = history.retAtMs(op);
    } else if (read) {
      // Given up (`info`) or still pending at the end: may take effect any time, or never. A read then constrains nothing.
      continue;
    }
    ops.push(operation(ops.length, history.process(op), inputOf(history, op, f, history.key(op)), output, history.callEvent(op), ret, history.callAtMs(op), retAtMs));
  }
  if (badRead) throw badReadError(history);
  return ops;
}

/**
 * One object shape for every operation, completed or not (retAtMs undefined when not), so the search's set-up reads
 * them monomorphically. Made with `ret` and `retAtMs` unset (null, undefined), then set: V8 keeps a representation
 * per field of a shape, and a field that held only small integers until the first never-completed operation, late
 * in a process, changed representation then, discarding the optimized code of the search's set-up that read it
 * (four functions, each then compiled again). Made so, the first completed operation of a process settles both
 * fields for good.
 */
function operation(
  id: number,
  process: number,
  input: RegisterInput,
  output: RegisterOutput,
  call: number,
  ret: number | null,
  callAtMs: number,
  retAtMs: number | undefined,
): Operation<RegisterInput, RegisterOutput> {
  const op: { -readonly [K in keyof Operation<RegisterInput, RegisterOutput>]-?: Operation<RegisterInput, RegisterOutput>[K] } = {
    id,
    process,
    input,
    output,
    call,
    ret: null,
    callAtMs,
    retAtMs: undefined,
  };
  op.ret = ret;
  op.retAtMs = retAtMs;
  return op;
}

/** The error for the earliest-completing read that returned a non-integer (there is one). */
function badReadError(history: ClientHistory): HistoryError {
  let bad = -1;
  for (let op = 0; op < history.operationCount; op++) {
    if (history.outcome(op) !== 'ok' || history.f(op) !== 'read') continue;
    const value = history.readValue(op);
    if (value === null || Number.isSafeInteger(value)) continue;
    if (bad < 0 || history.retEvent(op) < history.retEvent(bad)) bad = op;
  }
  return new HistoryError(history.retEvent(bad), `expected "value" of a read completion to be an integer or null, got ${show(history.readValue(bad))}`);
}

function inputOf(history: ClientHistory, op: number, f: RegisterInput['f'], key: string): RegisterInput {
  if (f === 'read') return { f: 'read', key };
  if (f === 'write') return { f: 'write', key, value: history.value(op) };
  return { f: 'cas', key, expected: history.expected(op), value: history.value(op) };
}
