/**
 * The HTML reports, one function per page type: a run (`replay --html`, `shrink --html`, a failure class's
 * page), a recorded history (`lin-check --html`) and a batch (`run --html`). Each builds the page's data from
 * structured results (trace records, the checker's result, the run summary) and renders one self-contained file.
 */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkHistory, pairNativeEvents } from '../../properties/linearizability/index.js';
import type { ParsedHistory } from '../../properties/linearizability/parse/index.js';
import { etcdRegisterModel } from '../../properties/linearizability/models/etcd-register.js';
import { kvMapModel } from '../../properties/linearizability/models/kv-map.js';
import { registerMapModel } from '../../properties/linearizability/models/register-map.js';
import type { LinResult } from '../../properties/linearizability/result.js';
import type { Verdict } from '../../scenarios/run-seed.js';
import { UsageError } from '../errors.js';
import { buildBatchData } from './batch-model.js';
import type { BatchSummaryInput } from './batch-model.js';
import { buildClusterData } from './cluster-model.js';
import { historyFromNative, historyFromOps } from './history-model.js';
import type { HistoryData } from './history-model.js';
import { renderPage } from './page.js';

export interface RunPageContext {
  /** What the page's title calls the run: `replay`, `shrink`, a failure class. */
  readonly label: string;
  /** Extra lines under the title (a repro command, a plan file). */
  readonly lines?: readonly string[];
}

/**
 * The page of one recorded run: the cluster view and the client history view on one time axis, opened on
 * the first violation. The verdict must have been recorded (`record: true`): the page is drawn from its records.
 */
export function runPage(verdict: Verdict, context: RunPageContext): string {
  if (verdict.trace === null) throw new Error('runPage needs a recorded verdict (record: true)');
  const endMs = verdict.stats.simulatedMs;
  const lin = checkHistory(verdict.history);
  const ops = pairNativeEvents(verdict.history);
  const history = historyFromNative(verdict.history, ops, lin, endMs);
  const failing = lin.explanation?.failing;
  const historyFocus = failing?.callAtMs === undefined ? null : { startMs: failing.callAtMs, endMs: failing.retAtMs ?? endMs };
  const cluster = buildClusterData({ nodeCount: verdict.nodes, trace: verdict.trace, violations: verdict.violations, endMs, historyFocus });
  const first = verdict.violations[0];
  return renderPage({
    kind: 'run',
    title: `${context.label}: seed ${verdict.seed}, scenario ${verdict.scenario}, ${verdict.nodes} nodes, ${verdict.implementation}`,
    summary: [
      first === undefined ? 'every property held' : `✘ ${first.property} at ${first.atMs} ms: ${first.message}`,
      `${verdict.stats.events} events, ${endMs} ms simulated, ${verdict.stats.leadersElected} leader elections, max term ${verdict.stats.maxTerm}; trace hash ${verdict.traceHash}`,
      ...(context.lines ?? []),
    ],
    ok: verdict.ok,
    cluster,
    history,
  });
}

function historyOfParsed(parsed: ParsedHistory, result: LinResult): HistoryData {
  switch (parsed.format) {
    case 'jsonl':
      return historyFromOps({ ops: parsed.ops, describe: (i, o) => registerMapModel.describeOperation(i, o), keyOf: (i) => i.key }, result);
    case 'jepsen-etcd':
      return historyFromOps({ ops: parsed.ops, describe: (i, o) => etcdRegisterModel.describeOperation(i, o), keyOf: (i) => etcdRegisterModel.partition?.(i) ?? '' }, result);
    case 'porcupine-kv':
      return historyFromOps({ ops: parsed.ops, describe: (i, o) => kvMapModel.describeOperation(i, o), keyOf: (i) => kvMapModel.partition?.(i) ?? '' }, result);
  }
}

/** The page of a recorded history file (`lin-check --html`): the history view alone. */
export function historyPage(file: string, parsed: ParsedHistory, result: LinResult, summary: readonly string[]): string {
  return renderPage({
    kind: 'history',
    title: `lin-check: ${file} (${parsed.format})`,
    summary,
    ok: result.verdict === 'linearizable',
    history: historyOfParsed(parsed, result),
  });
}

/** The page of a batch (`run --html`); `hrefOf` names each failure class's page when artifacts were written. */
export function batchPage(summary: BatchSummaryInput, hrefOf?: (classIndex: number) => string | null): string {
  const range = `seeds ${summary.seedStart}..${summary.seedStart + summary.runs - 1}`;
  return renderPage({
    kind: 'batch',
    title: `run: ${range}, scenario ${summary.scenario}, ${summary.implementation}`,
    summary: [summary.failed === 0 ? `${summary.passed} passed` : `${summary.passed} passed, ${summary.failed} failed in ${summary.classes.length} failure class(es)`],
    ok: summary.failed === 0 && !summary.interrupted,
    batch: buildBatchData(summary, hrefOf),
  });
}

/**
 * Writes a page; a path that cannot be written is a usage error (one line, exit 2) naming the file. Callers
 * check the path before long work with {@link checkHtmlPath}, so this fails only if the disk changed meanwhile.
 */
export function writeHtml(file: string, page: string): void {
  try {
    writeFileSync(file, page);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--html ${file}: cannot write the report (${typeof code === 'string' ? code : String(error)})`);
  }
}

/**
 * Checks an `--html FILE` argument before the work that produces it (so a typo never costs a run or a
 * shrink): a non-empty path that is not a folder, in a folder that exists and can be written. Null when absent.
 */
export function checkHtmlPath(raw: unknown): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw.trim() === '') throw new UsageError(`expected --html to name a file to write, got ${JSON.stringify(raw)}`);
  if (existsSync(raw) && statSync(raw).isDirectory()) throw new UsageError(`--html ${raw}: is a folder; name a file to write, e.g. ${join(raw, 'report.html')}`);
  try {
    accessSync(dirname(resolve(raw)), constants.W_OK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--html ${raw}: cannot write there (${code === 'ENOENT' ? 'no such folder' : String(code ?? error)})`);
  }
  return raw;
}
