/**
 * `seaworthy lin-check <files..>`: checks recorded histories (native jsonl, Jepsen etcd logs, Porcupine kv
 * histories) for linearizability. Exit 0 when all are linearizable, 1 when any is not, 3 when none is proven
 * non-linearizable but some could not be decided within `--timeout` (or the search budget), and a thrown
 * UsageError (exit 2) for unreadable, malformed or empty input.
 */
import { readFile } from 'node:fs/promises';
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import { HistoryError } from '../../properties/linearizability/history.js';
import { describeExplanation } from '../../properties/linearizability/explain.js';
import { checkParsed, HISTORY_FORMATS, parseHistory } from '../../properties/linearizability/parse/index.js';
import type { HistoryFormat, ParsedHistory } from '../../properties/linearizability/parse/index.js';
import type { LinResult } from '../../properties/linearizability/result.js';
import { EXIT_PASS, EXIT_UNDECIDED, EXIT_VIOLATION, UsageError } from '../errors.js';
import { handleWith } from '../command-context.js';
import { checkHtmlPath, historyPage, writeHtml } from '../html/report.js';

/** Wall-clock time allowed per file when `--timeout` is absent, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

export interface LinCheckArgs {
  readonly files: readonly string[];
  readonly format?: HistoryFormat;
  readonly json: boolean;
  /** Wall-clock time allowed per file, in seconds; 0 = no limit. Default {@link DEFAULT_TIMEOUT_SECONDS}. */
  readonly timeoutSeconds?: number;
  /** Accept a history with no operations (otherwise a usage error: an empty recording hides a broken recorder). */
  readonly allowEmpty?: boolean;
  /** The clock for `--timeout`, in ms; injectable so tests can expire the deadline without waiting. */
  readonly nowMs?: () => number;
  /** `--html FILE`: draw the (single) history's view there, with the explanation highlighted when it fails. */
  readonly html?: string;
}

/** Parses `--timeout`: a number of seconds, at least 0 (0 = no limit). Throws a one-line UsageError. */
export function parseTimeoutSeconds(text: string): number {
  const seconds = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`expected --timeout to be a number of seconds (0 for no limit), got ${JSON.stringify(text)}`);
  }
  return seconds;
}

export interface LinCheckOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

async function load(file: string, format: HistoryFormat | undefined): Promise<ParsedHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? error);
    throw new UsageError(`${file}: cannot read the history: ${reason}`);
  }
  try {
    return parseHistory(text, format);
  } catch (error) {
    if (error instanceof HistoryError) throw new UsageError(`${file}:${String(error.position)}: ${error.problem}`);
    throw error;
  }
}

/** Why a file is undecided, in the CLI's words: the wall-clock limit, or the search budget. */
function undecidedBy(result: LinResult): 'timeout' | 'budget' {
  return result.stoppedBy === 'interrupt' ? 'timeout' : 'budget';
}

function jsonVerdict(result: LinResult): boolean | 'unknown' {
  return result.verdict === 'unknown' ? 'unknown' : result.verdict === 'linearizable';
}

function humanLine(file: string, result: LinResult, ms: number): string {
  const label =
    result.verdict === 'linearizable'
      ? chalk.green('linearizable    ')
      : result.verdict === 'not-linearizable'
        ? chalk.red('NOT linearizable')
        : chalk.yellow('unknown         ');
  return `${label}  ${file}  ${chalk.dim(`(${String(result.ops)} ops, ${ms.toFixed(1)} ms)`)}`;
}

/**
 * Reads and parses every file first (so bad input fails before any output), then checks each within its
 * wall-clock limit. Returns the exit code: 1 if any file is not linearizable, else 3 if any is undecided, else
 * 0. Throws UsageError naming the file (and line) for a missing, malformed or (without `allowEmpty`) empty file.
 */
export async function runLinCheck(args: LinCheckArgs, out: LinCheckOutput): Promise<number> {
  if (args.files.length === 0) throw new UsageError('lin-check expects at least one history file');
  const htmlFile = checkHtmlPath(args.html);
  if (htmlFile !== null && args.files.length !== 1) throw new UsageError(`--html draws one history, got ${String(args.files.length)} files: check them one at a time`);
  const histories: ParsedHistory[] = [];
  for (const file of args.files) {
    const history = await load(file, args.format);
    if (history.ops.length === 0 && args.allowEmpty !== true) {
      throw new UsageError(`${file}: the history has no operations (did the recorder write nothing?); pass --allow-empty to accept it`);
    }
    histories.push(history);
  }
  const nowMs = args.nowMs ?? ((): number => performance.now());
  const timeoutMs = (args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  let sawViolation = false;
  let sawUndecided = false;
  histories.forEach((history, index) => {
    const file = args.files[index] as string;
    const startMs = nowMs();
    const deadlineMs = startMs + timeoutMs;
    // The wall clock lives here, in cli/: the checker only polls this callback and never reads a clock.
    // The step budget still bounds memory; work is bounded by the deadline instead of a work budget.
    const limits = timeoutMs === 0 ? {} : { interrupted: (): boolean => nowMs() >= deadlineMs };
    const result = checkParsed(history, { ...limits, workBudget: Number.POSITIVE_INFINITY });
    const ms = nowMs() - startMs;
    if (result.verdict === 'not-linearizable') sawViolation = true;
    if (result.verdict === 'unknown') sawUndecided = true;
    if (htmlFile !== null) {
      writeHtml(htmlFile, historyPage(file, history, result, describeExplanation(result).slice(0, 2).map((l) => l.trim())));
      if (!args.json) out.stdout(`wrote ${htmlFile}`);
    }
    if (args.json) {
      const row = { file, linearizable: jsonVerdict(result), ops: result.ops, ms: Math.round(ms * 100) / 100 };
      out.stdout(JSON.stringify(result.verdict === 'unknown' ? { ...row, undecidedBy: undecidedBy(result) } : row));
      return;
    }
    out.stdout(humanLine(file, result, ms));
    if (result.verdict === 'linearizable') return;
    const lines = describeExplanation(result);
    if (result.verdict === 'unknown' && undecidedBy(result) === 'timeout') {
      lines[0] = `unknown: not decided within --timeout ${String(timeoutMs / 1000)} s (${String(result.steps)} steps, ${String(result.work)} work units)`;
      lines[lines.length - 1] = '  allow more time with --timeout SECONDS to decide';
    }
    for (const line of lines) out.stdout(`  ${line}`);
  });
  return sawViolation ? EXIT_VIOLATION : sawUndecided ? EXIT_UNDECIDED : EXIT_PASS;
}

interface LinCheckOptions {
  readonly files: string[];
  readonly format: HistoryFormat | undefined;
  readonly json: boolean;
  readonly timeout: string | undefined;
  readonly allowEmpty: boolean;
  readonly html: string | undefined;
}

export const linCheckCommand: CommandModule<object, LinCheckOptions> = {
  command: 'lin-check <files..>',
  describe: 'check recorded histories for linearizability (jsonl, Jepsen etcd logs, Porcupine kv histories)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'history files' })
      .option('format', { choices: HISTORY_FORMATS, describe: 'input format (inferred from content when absent)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON line per file' })
      .option('timeout', {
        type: 'string',
        describe: `wall-clock seconds per file before answering unknown (exit 3); 0 = no limit [default: ${String(DEFAULT_TIMEOUT_SECONDS)}]`,
      })
      .option('allow-empty', { type: 'boolean', default: false, describe: 'accept a history with no operations (otherwise exit 2)' })
      .option('html', { type: 'string', describe: 'write a self-contained HTML view of the history (one file) to FILE, the failing operation highlighted' }) as unknown as Argv<LinCheckOptions>,
  handler: handleWith(async (args, io) => {
    const format = args.format;
    const timeoutSeconds = args.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : parseTimeoutSeconds(args.timeout);
    return runLinCheck({ files: args.files, json: args.json, timeoutSeconds, allowEmpty: args.allowEmpty, ...(format === undefined ? {} : { format }), ...(args.html === undefined ? {} : { html: args.html }) }, io);
  }),
};
