import { describe, expect, it } from 'vitest';
import type { CoreBug } from '../core/bugs.js';
import type { PropertyName } from '../properties/types.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed, scenarioPlanOf } from '../scenarios/run-seed.js';
import type { Verdict } from '../scenarios/run-seed.js';
import { builtinRaft } from '../sim/builtin.js';
import type { FaultEvent } from '../sim/faults.js';

/**
 * The membership checkers on real runs: the `random` scenario's plan for 3 initial nodes plus a fixed series of
 * membership changes and transfers (a learner added and promoted, the leader replaced through joint consensus and
 * retired, a voter added, node 1 removed, the leader removed and retired). Our core must pass; each of its
 * membership bugs that breaks a safety property must be caught by the property written for it.
 */
const MEMBERSHIP: readonly FaultEvent[] = [
  { atMs: 800, kind: 'conf-change', goal: { op: 'add', node: 4, via: 'learner' }, retire: false, giveUpMs: 3000 },
  { atMs: 1500, kind: 'transfer', target: 'random' },
  { atMs: 2500, kind: 'conf-change', goal: { op: 'replace', remove: 'leader', add: 5 }, retire: true, giveUpMs: 3000 },
  { atMs: 3500, kind: 'conf-change', goal: { op: 'add', node: 6, via: 'voter' }, retire: false, giveUpMs: 3000 },
  { atMs: 4500, kind: 'transfer', target: 'random' },
  { atMs: 5000, kind: 'conf-change', goal: { op: 'remove', node: 1 }, retire: false, giveUpMs: 3000 },
  { atMs: 6000, kind: 'transfer', target: 'random' },
  { atMs: 6500, kind: 'conf-change', goal: { op: 'remove', node: 'leader' }, retire: true, giveUpMs: 3000 },
];

function run(seed: number, bug?: CoreBug): Verdict {
  const scenario = findScenario('random')!;
  const base = scenarioPlanOf({ seed, scenario, nodeCount: 3 });
  const events = [...base.plan.events, ...MEMBERSHIP].sort((a, b) => a.atMs - b.atMs);
  // Safety only: these are the safety checkers' tests (the liveness phase of membership runs is sim/liveness.ts's).
  return runSeed({ seed, scenario, nodeCount: 3, safetyOnly: true, implementation: builtinRaft(bug === undefined ? {} : { bug }), plan: { ...base, plan: { events } } });
}

/** The first seed of 1..`seedsMax` failing with `bug`, and its first violation's property (safety only). */
function firstCatch(bug: CoreBug, seedsMax: number): { seed: number; property: PropertyName } | null {
  for (let seed = 1; seed <= seedsMax; seed++) {
    const first = run(seed, bug).violations[0];
    if (first !== undefined) return { seed, property: first.property };
  }
  return null;
}

describe('membership checkers on real runs', () => {
  it('pass our core through joint consensus, learners, removals, retirements and transfers, and see it happen', () => {
    const reached = new Set<string>();
    for (let seed = 1; seed <= 4; seed++) {
      const v = run(seed);
      expect(v.violations).toEqual([]);
      for (const [name, count] of Object.entries(v.probes)) if (count > 0) reached.add(name);
    }
    for (const probe of ['joint-entered', 'joint-left', 'learner-added', 'learner-promoted', 'leader-removed-stepped-down', 'transfer-completed']) expect(reached).toContain(probe);
  }, 120_000);

  // Which of the properties written for a bug fires first depends on the schedule (a learner counted shows in
  // the votes of an election or in a commit, whichever the seed reaches first).
  it.each([
    ['conf-change-before-own-term-commit', ['configuration-entries'], 20],
    ['conf-from-committed', ['commit-quorum', 'leader-votes'], 20],
    ['joint-new-majority-only', ['leader-votes', 'commit-quorum'], 60],
    ['learner-vote-counted', ['commit-quorum', 'leader-votes'], 60],
  ] as const)('catch %s by %j within %i seeds', (bug, properties, seedsMax) => {
    const caught = firstCatch(bug, seedsMax);
    expect(caught).not.toBeNull();
    expect(properties).toContain(caught?.property);
  }, 300_000);
});
