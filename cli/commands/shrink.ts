/**
 * `seaworthy shrink`: shrink one failing seed to a minimal plan that still violates the same property,
 * save it as JSON, and print the violation, the minimal run's timeline and a one-line repro. `run --shrink`
 * and `selftest` use the same steps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import chalk from 'chalk';
import cliProgress from 'cli-progress';
import type { Argv, CommandModule } from 'yargs';
import { encodePlanFile, PLAN_FILE_FORMAT, PLAN_FILE_VERSION, planFileName } from '../../scenarios/plan-file.js';
import type { PlanFile } from '../../scenarios/plan-file.js';
import { checkOutDir } from '../out-dir.js';
import { SHRINK_BUDGET_DEFAULT, shrinkFailure } from '../../scenarios/shrink.js';
import type { ShrinkOutcome } from '../../scenarios/shrink.js';
import { describeFault } from '../../sim/simulation.js';
import { EXIT_PASS, EXIT_VIOLATION } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';
import { parseCount, parseSeed, parseWidth } from '../options.js';
import { resolveTarget } from '../target.js';
import type { Target } from '../target.js';
import { formatTimeline } from '../timeline.js';
import { checkHtmlPath, runPage, writeHtml } from '../html/report.js';

export const FAILURES_DIR_DEFAULT = './seaworthy-failures/';

export interface ShrinkArgs {
  readonly seed: unknown;
  readonly nodes: unknown;
  readonly scenario: unknown;
  readonly bug: unknown;
  readonly safetyOnly: boolean;
  readonly fullHeal?: boolean;
  readonly out: unknown;
  readonly shrinkBudget: unknown;
  readonly width: unknown;
  readonly json: boolean;
  readonly impl?: unknown;
  readonly implCmd?: unknown;
  readonly implTimeout?: unknown;
  /** `--html FILE`: write the minimal run's HTML report (cluster and history views) there. */
  readonly html?: unknown;
}

/** One shrunk failure, as reported in JSON (a public interface: fields are only ever added). */
export interface ShrinkReport {
  readonly seed: number;
  readonly property: string;
  readonly message: string;
  /** Where the minimal plan was saved. */
  readonly file: string;
  readonly planEventsBefore: number;
  readonly planEventsAfter: number;
  readonly clientOpsBefore: number;
  readonly clientOpsAfter: number;
  /** Runs the shrink tried, and its budget. */
  readonly runs: number;
  readonly budget: number;
  readonly shrinkMs: number;
  readonly traceHash: string;
  readonly repro: string;
  /** Whether the plan was written to `file`. */
  readonly saved: boolean;
  /** Why it could not be written (only when `saved` is false). */
  readonly saveError?: string;
  /** The plan file's content, when it could not be written: a finished shrink is never lost. */
  readonly planFile?: PlanFile;
}

export interface ShrinkSettings {
  readonly outDir: string;
  readonly budget: number;
  /** Show a progress bar on stderr (interactive terminals only). */
  readonly progress: boolean;
}

/** Shrinks `seed`'s failure, saves the minimal plan; null when the seed passes. */
export function shrinkAndSave(target: Target, seed: number, settings: ShrinkSettings): { readonly report: ShrinkReport; readonly outcome: ShrinkOutcome } | null {
  const bar = settings.progress ? new cliProgress.SingleBar({ format: ` shrinking seed ${seed} {bar} {value}/{total} runs | {events} events, {ops} client ops`, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
  bar?.start(settings.budget, 0, { events: '-', ops: '-' });
  const started = Date.now();
  const outcome = shrinkFailure({
    config: { ...target.base, seed },
    budget: settings.budget,
    ...(bar === null ? {} : { onProgress: (p) => bar.update(p.runs, { events: p.events, ops: p.clientOps }) }),
  });
  bar?.stop();
  if (outcome === null) return null;
  const shrinkMs = Date.now() - started;
  const file = join(settings.outDir, planFileName(seed, outcome.property));
  const planFile: PlanFile = {
    format: PLAN_FILE_FORMAT,
    version: PLAN_FILE_VERSION,
    seed,
    scenario: target.scenario.name,
    nodes: outcome.verdict.nodes,
    bug: target.bug?.name ?? null,
    implementation: outcome.verdict.implementation,
    safetyOnly: target.base.safetyOnly === true,
    ...(target.base.fullHeal === true ? { fullHeal: true } : {}),
    property: outcome.property,
    traceHash: outcome.verdict.traceHash,
    plan: outcome.minimal,
  };
  const saveError = writePlanFile(settings.outDir, file, planFile);
  const first = outcome.verdict.violations[0];
  const report: ShrinkReport = {
    seed,
    property: outcome.property,
    message: first?.message ?? '',
    file,
    planEventsBefore: outcome.before.events,
    planEventsAfter: outcome.after.events,
    clientOpsBefore: outcome.before.clientOps,
    clientOpsAfter: outcome.after.clientOps,
    runs: outcome.runs,
    budget: outcome.budget,
    shrinkMs,
    traceHash: outcome.verdict.traceHash,
    // A user's implementation is not in the plan file's code: the repro names it again so that it is complete.
    repro: `npx seaworthy replay --plan ${file}${target.custom === null ? '' : ` ${target.custom.flags}`} --trace`,
    saved: saveError === null,
    ...(saveError === null ? {} : { saveError, planFile }),
  };
  return { report, outcome };
}

/**
 * Writes the plan file; returns null, or why it could not be written. The folder was checked before the
 * shrink started (checkOutDir), but it can still vanish or fill up meanwhile, and minutes of shrinking must
 * not be lost to that: the caller prints the plan instead.
 */
function writePlanFile(outDir: string, file: string, planFile: PlanFile): string | null {
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(file, encodePlanFile(planFile));
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error instanceof Error ? error.message : String(error)}` : String(error);
  }
}

/** The human report: sizes, the minimal plan, the violation, the timeline and the repro line. */
export function printShrinkReport(report: ShrinkReport, outcome: ShrinkOutcome, io: Io, view: { readonly width: number; readonly nodeCount: number }): void {
  io.stdout(chalk.bold(`shrunk seed ${report.seed}: ${report.planEventsBefore} → ${report.planEventsAfter} fault events, ${report.clientOpsBefore} → ${report.clientOpsAfter} client operations (${report.runs}/${report.budget} runs, ${(report.shrinkMs / 1000).toFixed(1)} s)`));
  const w = outcome.minimal.workload;
  const n = outcome.minimal.network;
  io.stdout(chalk.dim(`network: latency ${n.latencyMsMin}-${n.latencyMsMax} ms, loss ${n.lossPerMille}‰, duplicates ${n.duplicatePerMille}‰, long delays ${n.longDelayPerMille}‰; workload: ${w === undefined ? 'standard' : Object.entries(w).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`));
  io.stdout(`minimal fault plan: ${outcome.minimal.plan.events.map((e) => `${e.atMs}ms ${describeFault(e)}`).join('; ') || 'none'}`);
  if (outcome.verdict.trace !== null) {
    for (const line of formatTimeline(outcome.verdict.trace, outcome.verdict.violations, { messages: false, width: view.width, nodeCount: view.nodeCount })) io.stdout(line);
  }
  for (const v of outcome.verdict.violations) io.stdout(chalk.red(`✘ ${v.property} at ${v.atMs} ms (event ${v.event}, nodes ${v.nodes.join(',') || '-'}): ${v.message}`));
  if (report.saved) {
    io.stdout(`saved ${report.file} (trace hash ${report.traceHash})`);
  } else {
    io.stdout(chalk.yellow(`could not save ${report.file} (${report.saveError ?? 'unknown error'}); the plan file follows, save it there to replay it:`));
    io.stdout(encodePlanFile(report.planFile as PlanFile).trimEnd());
  }
  io.stdout(chalk.bold(`repro: ${report.repro}`));
}

/** `--width`, else the terminal's width (`columns`), else no limit (0); a bad `--width` is a UsageError. */
export function widthOf(raw: unknown, columns: number | undefined = process.stdout.columns): number {
  return parseWidth(raw, columns);
}

export async function executeShrink(args: ShrinkArgs, io: Io): Promise<number> {
  const seed = parseSeed('seed', args.seed);
  const budget = parseCount('shrink-budget', args.shrinkBudget ?? SHRINK_BUDGET_DEFAULT);
  const width = widthOf(args.width, io.columns);
  const outDir = checkOutDir(args.out, FAILURES_DIR_DEFAULT);
  const htmlFile = checkHtmlPath(args.html);
  const target = await resolveTarget(args);
  let shrunk: ReturnType<typeof shrinkAndSave>;
  try {
    shrunk = shrinkAndSave(target, seed, { outDir, budget, progress: io.interactive });
  } finally {
    // Every process of an --impl-cmd implementation goes with the shrink, also when it throws.
    target.custom?.close();
  }
  if (shrunk === null) {
    if (args.json) io.stdout(JSON.stringify({ seed, ok: true }));
    else io.stdout(chalk.green(`✔ seed ${seed} passes: nothing to shrink`));
    return EXIT_PASS;
  }
  if (htmlFile !== null) {
    const r = shrunk.report;
    const lines = [`shrunk ${r.planEventsBefore} → ${r.planEventsAfter} fault events, ${r.clientOpsBefore} → ${r.clientOpsAfter} client operations`, `repro: ${r.repro}`];
    writeHtml(htmlFile, runPage(shrunk.outcome.verdict, { label: 'shrink (minimal run)', lines }));
  }
  if (!shrunk.report.saved) io.stderr(`seaworthy: could not save the minimal plan to ${shrunk.report.file}: ${shrunk.report.saveError ?? 'unknown error'} (printed on stdout instead)`);
  if (args.json) io.stdout(JSON.stringify({ ok: false, ...shrunk.report, ...(htmlFile === null ? {} : { html: htmlFile }) }));
  else {
    printShrinkReport(shrunk.report, shrunk.outcome, io, { width, nodeCount: shrunk.outcome.verdict.nodes });
    if (htmlFile !== null) io.stdout(`wrote ${htmlFile}`);
  }
  return EXIT_VIOLATION;
}

export const shrinkCommand: CommandModule<object, ShrinkArgs> = {
  command: 'shrink',
  describe: 'shrink a failing seed to a minimal fault plan, save it and print a repro',
  builder: (y: Argv) =>
    y
      .option('seed', { describe: 'the failing seed', demandOption: true })
      .option('nodes', { describe: 'cluster size, 1 to 7 (default: the size drawn for the seed)' })
      .option('scenario', { describe: 'named fault scenario', type: 'string' })
      .option('bug', { describe: 'a planted bug', type: 'string' })
      .option('safety-only', { describe: 'skip the liveness phase', type: 'boolean', default: false })
      .option('full-heal', { describe: 'the liveness phase heals and restarts every node (default: a random majority, the rest stay faulty)', type: 'boolean', default: false })
      .option('out', { describe: `directory for the minimal plan (default ${FAILURES_DIR_DEFAULT})`, type: 'string' })
      .option('shrink-budget', { describe: `most runs the shrink may try (default ${SHRINK_BUDGET_DEFAULT})` })
      .option('width', { describe: 'cut timeline lines to this many columns (40 or more)' })
      .option('impl', { describe: 'your implementation: a module exporting a RaftImplementation (docs/contract.md)', type: 'string' })
      .option('impl-cmd', { describe: 'your implementation: a command started once per node, speaking docs/protocol.md', type: 'string' })
      .option('impl-timeout', { describe: 'with --impl-cmd, wall-clock ms a process may stay silent while a reply is due (default 5000)' })
      .option('html', { describe: 'write a self-contained HTML report of the minimal run (cluster and client history views) to FILE', type: 'string' })
      .option('json', { describe: 'print one JSON object as the last line of stdout', type: 'boolean', default: false }) as unknown as Argv<ShrinkArgs>,
  handler: handleWith(executeShrink),
};
