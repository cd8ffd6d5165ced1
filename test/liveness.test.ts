/** The liveness phase: heal, restart, and demand convergence — and --safety-only turns it off. */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation } from '../sim/contract.js';
import { runCli } from './cli-helpers.js';

/** Our core, except that nodes never campaign: safe, but never elects a leader. */
const neverElects: RaftImplementation = {
  name: 'never-elects',
  create(init) {
    return builtinRaft().create({ ...init, electionTicks: 1_000_000_000 });
  },
};

describe('liveness', () => {
  const scenario = findScenario('random');
  if (scenario === undefined) throw new Error('no random scenario');

  it('reports a cluster that never converges after faults heal', () => {
    const verdict = runSeed({ seed: 1, scenario, nodeCount: 3, implementation: neverElects });
    expect(verdict.ok).toBe(false);
    expect(verdict.violations[0]).toMatchObject({ property: 'liveness' });
    expect(verdict.violations[0]?.message).toContain('no leader');
  });

  it('does not judge liveness with safetyOnly', () => {
    const verdict = runSeed({ seed: 1, scenario, nodeCount: 3, implementation: neverElects, safetyOnly: true });
    expect(verdict.violations.filter((v) => v.property === 'liveness')).toEqual([]);
  });

  it('converges on the correct core, ending the run early', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const verdict = runSeed({ seed, scenario, nodeCount: 5 });
      expect(verdict.ok, verdict.violations[0]?.message).toBe(true);
      expect(verdict.stats.simulatedMs).toBeLessThan(20_000);
    }
  });

  it('--safety-only is accepted by run', () => {
    const r = runCli(['run', '--seeds', '3', '--safety-only', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.lastLine)).toMatchObject({ runs: 3, failed: 0 });
  });
});
