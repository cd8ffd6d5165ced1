import { describe, expect, it } from 'vitest';
import { checkPlan } from '../sim/faults.js';
import { GuidedCorpus, runGuidedBatch } from './guided.js';
import type { GuidedRun } from './guided.js';
import { DEFAULT_SCENARIO, findScenario } from './registry.js';
import { runSeed } from './run-seed.js';

const scenario = findScenario(DEFAULT_SCENARIO)!;
// Short safety phases keep the batch cheap; guidance does not depend on the length.
const base = { scenario, safetyMs: 2_000, safetyOnly: true } as const;
const options = { warmupRuns: 6, mutatePerMille: 600 } as const;

function batch(seedStart: number, seeds: number): { runs: { run: GuidedRun; hash: string; ok: boolean }[]; stats: ReturnType<typeof runGuidedBatch> } {
  const runs: { run: GuidedRun; hash: string; ok: boolean }[] = [];
  const stats = runGuidedBatch(base, { seedStart, seeds, options }, (run, verdict) => {
    runs.push({ run, hash: verdict.traceHash, ok: verdict.ok });
    return false;
  });
  return { runs, stats };
}

describe('guided swarm', () => {
  it('mutates corpus plans inside the fault model, deterministically from the seed start', () => {
    const a = batch(1, 24);
    const b = batch(1, 24);
    expect(b.runs.map((r) => r.hash)).toEqual(a.runs.map((r) => r.hash));
    expect(b.stats).toEqual(a.stats);
    const mutated = a.runs.filter((r) => r.run.mutation !== null);
    expect(mutated.length).toBe(a.stats.mutatedRuns);
    expect(mutated.length).toBeGreaterThan(0);
    expect(a.stats.corpusSize).toBeGreaterThan(0);
    expect(a.stats.probeCombinations).toBeGreaterThan(1);
    for (const { run } of mutated) {
      const m = run.mutation!;
      expect(m.operators.length).toBeGreaterThan(0);
      expect(checkPlan(m.plan.plan, m.nodes, base.safetyMs)).toEqual([]);
    }
  });

  it('replays a mutated run exactly from its seed, cluster size and plan (what a saved plan file holds)', () => {
    const { runs } = batch(1, 24);
    const m = runs.find((r) => r.run.mutation !== null)!;
    const again = runSeed({ ...base, seed: m.run.config.seed, nodeCount: m.run.mutation!.nodes, plan: m.run.mutation!.plan });
    expect(again.traceHash).toBe(m.hash);
  });

  it('runs only fresh seeds during the warm-up, identical to an unguided batch', () => {
    const corpus = new GuidedCorpus(base, { warmupRuns: 3 });
    for (let seed = 1; seed <= 3; seed++) {
      const run = corpus.next(seed);
      expect(run.mutation).toBeNull();
      const verdict = runSeed(run.config);
      expect(verdict.traceHash).toBe(runSeed({ ...base, seed }).traceHash);
      corpus.record(run, verdict);
    }
  });
});
