/**
 * Histories for the linearizability checker: the native event form that the simulator's client workload
 * produces, and the paired operation form that the search works on.
 */

/** `fail` = definitely not applied; `info` = unknown (may take effect any time after invocation, or never). */
export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

/**
 * One client event, in real-time order. `f` is `read`, `write` or `cas`; `value` is an integer for a write,
 * `[expected, new]` for a cas, `null` for a read invocation and the value read (null when never written) for
 * a read completion.
 */
export interface HistoryEvent {
  readonly process: number;
  readonly type: EventType;
  readonly f: string;
  readonly key: string;
  readonly value: unknown;
  /** Simulated time of the event, in ms (informational: order comes from the array, not from this). */
  readonly atMs?: number;
}

/**
 * One operation: an invocation paired with its completion.
 * Invariant: `call < ret` when `ret` is not null; positions are distinct across a history.
 */
export interface Operation<Input, Output> {
  /** Index in the history's operation list, which is sorted by `call`. */
  readonly id: number;
  readonly process: number;
  readonly input: Input;
  readonly output: Output;
  /** Position of the invocation: 0-based event index, or 1-based line number for parsed files. */
  readonly call: number;
  /** Position of the completion; null when the operation never completed (`info`, or still pending). */
  readonly ret: number | null;
  readonly callAtMs?: number;
  /** Undefined (or absent) when the operation never completed or the history has no times. */
  readonly retAtMs?: number | undefined;
}

/**
 * A malformed history: thrown by the parsers and by {@link checkHistory} before any search.
 * `position` is the 1-based line number (parsers) or the 0-based event index (native arrays).
 */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  constructor(
    readonly position: number,
    readonly problem: string,
  ) {
    super(`${String(position)}: ${problem}`);
  }
}

/** A value's short rendering for error messages ("expected X, got Y"). */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
