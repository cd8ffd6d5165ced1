/**
 * `seaworthy merge`: the JSON summaries of several `run` batches — typically the n shards of one batch —
 * combined into the summary of them all, so a final CI job reports once. Counts are added up, failures put
 * in seed order and grouped again (so a failure class found by two shards is one class, with its first seed
 * overall), and the distinct probe combinations are counted over the union of the shards' combinations. The
 * merge of all n shards of a batch equals the unsharded batch's summary, wall time aside (the merge's
 * `wallMs` is the longest shard's: shards run side by side).
 */
import { z } from 'zod';
import { failureSignature, groupFailures } from './corpus.js';
import type { RunSummary, ShardInfo } from './commands/run.js';
import type { ReportedClass, RunFailure } from './failure-reports.js';
import type { ShrinkReport } from './commands/shrink.js';

/** What the merge says about its inputs (only in a merged summary). */
export interface MergeInfo {
  /** How many summaries were merged. */
  readonly summaries: number;
  /** When every input is a shard of one batch: the shard count, and the shards not among the inputs. */
  readonly shardCount: number | null;
  readonly missingShards: readonly number[];
  /** Every shard of one batch is there (or the inputs are whole batches whose seed ranges do not overlap). */
  readonly complete: boolean;
}

export type MergedSummary = RunSummary & { readonly merged: MergeInfo };

/** A merge input that cannot be merged: a one-line reason naming the file. */
export class MergeError extends Error {}

const counts = z.record(z.string(), z.number());
const failureSchema = z.looseObject({ seed: z.number(), property: z.string(), message: z.string(), atMs: z.number(), nodes: z.number(), repro: z.string() });

/** The fields a summary must have to be merged; others are carried where the merge knows them, else dropped. */
export const runSummarySchema = z.looseObject({
  version: z.string(),
  runs: z.number().int().min(0),
  passed: z.number().int().min(0),
  failed: z.number().int().min(0),
  failures: z.array(failureSchema),
  events: z.number(),
  simulatedMs: z.number(),
  wallMs: z.number(),
  seedStart: z.number().int().min(0),
  scenario: z.string(),
  nodes: z.number().nullable(),
  bug: z.string().nullable(),
  implementation: z.string(),
  faults: counts,
  clientOps: z.object({ ok: z.number(), fail: z.number(), info: z.number() }),
  probes: counts,
  probesMissed: z.array(z.string()),
  implementationErrors: z.number(),
  classes: z.array(z.looseObject({ signature: z.string(), property: z.string(), count: z.number(), seeds: z.array(z.number()), repro: z.string() })),
  interrupted: z.boolean(),
  probeCombinations: z.number(),
});

/** A summary to merge and the file it came from (for messages). */
export interface MergeInput {
  readonly file: string;
  readonly summary: RunSummary;
}

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

function sum(inputs: readonly MergeInput[], pick: (s: RunSummary) => number): number {
  return inputs.reduce((total, i) => total + pick(i.summary), 0);
}

/** The seeds an input covered: from its start up to its last seed, the unfinished ones included. */
function coveredRange(s: RunSummary): { from: number; to: number } {
  return { from: s.seedStart, to: s.seedStart + s.runs + (s.unfinishedSeeds?.length ?? 0) };
}

/** Refuses inputs of different targets, and inputs that would count a seed twice. */
function checkMergeable(inputs: readonly MergeInput[]): void {
  const first = inputs[0];
  if (first === undefined) throw new MergeError('expected at least one summary file');
  for (const i of inputs.slice(1)) {
    for (const key of ['scenario', 'nodes', 'bug', 'implementation'] as const) {
      if (i.summary[key] !== first.summary[key]) {
        throw new MergeError(`cannot merge runs of different targets: ${key} ${JSON.stringify(first.summary[key])} in ${first.file}, ${JSON.stringify(i.summary[key])} in ${i.file}`);
      }
    }
  }
  const sorted = [...inputs].sort((a, b) => a.summary.seedStart - b.summary.seedStart);
  for (let k = 1; k < sorted.length; k++) {
    const before = sorted[k - 1] as MergeInput;
    const after = sorted[k] as MergeInput;
    if (coveredRange(after.summary).from < coveredRange(before.summary).to && after.summary.runs > 0 && before.summary.runs > 0) {
      throw new MergeError(`${before.file} and ${after.file} cover overlapping seeds (from ${before.summary.seedStart} and ${after.summary.seedStart}): merging them would count seeds twice`);
    }
  }
}

function mergeInfo(inputs: readonly MergeInput[]): MergeInfo {
  const shards = inputs.map((i) => i.summary.shard);
  const firstShard = shards[0];
  const oneBatch = firstShard !== undefined && shards.every((s) => s !== undefined && s.count === firstShard.count && s.batchSeedStart === firstShard.batchSeedStart && s.batchSeeds === firstShard.batchSeeds);
  if (!oneBatch) return { summaries: inputs.length, shardCount: null, missingShards: [], complete: shards.every((s) => s === undefined) };
  const present = new Set(shards.map((s) => (s as ShardInfo).index));
  const missing = Array.from({ length: firstShard.count }, (_, k) => k + 1).filter((k) => !present.has(k));
  return { summaries: inputs.length, shardCount: firstShard.count, missingShards: missing, complete: missing.length === 0 };
}

/** The distinct probe combinations of all inputs: exact when every input lists its keys, else the largest count (a lower bound). */
function probeCombinations(inputs: readonly MergeInput[]): { count: number; exact: boolean } {
  const keys = inputs.map((i) => i.summary.shard?.probeCombinationKeys);
  if (keys.every((k) => k !== undefined)) return { count: new Set(keys.flat()).size, exact: true };
  return { count: Math.max(0, ...inputs.map((i) => i.summary.probeCombinations)), exact: false };
}

/** Each merged class with the evidence of the input class that holds its first seed. */
function classesWithEvidence(failures: readonly RunFailure[], inputs: readonly MergeInput[]): ReportedClass[] {
  const evidence = new Map<string, ReportedClass>();
  for (const i of inputs) for (const c of i.summary.classes) if (c.seeds[0] !== undefined) evidence.set(`${c.seeds[0]} ${c.signature}`, c);
  return groupFailures(failures).map((c) => {
    const e = evidence.get(`${c.seeds[0] ?? ''} ${c.signature}`);
    return { ...c, ...(e?.artifact === undefined ? {} : { artifact: e.artifact }), ...(e?.timelineExcerpt === undefined ? {} : { timelineExcerpt: e.timelineExcerpt }) };
  });
}

/** Per class, the shrink of its lowest shrunk seed, in class order (as the unsharded batch shrinks the first seed of each class). */
function mergedShrunk(classes: readonly ReportedClass[], inputs: readonly MergeInput[]): ShrinkReport[] | undefined {
  const all = inputs.flatMap((i) => i.summary.shrunk ?? []);
  if (inputs.every((i) => i.summary.shrunk === undefined)) return undefined;
  return classes.flatMap((c) => {
    const mine = all.filter((r) => failureSignature(r.property, r.message) === c.signature).sort((a, b) => a.seed - b.seed);
    return mine.length === 0 ? [] : [mine[0] as ShrinkReport];
  });
}

function uniqueSorted(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Merges the summaries (see the file's TSDoc); throws a MergeError for inputs that cannot be merged. */
export function mergeSummaries(unordered: readonly MergeInput[]): MergedSummary {
  checkMergeable(unordered);
  const inputs = [...unordered].sort((a, b) => a.summary.seedStart - b.summary.seedStart);
  const all = inputs.map((i) => i.summary);
  const first = all[0] as RunSummary;
  const failures = all.flatMap((s) => s.failures).sort((a, b) => a.seed - b.seed);
  const faults: Record<string, number> = {};
  const probes: Record<string, number> = {};
  const clientOps = { ok: 0, fail: 0, info: 0 };
  for (const s of all) {
    addCounts(faults, s.faults);
    addCounts(probes, s.probes);
    clientOps.ok += s.clientOps.ok;
    clientOps.fail += s.clientOps.fail;
    clientOps.info += s.clientOps.info;
  }
  const classes = classesWithEvidence(failures, inputs);
  const combinations = probeCombinations(inputs);
  const notices = [...new Set(all.flatMap((s) => s.notices ?? []))];
  if (!combinations.exact) notices.push('probe combinations: some summaries do not list theirs (run without --shard), so the merged count is a lower bound');
  const determinism = all.some((s) => s.determinism !== undefined) ? { checkedSeeds: uniqueSorted(all.flatMap((s) => s.determinism?.checkedSeeds ?? [])), nondeterministic: all.flatMap((s) => s.determinism?.nondeterministic ?? []) } : null;
  const shrunk = mergedShrunk(classes, inputs);
  const linUndecided = uniqueSorted(all.flatMap((s) => s.linUndecided ?? []));
  const unfinished = uniqueSorted(all.flatMap((s) => s.unfinishedSeeds ?? []));
  const guided = all.some((s) => s.guided !== undefined) ? { mutatedRuns: sum(inputs, (s) => s.guided?.mutatedRuns ?? 0), corpusSize: sum(inputs, (s) => s.guided?.corpusSize ?? 0), probeCombinations: combinations.count, admitted: sum(inputs, (s) => s.guided?.admitted ?? 0) } : null;
  const budgets = all.flatMap((s) => (s.timeBudget === undefined ? [] : [s.timeBudget]));
  const artifactDirs = new Set(all.map((s) => s.artifacts));
  const runs = sum(inputs, (s) => s.runs);
  return {
    version: first.version,
    runs,
    passed: runs - failures.length,
    failed: failures.length,
    failures,
    events: sum(inputs, (s) => s.events),
    simulatedMs: sum(inputs, (s) => s.simulatedMs),
    wallMs: Math.max(...all.map((s) => s.wallMs)),
    seedStart: first.seedStart,
    scenario: first.scenario,
    nodes: first.nodes,
    bug: first.bug,
    implementation: first.implementation,
    faults,
    clientOps,
    probes,
    // A probe a shard did not count as missable (its implementation cannot reach it) stays out of the merged list.
    probesMissed: Object.entries(probes).filter(([name, n]) => n === 0 && all.every((s) => s.probesMissed.includes(name))).map(([name]) => name),
    implementationErrors: sum(inputs, (s) => s.implementationErrors),
    ...(notices.length > 0 ? { notices } : {}),
    ...(determinism === null ? {} : { determinism }),
    classes,
    ...(shrunk === undefined ? {} : { shrunk }),
    interrupted: all.some((s) => s.interrupted),
    ...(linUndecided.length > 0 ? { linUndecided } : {}),
    probeCombinations: combinations.count,
    ...(guided === null ? {} : { guided }),
    ...(all.some((s) => s.seedStartDrawn === true) ? { seedStartDrawn: true as const } : {}),
    ...(budgets.length === 0 ? {} : { timeBudget: { ms: Math.max(...budgets.map((b) => b.ms)), spent: budgets.some((b) => b.spent) } }),
    ...(unfinished.length > 0 ? { unfinishedSeeds: unfinished } : {}),
    ...(all.every((s) => s.safetyOnly === true) ? { safetyOnly: true as const } : {}),
    ...(artifactDirs.size === 1 && first.artifacts !== undefined ? { artifacts: first.artifacts } : {}),
    merged: mergeInfo(inputs),
  };
}
