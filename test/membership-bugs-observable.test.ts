/**
 * The core's membership and transfer planted bugs are observable through the whole pipeline (host facts, the
 * checkers, the probes), each on a plan made to expose it: a configuration change at the moment a partition cuts
 * the leader off from part of the old configuration, or a transfer to a node just back from a partition. The same
 * seeds of the same plans pass on the correct core. The registered scenarios that catch them in a swarm are
 * scenarios/planted-bugs.ts's (m-sim); these plans show what each needs.
 */
import { describe, expect, it } from 'vitest';
import type { CoreBug } from '../core/bugs.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Verdict } from '../scenarios/run-seed.js';
import type { ScenarioPlan } from '../scenarios/types.js';
import { builtinRaft } from '../sim/builtin.js';
import type { FaultEvent } from '../sim/faults.js';

const CALM_NETWORK = { latencyMsMin: 1, latencyMsMax: 10, lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 };

function planOf(events: FaultEvent[]): ScenarioPlan {
  return { network: CALM_NETWORK, plan: { events }, workload: { thinkMsMax: 200, opsMax: 300, clientCount: 3 }, knobs: {} };
}

function run(seed: number, nodeCount: number, plan: ScenarioPlan, bug: CoreBug | undefined): Verdict {
  const scenario = findScenario('random');
  if (scenario === undefined) throw new Error('no random scenario');
  return runSeed({ seed, scenario, nodeCount, plan, implementation: builtinRaft(bug === undefined ? {} : { bug }) });
}

/** The first of seeds 1..max the bug fails, with the property; every seed up to it passes on the correct core. */
function firstCatch(nodeCount: number, plan: ScenarioPlan, bug: CoreBug, max: number): { seed: number; property: string } | null {
  for (let seed = 1; seed <= max; seed++) {
    const buggy = run(seed, nodeCount, plan, bug);
    expect(run(seed, nodeCount, plan, undefined).violations, `correct core, seed ${seed}`).toEqual([]);
    if (!buggy.ok) return { seed, property: buggy.violations[0]?.property ?? '' };
  }
  return null;
}

describe('membership planted bugs, observed from facts', () => {
  it('joint-new-majority-only: C_old,new committed by C_new alone while C_old\'s majority is cut off (commit-quorum)', () => {
    // Replace 3 by 4 while {1, 4} are cut off from {2, 3}: when 1 leads, C_new = {1, 2, 4} has its majority in
    // {1, 4}, C_old = {1, 2, 3} has none there. 12 of seeds 1-20 caught, the first at seed 2.
    const plan = planOf([
      { atMs: 1500, kind: 'partition', groups: [[1, 4], [2, 3]] },
      { atMs: 1500, kind: 'conf-change', goal: { op: 'replace', remove: 3, add: 4 }, retire: false, giveUpMs: 3000 },
      { atMs: 4000, kind: 'heal' },
    ]);
    expect(firstCatch(3, plan, 'joint-new-majority-only', 10)?.property).toBe('commit-quorum');
  });

  it('learner-vote-counted: an entry committed with a learner standing in for a voter (commit-quorum)', () => {
    // Four voters and a learner: counted as a fifth voter, the learner makes {1, 2, 5} a "majority" while {3, 4}
    // are cut off. 17 of seeds 1-20 caught, the first at seed 1.
    const plan = planOf([
      { atMs: 1500, kind: 'partition', groups: [[1, 2, 5], [3, 4]] },
      { atMs: 1500, kind: 'conf-change', goal: { op: 'add', node: 5, via: 'learner' }, retire: false, giveUpMs: 3000 },
      { atMs: 4000, kind: 'heal' },
    ]);
    expect(firstCatch(4, plan, 'learner-vote-counted', 6)?.property).toBe('commit-quorum');
  });

  it('conf-from-committed: adding a voter, the leader counts the old configuration until the change commits (commit-quorum)', () => {
    // {1, 2} are a majority of {1, 2, 3} but not of {1, 2, 3, 4}, in force once appended. 20 of 20 seeds caught.
    const plan = planOf([
      { atMs: 1500, kind: 'conf-change', goal: { op: 'add', node: 4, via: 'voter' }, retire: false, giveUpMs: 3000 },
      { atMs: 1500, kind: 'partition', groups: [[1, 2], [3], [4]] },
      { atMs: 4000, kind: 'heal' },
    ]);
    expect(firstCatch(3, plan, 'conf-from-committed', 4)?.property).toBe('commit-quorum');
  });

  it('transfer-to-lagging-target: Raft stays safe, but the transfer to a node just back from a partition fails (transfer, and the probes)', () => {
    // Node 3 misses two seconds of entries, then is made the target at once: the correct leader catches it up and
    // it leads; the buggy one sends TimeoutNow at once, node 3 campaigns with a stale log and loses, and the old
    // leader is deposed by its term. No safety property is broken; the transfer property (properties/transfer.ts)
    // judges the transfer asked for on a calm network, and the probes tell the two apart too.
    const plan = planOf([
      { atMs: 1500, kind: 'partition', groups: [[1, 2], [3]] },
      { atMs: 3500, kind: 'heal' },
      { atMs: 3502, kind: 'transfer', target: 3 },
    ]);
    let completedCorrect = 0;
    let abortedBuggy = 0;
    let caughtBuggy = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const correct = run(seed, 3, plan, undefined);
      const buggy = run(seed, 3, plan, 'transfer-to-lagging-target');
      expect(correct.violations).toEqual([]);
      // Aborted transfers fail the transfer property, and nothing else.
      expect(buggy.violations.map((v) => v.property)).toEqual(buggy.probes['transfer-aborted'] > 0 ? ['transfer'] : []);
      if (!buggy.ok) caughtBuggy++;
      completedCorrect += correct.probes['transfer-completed'];
      abortedBuggy += buggy.probes['transfer-aborted'];
    }
    expect(completedCorrect).toBe(4);
    expect(abortedBuggy).toBeGreaterThanOrEqual(3);
    expect(caughtBuggy).toBeGreaterThanOrEqual(3);
  });
});
