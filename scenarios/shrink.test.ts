import { describe, expect, it } from 'vitest';
import { findPlantedBug } from './planted-bugs.js';
import { findScenario } from './registry.js';
import { runSeed } from './run-seed.js';
import type { RunConfig } from './run-seed.js';
import { shrinkFailure } from './shrink.js';

function firstFailure(bugName: string): RunConfig {
  const bug = findPlantedBug(bugName);
  const scenario = bug === undefined ? undefined : findScenario(bug.scenario);
  if (bug === undefined || scenario === undefined) throw new Error(`no bug ${bugName}`);
  const base = { scenario, nodeCount: 5, implementation: bug.implementation(), ...(bug.hostBugs === undefined ? {} : { hostBugs: bug.hostBugs }) };
  for (let seed = 1; seed <= bug.seedsToCatchMax; seed++) if (!runSeed({ ...base, seed }).ok) return { ...base, seed };
  throw new Error(`${bugName} not caught`);
}

describe('shrinking a failing plan', () => {
  it('returns null for a passing run', () => {
    const scenario = findScenario('random');
    if (scenario === undefined) return expect.fail('no random');
    expect(shrinkFailure({ config: { seed: 1, scenario, nodeCount: 3 }, budget: 5 })).toBeNull();
  });

  it('keeps the property, never grows the plan, stays in budget, and is deterministic', () => {
    const config = firstFailure('apply-beyond-commit');
    const a = shrinkFailure({ config, budget: 15 });
    const b = shrinkFailure({ config, budget: 15 });
    if (a === null || b === null) return expect.fail('expected a failure');
    expect(a.verdict.violations[0]?.property).toBe(a.property);
    expect(a.after.events).toBeLessThanOrEqual(a.before.events);
    expect(a.runs).toBeLessThanOrEqual(15);
    expect(b.minimal).toEqual(a.minimal);
    expect(b.verdict.traceHash).toBe(a.verdict.traceHash);
    // The minimal plan replays by itself, exactly.
    const replayed = runSeed({ ...config, plan: a.minimal });
    expect(replayed.traceHash).toBe(a.verdict.traceHash);
    expect(replayed.violations[0]?.property).toBe(a.property);
  });
});

describe('shrinking client operations', () => {
  it('counts invoke events and caps the minimal plan at the operations its run invoked', () => {
    const config = firstFailure('stale-read');
    const outcome = shrinkFailure({ config, budget: 40 });
    if (outcome === null) return expect.fail('expected a failure');
    const invokes = (v: { history: readonly { type: string }[] }): number => v.history.filter((e) => e.type === 'invoke').length;
    expect(outcome.before.clientOps).toBe(invokes(runSeed(config)));
    expect(outcome.after.clientOps).toBe(invokes(outcome.verdict));
    expect(outcome.minimal.workload?.opsMax).toBe(outcome.after.clientOps);
    expect(outcome.after.clientOps).toBeLessThan(outcome.before.clientOps);
    expect(outcome.runs).toBeLessThanOrEqual(40);
    expect(outcome.verdict.violations[0]?.property).toBe(outcome.property);
  });
});
