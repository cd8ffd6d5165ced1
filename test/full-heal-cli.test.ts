/** `--full-heal` on the CLI: replay and run take it, and it gives the old full-heal run, not the majority-only one. */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import { runCliInProcess } from './cli-helpers.js';

function lastJson(stdout: string): { traceHash: string; ok: boolean } {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as { traceHash: string; ok: boolean };
}

describe('--full-heal', () => {
  it('replay --full-heal runs the seed with every node healed, as the library option does', async () => {
    const scenario = findScenario('random');
    if (scenario === undefined) return expect.fail('no random scenario');
    const healed = await runCliInProcess(['replay', '--seed', '4', '--nodes', '5', '--full-heal', '--json']);
    const core = await runCliInProcess(['replay', '--seed', '4', '--nodes', '5', '--json']);
    expect(healed.status).toBe(0);
    expect(core.status).toBe(0);
    expect(lastJson(healed.stdout).traceHash).toBe(runSeed({ seed: 4, scenario, nodeCount: 5, fullHeal: true }).traceHash);
    expect(lastJson(core.stdout).traceHash).toBe(runSeed({ seed: 4, scenario, nodeCount: 5 }).traceHash);
    expect(lastJson(healed.stdout).traceHash).not.toBe(lastJson(core.stdout).traceHash);
  });

  it('run --full-heal passes a small batch', async () => {
    const r = await runCliInProcess(['run', '--seeds', '3', '--nodes', '3', '--full-heal', '--jobs', '1', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ runs: 3, failed: 0 });
  });
});
