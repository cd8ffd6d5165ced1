/**
 * Majority-only liveness (issue 11, item 3): the liveness phase heals a random core of a majority or more and
 * leaves the rest faulty (crashed nodes stay down, running ones are cut off), and the core must converge;
 * `fullHeal` heals every node as before.
 */
import { describe, expect, it } from 'vitest';
import { builtinRaft } from '../sim/builtin.js';
import type { FaultEvent } from '../sim/faults.js';
import { RELIABLE_NETWORK } from '../sim/network.js';
import { simulate } from '../sim/simulation.js';
import type { SimulationOptions, SimulationResult } from '../sim/simulation.js';

function run(seed: number, events: FaultEvent[], overrides: Partial<SimulationOptions> = {}): SimulationResult {
  return simulate(
    {
      seed,
      nodeCount: 5,
      implementation: builtinRaft(),
      tickMs: 10,
      electionTicks: 10,
      heartbeatTicks: 2,
      safetyMs: 2000,
      livenessMs: 5000,
      network: RELIABLE_NETWORK,
      workload: { clientCount: 2, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 40 },
      plan: { events },
      record: true,
      ...overrides,
    },
    { observe: () => false },
  );
}

/** Two nodes crashed for good and a partition left in place when the safety phase ends. */
const FAULTY: FaultEvent[] = [
  { atMs: 500, kind: 'crash', node: 1 },
  { atMs: 600, kind: 'crash', node: 2 },
  { atMs: 700, kind: 'partition', groups: [[3], [4, 5]] },
];

describe('majority-only liveness', () => {
  it('heals a random core of at least a majority, converges, and leaves the rest crashed or cut off', () => {
    const sizes = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      const result = run(seed, FAULTY);
      expect(result.liveness.ok, `seed ${seed}: ${result.liveness.problems.join('; ')}`).toBe(true);
      const core = result.liveness.core;
      expect(core.length).toBeGreaterThanOrEqual(3);
      sizes.add(core.length);
      // A crashed node outside the core is never restarted in the liveness phase.
      const restarted = (result.trace ?? []).filter((r) => r.type === 'fact' && r.fact.kind === 'restart' && r.atMs >= 2000).map((r) => r.node);
      for (const node of restarted) expect(core).toContain(node);
    }
    // The core is drawn per seed: sometimes a bare majority, sometimes more.
    expect(sizes.has(3)).toBe(true);
    expect(sizes.size).toBeGreaterThan(1);
  });

  it('fullHeal heals and restarts every node, as before', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const result = run(seed, FAULTY, { fullHeal: true });
      expect(result.liveness.ok).toBe(true);
      expect(result.liveness.core).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('a node outside the core that is up hears no one', () => {
    // Seed search: a core that leaves out node 3, which is running (only 1 and 2 crashed).
    for (let seed = 1; seed <= 40; seed++) {
      const result = run(seed, FAULTY);
      if (result.liveness.core.includes(3)) continue;
      const delivered = (result.trace ?? []).filter((r) => r.type === 'deliver' && r.atMs > 2000 && (r.message.to === 3 || r.message.from === 3));
      expect(delivered).toEqual([]);
      return;
    }
    expect.fail('no seed left node 3 out of the core');
  });
});
