/** Human-readable rendering of a {@link LinResult}. */
import type { ExplainedOperation, LinearizedStep, LinExplanation, LinResult } from './result.js';

/** How many steps of the longest partial linearization are shown (the end, where it got stuck). */
const LONGEST_SHOWN = 12;
const CONCURRENT_SHOWN = 20;

function position(explanation: LinExplanation, op: ExplainedOperation): string {
  const unit = explanation.positionName === 'line' ? 'lines' : 'events';
  const ret = op.ret === null ? 'never completed' : String(op.ret);
  const times = op.callAtMs === undefined ? '' : `, ${String(op.callAtMs)}-${op.retAtMs === undefined ? '?' : String(op.retAtMs)} ms`;
  return `${unit} ${String(op.call)}-${ret}${times}`;
}

function describeOp(explanation: LinExplanation, op: ExplainedOperation): string {
  return `process ${String(op.process)}: ${op.description} (${position(explanation, op)})`;
}

function whyUndecided(result: LinResult): string {
  if (result.stoppedBy === 'interrupt') return `stopped before deciding, after ${String(result.work)} work units`;
  if (result.steps >= result.stepBudget) return `step budget of ${String(result.stepBudget)} exhausted`;
  return `work budget of ${String(result.workBudget)} units exhausted`;
}

/**
 * Lines for a terminal: a one-line verdict, then, when not linearizable, the failing operation, the end of the
 * longest partial linearization with states, and the concurrent operations. Never empty.
 */
export function describeExplanation(result: LinResult): string[] {
  const parts = result.partitions.length;
  const scope = `${String(result.ops)} ops, ${String(parts)} partition${parts === 1 ? '' : 's'}, ${String(result.steps)} steps`;
  if (result.verdict === 'linearizable') return [`linearizable (${scope})`];
  if (result.verdict === 'unknown') {
    const undecided = result.partitions.filter((p) => p.verdict === 'unknown').map((p) => p.label);
    return [
      `unknown: ${whyUndecided(result)} (${scope})`,
      `  undecided: ${undecided.slice(0, 10).join(', ')}${undecided.length > 10 ? ', ...' : ''}`,
      result.stoppedBy === 'interrupt' ? '  allow more time to decide' : '  raise the budget to decide',
    ];
  }
  const e = result.explanation;
  if (e === undefined) return [`not linearizable (${scope})`];
  const lines = [
    `not linearizable (${scope})`,
    `  in ${e.partition}: cannot linearize ${describeOp(e, e.failing)}`,
    // The earlier operation that forces the contradiction, named, so the reader need not compare positions.
    `  why: ${describeContradiction(e).reason}`,
    `  longest partial linearization: ${String(e.longest.length)} ops from initial state ${e.initialState}`,
  ];
  const skipped = Math.max(0, e.longest.length - LONGEST_SHOWN);
  if (skipped > 0) lines.push(`    ... ${String(skipped)} earlier ops`);
  for (const step of e.longest.slice(skipped)) {
    lines.push(`    ${describeOp(e, step.op)}  => ${step.stateAfter}`);
  }
  lines.push(`  then in state ${e.stateBeforeFailing}, no order of the concurrent operations lets it take effect`);
  lines.push(`  concurrent operations (${String(e.concurrent.length)}):`);
  for (const op of e.concurrent.slice(0, CONCURRENT_SHOWN)) lines.push(`    ${describeOp(e, op)}`);
  if (e.concurrent.length > CONCURRENT_SHOWN) lines.push(`    ... ${String(e.concurrent.length - CONCURRENT_SHOWN)} more`);
  return lines;
}

/** What forces a history's contradiction: the earlier operation whose effect the failing one cannot see past. */
export interface Contradiction {
  /** The operation of the longest partial linearization that left the state the failing operation contradicts; null: the initial state. */
  readonly forcing: ExplainedOperation | null;
  /** Whether `forcing` completed before the failing operation was invoked (so no order can put it after). */
  readonly forcingPrecedes: boolean;
  /** One sentence naming the failing operation, the state and the operation that left it. */
  readonly reason: string;
}

function when(explanation: LinExplanation, op: ExplainedOperation, end: 'call' | 'ret'): string {
  const atMs = end === 'call' ? op.callAtMs : op.retAtMs;
  if (atMs !== undefined) return `${String(atMs)} ms`;
  const unit = explanation.positionName === 'line' ? 'line' : 'event';
  return `${unit} ${String(end === 'call' ? op.call : op.ret)}`;
}

/**
 * The one-line reason of a non-linearizable partition: the failing operation, the state it met at the end of
 * the longest partial linearization, and the operation that left that state — the last one that changed it —
 * with whether it completed before the failing one began (a stale read's classic shape) or overlapped it.
 * States are compared as the model describes them, so this works for every model.
 */
export function describeContradiction(explanation: LinExplanation): Contradiction {
  const e = explanation;
  let forcing: ExplainedOperation | null = null;
  for (let i = e.longest.length - 1; i >= 0 && forcing === null; i--) {
    const step = e.longest[i] as LinearizedStep;
    const before = i === 0 ? e.initialState : (e.longest[i - 1] as LinearizedStep).stateAfter;
    if (step.stateAfter !== before) forcing = step.op;
  }
  // An unpartitioned model's one partition is labelled "history": its state is the whole model's.
  const subject = e.partition === 'history' ? 'the state' : e.partition;
  const failing = `process ${String(e.failing.process)}'s ${e.failing.description} (called at ${when(e, e.failing, 'call')})`;
  if (forcing === null) {
    return { forcing: null, forcingPrecedes: false, reason: `${failing} cannot take effect: ${subject} is still in its initial state ${e.initialState}, and no order of the ${String(e.concurrent.length)} concurrent operation(s) changes that` };
  }
  const precedes = forcing.ret !== null && forcing.ret < e.failing.call;
  const by = `process ${String(forcing.process)}'s ${forcing.description}`;
  const order = precedes
    ? `which completed at ${when(e, forcing, 'ret')}, before it was called`
    : `which overlaps it, and no order of the ${String(e.concurrent.length)} concurrent operation(s) helps`;
  return { forcing, forcingPrecedes: precedes, reason: `${failing} cannot take effect: ${subject} is ${e.stateBeforeFailing} after ${by}, ${order}` };
}
