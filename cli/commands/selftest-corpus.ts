/**
 * `seaworthy selftest --corpus`: the default swarm against every mutant of the second Raft
 * (`mutation-corpus/`), printed as a table (or `--json`). Exit 1 when any mutant is uncaught within the seed
 * cap: the goal of issue 11 is that none is.
 */
import chalk from 'chalk';
import { isMutationName } from '../../mutation-corpus/index.js';
import type { MutationName } from '../../mutation-corpus/index.js';
import { CORPUS_SEEDS_MAX_DEFAULT, corpusScore, corpusTable, medianSecondsToCatch, runCorpusMutation, selectMutations } from '../corpus-selftest.js';
import type { CorpusOptions, CorpusRow } from '../corpus-selftest.js';
import { runCorpusInWorkers } from '../corpus-parallel.js';
import { EXIT_PASS, EXIT_VIOLATION, UsageError } from '../errors.js';
import type { Io } from '../io.js';

export interface CorpusArgs {
  /** `--nodes`; null: the size drawn per seed (the default swarm's). */
  readonly nodes: number | null;
  readonly shrinkBudget: number;
  readonly json: boolean;
  /** `--seeds-max N` (default 300). */
  readonly seedsMax: unknown;
  /** `--mutation NAME[,NAME...]`: only these mutants (a flag is given once, so several are comma-separated). */
  readonly mutation: unknown;
  /** `--jobs N` (default 1, so the seconds are one core's). */
  readonly jobs: unknown;
  /** `--guided`: each mutant's seeds run as a guided batch (run --guided) instead of the plain swarm. */
  readonly guided?: boolean;
}

/** The `--mutation` names (comma-separated), each checked against the catalog. */
export function parseMutations(raw: unknown): MutationName[] {
  if (raw === undefined) return [];
  const names = String(raw).split(',').map((n) => n.trim());
  return names.map((name) => {
    if (!isMutationName(name)) throw new UsageError(`--mutation expects mutations of the corpus, comma-separated (see docs/mutation-corpus.md), got ${JSON.stringify(name)}`);
    return name;
  });
}

function parseWhole(flag: string, raw: unknown, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'boolean' || raw === '' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UsageError(`--${flag} expects a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export async function executeCorpusSelftest(args: CorpusArgs, io: Io): Promise<number> {
  const options: CorpusOptions = { nodes: args.nodes, seedsMax: parseWhole('seeds-max', args.seedsMax, CORPUS_SEEDS_MAX_DEFAULT, 100_000), shrinkBudget: args.shrinkBudget, ...(args.guided === true ? { guided: true } : {}) };
  const jobs = parseWhole('jobs', args.jobs, 1, 256);
  const mutations = selectMutations(parseMutations(args.mutation));
  if (!args.json) {
    io.stdout(chalk.bold(`seaworthy selftest --corpus: ${mutations.length} mutants of paper-raft, default swarm${options.guided === true ? ' (guided)' : ''}, ${options.nodes === null ? 'cluster size drawn per seed' : `${options.nodes} nodes`}, seeds 1..${options.seedsMax}, shrink budget ${options.shrinkBudget} runs, ${jobs} job${jobs === 1 ? '' : 's'}`));
  }
  const progress = (row: CorpusRow): void => {
    if (io.interactive) io.stderr(chalk.dim(`  ${row.name}: ${row.caught ? `caught at seed ${row.seeds}` : 'not caught'}`));
  };
  const rows: CorpusRow[] = [];
  if (jobs > 1) rows.push(...(await runCorpusInWorkers(mutations, options, jobs, progress)));
  else {
    for (const mutation of mutations) {
      const row = runCorpusMutation(mutation, { ...options, measureCpu: true });
      progress(row);
      rows.push(row);
    }
  }
  const score = corpusScore(rows);
  const median = medianSecondsToCatch(rows);
  // Equivalent mutants run and are reported, but cannot fail any test, so they do not decide the exit code.
  const ok = score.uncaught.length === 0;
  if (args.json) {
    io.stdout(JSON.stringify({ ok, implementation: 'paper-raft', scenario: 'default', ...(options.guided === true ? { guided: true } : {}), nodes: options.nodes, seedsMax: options.seedsMax, jobs, caught: rows.filter((r) => r.caught).length, total: rows.length, counted: score.counted, caughtCounted: score.caught, equivalent: score.equivalent, medianSecondsToCatch: median, medianClock: jobs === 1 ? 'cpu' : 'wall', bugs: rows }));
    return ok ? EXIT_PASS : EXIT_VIOLATION;
  }
  for (const line of corpusTable(rows, options.seedsMax)) io.stdout(line);
  const unit = jobs === 1 ? 'CPU s' : 's';
  const equivalent = score.equivalent.length === 0 ? '' : ` (${score.equivalent.length} equivalent mutant${score.equivalent.length === 1 ? '' : 's'} run but not counted: ${score.equivalent.join(', ')})`;
  const summary = `${score.caught} of ${score.counted} caught within ${options.seedsMax} seeds${equivalent}; median ${median === null ? '–' : median.toFixed(2)} ${unit} to the first failure (caught ones)`;
  io.stdout(ok ? chalk.green(`✔ ${summary}`) : chalk.red(`✘ ${summary}; uncaught: ${score.uncaught.join(', ')}`));
  return ok ? EXIT_PASS : EXIT_VIOLATION;
}
