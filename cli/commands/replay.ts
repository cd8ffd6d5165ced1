/** `seaworthy replay`: rerun one seed exactly, show its knobs, plan, timeline and verdict. */
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import { nodeCountOf } from '../../scenarios/cluster-size.js';
import { runSeed } from '../../scenarios/run-seed.js';
import { describeFault } from '../../sim/trace.js';
import { EXIT_PASS, EXIT_VIOLATION } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';
import { parseSeed, parseWidth, rejectFlagsWithPlan, replayCommand as replayRepro } from '../options.js';
import { resolveTarget } from '../target.js';
import { runSeedWatched } from '../watched-seed.js';
import { formatTimeline } from '../timeline.js';
import { missingCapabilities, skipNotice } from '../adapters/capabilities.js';
import { loadPlanFile, targetArgsFromPlan } from '../plan-load.js';
import { UsageError } from '../errors.js';
import { replayCorpus } from '../corpus-replay.js';
import { checkHtmlPath, runPage, writeHtml } from '../html/report.js';

export interface ReplayArgs {
  readonly seed: unknown;
  readonly nodes: unknown;
  readonly scenario: unknown;
  readonly bug: unknown;
  readonly trace: boolean;
  readonly messages: boolean;
  readonly width: unknown;
  readonly json: boolean;
  readonly safetyOnly: boolean;
  readonly fullHeal?: boolean;
  /** `--plan FILE`: replay a saved plan (seed, scenario, nodes, bug and the scenario plan) exactly. */
  readonly plan?: unknown;
  /** `--corpus DIR`: replay every plan file in DIR and fail if a verdict changed (cli/corpus-replay.ts). */
  readonly corpus?: unknown;
  readonly impl?: unknown;
  readonly implCmd?: unknown;
  readonly implTimeout?: unknown;
  /** `--html FILE`: write the run's self-contained HTML report (cluster and history views) there. */
  readonly html?: unknown;
}

export async function executeReplay(args: ReplayArgs, io: Io): Promise<number> {
  if (args.corpus !== undefined) {
    for (const flag of ['seed', 'plan', 'scenario', 'bug', 'nodes'] as const) if (args[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --corpus: each plan file sets it; drop --${flag}`);
    if (typeof args.corpus !== 'string' || args.corpus.trim() === '') throw new UsageError(`--corpus expects a folder, got ${JSON.stringify(args.corpus)}`);
    return replayCorpus(args.corpus, args, io);
  }
  if (args.plan === undefined && args.seed === undefined) throw new UsageError('expected --seed S, --plan FILE or --corpus DIR');
  if (args.plan !== undefined) rejectFlagsWithPlan(args as unknown as Readonly<Record<string, unknown>>);
  // Checked before the run, so a bad width never costs a whole replay.
  const width = parseWidth(args.width, io.columns);
  const htmlFile = checkHtmlPath(args.html);
  // The page is drawn from the trace records, so --html records the run as --trace does (the hash is the same).
  const record = args.trace || htmlFile !== null;
  const saved = args.plan === undefined ? null : loadPlanFile(String(args.plan));
  const seed = saved?.seed ?? parseSeed('seed', args.seed);
  const target = await resolveTarget(saved === null ? args : targetArgsFromPlan(args, saved));
  const { nodeCount, bug } = target;
  const missing = missingCapabilities(target.scenario, target.base.implementation);
  if (missing.length > 0) {
    target.custom?.close();
    const notice = skipNotice(target.scenario, target.base.implementation?.name ?? 'seaworthy-core', missing);
    io.stdout(args.json ? JSON.stringify({ seed, skipped: true, missingCapabilities: missing, notices: [notice] }) : notice);
    return EXIT_PASS;
  }
  // An --impl module runs on a worker thread under the --impl-timeout watchdog, as in `run` (cli/watched-seed.ts).
  const watchdogMs = target.custom?.watchdogMs ?? null;
  const outcome =
    watchdogMs === null
      ? { verdict: runSeed({ ...target.base, seed, record, ...(saved === null ? {} : { plan: saved.plan }) }) }
      : await runSeedWatched(saved === null ? args : targetArgsFromPlan(args, saved), { seed, record, plan: saved?.plan ?? null }, watchdogMs, target.base.implementation?.name ?? 'module');
  target.custom?.close();
  if ('stopped' in outcome) {
    if (htmlFile !== null) io.stderr(`seaworthy: no HTML report: the seed was stopped before it finished, so there is no run to draw`);
    io.stdout(args.json ? JSON.stringify({ seed, ok: false, violations: [{ property: 'implementation-error', atMs: 0, message: outcome.stopped }], scenario: target.scenario.name, nodes: nodeCountOf({ seed, nodeCount }), bug: null }) : `✘ implementation-error: ${outcome.stopped}`);
    return EXIT_VIOLATION;
  }
  const verdict = outcome.verdict;
  if (htmlFile !== null) {
    const flags = target.custom === null ? '--trace' : `${target.custom.flags} --trace`;
    const repro = saved === null ? replayRepro(seed, verdict.scenario, verdict.nodes, bug, flags) : `npx seaworthy replay --plan ${String(args.plan)} ${flags}`;
    writeHtml(htmlFile, runPage(verdict, { label: 'replay', lines: [`repro: ${repro}`] }));
  }
  if (args.json) {
    io.stdout(
      JSON.stringify({
        seed,
        ok: verdict.ok,
        traceHash: verdict.traceHash,
        violations: verdict.violations,
        scenario: verdict.scenario,
        nodes: verdict.nodes,
        bug: bug?.name ?? null,
        implementation: verdict.implementation,
        knobs: verdict.knobs,
        network: verdict.network,
        plan: verdict.plan,
        stats: verdict.stats,
        ...(htmlFile === null ? {} : { html: htmlFile }),
      }),
    );
    return verdict.ok ? EXIT_PASS : EXIT_VIOLATION;
  }
  io.stdout(chalk.bold(`seaworthy replay: seed ${seed}, scenario ${verdict.scenario}, ${verdict.nodes} nodes${nodeCount === undefined ? ' (drawn for the seed)' : ''}, ${verdict.implementation}`));
  io.stdout(`knobs: ${Object.entries(verdict.knobs).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  if (saved !== null) io.stdout(`plan file ${String(args.plan)}: saved with trace hash ${saved.traceHash}${saved.traceHash === verdict.traceHash ? ' (same run)' : chalk.red(' (this run differs: the implementation or the simulator changed)')}`);
  io.stdout(`fault plan (${verdict.plan.events.length} events): ${verdict.plan.events.map((e) => `${e.atMs}ms ${describeFault(e)}`).join('; ') || 'none'}`);
  if (args.trace && verdict.trace !== null) {
    for (const line of formatTimeline(verdict.trace, verdict.violations, { messages: args.messages, width })) io.stdout(line);
  }
  const s = verdict.stats;
  io.stdout(chalk.dim(`${s.events} events, ${s.simulatedMs} ms simulated, ${s.leadersElected} leader elections, max term ${s.maxTerm}, client ops ${s.clientOps.ok} ok / ${s.clientOps.fail} failed / ${s.clientOps.info} indeterminate`));
  io.stdout(`trace hash ${verdict.traceHash}`);
  if (htmlFile !== null) io.stdout(`wrote ${htmlFile}`);
  if (verdict.ok) io.stdout(chalk.green('✔ every property held'));
  for (const v of verdict.violations) io.stdout(chalk.red(`✘ ${v.property} at ${v.atMs} ms (event ${v.event}, nodes ${v.nodes.join(',') || '-'}): ${v.message}`));
  return verdict.ok ? EXIT_PASS : EXIT_VIOLATION;
}

export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay',
  describe: 'rerun one seed exactly, with its fault plan, timeline and verdict',
  builder: (y: Argv) =>
    y
      .option('seed', { describe: 'the seed to replay (or --plan)' })
      .option('plan', { describe: 'replay a saved plan file (from shrink or run --shrink) exactly', type: 'string' })
      .option('corpus', { describe: 'replay every plan file in this folder (a regression corpus); exit 1 if any verdict differs from the one saved in its file', type: 'string' })
      .option('nodes', { describe: 'cluster size, 1 to 7 (default: the size drawn for the seed, as run draws it)' })
      .option('scenario', { describe: 'named fault scenario', type: 'string' })
      .option('bug', { describe: 'a planted bug', type: 'string' })
      .option('trace', { describe: 'print the coloured timeline', type: 'boolean', default: false })
      .option('messages', { describe: 'with --trace, include every message sent and delivered', type: 'boolean', default: false })
      .option('width', { describe: 'with --trace, cut lines to this many columns (40 or more)' })
      .option('safety-only', { describe: 'skip the liveness phase', type: 'boolean', default: false })
      .option('full-heal', { describe: 'the liveness phase heals and restarts every node (default: a random majority, the rest stay faulty)', type: 'boolean', default: false })
      .option('impl', { describe: 'your implementation: a module exporting a RaftImplementation (docs/contract.md)', type: 'string' })
      .option('impl-cmd', { describe: 'your implementation: a command started once per node, speaking docs/protocol.md', type: 'string' })
      .option('impl-timeout', { describe: 'with --impl or --impl-cmd, wall-clock ms one call may take before the seed is stopped as an implementation error (default 5000)' })
      .option('html', { describe: 'write a self-contained HTML report of the run (cluster and client history views) to FILE', type: 'string' })
      .option('json', { describe: 'print one JSON object as the last line of stdout', type: 'boolean', default: false }) as unknown as Argv<ReplayArgs>,
  handler: handleWith(executeReplay),
};
