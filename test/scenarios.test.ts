/** The scenario library: listed, safe on our core, and each injects the fault kinds it claims. */
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import { runCli } from './cli-helpers.js';

/** Seeds per scenario in CI; the closing note reports 200-seed runs made by hand (`run --scenario X --seeds 200`). */
const SEEDS = 8;

describe('scenario library', () => {
  it('lists at least 14 named scenarios with descriptions', () => {
    const r = runCli(['scenarios', '--json']);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.lastLine) as { name: string; description: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(14);
    for (const row of rows) expect(row.description.length).toBeGreaterThan(20);
    expect(new Set(rows.map((x) => x.name)).size).toBe(rows.length);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: the correct core passes and every claimed fault kind happens`, () => {
      const faults: Record<string, number> = {};
      for (let seed = 1; seed <= SEEDS; seed++) {
        const verdict = runSeed({ seed, scenario, nodeCount: 5 });
        expect(verdict.violations, `seed ${seed}`).toEqual([]);
        for (const [kind, n] of Object.entries(verdict.stats.faults)) faults[kind] = (faults[kind] ?? 0) + n;
      }
      for (const kind of scenario.injects) expect(faults[kind] ?? 0, `${kind} in ${scenario.name}`).toBeGreaterThan(0);
    });
  }
});
