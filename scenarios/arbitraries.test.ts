import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultPlanArbitrary, planIsValid, repairEvents, scenarioPlanArbitrary, shrinkCandidates } from './arbitraries.js';
import type { PlanContext } from './arbitraries.js';
import { findScenario } from './registry.js';
import { DEFAULT_WORKLOAD, scenarioPlanOf } from './run-seed.js';

const ctx: PlanContext = { nodeCount: 5, safetyMs: 10_000, tickMs: 10, electionTicks: 10, workload: DEFAULT_WORKLOAD };

describe('fault plan arbitraries', () => {
  it('generate plans inside the fault model', () => {
    fc.assert(fc.property(faultPlanArbitrary(ctx), (plan) => planIsValid(plan, ctx)), { seed: 1, numRuns: 200 });
    fc.assert(fc.property(scenarioPlanArbitrary(ctx), (p) => planIsValid(p.plan, ctx)), { seed: 2, numRuns: 100 });
  });

  it('shrink any scenario plan into smaller valid plans, never into the same plan', () => {
    const scenario = findScenario('crash-restart-storm');
    if (scenario === undefined) return expect.fail('no crash-restart-storm');
    const original = scenarioPlanOf({ seed: 3, scenario, nodeCount: 5 });
    expect(scenarioPlanArbitrary(ctx).canShrinkWithoutContext(original)).toBe(true);
    let count = 0;
    for (const c of shrinkCandidates(original, ctx, undefined)) {
      expect(planIsValid(c.plan.plan, ctx)).toBe(true);
      expect(JSON.stringify(c.plan)).not.toBe(JSON.stringify(original));
      expect(c.plan.plan.events.length).toBeLessThanOrEqual(original.plan.events.length);
      if (++count > 500) break;
    }
    expect(count).toBeGreaterThan(10);
  });

  it('shrink a replay to half its messages, down to one', () => {
    const replay = { atMs: 500, kind: 'replay' as const, count: 9, ageMsMin: 300 };
    const base = { network: { latencyMsMin: 1, latencyMsMax: 5, lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 }, knobs: {} };
    const counts = (count: number): number[] =>
      [...shrinkCandidates({ ...base, plan: { events: [{ ...replay, count }] } }, ctx, undefined)].flatMap((c) => c.plan.plan.events.map((e) => (e.kind === 'replay' ? e.count : -1)));
    expect(counts(9)).toContain(5);
    // Other candidates keep the event as it is (calmer clients, say); none goes below one message.
    expect(counts(1).every((c) => c === 1)).toBe(true);
  });

  it('repair drops restarts of running nodes and crashes of crashed ones', () => {
    expect(repairEvents([{ atMs: 1, kind: 'restart', node: 1 }, { atMs: 2, kind: 'crash', node: 2 }, { atMs: 3, kind: 'crash', node: 2 }, { atMs: 4, kind: 'restart', node: 2 }])).toEqual([
      { atMs: 2, kind: 'crash', node: 2 },
      { atMs: 4, kind: 'restart', node: 2 },
    ]);
  });
});

describe('shrinking client operations', () => {
  const scenario = findScenario('random');
  it('halves the cap first, then lowers it in smaller steps, never raising it', () => {
    if (scenario === undefined) return expect.fail('no random');
    const original = scenarioPlanOf({ seed: 3, scenario, nodeCount: 5 });
    const capped = { ...original, workload: { ...original.workload, opsMax: 40 } };
    const caps = [...shrinkCandidates(capped, ctx, undefined)].map((c) => c.plan.workload?.opsMax).filter((n) => n !== 40);
    expect(caps[0]).toBe(20);
    expect(caps).toEqual([20, 8, 24, 32, 36, 38, 39]);
    expect([...shrinkCandidates(original, ctx, undefined)].every((c) => c.plan.workload?.opsMax === undefined)).toBe(true);
  });
});
