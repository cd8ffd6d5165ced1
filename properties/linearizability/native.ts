/**
 * The native history form: validation of {@link HistoryEvent}s and their pairing into register-map operations.
 * Shared by the `jsonl` parser (positions are line numbers) and {@link checkHistory} (positions are indices).
 */
import { HistoryError, show } from './history.js';
import type { EventType, HistoryEvent, Operation } from './history.js';
import { KNOWN_NULL, UNKNOWN } from './models/register-map.js';
import type { RegisterInput, RegisterOutput } from './models/register-map.js';

const EVENT_TYPES: readonly EventType[] = ['invoke', 'ok', 'fail', 'info'];
const FUNCTIONS = ['read', 'write', 'cas'] as const;
type NativeF = (typeof FUNCTIONS)[number];

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Checks the shape of one event (any JSON value); throws {@link HistoryError} at `position`. */
export function validateEvent(raw: unknown, position: number): HistoryEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HistoryError(position, `expected an event object, got ${show(raw)}`);
  }
  const event = raw as Record<string, unknown>;
  const { process, type, f, key, value, atMs } = event;
  if (!isInteger(process) || process < 0) {
    throw new HistoryError(position, `expected "process" to be a non-negative integer, got ${show(process)}`);
  }
  if (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info') {
    throw new HistoryError(position, `expected "type" to be ${EVENT_TYPES.join('|')}, got ${show(type)}`);
  }
  if (f !== 'read' && f !== 'write' && f !== 'cas') {
    throw new HistoryError(position, `expected "f" to be ${FUNCTIONS.join('|')}, got ${show(f)}`);
  }
  if (typeof key !== 'string') throw new HistoryError(position, `expected "key" to be a string, got ${show(key)}`);
  if (atMs !== undefined && (typeof atMs !== 'number' || !Number.isFinite(atMs))) {
    throw new HistoryError(position, `expected "atMs" to be a number of ms, got ${show(atMs)}`);
  }
  // Histories are checked after every simulated run: the validated object itself is the event (no copy per event).
  return event as unknown as HistoryEvent;
}

function inputOf(event: HistoryEvent, position: number): RegisterInput {
  const { f, key, value } = event;
  switch (f as NativeF) {
    case 'read':
      if (value !== null && value !== undefined) {
        throw new HistoryError(position, `expected "value" of a read invocation to be null, got ${show(value)}`);
      }
      return { f: 'read', key };
    case 'write':
      if (!isInteger(value)) throw new HistoryError(position, `expected "value" of a write to be an integer, got ${show(value)}`);
      return { f: 'write', key, value };
    case 'cas': {
      const ok = Array.isArray(value) && value.length === 2 && (value[0] === null || isInteger(value[0])) && isInteger(value[1]);
      if (!ok) {
        throw new HistoryError(position, `expected "value" of a cas to be [expected, new] integers, got ${show(value)}`);
      }
      const pair = value as unknown as readonly [number | null, number];
      return { f: 'cas', key, expected: pair[0], value: pair[1] };
    }
  }
}

interface Pending {
  readonly input: RegisterInput;
  readonly call: number;
  readonly callAtMs: number | undefined;
}

/** Process ids below this are kept in an array slot (the workload's sessions are small integers); others in a Map. */
const PROCESS_SLOTS_MAX = 1 << 16;

/**
 * The invocation each process is waiting on. A Map's get, set and delete on every event were a fifth of checking a
 * run's history; the small non-negative ids every history of the simulator has take an array slot instead, and any
 * other id (a history file may number its processes as it likes) still a Map.
 */
class PendingTable {
  private readonly slots: (Pending | undefined)[] = [];
  private readonly others = new Map<number, Pending>();

  get(process: number): Pending | undefined {
    return process < PROCESS_SLOTS_MAX ? this.slots[process] : this.others.get(process);
  }

  set(process: number, pending: Pending): void {
    if (process >= PROCESS_SLOTS_MAX) this.others.set(process, pending);
    else {
      while (this.slots.length < process) this.slots.push(undefined);
      this.slots[process] = pending;
    }
  }

  delete(process: number): void {
    if (process < PROCESS_SLOTS_MAX) this.slots[process] = undefined;
    else this.others.delete(process);
  }

  /** Every pending invocation with its process: array slots first, then the others. */
  forEach(visit: (pending: Pending, process: number) => void): void {
    for (let process = 0; process < this.slots.length; process++) {
      const pending = this.slots[process];
      if (pending !== undefined) visit(pending, process);
    }
    for (const [process, pending] of this.others) visit(pending, process);
  }
}

function makeOp(
  pending: Pending,
  process: number,
  output: RegisterOutput,
  ret: number | null,
  retAtMs: number | undefined,
): Operation<RegisterInput, RegisterOutput> {
  const op: { -readonly [K in keyof Operation<RegisterInput, RegisterOutput>]: Operation<RegisterInput, RegisterOutput>[K] } = {
    id: -1,
    process,
    input: pending.input,
    output,
    call: pending.call,
    ret,
  };
  if (pending.callAtMs !== undefined) op.callAtMs = pending.callAtMs;
  if (retAtMs !== undefined) op.retAtMs = retAtMs;
  return op;
}

/**
 * Pairs native events into operations sorted by call, validating each event in order (so the first problem
 * reported is the earliest). `fail`ed operations are dropped (not applied); `info` and never-completed ones
 * stay open with an unknown outcome, except reads, which constrain nothing then and are dropped.
 * `positions[i]` names event i in errors and explanations (default: its index); `decode` turns a raw item
 * into an event candidate first (the jsonl parser passes lines and JSON.parse).
 */
export function pairNativeEvents(
  events: readonly unknown[],
  positions?: readonly number[],
  decode?: (raw: unknown, position: number) => unknown,
): Operation<RegisterInput, RegisterOutput>[] {
  const pendingByProcess = new PendingTable();
  const ops: Operation<RegisterInput, RegisterOutput>[] = [];
  for (let index = 0; index < events.length; index++) {
    const raw = events[index];
    const position = positions?.[index] ?? index;
    const event = validateEvent(decode === undefined ? raw : decode(raw, position), position);
    const pending = pendingByProcess.get(event.process);
    if (event.type === 'invoke') {
      if (pending !== undefined) {
        throw new HistoryError(
          position,
          `expected process ${String(event.process)} to complete its ${pending.input.f} from ${String(pending.call)} before invoking again`,
        );
      }
      pendingByProcess.set(event.process, { input: inputOf(event, position), call: position, callAtMs: event.atMs });
      continue;
    }
    if (pending === undefined) {
      throw new HistoryError(position, `expected an invocation by process ${String(event.process)} before this ${event.type}`);
    }
    if (event.f !== pending.input.f || event.key !== pending.input.key) {
      throw new HistoryError(
        position,
        `expected ${event.type} to match the invocation at ${String(pending.call)} (${pending.input.f} ${JSON.stringify(pending.input.key)}), got ${event.f} ${JSON.stringify(event.key)}`,
      );
    }
    pendingByProcess.delete(event.process);
    if (event.type === 'fail') continue;
    if (event.type === 'info') {
      if (pending.input.f !== 'read') ops.push(makeOp(pending, event.process, UNKNOWN, null, undefined));
      continue;
    }
    let output = KNOWN_NULL;
    if (pending.input.f === 'read') {
      if (event.value !== null && !isInteger(event.value)) {
        throw new HistoryError(position, `expected "value" of a read completion to be an integer or null, got ${show(event.value)}`);
      }
      output = event.value === null ? KNOWN_NULL : { kind: 'known', value: event.value };
    }
    ops.push(makeOp(pending, event.process, output, position, event.atMs));
  }
  // Left open: the order they are pushed in does not matter, finishOperations orders them by their (distinct) calls.
  pendingByProcess.forEach((pending, process) => {
    if (pending.input.f !== 'read') ops.push(makeOp(pending, process, UNKNOWN, null, undefined));
  });
  return finishOperations(ops);
}

/** Sorts operations by call position and numbers them; every parser ends with this. */
export function finishOperations<Input, Output>(ops: readonly Operation<Input, Output>[]): Operation<Input, Output>[] {
  const sorted = sortByCall(ops);
  // The operations were built by the caller for this list alone: number them in place, without copies.
  for (let id = 0; id < sorted.length; id++) (sorted[id] as { id: number }).id = id;
  return sorted;
}

/** Positions beyond this many per operation (plus a constant) take the comparison sort instead of counting. */
const COUNTING_SPAN_PER_OP = 4;

/**
 * `ops` stably sorted by call position. Positions are event indices or line numbers: small non-negative
 * integers, so a counting sort orders them in linear time without a comparator call per comparison; it keeps
 * equal positions in input order, as the (stable) comparison sort does, which any other positions still take.
 */
function sortByCall<Input, Output>(ops: readonly Operation<Input, Output>[]): Operation<Input, Output>[] {
  const n = ops.length;
  let max = -1;
  let countable = true;
  for (let k = 0; k < n && countable; k++) {
    const call = (ops[k] as Operation<Input, Output>).call;
    if (!Number.isSafeInteger(call) || call < 0) countable = false;
    else if (call > max) max = call;
  }
  if (!countable || max > COUNTING_SPAN_PER_OP * n + 1024) return [...ops].sort((a, b) => a.call - b.call);
  const starts = new Int32Array(max + 2);
  for (let k = 0; k < n; k++) {
    const slot = (ops[k] as Operation<Input, Output>).call + 1;
    starts[slot] = (starts[slot] as number) + 1;
  }
  for (let c = 1; c < starts.length; c++) starts[c] = (starts[c] as number) + (starts[c - 1] as number);
  const sorted = new Array<Operation<Input, Output>>(n);
  for (let k = 0; k < n; k++) {
    const op = ops[k] as Operation<Input, Output>;
    sorted[starts[op.call] as number] = op;
    starts[op.call] = (starts[op.call] as number) + 1;
  }
  return sorted;
}
