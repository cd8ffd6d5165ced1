/**
 * `seaworthy selftest --corpus`: the measure that counts for bug-finding (issue 11, item 7). Every mutant of
 * the second Raft (`mutation-corpus/`) runs the *default* swarm — the default scenario with default options,
 * seeds from 1, no bug-specific scenario — until its first failure or the seed cap; the first failure is
 * shrunk. The table says, per bug: seeds and seconds to the first failure, the property, and the shrunk size.
 */
import { MUTATIONS, paperRaft } from '../mutation-corpus/index.js';
import type { Mutation, MutationName } from '../mutation-corpus/index.js';
import { nodeCountOf } from '../scenarios/cluster-size.js';
import { DEFAULT_SCENARIO, findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { RunConfig } from '../scenarios/run-seed.js';
import { shrinkFailure } from '../scenarios/shrink.js';
import { runGuidedBatch } from '../scenarios/guided.js';

/** The seed cap of the goal: every mutant caught within 300 seeds of the default swarm. */
export const CORPUS_SEEDS_MAX_DEFAULT = 300;

/** One mutant's result (a public interface: fields are only ever added). */
export interface CorpusRow {
  readonly name: MutationName;
  readonly class: string;
  readonly description: string;
  readonly caught: boolean;
  /** Seeds run until the first failure, counting it (the cap when uncaught). */
  readonly seeds: number;
  /** The first failing seed, or null. */
  readonly seed: number | null;
  /** The first failing seed's cluster size (`--nodes`, or the size drawn for it), or null. */
  readonly nodes?: number | null;
  /** Wall time from the first seed to the first failure (or to the cap), in ms, on one thread. */
  readonly ms: number;
  /**
   * CPU time of the same span (user + system), in ms: one core's time even on a loaded machine. Null on
   * worker threads, where the process's CPU time counts every thread.
   */
  readonly cpuMs: number | null;
  /** The property the first failure violated first, or null. */
  readonly property: string | null;
  readonly planEventsBefore: number | null;
  readonly planEventsAfter: number | null;
  readonly clientOpsBefore: number | null;
  readonly clientOpsAfter: number | null;
  readonly shrinkRuns: number;
  readonly shrinkMs: number;
  /**
   * Present (true) on an equivalent mutant (`Mutation.equivalent`): it runs like the others, but the corpus
   * score leaves it out, since no property of one run can observe it.
   */
  readonly equivalent?: true;
}

export interface CorpusOptions {
  /** `--nodes`; null: each seed runs the size drawn for it, as the default swarm does. */
  readonly nodes: number | null;
  readonly seedsMax: number;
  readonly shrinkBudget: number;
  /** Measure CPU time too (only meaningful when this is the process's only busy thread). */
  readonly measureCpu?: boolean;
  /** `--guided`: the seeds run as a guided batch (scenarios/guided.ts) instead of the plain swarm. */
  readonly guided?: boolean;
}

/** The default swarm against one mutant: no `--scenario`, no safety-only, the CLI's defaults. */
export function corpusConfig(mutation: MutationName, nodes: number | null): Omit<RunConfig, 'seed'> {
  const scenario = findScenario(DEFAULT_SCENARIO);
  if (scenario === undefined) throw new Error(`default scenario ${DEFAULT_SCENARIO} is not registered`);
  return { scenario, ...(nodes === null ? {} : { nodeCount: nodes }), implementation: paperRaft({ mutation }), safetyOnly: false };
}

/** Runs one mutant from seed 1 until it fails or the cap is reached, then shrinks the failure. */
export function runCorpusMutation(mutation: Mutation, options: CorpusOptions): CorpusRow {
  const base = corpusConfig(mutation.name, options.nodes);
  const started = Date.now();
  const cpuStarted = options.measureCpu === true ? process.cpuUsage() : null;
  let failing: number | null = null;
  /** The failing run's config: its seed's, or a guided batch's mutated plan (with the parent's cluster size). */
  let failingConfig: RunConfig | null = null;
  let seeds = 0;
  if (options.guided === true) {
    runGuidedBatch(base, { seedStart: 1, seeds: options.seedsMax }, (run, verdict) => {
      seeds = run.config.seed;
      if (verdict.ok) return false;
      failing = run.config.seed;
      failingConfig = run.config;
      return true;
    });
  } else {
    for (let seed = 1; seed <= options.seedsMax; seed++) {
      seeds = seed;
      if (!runSeed({ ...base, seed }).ok) {
        failing = seed;
        failingConfig = { ...base, seed };
        break;
      }
    }
  }
  const ms = Date.now() - started;
  const cpu = cpuStarted === null ? null : process.cpuUsage(cpuStarted);
  const cpuMs = cpu === null ? null : Math.round((cpu.user + cpu.system) / 1000);
  const row = { name: mutation.name, class: mutation.class, description: mutation.description, seeds, ms, cpuMs, ...(mutation.equivalent === undefined ? {} : { equivalent: true as const }) };
  const none = { property: null, planEventsBefore: null, planEventsAfter: null, clientOpsBefore: null, clientOpsAfter: null, shrinkRuns: 0, shrinkMs: 0 };
  if (failing === null || failingConfig === null) return { ...row, caught: false, seed: null, nodes: null, ...none };
  const shrinkStarted = Date.now();
  const outcome = shrinkFailure({ config: failingConfig, budget: options.shrinkBudget });
  const shrinkMs = Date.now() - shrinkStarted;
  const nodes = nodeCountOf(failingConfig);
  if (outcome === null) return { ...row, caught: true, seed: failing, nodes, ...none, shrinkMs };
  return {
    ...row,
    caught: true,
    seed: failing,
    nodes,
    property: outcome.property,
    planEventsBefore: outcome.before.events,
    planEventsAfter: outcome.after.events,
    clientOpsBefore: outcome.before.clientOps,
    clientOpsAfter: outcome.after.clientOps,
    shrinkRuns: outcome.runs,
    shrinkMs,
  };
}

/** The mutations named (all when `names` is empty), in catalog order. */
export function selectMutations(names: readonly MutationName[]): readonly Mutation[] {
  return names.length === 0 ? MUTATIONS : MUTATIONS.filter((m) => names.includes(m.name));
}

/**
 * Median seconds to the first failure over the caught mutants, or null when none was caught: CPU seconds
 * when every caught row has them, else wall seconds.
 */
export function medianSecondsToCatch(rows: readonly CorpusRow[]): number | null {
  const caught = rows.filter((r) => r.caught);
  const ms = caught.map((r) => (caught.every((c) => c.cpuMs !== null) ? (r.cpuMs as number) : r.ms)).sort((a, b) => a - b);
  if (ms.length === 0) return null;
  const mid = Math.floor(ms.length / 2);
  const median = ms.length % 2 === 1 ? (ms[mid] as number) : ((ms[mid - 1] as number) + (ms[mid] as number)) / 2;
  return median / 1000;
}

/** What the corpus scores: caught mutants among those that are not equivalent (mutation testing's convention). */
export interface CorpusScore {
  readonly counted: number;
  readonly caught: number;
  /** Names of the counted mutants not caught. */
  readonly uncaught: readonly MutationName[];
  /** Names of the equivalent mutants, run but not counted. */
  readonly equivalent: readonly MutationName[];
}

export function corpusScore(rows: readonly CorpusRow[]): CorpusScore {
  const counted = rows.filter((r) => r.equivalent !== true);
  return {
    counted: counted.length,
    caught: counted.filter((r) => r.caught).length,
    uncaught: counted.filter((r) => !r.caught).map((r) => r.name),
    equivalent: rows.filter((r) => r.equivalent === true).map((r) => r.name),
  };
}

/** The table as Markdown (one row per mutant), the same text the docs record. */
export function corpusTable(rows: readonly CorpusRow[], seedsMax: number): string[] {
  const lines = ['| bug | class | seeds to first failure | seconds to first failure (CPU) | property | shrunk plan (fault events, client ops) |', '| --- | --- | ---: | ---: | --- | --- |'];
  for (const r of rows) {
    const seeds = r.caught ? String(r.seeds) : `not caught in ${seedsMax}${r.equivalent === true ? ' (equivalent: not counted)' : ''}`;
    const cpu = r.cpuMs === null ? '' : ` (${(r.cpuMs / 1000).toFixed(2)})`;
    const seconds = `${(r.ms / 1000).toFixed(2)}${cpu}`;
    const shrunk = r.planEventsBefore === null ? '–' : `${r.planEventsBefore} → ${r.planEventsAfter}, ${r.clientOpsBefore} → ${r.clientOpsAfter}`;
    lines.push(`| ${r.name} | ${r.class} | ${seeds} | ${seconds} | ${r.property ?? '–'} | ${shrunk} |`);
  }
  return lines;
}
