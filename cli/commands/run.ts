/** `seaworthy run`: many seeds, a progress bar on a terminal, a human summary or a JSON last line. */
import chalk from 'chalk';
import cliProgress from 'cli-progress';
import type { Argv, CommandModule } from 'yargs';
import { NODES_MAX, NODES_MIN, nodeCountOf } from '../../scenarios/cluster-size.js';
import { runSeed } from '../../scenarios/run-seed.js';
import { EXIT_PASS, EXIT_VIOLATION } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';
import { parseCount, parseSeed, replayCommand } from '../options.js';
import { resolveTarget } from '../target.js';
import { runSeedsOnThisThread, startSeedPool } from '../parallel.js';
import type { SeedPool, SeedPoolResult } from '../parallel.js';
import { RunAggregate } from '../run-aggregate.js';
import { exitCodeFor, onInterrupt } from '../interrupt.js';
import type { InterruptSignal } from '../interrupt.js';
import { killProcessGroupsSync, processGroupTable } from '../adapters/process-groups.js';
import { describeUsage } from '../adapters/guard.js';
import type { NondeterminismUsage } from '../adapters/guard.js';
import type { CustomImplementation } from '../adapters/index.js';
import { summarize } from '../seed-summary.js';
import type { SeedSummary } from '../seed-summary.js';
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { missingCapabilities, skipNotice } from '../adapters/capabilities.js';
import { verifyDeterminism } from '../adapters/determinism.js';
import type { DeterminismReport } from '../adapters/determinism.js';
import { groupFailures } from '../corpus.js';
import type { FailureClass } from '../corpus.js';
import { FAILURES_DIR_DEFAULT, printShrinkReport, shrinkAndSave, widthOf } from './shrink.js';
import { checkOutDir } from '../out-dir.js';
import { seaworthyVersion } from '../version.js';
import type { ShrinkReport } from './shrink.js';
import { SHRINK_BUDGET_DEFAULT } from '../../scenarios/shrink.js';
import type { ShrinkOutcome } from '../../scenarios/shrink.js';
import { GuidedCorpus } from '../../scenarios/guided.js';
import type { GuidedStats } from '../../scenarios/guided.js';
import { probeCombination } from '../../properties/probes.js';
import { mutatedFailureRepro, runGuidedHere } from '../guided-run.js';
import type { MutatedRun } from '../guided-run.js';

export interface RunArgs {
  readonly seeds: unknown;
  readonly seedStart: unknown;
  readonly nodes: unknown;
  readonly scenario: unknown;
  readonly bug: unknown;
  readonly json: boolean;
  readonly safetyOnly: boolean;
  readonly fullHeal?: boolean;
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
  /** `--guided`: keep plans that reached rare probes or new probe combinations and spend part of the budget mutating them. */
  readonly guided?: boolean;
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
  /** The seed's cluster size: `--nodes`, or the size drawn for it (the repro names it either way). */
  readonly nodes: number;
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
  /** `--nodes`; null when each seed ran the size drawn for it (each failure names its own `nodes`). */
  readonly nodes: number | null;
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
  /**
   * True when SIGINT or SIGTERM stopped the batch: `runs` and everything else cover only the seeds that
   * finished, and the exit code is 130 (SIGINT) or 143 (SIGTERM).
   */
  readonly interrupted: boolean;
  /** Seeds whose client history the linearizability check could not decide within its budget (warnings, not failures). */
  readonly linUndecided?: readonly number[];
  /** Distinct probe combinations (the sets of probes each run hit) reached by the batch. */
  readonly probeCombinations: number;
  /** With --guided: runs of mutated corpus plans, the corpus size at the end, and the distinct probe combinations. */
  readonly guided?: GuidedStats;
}

export async function executeRun(args: RunArgs, io: Io): Promise<number> {
  const seeds = parseCount('seeds', args.seeds);
  const seedStart = parseSeed('seed-start', args.seedStart ?? 1);
  if (!Number.isSafeInteger(seedStart + seeds)) {
    throw new UsageError(`--seed-start ${seedStart} with --seeds ${seeds} goes past the largest seed, ${Number.MAX_SAFE_INTEGER}: lower one of them`);
  }
  const shrinkBudget = parseCount('shrink-budget', args.shrinkBudget ?? SHRINK_BUDGET_DEFAULT);
  // Checked before any seed runs, so a bad --out never costs the batch and its shrinks.
  const outDir = args.shrink === true || args.guided === true ? checkOutDir(args.out, FAILURES_DIR_DEFAULT) : FAILURES_DIR_DEFAULT;
  const target = await resolveTarget(args);
  const { nodeCount, scenario, bug } = target;
  const missing = missingCapabilities(scenario, target.base.implementation);
  if (missing.length > 0) {
    target.custom?.close();
    const notice = skipNotice(scenario, target.base.implementation?.name ?? 'seaworthy-core', missing);
    if (args.json) io.stdout(JSON.stringify({ version: seaworthyVersion(), runs: 0, passed: 0, failed: 0, failures: [], seedStart, scenario: scenario.name, nodes: nodeCount ?? null, implementation: target.base.implementation?.name ?? 'seaworthy-core', implementationErrors: 0, skipped: true, missingCapabilities: missing, notices: [notice] }));
    else io.stdout(notice);
    return EXIT_PASS;
  }
  const bar = io.interactive ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} seeds | {failed} failed | {rate} runs/s', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
  bar?.start(seeds, 0, { failed: 0, rate: '-' });
  const started = Date.now();
  const aggregate = new RunAggregate(target.base.implementation?.name ?? 'seaworthy-core');
  const combinations = new Set<string>();
  const onSeed = (summary: SeedSummary, usage: NondeterminismUsage | null): void => {
    aggregate.add(summary, usage);
    if (summary.stopped !== true) combinations.add(probeCombination(summary.probes));
    const done = aggregate.runs;
    if (bar !== null && (done % 10 === 0 || done === seeds)) {
      const elapsed = Math.max(1, Date.now() - started);
      bar.update(done, { failed: aggregate.failures.length, rate: (done / (elapsed / 1000)).toFixed(0) });
    }
  };
  const jobs = parseJobs(args.jobs, target.custom !== null, seeds);
  let interruptedBy: InterruptSignal | null = null;
  // Taken over before the first seed starts (the batch on this thread runs its first seed at once).
  let stopBatch = (): void => {};
  const removeInterrupt = onInterrupt((signal) => {
    interruptedBy = signal;
    stopBatch();
  });
  const guided = args.guided === true ? new GuidedCorpus(target.base) : null;
  /** The guided batch's mutated runs by seed: a failure among them is replayed from its saved plan, not its seed. */
  const mutated = new Map<number, MutatedRun>();
  let pooled: SeedPoolResult;
  try {
    // A user's implementation always runs on worker threads: the main thread watches the clock for a module
    // call that never returns, and stays free to answer Ctrl-C while a process is slow to reply.
    // A guided batch runs here, one seed after another: each seed's plan depends on the verdicts before it.
    const batch = guided !== null
      ? runGuidedHere(guided, seedStart, seeds, onSeed, mutated)
      : jobs > 1 || target.custom !== null
      ? startSeedPool({ args, seedStart, seeds, jobs, watchdogMs: target.custom?.watchdogMs ?? null, implementationName: aggregate.implementationName, onSeed, ...(args.verifyDeterminism === true ? { verify: () => aggregate.outcomes() } : {}) })
      : runSeedsOnThisThread(seedStart, seeds, (seed) => onSeed(summarize(runSeed({ ...target.base, seed })), null));
    stopBatch = () => batch.stop();
    pooled = await batch.done;
  } finally {
    removeInterrupt();
  }
  bar?.stop();
  const wallMs = Date.now() - started;
  if (interruptedBy !== null) {
    // Workers were terminated mid-seed: kill whatever processes they had started before anything else.
    killProcessGroupsSync(processGroupTable());
  }
  const interrupted = interruptedBy !== null;
  // Reruns happen where the batch ran: on the pool's last worker, or here for a batch run on this thread.
  // A mutated run is not its seed's run, so only fresh seeds are rerun from their seed.
  const determinism = args.verifyDeterminism !== true || interrupted ? null : (pooled.determinism ?? verifyDeterminism(target.base, aggregate.outcomes().filter((o) => !mutated.has(o.seed))));
  if (pooled.usage !== null) aggregate.addUsage(pooled.usage);
  const notices = noticesOf(target.custom, aggregate.usage);
  const failures: RunFailure[] = aggregate.failures.map((f) => {
    const m = mutated.get(f.seed);
    if (m !== undefined) return { ...f, nodes: m.mutation.nodes, repro: mutatedFailureRepro(target, m, f.seed, f.property, outDir, { seedStart, seeds }) };
    const nodes = nodeCountOf({ seed: f.seed, nodeCount });
    return { ...f, nodes, repro: replayCommand(f.seed, scenario.name, nodes, bug, target.custom === null ? '--trace' : `${target.custom.flags} --trace`) };
  });
  const classes = groupFailures(failures);
  const shrunk: { report: ShrinkReport; outcome: ShrinkOutcome }[] = [];
  if (args.shrink === true && !interrupted) {
    for (const c of classes) {
      // Shrinking reruns the seed on this thread, without the watchdog: a seed it stopped would hang here.
      // The shrinker reruns a seed from its seed, so a guided batch's mutated runs are not shrunk (their plan is saved).
      const seed = c.seeds.find((s) => !aggregate.stoppedSeeds.has(s) && !mutated.has(s));
      const result = seed === undefined ? null : shrinkAndSave(target, seed, { outDir, budget: shrinkBudget, progress: io.interactive });
      if (result !== null) shrunk.push(result);
    }
  }
  // Only now: the shrink reruns seeds through the implementation, and a closed process adapter would fail every
  // rerun with an implementation error, shrinking the wrong failure down to nothing and saving that plan.
  target.custom?.close();
  const summary: RunSummary = {
    version: seaworthyVersion(),
    runs: aggregate.runs,
    passed: aggregate.runs - failures.length,
    failed: failures.length,
    failures,
    events: aggregate.events,
    simulatedMs: aggregate.simulatedMs,
    wallMs,
    seedStart,
    scenario: scenario.name,
    nodes: nodeCount ?? null,
    bug: bug?.name ?? null,
    implementation: aggregate.implementationName,
    faults: aggregate.faults,
    clientOps: aggregate.clientOps,
    probes: aggregate.probes,
    probesMissed: Object.entries(aggregate.probes).filter(([, n]) => n === 0).map(([name]) => name),
    implementationErrors: aggregate.implementationErrors,
    ...(notices.length > 0 ? { notices } : {}),
    ...(determinism === null ? {} : { determinism }),
    classes,
    ...(args.shrink === true && !interrupted ? { shrunk: shrunk.map((s) => s.report) } : {}),
    interrupted,
    ...(aggregate.linUndecided.length > 0 ? { linUndecided: aggregate.linUndecided } : {}),
    probeCombinations: combinations.size,
    ...(guided === null ? {} : { guided: guided.stats() }),
  };
  if (args.json) io.stdout(JSON.stringify(summary));
  else {
    if (interruptedBy !== null) io.stdout(chalk.yellow(`interrupted by ${interruptedBy} after ${aggregate.runs} of ${seeds} seeds: the summary covers the seeds that finished`));
    printSummary(summary, io);
    for (const s of shrunk) printShrinkReport(s.report, s.outcome, io, { width: widthOf(undefined), nodeCount: s.outcome.verdict.nodes });
  }
  if (interruptedBy !== null) return exitCodeFor(interruptedBy);
  const reproducible = determinism === null || determinism.nondeterministic.length === 0;
  return failures.length === 0 && reproducible ? EXIT_PASS : EXIT_VIOLATION;
}


/** The notices of a run: a module's clock and Math.random uses are summed over every thread that ran it. */
function noticesOf(custom: CustomImplementation | null, workerUsage: NondeterminismUsage): string[] {
  if (custom === null) return [];
  if (custom.usage === undefined) return custom.notices();
  const total = { mathRandom: workerUsage.mathRandom + custom.usage.mathRandom, clock: workerUsage.clock + custom.usage.clock };
  const line = describeUsage(custom.implementation.name, total);
  return line === null ? [] : [line];
}

const FAILURES_SHOWN_MAX = 20;

function printSummary(s: RunSummary, io: Io): void {
  const seconds = s.wallMs / 1000;
  io.stdout(chalk.bold(`seaworthy run: seeds ${s.seedStart}..${s.seedStart + s.runs - 1}, scenario ${s.scenario}, ${s.nodes === null ? `${NODES_MIN}..${NODES_MAX} nodes (drawn per seed)` : `${s.nodes} nodes`}, ${s.implementation}`));
  const rate = seconds > 0 ? `${(s.runs / seconds).toFixed(0)} runs/s, ${formatCount(s.events / seconds)} events/s` : '';
  const verdict = s.failed === 0 ? chalk.green(`✔ ${s.passed} passed`) : `${chalk.green(`${s.passed} passed`)}, ${chalk.red(`✘ ${s.failed} failed`)}`;
  io.stdout(`${verdict} in ${seconds.toFixed(1)} s (${rate}); simulated ${formatDuration(s.simulatedMs)}, ${formatCount(s.events)} events`);
  const faultText = Object.entries(s.faults).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  io.stdout(chalk.dim(`faults injected: ${faultText}`));
  io.stdout(chalk.dim(`client operations: ${s.clientOps.ok} ok, ${s.clientOps.fail} failed, ${s.clientOps.info} indeterminate`));
  if (s.implementationErrors > 0) io.stdout(chalk.red(`${s.implementationErrors} run(s) ended in an implementation error (the implementation threw or broke the contract), not a property violation`));
  for (const notice of s.notices ?? []) io.stdout(chalk.yellow(notice));
  if (s.linUndecided !== undefined) io.stdout(chalk.yellow(`⚠ linearizability undecided within the search budget (not a failure) for seed(s) ${s.linUndecided.join(', ')}`));
  if (s.determinism !== undefined) {
    const d = s.determinism;
    io.stdout(d.nondeterministic.length === 0 ? chalk.green(`✔ deterministic: seeds ${d.checkedSeeds.join(', ')} reran with the same trace hash`) : chalk.red(`✘ nondeterministic implementation: ${d.nondeterministic.length} of ${d.checkedSeeds.length} rerun seeds differ`));
    for (const n of d.nondeterministic) io.stdout(chalk.red(`  ${n.message}`));
  }
  io.stdout(chalk.dim(`coverage probes: ${Object.entries(s.probes).map(([k, v]) => `${k} ${v}`).join(', ')}`));
  io.stdout(chalk.dim(`probe combinations: ${s.probeCombinations} distinct${s.guided === undefined ? '' : ` (guided: ${s.guided.mutatedRuns} of ${s.runs} runs mutated corpus plans; corpus ${s.guided.corpusSize} plans)`}`));
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
      .option('nodes', { describe: `cluster size, ${NODES_MIN} to ${NODES_MAX} (default: drawn per seed, and named in each failure's repro)` })
      .option('scenario', { describe: 'named fault scenario (default: random, or the planted bug\'s own scenario)', type: 'string' })
      .option('bug', { describe: 'run a deliberately broken core (see `seaworthy bugs`)', type: 'string' })
      .option('safety-only', { describe: 'skip the liveness phase', type: 'boolean', default: false })
      .option('full-heal', { describe: 'the liveness phase heals and restarts every node (default: a random majority, the rest stay faulty)', type: 'boolean', default: false })
      .option('shrink', { describe: 'shrink the first seed of each failure class to a minimal plan, save it, print its timeline', type: 'boolean', default: false })
      .option('out', { describe: `with --shrink, directory for minimal plans (default ${FAILURES_DIR_DEFAULT})`, type: 'string' })
      .option('shrink-budget', { describe: `with --shrink, most runs per shrink (default ${SHRINK_BUDGET_DEFAULT})` })
      .option('impl', { describe: 'test your implementation: a module exporting a RaftImplementation (docs/contract.md)', type: 'string' })
      .option('impl-cmd', { describe: 'test your implementation: a command started once per node, speaking docs/protocol.md', type: 'string' })
      .option('impl-timeout', { describe: 'with --impl or --impl-cmd, wall-clock ms one call may take before the seed is stopped as an implementation error (default 5000)' })
      .option('verify-determinism', { describe: 'rerun failing seeds and a sample of passing ones; differing trace hashes fail the run', type: 'boolean', default: false })
      .option('jobs', { describe: 'worker threads running seeds in parallel (default: one per core; 1 with --impl/--impl-cmd)' })
      .option('guided', { describe: 'coverage-guided: keep plans whose runs reached rare probes or new probe combinations and spend part of the seeds mutating them (one thread; a failing mutated plan is saved to --out and replayed with replay --plan)', type: 'boolean', default: false })
      .option('json', { describe: 'print one JSON summary as the last line of stdout', type: 'boolean', default: false }) as unknown as Argv<RunArgs>,
  handler: handleWith(executeRun),
};
