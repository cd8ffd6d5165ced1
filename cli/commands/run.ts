/** `seaworthy run`: many seeds, a progress bar on a terminal, a human summary or a JSON last line. */
import chalk from 'chalk';
import cliProgress from 'cli-progress';
import type { Argv, CommandModule } from 'yargs';
import { runSeed } from '../../scenarios/run-seed.js';
import { EXIT_PASS, EXIT_VIOLATION } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';
import { parseCount, parseSeed, replayCommand } from '../options.js';
import { resolveTarget } from '../target.js';
import { runSeedsInWorkers } from '../parallel.js';
import { summarize } from '../seed-summary.js';
import type { SeedSummary } from '../seed-summary.js';
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { missingCapabilities, skipNotice } from '../adapters/capabilities.js';
import { verifyDeterminism } from '../adapters/determinism.js';
import type { DeterminismReport, SeedOutcome } from '../adapters/determinism.js';
import { groupFailures } from '../corpus.js';
import type { FailureClass } from '../corpus.js';
import { FAILURES_DIR_DEFAULT, printShrinkReport, shrinkAndSave, widthOf } from './shrink.js';
import { checkOutDir } from '../out-dir.js';
import { seaworthyVersion } from '../version.js';
import type { ShrinkReport } from './shrink.js';
import { SHRINK_BUDGET_DEFAULT } from '../../scenarios/shrink.js';
import type { ShrinkOutcome } from '../../scenarios/shrink.js';

export interface RunArgs {
  readonly seeds: unknown;
  readonly seedStart: unknown;
  readonly nodes: unknown;
  readonly scenario: unknown;
  readonly bug: unknown;
  readonly json: boolean;
  readonly safetyOnly: boolean;
  readonly impl?: unknown;
  readonly implCmd?: unknown;
  readonly implTimeout?: unknown;
  /** `--verify-determinism`: rerun failing seeds and a sample of passing ones, compare trace hashes. */
  readonly verifyDeterminism?: boolean;
  /** `--shrink`: shrink the first seed of each failure class and save its minimal plan. */
  readonly shrink?: boolean;
  readonly out?: unknown;
  readonly shrinkBudget?: unknown;
  /** `--jobs N`: worker threads running seeds in parallel. */
  readonly jobs?: unknown;
}

/** Below this many seeds per job, starting worker threads costs more than it saves. */
const SEEDS_PER_JOB_MIN = 8;

/**
 * How many worker threads to run seeds on: `--jobs` if given, else one per core for the built-in core and
 * planted bugs; a user's implementation runs on one thread unless asked (its processes and notices live there).
 */
function parseJobs(raw: unknown, custom: boolean, seeds: number): number {
  if (raw !== undefined) {
    const value = Number(raw);
    if (typeof raw === 'boolean' || !Number.isSafeInteger(value) || value < 1 || value > 256) throw new UsageError(`--jobs expects a whole number from 1 to 256, got ${JSON.stringify(raw)}`);
    return Math.min(value, seeds);
  }
  if (custom) return 1;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(seeds / SEEDS_PER_JOB_MIN)));
}

export interface RunFailure {
  readonly seed: number;
  readonly property: string;
  readonly message: string;
  readonly atMs: number;
  readonly repro: string;
}

/** The JSON summary: a public interface (fields are only ever added). */
export interface RunSummary {
  /** Seaworthy's version (package.json), so a saved summary says which simulator produced it. */
  readonly version: string;
  readonly runs: number;
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly RunFailure[];
  readonly events: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly seedStart: number;
  readonly scenario: string;
  readonly nodes: number;
  readonly bug: string | null;
  readonly implementation: string;
  /** Injected faults by kind, summed over the runs. */
  readonly faults: Readonly<Record<string, number>>;
  readonly clientOps: { ok: number; fail: number; info: number };
  /** Coverage probes: how often each named Raft event happened over the batch. */
  readonly probes: Readonly<Record<string, number>>;
  /** Probes never hit in this batch. */
  readonly probesMissed: readonly string[];
  /** Runs that ended in an `implementation-error` (the implementation threw or broke the contract), not a property violation. */
  readonly implementationErrors: number;
  /** The scenario needs a capability the implementation lacks: nothing ran (exit 0). */
  readonly skipped?: boolean;
  /** Things the user should know, e.g. that a module used Math.random. */
  readonly notices?: readonly string[];
  /** With --verify-determinism: the seeds rerun and those that did not reproduce (exit 1 if any). */
  readonly determinism?: DeterminismReport;
  /** Failures grouped by signature (property and normalised message), in order of first failure. */
  readonly classes: readonly FailureClass[];
  /** With --shrink: the minimal plan of each class's first seed. */
  readonly shrunk?: readonly ShrinkReport[];
}

export async function executeRun(args: RunArgs, io: Io): Promise<number> {
  const seeds = parseCount('seeds', args.seeds);
  const seedStart = parseSeed('seed-start', args.seedStart ?? 1);
  const shrinkBudget = parseCount('shrink-budget', args.shrinkBudget ?? SHRINK_BUDGET_DEFAULT);
  // Checked before any seed runs, so a bad --out never costs the batch and its shrinks.
  const outDir = args.shrink === true ? checkOutDir(args.out, FAILURES_DIR_DEFAULT) : FAILURES_DIR_DEFAULT;
  const target = await resolveTarget(args);
  const { nodeCount, scenario, bug } = target;
  const missing = missingCapabilities(scenario, target.base.implementation);
  if (missing.length > 0) {
    target.custom?.close();
    const notice = skipNotice(scenario, target.base.implementation?.name ?? 'seaworthy-core', missing);
    if (args.json) io.stdout(JSON.stringify({ version: seaworthyVersion(), runs: 0, passed: 0, failed: 0, failures: [], seedStart, scenario: scenario.name, nodes: nodeCount, implementation: target.base.implementation?.name ?? 'seaworthy-core', implementationErrors: 0, skipped: true, missingCapabilities: missing, notices: [notice] }));
    else io.stdout(notice);
    return EXIT_PASS;
  }
  const outcomes: SeedOutcome[] = [];
  let implementationErrors = 0;

  const bar = io.interactive ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} seeds | {failed} failed | {rate} runs/s', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
  bar?.start(seeds, 0, { failed: 0, rate: '-' });
  const started = Date.now();
  const failures: RunFailure[] = [];
  const faults: Record<string, number> = {};
  const clientOps = { ok: 0, fail: 0, info: 0 };
  const probes: Record<string, number> = {};
  let events = 0;
  let simulatedMs = 0;
  let implementationName = target.base.implementation?.name ?? 'seaworthy-core';
  const seedList = Array.from({ length: seeds }, (_, i) => seedStart + i);
  let failedSoFar = 0;
  const onSeed = (summary: SeedSummary, done: number): void => {
    if (!summary.ok) failedSoFar++;
    if (bar !== null && (done % 10 === 0 || done === seeds)) {
      const elapsed = Math.max(1, Date.now() - started);
      bar.update(done, { failed: failedSoFar, rate: (done / (elapsed / 1000)).toFixed(0) });
    }
  };
  const jobs = parseJobs(args.jobs, target.custom !== null, seeds);
  const summaries =
    jobs > 1
      ? await runSeedsInWorkers(args, seedList, jobs, onSeed)
      : seedList.map((seed, i) => {
          const summary = summarize(runSeed({ ...target.base, seed }));
          onSeed(summary, i + 1);
          return summary;
        });
  // Aggregated in seed order, so the summary does not depend on how many jobs ran the batch.
  for (const summary of summaries) {
    const { seed } = summary;
    outcomes.push({ seed, ok: summary.ok, traceHash: summary.traceHash });
    if (summary.implementationError) implementationErrors++;
    implementationName = summary.implementation;
    events += summary.events;
    simulatedMs += summary.simulatedMs;
    for (const [kind, count] of Object.entries(summary.faults)) faults[kind] = (faults[kind] ?? 0) + count;
    for (const [name, count] of Object.entries(summary.probes)) probes[name] = (probes[name] ?? 0) + count;
    clientOps.ok += summary.clientOps.ok;
    clientOps.fail += summary.clientOps.fail;
    clientOps.info += summary.clientOps.info;
    const first = summary.firstViolation;
    if (first !== null) {
      failures.push({ seed, property: first.property, message: first.message, atMs: first.atMs, repro: replayCommand(seed, scenario.name, nodeCount, bug, target.custom === null ? '--trace' : `${target.custom.flags} --trace`) });
    }
  }
  bar?.stop();
  const wallMs = Date.now() - started;
  const determinism = args.verifyDeterminism === true ? verifyDeterminism(target.base, outcomes) : null;
  const notices = target.custom?.notices() ?? [];
  target.custom?.close();
  const classes = groupFailures(failures);
  const shrunk: { report: ShrinkReport; outcome: ShrinkOutcome }[] = [];
  if (args.shrink === true) {
    for (const c of classes) {
      const result = c.seeds[0] === undefined ? null : shrinkAndSave(target, c.seeds[0], { outDir, budget: shrinkBudget, progress: io.interactive });
      if (result !== null) shrunk.push(result);
    }
  }
  const summary: RunSummary = {
    version: seaworthyVersion(),
    runs: seeds,
    passed: seeds - failures.length,
    failed: failures.length,
    failures,
    events,
    simulatedMs,
    wallMs,
    seedStart,
    scenario: scenario.name,
    nodes: nodeCount,
    bug: bug?.name ?? null,
    implementation: implementationName,
    faults,
    clientOps,
    probes,
    probesMissed: Object.entries(probes).filter(([, n]) => n === 0).map(([name]) => name),
    implementationErrors,
    ...(notices.length > 0 ? { notices } : {}),
    ...(determinism === null ? {} : { determinism }),
    classes,
    ...(args.shrink === true ? { shrunk: shrunk.map((s) => s.report) } : {}),
  };
  if (args.json) io.stdout(JSON.stringify(summary));
  else {
    printSummary(summary, io);
    for (const s of shrunk) printShrinkReport(s.report, s.outcome, io, { width: widthOf(undefined), nodeCount });
  }
  const reproducible = determinism === null || determinism.nondeterministic.length === 0;
  return failures.length === 0 && reproducible ? EXIT_PASS : EXIT_VIOLATION;
}

const FAILURES_SHOWN_MAX = 20;

function printSummary(s: RunSummary, io: Io): void {
  const seconds = s.wallMs / 1000;
  io.stdout(chalk.bold(`seaworthy run: seeds ${s.seedStart}..${s.seedStart + s.runs - 1}, scenario ${s.scenario}, ${s.nodes} nodes, ${s.implementation}`));
  const rate = seconds > 0 ? `${(s.runs / seconds).toFixed(0)} runs/s, ${formatCount(s.events / seconds)} events/s` : '';
  const verdict = s.failed === 0 ? chalk.green(`✔ ${s.passed} passed`) : `${chalk.green(`${s.passed} passed`)}, ${chalk.red(`✘ ${s.failed} failed`)}`;
  io.stdout(`${verdict} in ${seconds.toFixed(1)} s (${rate}); simulated ${formatDuration(s.simulatedMs)}, ${formatCount(s.events)} events`);
  const faultText = Object.entries(s.faults).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  io.stdout(chalk.dim(`faults injected: ${faultText}`));
  io.stdout(chalk.dim(`client operations: ${s.clientOps.ok} ok, ${s.clientOps.fail} failed, ${s.clientOps.info} indeterminate`));
  if (s.implementationErrors > 0) io.stdout(chalk.red(`${s.implementationErrors} run(s) ended in an implementation error (the implementation threw or broke the contract), not a property violation`));
  for (const notice of s.notices ?? []) io.stdout(chalk.yellow(notice));
  if (s.determinism !== undefined) {
    const d = s.determinism;
    io.stdout(d.nondeterministic.length === 0 ? chalk.green(`✔ deterministic: seeds ${d.checkedSeeds.join(', ')} reran with the same trace hash`) : chalk.red(`✘ nondeterministic implementation: ${d.nondeterministic.length} of ${d.checkedSeeds.length} rerun seeds differ`));
    for (const n of d.nondeterministic) io.stdout(chalk.red(`  ${n.message}`));
  }
  io.stdout(chalk.dim(`coverage probes: ${Object.entries(s.probes).map(([k, v]) => `${k} ${v}`).join(', ')}`));
  if (s.probesMissed.length > 0) io.stdout(chalk.yellow(`⚠ never reached in this batch: ${s.probesMissed.join(', ')} — these paths went untested`));
  if (s.classes.length > 0) io.stdout(chalk.bold(`${s.failed} failing seeds in ${s.classes.length} failure class${s.classes.length === 1 ? '' : 'es'}:`));
  for (const c of s.classes.slice(0, FAILURES_SHOWN_MAX)) {
    const first = s.failures.find((f) => f.seed === c.seeds[0]);
    const more = c.count > c.seeds.length ? `, … ${c.count - c.seeds.length} more` : '';
    io.stdout(`${chalk.red(`✘ ${c.count}×`)} ${chalk.yellow(c.property)}: ${first?.message ?? c.signature}`);
    io.stdout(chalk.dim(`  seeds ${c.seeds.join(', ')}${more}`));
    io.stdout(chalk.dim(`  repro: ${c.repro}`));
  }
  if (s.classes.length > FAILURES_SHOWN_MAX) io.stdout(chalk.dim(`… and ${s.classes.length - FAILURES_SHOWN_MAX} more failure classes (use --json for all)`));
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'run many seeds and check every safety, liveness and linearizability property',
  builder: (y: Argv) =>
    y
      .option('seeds', { describe: 'how many seeds to run', default: 100 })
      .option('seed-start', { describe: 'first seed', default: 1 })
      .option('nodes', { describe: 'cluster size (3 or 5)', default: 5 })
      .option('scenario', { describe: 'named fault scenario (default: random, or the planted bug\'s own scenario)', type: 'string' })
      .option('bug', { describe: 'run a deliberately broken core (see `seaworthy bugs`)', type: 'string' })
      .option('safety-only', { describe: 'skip the liveness phase', type: 'boolean', default: false })
      .option('shrink', { describe: 'shrink the first seed of each failure class to a minimal plan, save it, print its timeline', type: 'boolean', default: false })
      .option('out', { describe: `with --shrink, directory for minimal plans (default ${FAILURES_DIR_DEFAULT})`, type: 'string' })
      .option('shrink-budget', { describe: `with --shrink, most runs per shrink (default ${SHRINK_BUDGET_DEFAULT})` })
      .option('impl', { describe: 'test your implementation: a module exporting a RaftImplementation (docs/contract.md)', type: 'string' })
      .option('impl-cmd', { describe: 'test your implementation: a command started once per node, speaking docs/protocol.md', type: 'string' })
      .option('impl-timeout', { describe: 'with --impl-cmd, wall-clock ms to wait for a reply before killing the process' })
      .option('verify-determinism', { describe: 'rerun failing seeds and a sample of passing ones; differing trace hashes fail the run', type: 'boolean', default: false })
      .option('jobs', { describe: 'worker threads running seeds in parallel (default: one per core; 1 with --impl/--impl-cmd)' })
      .option('json', { describe: 'print one JSON summary as the last line of stdout', type: 'boolean', default: false }) as unknown as Argv<RunArgs>,
  handler: handleWith(executeRun),
};
