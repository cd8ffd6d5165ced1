/**
 * The history view's data: client operations as bars per client (process) from call to return, coloured by
 * outcome, and, for a history that is not linearizable, the longest linearizable prefix, the operation that
 * cannot be placed and the earlier operation that forces the contradiction, with the one-line reason
 * (properties/linearizability/explain.ts `describeContradiction`). Built from operations and the checker's
 * structured result, never from its text.
 */
import { describeContradiction } from '../../properties/linearizability/explain.js';
import type { HistoryEvent, Operation } from '../../properties/linearizability/history.js';
import { registerMapModel } from '../../properties/linearizability/models/register-map.js';
import type { RegisterInput, RegisterOutput } from '../../properties/linearizability/models/register-map.js';
import type { LinResult } from '../../properties/linearizability/result.js';

/** How an operation ended: `ok` (result known), `fail` (definitely not applied), `info` (unknown: open-ended). */
export type OpOutcome = 'ok' | 'fail' | 'info';

export interface HistoryOp {
  /** The checker's operation id; -1 for an operation the checker does not see (a failed one). */
  readonly id: number;
  readonly process: number;
  readonly key: string;
  readonly label: string;
  /** Call and return on the view's axis (ms, or the history's positions when it has no times). */
  readonly start: number;
  /** null: never returned (crashed or timed out): drawn open-ended. */
  readonly end: number | null;
  readonly outcome: OpOutcome;
}

export interface HistoryExplanation {
  readonly partition: string;
  readonly failingId: number;
  readonly prefixIds: readonly number[];
  readonly forcingId: number | null;
  readonly concurrentIds: readonly number[];
  readonly reason: string;
}

export interface HistoryData {
  /** The axis unit: simulated ms, or the history file's line numbers when it carries no times. */
  readonly unit: 'ms' | 'line';
  readonly endAt: number;
  readonly verdict: LinResult['verdict'];
  readonly model: string;
  readonly ops: readonly HistoryOp[];
  readonly explanation: HistoryExplanation | null;
}

function explanationOf(result: LinResult): HistoryExplanation | null {
  const e = result.explanation;
  if (e === undefined) return null;
  const c = describeContradiction(e);
  return {
    partition: e.partition,
    failingId: e.failing.id,
    prefixIds: e.longest.map((s) => s.op.id),
    forcingId: c.forcing?.id ?? null,
    concurrentIds: e.concurrent.map((o) => o.id),
    reason: c.reason,
  };
}

/** What a parsed history gives the view: its operations, with a description and partition key of each. */
export interface DescribedOps<Input, Output> {
  readonly ops: readonly Operation<Input, Output>[];
  describe(input: Input, output: Output): string;
  keyOf(input: Input): string;
}

/**
 * The view of a recorded history file (`lin-check --html`): every operation the checker saw; the axis is
 * simulated time when every operation carries it, else the file's line numbers.
 */
export function historyFromOps<Input, Output>(history: DescribedOps<Input, Output>, result: LinResult): HistoryData {
  const timed = history.ops.length > 0 && history.ops.every((o) => o.callAtMs !== undefined && (o.ret === null || o.retAtMs !== undefined));
  const ops: HistoryOp[] = history.ops.map((o) => ({
    id: o.id,
    process: o.process,
    key: history.keyOf(o.input),
    label: history.describe(o.input, o.output),
    start: timed ? (o.callAtMs as number) : o.call,
    end: o.ret === null ? null : timed ? (o.retAtMs as number) : o.ret,
    outcome: o.ret === null ? 'info' : 'ok',
  }));
  const endAt = Math.max(0, ...ops.map((o) => o.end ?? o.start)) + 1;
  return { unit: timed ? 'ms' : 'line', endAt, verdict: result.verdict, model: result.model, ops, explanation: explanationOf(result) };
}

/**
 * The view of a simulated run's client history (native events, as the workload records them): failed
 * operations are shown too (the checker drops them: they did not happen), and open operations run to `endMs`.
 * `ops` are the checker's operations of the same events (pairNativeEvents), whose ids the explanation names.
 */
export function historyFromNative(events: readonly HistoryEvent[], ops: readonly Operation<RegisterInput, RegisterOutput>[], result: LinResult, endMs: number): HistoryData {
  const idByCall = new Map<number, number>();
  for (const op of ops) idByCall.set(op.call, op.id);
  const out: HistoryOp[] = [];
  const open = new Map<number, { index: number; event: HistoryEvent }>();
  const push = (call: { index: number; event: HistoryEvent }, end: HistoryEvent | null): void => {
    const e = call.event;
    const outcome: OpOutcome = end === null ? 'info' : end.type === 'ok' ? 'ok' : end.type === 'fail' ? 'fail' : 'info';
    const input = inputOf(e);
    // A failed operation's label needs no "(outcome unknown)": its outcome is known, it did not happen.
    const output: RegisterOutput = end !== null && end.type === 'ok' && e.f === 'read' ? { kind: 'known', value: end.value as number | null } : outcome === 'info' ? { kind: 'unknown' } : { kind: 'known', value: null };
    out.push({
      id: idByCall.get(call.index) ?? -1,
      process: e.process,
      key: e.key,
      label: `${registerMapModel.describeOperation(input, output)}${outcome === 'fail' ? ' (failed)' : ''}`,
      start: e.atMs ?? 0,
      end: outcome === 'info' || end === null ? null : (end.atMs ?? null),
      outcome,
    });
  };
  events.forEach((event, index) => {
    if (event.type === 'invoke') {
      open.set(event.process, { index, event });
      return;
    }
    const call = open.get(event.process);
    if (call === undefined) return;
    open.delete(event.process);
    push(call, event);
  });
  for (const call of open.values()) push(call, null);
  out.sort((a, b) => a.start - b.start || a.process - b.process);
  return { unit: 'ms', endAt: endMs, verdict: result.verdict, model: result.model, ops: out, explanation: explanationOf(result) };
}

function inputOf(e: HistoryEvent): RegisterInput {
  if (e.f === 'write') return { f: 'write', key: e.key, value: e.value as number };
  if (e.f === 'cas') {
    const [expected, value] = e.value as readonly [number | null, number];
    return { f: 'cas', key: e.key, expected, value };
  }
  return { f: 'read', key: e.key };
}
