/**
 * The stability property end to end: the rejoin-stability scenario passes on our core and on paper-raft, and
 * catches paper-raft's `no-leader-lease` mutant (a rejoining node's pre-vote granted while the leader is heard
 * from, so it deposes a healthy leader) within a bounded number of seeds. The default swarm's stability phase
 * arms the checker too.
 */
import { describe, expect, it } from 'vitest';
import { paperRaft } from '../mutation-corpus/index.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed, scenarioPlanOf } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import type { RaftImplementation } from '../sim/contract.js';

function scenario(name: string): Scenario {
  const s = findScenario(name);
  if (s === undefined) throw new Error(`no scenario ${name}`);
  return s;
}

function firstFailure(implementation: RaftImplementation, seedsMax: number): { seed: number; property: string } | null {
  for (let seed = 1; seed <= seedsMax; seed++) {
    const v = runSeed({ seed, scenario: scenario('rejoin-stability'), nodeCount: 5, implementation });
    if (!v.ok) return { seed, property: v.violations[0]?.property ?? '' };
  }
  return null;
}

describe('stability end to end', () => {
  it('rejoin-stability passes on our core and on paper-raft', () => {
    for (let seed = 1; seed <= 8; seed++) {
      expect(runSeed({ seed, scenario: scenario('rejoin-stability'), nodeCount: 5 }).violations).toEqual([]);
      expect(runSeed({ seed, scenario: scenario('rejoin-stability'), nodeCount: 5, implementation: paperRaft() }).violations).toEqual([]);
    }
  });

  it("catches paper-raft's no-leader-lease within 40 seeds of rejoin-stability", () => {
    expect(firstFailure(paperRaft({ mutation: 'no-leader-lease' }), 40)).toEqual({ seed: 28, property: 'stability' });
  });

  it('the default swarm ends some seeds with the stability phase', () => {
    const withAway = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].filter((seed) => scenarioPlanOf({ seed, scenario: scenario('random'), nodeCount: 5 }).plan.events.some((e) => e.kind === 'away'));
    expect(withAway.length).toBeGreaterThan(0);
  });

  it('the default swarm catches the PreVote and CheckQuorum mutants through its stability phase, and the correct paper-raft passes those seeds', () => {
    // A minority of two bumping each other's terms, a follower's clock jump granted by nodes without a lease, and
    // a cut-off leader that never steps down (seeds found by selftest --corpus; the size is drawn per seed).
    const cases = [
      { mutation: 'pre-vote-bumps-term', seed: 10, window: 'away' },
      // Seeds 30 and 31 since the stale-replay family (seed 11 now draws replays and passes; seed 31 draws them
      // and fails earlier than seed 52 did).
      { mutation: 'no-leader-lease', seed: 30, window: 'timeout' },
      { mutation: 'check-quorum-stale-activity', seed: 31, window: 'away' },
    ] as const;
    for (const c of cases) {
      const v = runSeed({ seed: c.seed, scenario: scenario('random'), implementation: paperRaft({ mutation: c.mutation }) });
      expect(v.violations[0], c.mutation).toMatchObject({ property: 'stability', evidence: { window: c.window } });
      expect(runSeed({ seed: c.seed, scenario: scenario('random'), implementation: paperRaft() }).violations).toEqual([]);
    }
  });
});
