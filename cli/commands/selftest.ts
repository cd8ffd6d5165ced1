/**
 * `seaworthy selftest`: proves the checkers have teeth on this machine. Every planted bug runs against its
 * own scenario from seed 1 until it is caught (at most its `seedsToCatchMax` seeds); its first failure is
 * shrunk under a small budget. Exit 1 when any planted bug goes uncaught.
 */
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import { PLANTED_BUGS } from '../../scenarios/planted-bugs.js';
import type { PlantedBug } from '../../scenarios/planted-bugs.js';
import { runSeed } from '../../scenarios/run-seed.js';
import { shrinkFailure } from '../../scenarios/shrink.js';
import { EXIT_PASS, EXIT_VIOLATION } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';
import { parseCount, parseNodes } from '../options.js';
import { resolveTarget } from '../target.js';
import { CORPUS_SEEDS_MAX_DEFAULT } from '../corpus-selftest.js';
import { executeCorpusSelftest } from './selftest-corpus.js';

export const SELFTEST_SHRINK_BUDGET_DEFAULT = 50;

export interface SelftestArgs {
  readonly nodes: unknown;
  readonly shrinkBudget: unknown;
  readonly json: boolean;
  /** `--corpus`: the default swarm against the mutation corpus instead of the planted bugs' own scenarios. */
  readonly corpus?: boolean;
  readonly seedsMax?: unknown;
  /** `--guided` with `--corpus`: each mutant's seeds run as a guided batch. */
  readonly guided?: boolean;
  readonly mutation?: unknown;
  readonly jobs?: unknown;
}

/** One planted bug's result (a public interface: fields are only ever added). */
export interface SelftestBug {
  readonly name: string;
  readonly scenario: string;
  readonly caught: boolean;
  /** Seeds run until the first failure (the bound when uncaught). */
  readonly seeds: number;
  readonly property: string | null;
  /** Wall time to catch it, in ms. */
  readonly ms: number;
  readonly planEventsBefore: number | null;
  readonly planEventsAfter: number | null;
  readonly clientOpsBefore: number | null;
  readonly clientOpsAfter: number | null;
  readonly shrinkRuns: number;
  readonly shrinkMs: number;
}

export async function selftestBug(bug: PlantedBug, nodes: number, shrinkBudget: number): Promise<SelftestBug> {
  const target = await resolveTarget({ nodes, scenario: undefined, bug: bug.name, safetyOnly: false });
  const started = Date.now();
  let seed = 1;
  let caught = false;
  for (; seed <= bug.seedsToCatchMax; seed++) {
    if (!runSeed({ ...target.base, seed }).ok) {
      caught = true;
      break;
    }
  }
  const ms = Date.now() - started;
  const none = { property: null, planEventsBefore: null, planEventsAfter: null, clientOpsBefore: null, clientOpsAfter: null, shrinkRuns: 0, shrinkMs: 0 };
  if (!caught) return { name: bug.name, scenario: target.scenario.name, caught, seeds: bug.seedsToCatchMax, ms, ...none };
  const shrinkStarted = Date.now();
  const outcome = shrinkFailure({ config: { ...target.base, seed }, budget: shrinkBudget });
  const shrinkMs = Date.now() - shrinkStarted;
  if (outcome === null) return { name: bug.name, scenario: target.scenario.name, caught, seeds: seed, ms, ...none, shrinkMs };
  return {
    name: bug.name,
    scenario: target.scenario.name,
    caught,
    seeds: seed,
    property: outcome.property,
    ms,
    planEventsBefore: outcome.before.events,
    planEventsAfter: outcome.after.events,
    clientOpsBefore: outcome.before.clientOps,
    clientOpsAfter: outcome.after.clientOps,
    shrinkRuns: outcome.runs,
    shrinkMs,
  };
}

export async function executeSelftest(args: SelftestArgs, io: Io): Promise<number> {
  const budget = parseCount('shrink-budget', args.shrinkBudget ?? SELFTEST_SHRINK_BUDGET_DEFAULT);
  // The corpus measures the default swarm, which draws the cluster size per seed unless --nodes is given.
  if (args.corpus === true) return executeCorpusSelftest({ nodes: args.nodes === undefined ? null : parseNodes(args.nodes), shrinkBudget: budget, json: args.json, seedsMax: args.seedsMax, mutation: args.mutation, jobs: args.jobs, ...(args.guided === true ? { guided: true } : {}) }, io);
  // The planted bugs' seed bounds were measured on 5 nodes, their scenarios' standard size.
  const nodes = parseNodes(args.nodes ?? 5);
  const bugs: SelftestBug[] = [];
  if (!args.json) io.stdout(chalk.bold(`seaworthy selftest: ${PLANTED_BUGS.length} planted bugs, ${nodes} nodes, shrink budget ${budget} runs`));
  for (const bug of PLANTED_BUGS) {
    if (io.interactive) io.stderr(chalk.dim(`  running ${bug.name} …`));
    const r = await selftestBug(bug, nodes, budget);
    bugs.push(r);
    if (!args.json) io.stdout(describeResult(r));
  }
  const ok = bugs.every((b) => b.caught);
  if (args.json) io.stdout(JSON.stringify({ ok, bugs }));
  else io.stdout(ok ? chalk.green(`✔ all ${bugs.length} planted bugs caught`) : chalk.red(`✘ uncaught: ${bugs.filter((b) => !b.caught).map((b) => b.name).join(', ')}`));
  return ok ? EXIT_PASS : EXIT_VIOLATION;
}

function describeResult(r: SelftestBug): string {
  const name = r.name.padEnd(20);
  if (!r.caught) return `${chalk.red('✘')} ${name} NOT caught by ${r.scenario} within ${r.seeds} seeds (${r.ms} ms)`;
  const shrunk = r.planEventsBefore === null ? '' : `; shrunk ${r.planEventsBefore} → ${r.planEventsAfter} fault events, ${r.clientOpsBefore} → ${r.clientOpsAfter} client ops in ${r.shrinkRuns} runs (${r.shrinkMs} ms)`;
  return `${chalk.green('✔')} ${name} caught by ${r.scenario} at seed ${r.seeds} (${r.property}, ${r.ms} ms)${shrunk}`;
}

export const selftestCommand: CommandModule<object, SelftestArgs> = {
  command: 'selftest',
  describe: 'run every planted bug until it is caught, shrink each failure, and report',
  builder: (y: Argv) =>
    y
      .option('nodes', { describe: 'cluster size, 1 to 7 (default 5 for the planted bugs; with --corpus, drawn per seed as the default swarm does)' })
      .option('shrink-budget', { describe: `most runs each shrink may try (default ${SELFTEST_SHRINK_BUDGET_DEFAULT})` })
      .option('json', { describe: 'print one JSON object as the last line of stdout', type: 'boolean', default: false })
      .option('corpus', { describe: 'run the default swarm against each mutant of the second Raft (mutation-corpus/) and print the table', type: 'boolean', default: false })
      .option('seeds-max', { describe: `with --corpus: seeds per mutant before it counts as uncaught (default ${CORPUS_SEEDS_MAX_DEFAULT})` })
      .option('mutation', { describe: 'with --corpus: only these mutants (comma-separated names)', type: 'string' })
      .option('guided', { describe: 'with --corpus: run each mutant\'s seeds as a guided batch (run --guided) instead of the plain swarm', type: 'boolean', default: false })
      .option('jobs', { describe: 'with --corpus: worker threads running mutants in parallel (default 1, so seconds are one core\'s)' }) as unknown as Argv<SelftestArgs>,
  handler: handleWith(executeSelftest),
};
