/**
 * The clients' history as the workload records it: one row per operation, paired as it happens (its invocation
 * and its completion), in flat columns. The native event form ({@link ClientHistoryEvent}, a public JSON field of
 * every run) is built from the rows when someone reads it.
 *
 * Why not the events themselves: a run's ~700 event objects lived from their invocation to the end of the run, so
 * the young-generation collections of the run copied and promoted every one of them, and the checker then paired
 * them again, cold in the cache. Rows in a few arrays cost the collector a handful of objects, and the
 * linearizability checker reads the pairs as they are (`properties/linearizability/client-history.ts`).
 */

/** One history event, in the native format of the linearizability checker. */
export interface ClientHistoryEvent {
  readonly process: number;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: 'read' | 'write' | 'cas';
  readonly key: string;
  readonly value: number | null | readonly [number | null, number];
  readonly atMs: number;
}

export type ClientFunction = ClientHistoryEvent['f'];
/** How an operation ended: `ok` (took effect), `fail` (did not), `info` (unknown: the client gave up). */
export type ClientOutcome = 'ok' | 'fail' | 'info';

/** Row fields: each operation is ROW_FIELDS small integers of {@link ClientHistory}'s `rows`, in this order. */
const PROCESS = 0;
const FUNCTION = 1;
const KEY = 2;
/** A write's value, a cas's new value; 0 for a read (so a failed read renders as `[null, 0]`, as it always has). */
const VALUE = 3;
/** A cas's expected value, NO_VALUE for null ("never written"; and for the others). */
const EXPECTED = 4;
const CALL_EVENT = 5;
const CALL_AT_MS = 6;
/** An OUTCOME_CODES index, PENDING while the operation has no completion. */
const OUTCOME = 7;
const RET_EVENT = 8;
const RET_AT_MS = 9;
/** The index of an `ok` read's value in `readValues`; NO_VALUE for the others, and for a read of null. */
const READ_SLOT = 10;
const ROW_FIELDS = 11;

const PENDING = -1;
/** The workload's written values start at 1, so a negative number is no value. */
const NO_VALUE = -1;
const FUNCTIONS: readonly ClientFunction[] = ['read', 'write', 'cas'];
const OUTCOMES: readonly ClientOutcome[] = ['ok', 'fail', 'info'];

export class ClientHistory {
  /**
   * Per operation, in invocation order (which is the order of their invocation events), ROW_FIELDS integers.
   * Small integers only (codes, event indices, integer ms), so the array stays one unboxed block that the
   * collector copies in one piece and whose stores need no write barrier.
   */
  private readonly rows: number[] = [];
  /**
   * The values `ok` reads returned other than null (never written), in order of completion. Numbers only, so the
   * array never changes its elements' kind at a first null (which deoptimized the workload's reply path).
   */
  private readonly readValues: number[] = [];
  /** Per event, in real-time order: the operation it invokes or completes. */
  private readonly eventOps: number[] = [];
  /** The keys by id: those given at construction, then the others in order of first use. */
  private readonly keyNames: string[];
  /** The events built so far; only ever extended, so each event object stays the same once read. */
  private readonly built: ClientHistoryEvent[] = [];

  /**
   * `keys`: the keys the operations will use, when known (the workload's). Named up front, their array is one of
   * strings from the start; grown from empty by a first key it changed its elements' kind in every run, which
   * deoptimized the workload's request path. Which ids the keys get is no matter: ids never leave this class.
   */
  constructor(keys: readonly string[] = []) {
    this.keyNames = keys.slice();
  }

  /** Operations invoked so far. */
  get operationCount(): number {
    return this.rows.length / ROW_FIELDS;
  }

  /** Events (invocations and completions) recorded so far. */
  get eventCount(): number {
    return this.eventOps.length;
  }

  /**
   * Records an invocation at `atMs` (integer ms); returns the operation's index. `value`: what a write writes or
   * a cas sets, a positive integer (0 for a read); `expected`: a cas's expected value, a positive integer or null
   * ("never written"; null for the others).
   */
  invoke(process: number, f: ClientFunction, key: string, value: number, expected: number | null, atMs: number): number {
    if (value < 0 || (expected !== null && expected < 0)) throw new Error(`client values are non-negative, got ${String(value)} and ${String(expected)}`);
    const op = this.rows.length / ROW_FIELDS;
    const fCode = f === 'read' ? 0 : f === 'write' ? 1 : 2;
    this.rows.push(process, fCode, this.keyId(key), value, expected ?? NO_VALUE, this.eventOps.length, atMs, PENDING, PENDING, 0, NO_VALUE);
    this.eventOps.push(op);
    return op;
  }

  /** Records the completion of pending operation `op` at `atMs`; `readValue` is what an `ok` read returned. */
  complete(op: number, outcome: ClientOutcome, readValue: number | null, atMs: number): void {
    const rows = this.rows;
    const base = op * ROW_FIELDS;
    if (rows[base + OUTCOME] !== PENDING) throw new Error(`client operation ${String(op)} is not pending`);
    rows[base + OUTCOME] = outcome === 'ok' ? 0 : outcome === 'fail' ? 1 : 2;
    rows[base + RET_EVENT] = this.eventOps.length;
    rows[base + RET_AT_MS] = atMs;
    if (outcome === 'ok' && rows[base + FUNCTION] === 0 && readValue !== null) {
      rows[base + READ_SLOT] = this.readValues.length;
      this.readValues.push(readValue);
    }
    this.eventOps.push(op);
  }

  /** The process (client session) that invoked `op`. */
  process(op: number): number {
    return this.rows[op * ROW_FIELDS + PROCESS] as number;
  }

  f(op: number): ClientFunction {
    return FUNCTIONS[this.rows[op * ROW_FIELDS + FUNCTION] as number] as ClientFunction;
  }

  key(op: number): string {
    return this.keyNames[this.rows[op * ROW_FIELDS + KEY] as number] as string;
  }

  /** A write's value or a cas's new value (0 for a read). */
  value(op: number): number {
    return this.rows[op * ROW_FIELDS + VALUE] as number;
  }

  /** A cas's expected value (null: never written; null for the others). */
  expected(op: number): number | null {
    const expected = this.rows[op * ROW_FIELDS + EXPECTED] as number;
    return expected === NO_VALUE ? null : expected;
  }

  /** The index of `op`'s invocation event. */
  callEvent(op: number): number {
    return this.rows[op * ROW_FIELDS + CALL_EVENT] as number;
  }

  callAtMs(op: number): number {
    return this.rows[op * ROW_FIELDS + CALL_AT_MS] as number;
  }

  /** How `op` ended; null while it is pending. */
  outcome(op: number): ClientOutcome | null {
    const code = this.rows[op * ROW_FIELDS + OUTCOME] as number;
    return code === PENDING ? null : (OUTCOMES[code] as ClientOutcome);
  }

  /** The index of `op`'s completion event (meaningless while it is pending). */
  retEvent(op: number): number {
    return this.rows[op * ROW_FIELDS + RET_EVENT] as number;
  }

  retAtMs(op: number): number {
    return this.rows[op * ROW_FIELDS + RET_AT_MS] as number;
  }

  /** The value an `ok` read returned (null: never written; null for the others). */
  readValue(op: number): number | null {
    const slot = this.rows[op * ROW_FIELDS + READ_SLOT] as number;
    return slot === NO_VALUE ? null : (this.readValues[slot] as number);
  }

  /**
   * The history as native events, in real-time order: the same objects on every call (new events are appended
   * as they are recorded). Built on first read: a run whose history nobody reads as events never builds them.
   */
  events(): readonly ClientHistoryEvent[] {
    const built = this.built;
    for (let event = built.length; event < this.eventOps.length; event++) built.push(this.eventAt(event));
    return built;
  }

  /** As JSON, the history is its native events (a result holding it serialises as it always did). */
  toJSON(): readonly ClientHistoryEvent[] {
    return this.events();
  }

  /** Event `event` as the workload used to record it: field by field, the same values in the same order. */
  private eventAt(event: number): ClientHistoryEvent {
    const op = this.eventOps[event] as number;
    const process = this.process(op);
    const f = this.f(op);
    const key = this.key(op);
    if (this.callEvent(op) === event) {
      return { process, type: 'invoke', f, key, value: f === 'read' ? null : this.writeValue(op), atMs: this.callAtMs(op) };
    }
    const type = this.outcome(op) as ClientOutcome;
    // A failed operation records its [expected, value] pair whatever its function (only a cas fails).
    const value = type === 'fail' ? this.casPair(op) : f !== 'read' ? this.writeValue(op) : this.readValue(op);
    return { process, type, f, key, value, atMs: this.retAtMs(op) };
  }

  /** A write's value, or a cas's [expected, new] pair (a fresh array for each event, as ever). */
  private writeValue(op: number): number | readonly [number | null, number] {
    return this.f(op) === 'write' ? this.value(op) : this.casPair(op);
  }

  private casPair(op: number): readonly [number | null, number] {
    return [this.expected(op), this.value(op)];
  }

  /** The id of `key`: a scan, since a workload has a few keys. */
  private keyId(key: string): number {
    const names = this.keyNames;
    for (let id = 0; id < names.length; id++) if (names[id] === key) return id;
    names.push(key);
    return names.length - 1;
  }
}
