/**
 * Shrinking a failing run: from the seed's full scenario plan to a small plan (few fault events, few client
 * operations, a kinder network) that still violates the same property. fast-check does the search: the
 * failing plan is its `examples` value over {@link scenarioPlanArbitrary}, the predicate is "this plan, run
 * with the same seed, still violates the property first", and fast-check's seed is fixed to the run's, so a
 * shrink is as deterministic as a run. The search is bounded by a budget of runs. Pure.
 */
import fc from 'fast-check';
import { planIsValid, scenarioPlanArbitrary } from './arbitraries.js';
import type { PlanContext } from './arbitraries.js';
import { DEFAULT_TIMING, DEFAULT_WORKLOAD, runSeed, scenarioPlanOf } from './run-seed.js';
import type { RunConfig, Verdict } from './run-seed.js';
import type { ScenarioPlan } from './types.js';

/** Default bound on the runs one shrink may try. */
export const SHRINK_BUDGET_DEFAULT = 300;
/** Bound on fast-check passes (each starts from the previous pass's result with a fresh context). */
const SHRINK_PASSES_MAX = 8;

export interface ShrinkProgress {
  /** Runs tried so far (the first is the original failure). */
  readonly runs: number;
  readonly budget: number;
  /** Size of the smallest failing plan found so far. */
  readonly events: number;
  readonly clientOps: number;
}

export interface ShrinkOptions {
  /** The failing run (without `plan`: the scenario's own plan is the starting point; with it, that plan). */
  readonly config: RunConfig;
  /** Most runs to try, the first included. */
  readonly budget?: number;
  /** Called after every run (for a progress line on a terminal). */
  readonly onProgress?: (progress: ShrinkProgress) => void;
}

/** A plan's size: fault events and client operations invoked. */
export interface PlanSize {
  readonly events: number;
  readonly clientOps: number;
}

export interface ShrinkOutcome {
  readonly seed: number;
  /** The property the original run violated first, which every accepted shrink still violates first. */
  readonly property: string;
  readonly original: ScenarioPlan;
  readonly minimal: ScenarioPlan;
  readonly before: PlanSize;
  readonly after: PlanSize;
  /** The minimal plan's run, recorded (its `trace` is set). */
  readonly verdict: Verdict;
  /** Runs tried, the original and the final recorded run excluded from neither: runs <= budget + 1. */
  readonly runs: number;
  readonly budget: number;
  /** Whether the budget ran out before fast-check ran out of candidates. */
  readonly exhausted: boolean;
}

/** Client operations a run invoked. */
export function clientOpsOf(verdict: Verdict): number {
  let n = 0;
  for (const e of verdict.history) if (e.type === 'invoke') n++;
  return n;
}

/** fast-check seeds are 32-bit; derive one from the run seed. */
function fcSeed(seed: number): number {
  return seed % 0x7fff_ffff;
}

export function planContextOf(config: RunConfig): PlanContext {
  return {
    nodeCount: config.nodeCount,
    safetyMs: config.safetyMs ?? DEFAULT_TIMING.safetyMs,
    tickMs: DEFAULT_TIMING.tickMs,
    electionTicks: DEFAULT_TIMING.electionTicks,
    workload: DEFAULT_WORKLOAD,
  };
}

/**
 * Shrinks the failure of `options.config`. Returns null when that run passes (nothing to shrink). Never
 * returns a plan that does not violate the original property: the minimal plan is rerun and checked.
 */
export function shrinkFailure(options: ShrinkOptions): ShrinkOutcome | null {
  const budget = Math.max(1, options.budget ?? SHRINK_BUDGET_DEFAULT);
  const { plan: _given, record: _record, ...base } = options.config;
  const ctx = planContextOf(options.config);
  const original = scenarioPlanOf(options.config);
  const first = runSeed({ ...base, plan: original });
  const property = first.violations[0]?.property;
  if (property === undefined) return null;
  const before: PlanSize = { events: original.plan.events.length, clientOps: clientOpsOf(first) };
  let runs = 1;
  let best = original;
  let bestSize = before;
  let exhausted = false;
  const report = (): void => options.onProgress?.({ runs, budget, events: bestSize.events, clientOps: bestSize.clientOps });
  report();
  /** Runs `plan`; true when it still violates `property` first (and then it is the best so far). */
  const stillFails = (plan: ScenarioPlan): boolean => {
    if (runs >= budget) {
      exhausted = true;
      return false;
    }
    runs++;
    let verdict: Verdict;
    try {
      verdict = runSeed({ ...base, plan });
    } catch {
      // A plan the simulation refuses is not a reproduction; fast-check must not descend into it.
      report();
      return false;
    }
    const same = verdict.violations[0]?.property === property;
    if (same) {
      best = plan;
      bestSize = { events: plan.plan.events.length, clientOps: clientOpsOf(verdict) };
    }
    report();
    return same;
  };
  // A safety violation stops the run, so faults planned after it cannot matter: try without them first.
  const atMs = first.violations[0]?.atMs ?? Number.MAX_SAFE_INTEGER;
  const truncated: ScenarioPlan = { ...original, plan: { events: original.plan.events.filter((e) => e.atMs <= atMs) } };
  if (truncated.plan.events.length < original.plan.events.length && planIsValid(truncated.plan, ctx)) stillFails(truncated);
  // fast-check stops when no candidate of the current best fails. Its candidates skip simplifications that
  // failed on larger plans (see arbitraries.ts), so a fresh pass from the new best may still find more.
  for (let pass = 0; pass < SHRINK_PASSES_MAX && !exhausted; pass++) {
    const start = best;
    fc.check(fc.property(scenarioPlanArbitrary(ctx), (plan) => !stillFails(plan)), { seed: fcSeed(options.config.seed), numRuns: 1, examples: [[best]], verbose: 0 });
    if (best === start) break;
  }
  const verdict = runSeed({ ...base, plan: best, record: true });
  if (verdict.violations[0]?.property !== property) {
    // Determinism says this cannot happen; if it does, the original plan is the honest answer.
    return { seed: base.seed, property, original, minimal: original, before, after: before, verdict: runSeed({ ...base, plan: original, record: true }), runs, budget, exhausted };
  }
  return { seed: base.seed, property, original, minimal: best, before, after: { events: best.plan.events.length, clientOps: clientOpsOf(verdict) }, verdict, runs, budget, exhausted };
}
