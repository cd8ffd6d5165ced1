/** Human-readable rendering of a {@link LinResult}. */
import type { ExplainedOperation, LinExplanation, LinResult } from './result.js';

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
