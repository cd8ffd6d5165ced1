/**
 * `run --guided` on this thread: the guided batch (scenarios/guided.ts) as a seed pool for `run`, and the
 * repro of a failure found by a mutated plan, which is that plan saved as a plan file (its seed alone would
 * rerun the unmutated scenario).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuidedCorpus, Mutation } from '../scenarios/guided.js';
import { encodePlanFile, PLAN_FILE_FORMAT, PLAN_FILE_VERSION, planFileName } from '../scenarios/plan-file.js';
import type { PlanFile } from '../scenarios/plan-file.js';
import { runSeed } from '../scenarios/run-seed.js';
import { runSeedsOnThisThread } from './parallel.js';
import type { SeedPool } from './parallel.js';
import { summarize } from './seed-summary.js';
import type { SeedSummary } from './seed-summary.js';
import type { Target } from './target.js';

/** A run of a mutated corpus plan: the mutation and the trace hash it produced (saved with its plan). */
export interface MutatedRun {
  readonly mutation: Mutation;
  readonly traceHash: string;
  readonly implementation: string;
}

/**
 * Runs the guided batch seed by seed, reporting each to `onSeed` and each mutated run into `mutated`. It
 * yields to the event loop between seeds, so a signal stops it after the seed in progress, as `run` does.
 */
export function runGuidedHere(
  corpus: GuidedCorpus,
  seedStart: number,
  seeds: number,
  onSeed: (summary: SeedSummary, usage: null) => void,
  mutated: Map<number, MutatedRun>,
): SeedPool {
  return runSeedsOnThisThread(seedStart, seeds, (seed) => {
    const run = corpus.next(seed);
    const verdict = runSeed(run.config);
    corpus.record(run, verdict);
    if (run.mutation !== null) mutated.set(seed, { mutation: run.mutation, traceHash: verdict.traceHash, implementation: verdict.implementation });
    onSeed(summarize(verdict), null);
  });
}

/**
 * Saves the failing mutated run's plan under `outDir` (`guided-seed-<S>-<property>.json`) and returns the
 * command that replays it. When the file cannot be written, the repro is the guided batch itself, which is
 * deterministic from its seed start, so the failure is never left without a way back.
 */
export function mutatedFailureRepro(target: Target, run: MutatedRun, seed: number, property: string, outDir: string, batch: { readonly seedStart: number; readonly seeds: number }): string {
  const file = join(outDir, `guided-${planFileName(seed, property)}`);
  const planFile: PlanFile = {
    format: PLAN_FILE_FORMAT,
    version: PLAN_FILE_VERSION,
    seed,
    scenario: target.scenario.name,
    nodes: run.mutation.nodes,
    bug: target.bug?.name ?? null,
    implementation: run.implementation,
    safetyOnly: target.base.safetyOnly === true,
    ...(target.base.fullHeal === true ? { fullHeal: true } : {}),
    property,
    traceHash: run.traceHash,
    plan: run.mutation.plan,
  };
  const implFlags = target.custom === null ? '' : ` ${target.custom.flags}`;
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(file, encodePlanFile(planFile));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return `(plan file not saved: ${why}) rerun the guided batch: npx seaworthy run --guided --seed-start ${batch.seedStart} --seeds ${batch.seeds} --scenario ${target.scenario.name}${implFlags}`;
  }
  return `npx seaworthy replay --plan ${file}${implFlags} --trace`;
}
