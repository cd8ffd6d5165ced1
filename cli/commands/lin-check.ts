/**
 * `seaworthy lin-check <files..>`: checks recorded histories (native jsonl, Jepsen etcd logs, Porcupine kv
 * histories) for linearizability. Exit 0 when all are linearizable, 1 when any is not or is undecided, and a
 * thrown UsageError (exit 2) for unreadable or malformed input.
 */
import { readFile } from 'node:fs/promises';
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import { HistoryError } from '../../properties/linearizability/history.js';
import { describeExplanation } from '../../properties/linearizability/explain.js';
import { checkParsed, HISTORY_FORMATS, parseHistory } from '../../properties/linearizability/parse/index.js';
import type { HistoryFormat, ParsedHistory } from '../../properties/linearizability/parse/index.js';
import type { LinResult } from '../../properties/linearizability/result.js';
import { EXIT_PASS, EXIT_VIOLATION, UsageError } from '../errors.js';
import { handleWith } from '../command-context.js';

export interface LinCheckArgs {
  readonly files: readonly string[];
  readonly format?: HistoryFormat;
  readonly json: boolean;
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
 * Reads and parses every file first (so bad input fails before any output), then checks each. Returns the
 * exit code; throws UsageError naming the file (and line) for a missing or malformed file.
 */
export async function runLinCheck(args: LinCheckArgs, out: LinCheckOutput): Promise<number> {
  if (args.files.length === 0) throw new UsageError('lin-check expects at least one history file');
  const histories: ParsedHistory[] = [];
  for (const file of args.files) histories.push(await load(file, args.format));
  let exitCode = EXIT_PASS;
  histories.forEach((history, index) => {
    const file = args.files[index] as string;
    const startMs = performance.now();
    const result = checkParsed(history);
    const ms = performance.now() - startMs;
    if (result.verdict !== 'linearizable') exitCode = EXIT_VIOLATION;
    if (args.json) {
      out.stdout(JSON.stringify({ file, linearizable: jsonVerdict(result), ops: result.ops, ms: Math.round(ms * 100) / 100 }));
      return;
    }
    out.stdout(humanLine(file, result, ms));
    if (result.verdict !== 'linearizable') for (const line of describeExplanation(result)) out.stdout(`  ${line}`);
  });
  return exitCode;
}

interface LinCheckOptions {
  readonly files: string[];
  readonly format: HistoryFormat | undefined;
  readonly json: boolean;
}

export const linCheckCommand: CommandModule<object, LinCheckOptions> = {
  command: 'lin-check <files..>',
  describe: 'check recorded histories for linearizability (jsonl, Jepsen etcd logs, Porcupine kv histories)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'history files' })
      .option('format', { choices: HISTORY_FORMATS, describe: 'input format (inferred from content when absent)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON line per file' }) as unknown as Argv<LinCheckOptions>,
  handler: handleWith(async (args, io) => {
    const format = args.format;
    return runLinCheck({ files: args.files, json: args.json, ...(format === undefined ? {} : { format }) }, io);
  }),
};
