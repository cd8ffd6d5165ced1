/**
 * `seaworthy merge FILES...`: combine the JSON summaries of several `run` batches (the shards of a CI matrix
 * or of a Kubernetes indexed Job) into one summary, printed like `run`'s, and optionally one JUnit report
 * and one JSON file. Exit 1 when the merged batch has failures, 0 when not, 2 for a file that is missing,
 * not a summary, or cannot be merged with the others.
 */
import { readFileSync } from 'node:fs';
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import { handleWith } from '../command-context.js';
import { EXIT_PASS, EXIT_VIOLATION, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { junitXml } from '../junit.js';
import { MergeError, mergeSummaries, runSummarySchema } from '../merge-summaries.js';
import type { MergedSummary, MergeInput } from '../merge-summaries.js';
import { checkReportFile, writeReportFile } from '../report-file.js';
import { printSummary } from './run.js';
import type { RunSummary } from './run.js';

export interface MergeArgs {
  readonly files: readonly unknown[];
  readonly json: boolean;
  readonly junit?: unknown;
  readonly jsonFile?: unknown;
}

/**
 * Reads one summary: a file written by `run --json-file`, or `run --json`'s stdout saved to a file (its last
 * non-empty line is the summary). A summary of a skipped batch (nothing ran) yields null.
 */
export function readSummaryFile(file: string): RunSummary | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`cannot read summary file ${JSON.stringify(file)}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code ?? error)}; expected a file written by 'run --json-file'`);
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let doc: unknown;
  try {
    doc = JSON.parse(lines[lines.length - 1] ?? '');
  } catch {
    throw new UsageError(`bad summary file ${JSON.stringify(file)}: its last line is not JSON; expected a file written by 'run --json-file' or 'run --json'`);
  }
  if (typeof doc === 'object' && doc !== null && (doc as { skipped?: unknown }).skipped === true) return null;
  const parsed = runSummarySchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`bad summary file ${JSON.stringify(file)}: ${issue === undefined ? 'not a run summary' : `${issue.path.join('.') || '(top)'}: ${issue.message}`}; expected a file written by 'run --json-file'`);
  }
  return parsed.data as unknown as RunSummary;
}

export async function executeMerge(args: MergeArgs, io: Io): Promise<number> {
  const junitFile = args.junit === undefined ? null : checkReportFile('--junit', args.junit);
  const jsonFile = args.jsonFile === undefined ? null : checkReportFile('--json-file', args.jsonFile);
  const files = args.files.map(String);
  if (files.length === 0) throw new UsageError('expected one or more summary files (from run --json-file)');
  const inputs: MergeInput[] = [];
  for (const file of files) {
    const summary = readSummaryFile(file);
    if (summary !== null) inputs.push({ file, summary });
  }
  if (inputs.length === 0) throw new UsageError('every summary given is of a skipped batch (nothing ran): nothing to merge');
  let merged: MergedSummary;
  try {
    merged = mergeSummaries(inputs);
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(error.message);
    throw error;
  }
  const json = JSON.stringify(merged);
  if (jsonFile !== null) writeReportFile('--json-file', jsonFile, `${json}\n`, io);
  if (junitFile !== null) writeReportFile('--junit', junitFile, junitXml(merged), io);
  if (args.json) io.stdout(json);
  else {
    const m = merged.merged;
    const shards = m.shardCount === null ? '' : `, shards of ${m.shardCount}`;
    io.stdout(chalk.bold(`seaworthy merge: ${m.summaries} summaries${shards}`));
    if (m.missingShards.length > 0) io.stdout(chalk.yellow(`⚠ shard${m.missingShards.length === 1 ? '' : 's'} ${m.missingShards.join(', ')} of ${m.shardCount ?? '?'} missing: the merged batch is incomplete`));
    if (merged.interrupted) io.stdout(chalk.yellow('⚠ at least one shard was interrupted: the merged summary covers the seeds that finished'));
    printSummary(merged, io);
  }
  const reproducible = merged.determinism === undefined || merged.determinism.nondeterministic.length === 0;
  return merged.failed === 0 && reproducible ? EXIT_PASS : EXIT_VIOLATION;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <files..>',
  describe: 'merge the JSON summaries of several runs (e.g. the shards of a CI matrix) into one summary and report',
  builder: (y: Argv) =>
    y
      .positional('files', { describe: 'summary files written by run --json-file (or run --json output)', type: 'string', array: true })
      .option('junit', { describe: 'write the merged JUnit XML report to this file', type: 'string' })
      .option('json-file', { describe: 'write the merged JSON summary to this file too', type: 'string' })
      .option('json', { describe: 'print the merged JSON summary as the last line of stdout', type: 'boolean', default: false }) as unknown as Argv<MergeArgs>,
  handler: handleWith(executeMerge),
};
