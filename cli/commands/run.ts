/** `seaworthy run`: many seeds, a progress bar on a terminal, a human summary or a JSON last line. */
import chalk from 'chalk';
import cliProgress from 'cli-progress';
import type { Argv, CommandModule } from 'yargs';
import { NODES_MAX, NODES_MIN } from '../../scenarios/cluster-size.js';
import { runSeed } from '../../scenarios/run-seed.js';
import { EXIT_PASS, EXIT_VIOLATION } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';
import { parseCount } from '../options.js';
import { batchFlags, resolveBatchRange, SEEDS_DEFAULT } from '../batch-range.js';
import type { BatchRange } from '../batch-range.js';
import { SeedGaps } from '../seed-gaps.js';
import { probeCombinationKey } from '../probe-keys.js';
import { checkReportFile, writeReportFile } from '../report-file.js';
import { ArtifactWriter, ARTIFACTS_DIR_DEFAULT, ARTIFACTS_ENV, resolveArtifactsDir } from '../artifacts.js';
import type { ArtifactBatch } from '../artifacts.js';
import { FailureReports } from '../failure-reports.js';
import { junitXml } from '../junit.js';
import type { ReportedClass } from '../failure-reports.js';
import { resolveTarget } from '../target.js';
import type { Target } from '../target.js';
import type { Capability } from '../../sim/contract.js';
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
import { FAILURES_DIR_DEFAULT, printShrinkReport, shrinkAndSave, widthOf } from './shrink.js';
import { checkOutDir } from '../out-dir.js';
import { batchPage, checkHtmlPath, writeHtml } from '../html/report.js';
import { classPageHref, failurePage } from '../html/failure-page.js';
import { seaworthyVersion } from '../version.js';
import type { ShrinkReport } from './shrink.js';
import { SHRINK_BUDGET_DEFAULT } from '../../scenarios/shrink.js';
import type { ShrinkOutcome } from '../../scenarios/shrink.js';
import { GuidedCorpus } from '../../scenarios/guided.js';
import type { GuidedStats } from '../../scenarios/guided.js';
import { probeApplies, probeCombination } from '../../properties/probes.js';
import { builtinRaft } from '../../sim/builtin.js';
import { runGuidedHere } from '../guided-run.js';
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
  /** `--shard k/n`: run the k-th of n contiguous blocks of the seed range (cli/shard.ts). */
  readonly shard?: unknown;
  /** `--shard-count N`: with a Kubernetes indexed Job's JOB_COMPLETION_INDEX, the number of shards. */
  readonly shardCount?: unknown;
  /** `--time-budget 10m`: stop scheduling seeds once this much wall clock is spent (with `--seeds`: whichever ends first). */
  readonly timeBudget?: unknown;
  /** `--json-file FILE`: write the JSON summary to FILE as well. */
  readonly jsonFile?: unknown;
  /** `--junit FILE`: write a JUnit XML report. */
  readonly junit?: unknown;
  /** `--artifacts DIR` (a folder), or false for `--no-artifacts` (cli/artifacts.ts). */
  readonly artifacts?: unknown;
  /** `--html FILE`: write the batch's self-contained HTML summary (cli/html/report.ts batchPage) there. */
  readonly html?: unknown;
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

export type { RunFailure } from '../failure-reports.js';
import type { RunFailure } from '../failure-reports.js';

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
  /**
   * Failures grouped by signature (property and normalised message), in order of first failure; with failure
   * artifacts or `--junit`, each class also names its artifacts folder and an excerpt of its timeline.
   */
  readonly classes: readonly ReportedClass[];
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
  /** `--seed-start random`: `seedStart` was drawn for this run (rerun the batch with `--seed-start <seedStart>`). */
  readonly seedStartDrawn?: true;
  /**
   * With `--shard` (or its environment variables): which shard this is and the whole batch it belongs to;
   * `seedStart` and `runs` then describe the shard's own block. `probeCombinationKeys` lets `merge` count
   * the distinct combinations of all shards together.
   */
  readonly shard?: ShardInfo;
  /** With `--time-budget`: the budget, and whether it ended the batch (a clean stop, not a failure). */
  readonly timeBudget?: { readonly ms: number; readonly spent: boolean };
  /**
   * Seeds that were running when the batch was stopped (signal or time budget) and so have no verdict,
   * although later seeds finished: the batch covered `seedStart` .. `seedStart + runs + unfinishedSeeds.length - 1`
   * except these.
   */
  readonly unfinishedSeeds?: readonly number[];
  /** `--safety-only`: the liveness phase was skipped, so liveness was not judged. */
  readonly safetyOnly?: true;
  /** The folder failure artifacts were written to, when any were. */
  readonly artifacts?: string;
}

/** A shard's place in its batch (see {@link RunSummary.shard}). */
export interface ShardInfo {
  readonly index: number;
  readonly count: number;
  readonly batchSeedStart: number;
  /** The batch's size; null when it was unbounded (`--time-budget` without `--seeds`). */
  readonly batchSeeds: number | null;
  /** The probe combinations this shard reached, as cli/probe-keys.ts keys (hex bit sets over PROBES), sorted. */
  readonly probeCombinationKeys: readonly string[];
}

export async function executeRun(args: RunArgs, io: Io): Promise<number> {
  const batchRange = resolveBatchRange(args, process.env);
  const { seedStart, seeds } = batchRange.range;
  const jsonFile = args.jsonFile === undefined ? null : checkReportFile('--json-file', args.jsonFile);
  const junitFile = args.junit === undefined ? null : checkReportFile('--junit', args.junit);
  const artifactsDir = resolveArtifactsDir(args.artifacts, process.env, io);
  const shrinkBudget = parseCount('shrink-budget', args.shrinkBudget ?? SHRINK_BUDGET_DEFAULT);
  // Checked before any seed runs, so a bad --out never costs the batch and its shrinks.
  const outDir = args.shrink === true || args.guided === true ? checkOutDir(args.out, FAILURES_DIR_DEFAULT) : FAILURES_DIR_DEFAULT;
  const htmlFile = checkHtmlPath(args.html);
  const target = await resolveTarget(args);
  const { nodeCount, scenario, bug } = target;
  const missing = missingCapabilities(scenario, target.base.implementation);
  if (missing.length > 0) return reportSkipped(target, missing, { seedStart, json: args.json, jsonFile, junitFile }, io);
  // Printed before any seed runs, so a job killed later still says which batch it was.
  if (batchRange.seedStartDrawn) (args.json ? io.stderr : io.stdout)(`seaworthy run: --seed-start random drew ${seedStart}; rerun this batch with ${batchFlags(batchRange)}`);
  const bar = io.interactive ? new cliProgress.SingleBar({ format: batchRange.unbounded ? ' {value} seeds | {failed} failed | {rate} runs/s' : ' {bar} {value}/{total} seeds | {failed} failed | {rate} runs/s', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
  bar?.start(seeds, 0, { failed: 0, rate: '-' });
  const started = Date.now();
  const gaps = new SeedGaps(seedStart);
  /** The guided batch's mutated runs by seed: a failure among them is replayed from its saved plan, not its seed. */
  const mutated = new Map<number, MutatedRun>();
  const artifacts = artifactsDir === null ? null : new ArtifactWriter(artifactsDir, artifactBatch(batchRange), io, [failurePage]);
  const reports = new FailureReports({ target, outDir, batch: { seedStart, seeds }, mutated, artifacts, junitFile, io });
  const aggregate = new RunAggregate(target.base.implementation?.name ?? 'seaworthy-core');
  const combinations = new Set<string>();
  /** With a shard: the same combinations as compact keys, listed in the summary for `merge`. */
  const combinationKeys = new Set<string>();
  const onSeed = (summary: SeedSummary, usage: NondeterminismUsage | null): void => {
    gaps.reported(summary.seed);
    aggregate.add(summary, usage);
    reports.onSeed(summary);
    if (summary.stopped !== true) {
      combinations.add(probeCombination(summary.probes));
      if (batchRange.shard !== null) combinationKeys.add(probeCombinationKey(summary.probes));
    }
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
  let budgetSpent = false;
  const budgetTimer = batchRange.timeBudgetMs === null ? null : setTimeout(() => {
    budgetSpent = true;
    stopBatch();
  }, batchRange.timeBudgetMs);
  const guided = args.guided === true ? new GuidedCorpus(target.base) : null;
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
    if (budgetTimer !== null) clearTimeout(budgetTimer);
  }
  bar?.stop();
  const wallMs = Date.now() - started;
  if (interruptedBy !== null || budgetSpent) {
    // Workers were terminated mid-seed (by a signal or the time budget): kill whatever processes they had
    // started before anything else. Processes this thread needs later (evidence, shrinks) are started anew.
    killProcessGroupsSync(processGroupTable());
  }
  const interrupted = interruptedBy !== null;
  // Reruns happen where the batch ran: on the pool's last worker, or here for a batch run on this thread.
  // A mutated run is not its seed's run, so only fresh seeds are rerun from their seed.
  const determinism = args.verifyDeterminism !== true || interrupted ? null : (pooled.determinism ?? verifyDeterminism(target.base, aggregate.outcomes().filter((o) => !mutated.has(o.seed))));
  if (pooled.usage !== null) aggregate.addUsage(pooled.usage);
  const notices = noticesOf(target.custom, aggregate.usage);
  const evidenceNotice = reports.notice();
  if (evidenceNotice !== null) notices.push(evidenceNotice);
  const failures = reports.failures;
  const classes = reports.classes();
  const shrunk: { report: ShrinkReport; outcome: ShrinkOutcome }[] = [];
  if (args.shrink === true && !interrupted) {
    for (const c of classes) {
      // Shrinking reruns the seed on this thread, without the watchdog: a seed it stopped would hang here.
      // The shrinker reruns a seed from its seed, so a guided batch's mutated runs are not shrunk (their plan is saved).
      const seed = c.seeds.find((s) => !aggregate.stoppedSeeds.has(s) && !mutated.has(s));
      const result = seed === undefined ? null : shrinkAndSave(target, seed, { outDir, budget: shrinkBudget, progress: io.interactive });
      if (result !== null) shrunk.push(result);
      if (result?.report.saved === true) reports.addShrunkPlan(c.signature, result.report.file);
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
    // Probes the implementation cannot reach (the snapshot ones without the capability) are not reported as missed.
    probesMissed: Object.entries(aggregate.probes).filter(([name, n]) => n === 0 && probeApplies(name, (target.base.implementation ?? builtinRaft()).capabilities ?? [])).map(([name]) => name),
    implementationErrors: aggregate.implementationErrors,
    ...(notices.length > 0 ? { notices } : {}),
    ...(determinism === null ? {} : { determinism }),
    classes,
    ...(args.shrink === true && !interrupted ? { shrunk: shrunk.map((s) => s.report) } : {}),
    interrupted,
    ...(aggregate.linUndecided.length > 0 ? { linUndecided: aggregate.linUndecided } : {}),
    probeCombinations: combinations.size,
    ...(guided === null ? {} : { guided: guided.stats() }),
    ...(batchRange.seedStartDrawn ? { seedStartDrawn: true as const } : {}),
    ...(batchRange.shard === null ? {} : { shard: shardInfo(batchRange, combinationKeys) }),
    ...(batchRange.timeBudgetMs === null ? {} : { timeBudget: { ms: batchRange.timeBudgetMs, spent: budgetSpent && interruptedBy === null } }),
    ...(gaps.unfinished.length > 0 ? { unfinishedSeeds: gaps.unfinished } : {}),
    ...(args.safetyOnly ? { safetyOnly: true as const } : {}),
    ...(classes.some((c) => c.artifact !== undefined) && artifacts !== null ? { artifacts: artifacts.dir } : {}),
  };
  if (htmlFile !== null) writeHtml(htmlFile, batchPage(summary, (i) => classPageHref(htmlFile, classes[i]?.artifact)));
  const json = JSON.stringify(summary);
  if (jsonFile !== null) writeReportFile('--json-file', jsonFile, `${json}\n`, io);
  reports.finish(summary, json);
  if (args.json) io.stdout(json);
  else {
    if (interruptedBy !== null) io.stdout(chalk.yellow(`interrupted by ${interruptedBy} after ${aggregate.runs} of ${batchRange.unbounded ? 'unbounded' : seeds} seeds: the summary covers the seeds that finished`));
    if (summary.timeBudget?.spent === true) io.stdout(chalk.yellow(`time budget of ${formatDuration(summary.timeBudget.ms)} spent after ${aggregate.runs} seeds: the batch stopped there`));
    printSummary(summary, io);
    for (const s of shrunk) printShrinkReport(s.report, s.outcome, io, { width: widthOf(undefined), nodeCount: s.outcome.verdict.nodes });
  }
  if (interruptedBy !== null) return exitCodeFor(interruptedBy);
  const reproducible = determinism === null || determinism.nondeterministic.length === 0;
  return failures.length === 0 && reproducible ? EXIT_PASS : EXIT_VIOLATION;
}


/**
 * The scenario needs a capability the implementation lacks, so nothing runs (exit 0): the notice, or the JSON
 * summary saying so; a CI job that collects reports still gets them (the batch is one skipped test case).
 */
function reportSkipped(target: Target, missing: readonly Capability[], out: { readonly seedStart: number; readonly json: boolean; readonly jsonFile: string | null; readonly junitFile: string | null }, io: Io): number {
  target.custom?.close();
  const implementation = target.base.implementation?.name ?? 'seaworthy-core';
  const notice = skipNotice(target.scenario, implementation, missing);
  const skipped = { version: seaworthyVersion(), runs: 0, passed: 0, failed: 0, failures: [], seedStart: out.seedStart, scenario: target.scenario.name, nodes: target.nodeCount ?? null, implementation, implementationErrors: 0, skipped: true, missingCapabilities: missing, notices: [notice] };
  const json = JSON.stringify(skipped);
  if (out.jsonFile !== null) writeReportFile('--json-file', out.jsonFile, `${json}\n`, io);
  if (out.junitFile !== null) writeReportFile('--junit', out.junitFile, junitXml({ ...skipped, bug: target.bug?.name ?? null, wallMs: 0, interrupted: false, classes: [] }), io);
  io.stdout(out.json ? json : notice);
  return EXIT_PASS;
}

/** The batch as each failure's run.json records it. */
function artifactBatch(b: BatchRange): ArtifactBatch {
  return { seedStart: b.batch.seedStart, seeds: b.unbounded ? null : b.batch.seeds, shard: b.shard === null ? null : { index: b.shard.index, count: b.shard.count }, flags: batchFlags(b) };
}

/** The shard's place in its batch, and the probe combinations `merge` needs to count the batch's. */
function shardInfo(b: BatchRange, combinations: ReadonlySet<string>): ShardInfo {
  const shard = b.shard as NonNullable<BatchRange['shard']>;
  return { index: shard.index, count: shard.count, batchSeedStart: b.batch.seedStart, batchSeeds: b.unbounded ? null : b.batch.seeds, probeCombinationKeys: [...combinations].sort() };
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

/** The human summary of a batch (also `merge`'s). */
export function printSummary(s: RunSummary, io: Io): void {
  const seconds = s.wallMs / 1000;
  const lastSeed = s.seedStart + s.runs + (s.unfinishedSeeds?.length ?? 0) - 1;
  const shard = s.shard === undefined ? '' : ` (shard ${s.shard.index}/${s.shard.count})`;
  io.stdout(chalk.bold(`seaworthy run: seeds ${s.seedStart}..${lastSeed}${shard}, scenario ${s.scenario}, ${s.nodes === null ? `${NODES_MIN}..${NODES_MAX} nodes (drawn per seed)` : `${s.nodes} nodes`}, ${s.implementation}`));
  const rate = seconds > 0 ? `${(s.runs / seconds).toFixed(0)} runs/s, ${formatCount(s.events / seconds)} events/s` : '';
  const verdict = s.failed === 0 ? chalk.green(`✔ ${s.passed} passed`) : `${chalk.green(`${s.passed} passed`)}, ${chalk.red(`✘ ${s.failed} failed`)}`;
  if (s.unfinishedSeeds !== undefined) io.stdout(chalk.yellow(`seeds still running when the batch stopped (no verdict): ${s.unfinishedSeeds.join(', ')}`));
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
    if (c.artifact !== undefined) io.stdout(chalk.dim(`  artifacts: ${c.artifact}/ (plan.json, repro.txt, timeline.txt, failure.html, run.json)`));
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
      .option('seeds', { describe: `how many seeds to run (default ${SEEDS_DEFAULT}; with --time-budget, until the budget is spent)` })
      .option('seed-start', { describe: 'first seed, or "random" to draw one (printed first and in the JSON, so the batch can be rerun)', default: 1 })
      .option('shard', { describe: 'run the k-th of n disjoint blocks of the seed range, as k/n (also SEAWORTHY_SHARD=k/n; see docs/ci.md)', type: 'string' })
      .option('shard-count', { describe: 'with a Kubernetes indexed Job, the number of shards; JOB_COMPLETION_INDEX picks this one (also SEAWORTHY_SHARD_COUNT)' })
      .option('time-budget', { describe: 'stop starting seeds after this much wall clock, e.g. 90s, 10m, 1h (with --seeds: whichever ends first)', type: 'string' })
      .option('json-file', { describe: 'write the JSON summary to this file too', type: 'string' })
      .option('junit', { describe: 'write a JUnit XML report: a test case per failure class, and per property that held', type: 'string' })
      .option('artifacts', { describe: `folder for failure artifacts, one folder per failure class, written as found (default ${ARTIFACTS_DIR_DEFAULT}, or $${ARTIFACTS_ENV}; --no-artifacts for none)` })
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
      .option('html', { describe: 'write a self-contained HTML summary of the batch (pass/fail, failure classes with repros, fault and probe charts) to FILE', type: 'string' })
      .option('json', { describe: 'print one JSON summary as the last line of stdout', type: 'boolean', default: false }) as unknown as Argv<RunArgs>,
  handler: handleWith(executeRun),
};
