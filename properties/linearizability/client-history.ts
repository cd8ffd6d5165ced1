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
  let badRead = -1;
  for (let op = 0; op < count; op++) {
    const outcome = history.outcome(op);
    if (outcome === 'fail') continue;
    const f = history.f(op);
    const key = history.key(op);
    const call = history.callEvent(op);
    const callAtMs = history.callAtMs(op);
    if (outcome !== 'ok') {
      // Given up (`info`) or still pending at the end: may take effect any time, or never. A read then constrains nothing.
      if (f !== 'read') ops.push({ id: ops.length, process: history.process(op), input: inputOf(history, op, f, key), output: UNKNOWN, call, ret: null, callAtMs });
      continue;
    }
    const ret = history.retEvent(op);
    let output = KNOWN_NULL;
    if (f === 'read') {
      const value = history.readValue(op);
      if (value !== null) {
        if (!Number.isSafeInteger(value)) {
          if (badRead < 0 || ret < history.retEvent(badRead)) badRead = op;
          continue;
        }
        output = { kind: 'known', value };
      }
    }
    ops.push({ id: ops.length, process: history.process(op), input: inputOf(history, op, f, key), output, call, ret, callAtMs, retAtMs: history.retAtMs(op) });
  }
  if (badRead >= 0) {
    throw new HistoryError(history.retEvent(badRead), `expected "value" of a read completion to be an integer or null, got ${show(history.readValue(badRead))}`);
  }
  return ops;
}

function inputOf(history: ClientHistory, op: number, f: RegisterInput['f'], key: string): RegisterInput {
  if (f === 'read') return { f: 'read', key };
  if (f === 'write') return { f: 'write', key, value: history.value(op) };
  return { f: 'cas', key, expected: history.expected(op), value: history.value(op) };
}
