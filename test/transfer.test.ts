/**
 * The transfer property (properties/transfer.ts) through the whole pipeline: on transfer-lagging's plans (a node
 * away while clients write, made the target as it returns, on a calm network) the correct core and the JavaScript
 * example complete every judged transfer, and the planted transfer-to-lagging-target fails the same plans.
 */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation } from '../sim/contract.js';

const EXAMPLE = '../examples/js-raft/';
const membershipExample = ((await import(`${EXAMPLE}membership.js`)) as { default: RaftImplementation }).default;

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

const SEEDS = [1, 2, 3, 4, 5, 6];

describe('transfer property, run level', () => {
  it('fails transfer-to-lagging-target on transfer-lagging, with the transfer as evidence, where the correct core and the JS example pass', () => {
    const lagging = scenario('transfer-lagging');
    let caught = 0;
    for (const seed of SEEDS) {
      const buggy = runSeed({ seed, scenario: lagging, nodeCount: 5, implementation: builtinRaft({ bug: 'transfer-to-lagging-target' }) });
      expect(runSeed({ seed, scenario: lagging, nodeCount: 5 }).violations, `core, seed ${seed}`).toEqual([]);
      expect(runSeed({ seed, scenario: lagging, nodeCount: 5, implementation: membershipExample }).violations, `example, seed ${seed}`).toEqual([]);
      if (buggy.ok) continue;
      caught++;
      const [v] = buggy.violations;
      expect(v?.property).toBe('transfer');
      const evidence = v?.evidence as { leader: number; target: number; acceptedAtMs: number; deadlineMs: number };
      // The target is the node the plan sent away and made the target.
      expect(buggy.plan.events.some((e) => e.kind === 'transfer' && e.target === evidence.target)).toBe(true);
      expect(v?.nodes).toContain(evidence.leader);
      expect(evidence.deadlineMs - evidence.acceptedAtMs).toBe(200);
    }
    expect(caught).toBeGreaterThanOrEqual(4);
  });

  it('does not judge implementations without leadership-transfer, nor lossy networks', () => {
    const core = builtinRaft({ bug: 'transfer-to-lagging-target' });
    const without = { ...core, capabilities: (core.capabilities ?? []).filter((c) => c !== 'leadership-transfer') };
    const verdict = runSeed({ seed: 2, scenario: scenario('transfer-lagging'), nodeCount: 5, implementation: without });
    expect(verdict.violations.filter((v) => v.property === 'transfer')).toEqual([]);
    for (const seed of [1, 2, 3]) {
      const lossy = runSeed({ seed, scenario: scenario('transfer-lossy'), nodeCount: 5, implementation: core });
      expect(lossy.violations.filter((v) => v.property === 'transfer')).toEqual([]);
    }
  });
});
