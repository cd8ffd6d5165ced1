/**
 * The paper's Figure 8 schedule, generalised: leaders are crashed again and again, soon after they take
 * office, while clients propose only now and then. That leaves entries of different terms at the same
 * index on different minorities, so a leader that commits an older-term entry by counting replicas
 * (instead of Raft §5.4.2's rule) has it overwritten by the next leader.
 */
import { maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { Prng } from '../sim/prng.js';
import type { Scenario, ScenarioContext, ScenarioPlan } from './types.js';

export const figure8: Scenario = {
  name: 'figure8',
  description: "the paper's Figure 8: leaders are isolated or crashed soon after election while clients propose sparsely, leaving divergent terms at one index",
  assumes: 'at most f of 2f+1 nodes down at once; synced writes survive crashes',
  injects: ['isolate-leader', 'bounce', 'heal', 'restart'],
  requires: [],
  generate(prng: Prng, ctx: ScenarioContext): ScenarioPlan {
    const electionMs = ctx.electionTicks * ctx.tickMs;
    const leaderTenureMsMax = prng.range(electionMs >> 1, 3 * electionMs);
    const downMsMax = prng.range(electionMs, 4 * electionMs);
    const thinkMsMax = prng.range(50, 600);
    const plan = prng.fork('plan');
    const events: FaultEvent[] = [];
    const limit = maxFaultyNodes(ctx.nodeCount);
    let bouncesUntil: number[] = [];
    for (let atMs = electionMs * 3; atMs < ctx.safetyMs; atMs += plan.range(ctx.tickMs, leaderTenureMsMax)) {
      bouncesUntil = bouncesUntil.filter((until) => until > atMs);
      if (bouncesUntil.length >= limit) continue;
      const roll = plan.int(3);
      if (roll === 0) {
        // Cut the leader off (maybe with one follower): it keeps appending client commands in its own term
        // that only its side stores, the divergent suffix Figure 8 needs.
        events.push({ atMs, kind: 'isolate-leader', companions: plan.int(Math.min(2, ctx.nodeCount - 2)) });
      } else if (roll === 1) {
        events.push({ atMs, kind: 'heal' });
      } else {
        const downMs = plan.range(ctx.tickMs, downMsMax);
        bouncesUntil.push(atMs + downMs);
        events.push({ atMs, kind: 'bounce', node: 'leader', downMs });
      }
    }
    return {
      network: { latencyMsMin: 1, latencyMsMax: prng.range(2, 10), lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 },
      plan: { events },
      workload: { thinkMsMax },
      knobs: { leaderTenureMsMax, downMsMax, thinkMsMax },
    };
  },
};
