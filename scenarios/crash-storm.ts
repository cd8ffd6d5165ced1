/**
 * Crash-restart storm: nodes crash and come back every few tens of milliseconds, many of them mid-election,
 * while bridges keep two sides from hearing each other's leader. Raft must survive it as long as a quorum is
 * up at any moment; durable votes and terms are what it leans on, so this is where a forgotten vote shows.
 */
import { maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { NodeId } from '../sim/contract.js';
import type { Prng } from '../sim/prng.js';
import { BRIDGE_NODES_MIN } from './plan-tools.js';
import type { Scenario, ScenarioContext, ScenarioPlan } from './types.js';

export const crashStorm: Scenario = {
  name: 'crash-restart-storm',
  description: 'nodes crash and restart every few tens of ms (often mid-election) under shifting bridges and partitions',
  assumes: 'at most f of 2f+1 nodes down at once; synced writes survive crashes',
  injects: ['crash', 'restart', 'bridge', 'heal'],
  requires: [],
  generate(prng: Prng, ctx: ScenarioContext): ScenarioPlan {
    const electionMs = ctx.electionTicks * ctx.tickMs;
    const crashGapMsMax = prng.range(electionMs >> 2, electionMs);
    const bounceMsMax = prng.range(ctx.tickMs, electionMs >> 1);
    const thinkMsMax = prng.pick([0, 40, 400]);
    const events = storm(prng.fork('plan'), ctx, crashGapMsMax, bounceMsMax);
    return {
      network: { latencyMsMin: 1, latencyMsMax: prng.range(2, 10), lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: prng.range(0, 50), longDelayMsMax: electionMs },
      plan: { events },
      workload: { thinkMsMax },
      knobs: { crashGapMsMax, bounceMsMax, thinkMsMax },
    };
  },
};

function storm(prng: Prng, ctx: ScenarioContext, crashGapMsMax: number, bounceMsMax: number): FaultEvent[] {
  const nodes = Array.from({ length: ctx.nodeCount }, (_, i) => i + 1);
  const limit = maxFaultyNodes(ctx.nodeCount);
  const timeline: FaultEvent[] = [];
  /** When each crashed node comes back. */
  const downUntil = new Map<NodeId, number>();
  let nextNetworkMs = 0;
  for (let atMs = prng.range(0, crashGapMsMax); atMs < ctx.safetyMs; atMs += prng.range(1, crashGapMsMax)) {
    for (const [node, until] of [...downUntil]) if (until <= atMs) downUntil.delete(node);
    if (atMs >= nextNetworkMs && nodes.length >= BRIDGE_NODES_MIN) {
      const shuffled = prng.shuffle(nodes);
      const [bridge, ...rest] = shuffled as [NodeId, ...NodeId[]];
      const cut = prng.range(1, rest.length - 1);
      timeline.push(
        prng.chance(1, 3)
          ? { atMs, kind: 'heal' }
          : { atMs, kind: 'bridge', bridge, sides: [rest.slice(0, cut).sort((a, b) => a - b), rest.slice(cut).sort((a, b) => a - b)] },
      );
      nextNetworkMs = atMs + prng.range(crashGapMsMax * 4, crashGapMsMax * 20);
    }
    if (downUntil.size >= limit) continue;
    const node = prng.pick(nodes.filter((n) => !downUntil.has(n)));
    const restartMs = Math.min(atMs + prng.range(1, bounceMsMax), ctx.safetyMs);
    downUntil.set(node, restartMs);
    timeline.push({ atMs, kind: 'crash', node }, { atMs: restartMs, kind: 'restart', node });
  }
  // Restarts were pushed ahead of later events; order the plan by time (stable for equal times).
  return timeline.map((e, i) => ({ e, i })).sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i).map(({ e }) => e);
}
