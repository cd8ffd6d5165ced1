/**
 * Shrinking a failing run: from the seed's full scenario plan to a small plan (few fault events, few client
 * operations, a kinder network) that still violates the same property. fast-check does the search: the
 * failing plan is its `examples` value over {@link scenarioPlanArbitrary}, the predicate is "this plan, run
 * with the same seed, still violates the property first", and fast-check's seed is fixed to the run's, so a
 * shrink is as deterministic as a run. The search is bounded by a budget of runs. Pure.
 */
import fc from 'fast-check';
import { nodeCountOf } from './cluster-size.js';
import { opsMaxOf, planIsValid, repairEvents, scenarioPlanArbitrary, withOpsMax } from './arbitraries.js';
import type { PlanContext } from './arbitraries.js';
import { DEFAULT_TIMING, DEFAULT_WORKLOAD, runSeed, scenarioPlanOf } from './run-seed.js';
import type { RunConfig, Verdict } from './run-seed.js';
import type { FaultEvent } from '../sim/faults.js';
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
    nodeCount: nodeCountOf(config),
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
  // Capped at the operations the failing run invoked, the plan runs exactly as before (the cap is never
  // reached), and the cap is then something to shrink.
  let best = withOpsMax(original, before.clientOps);
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
    if (!planIsValid(plan.plan, ctx)) return false;
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
      // Tightening the cap to the operations this run invoked changes nothing about the run.
      const ops = clientOpsOf(verdict);
      best = (opsMaxOf(plan) ?? Number.MAX_SAFE_INTEGER) > ops ? withOpsMax(plan, ops) : plan;
      bestSize = { events: plan.plan.events.length, clientOps: ops };
    }
    report();
    return same;
  };
  const withEvents = (p: ScenarioPlan, events: readonly FaultEvent[]): ScenarioPlan => ({ ...p, plan: { events } });
  // A safety violation stops the run, so faults planned after it cannot matter: try without them first.
  const atMs = first.violations[0]?.atMs ?? Number.MAX_SAFE_INTEGER;
  const truncated = withEvents(best, original.plan.events.filter((e) => e.atMs <= atMs));
  if (truncated.plan.events.length < original.plan.events.length) stillFails(truncated);
  // A cheap pre-pass before fast-check: binary searches for the shortest prefix of the fault events and the
  // longest run of leading events to drop (a few runs even for hundreds of events). Failing is not monotone
  // in either, so each finds *a* small failing plan, not the smallest; fast-check refines from there, and
  // it shrinks the cap on operations too (a binary search on the cap first did worse in bench:shrink).
  const searchPrefix = (): void => {
    const events = best.plan.events;
    let lo = 0;
    let hi = events.length;
    while (lo < hi && !exhausted) {
      const mid = Math.floor((lo + hi) / 2);
      if (stillFails(withEvents(best, events.slice(0, mid)))) hi = mid;
      else lo = mid + 1;
    }
  };
  const searchLeading = (): void => {
    const events = best.plan.events;
    let lo = 0;
    let hi = events.length;
    while (lo < hi && !exhausted) {
      const mid = Math.ceil((lo + hi) / 2);
      if (stillFails(withEvents(best, repairEvents(events.slice(mid))))) lo = mid;
      else hi = mid - 1;
    }
  };
  searchPrefix();
  searchLeading();
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
