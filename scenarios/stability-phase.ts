/**
 * The stability phase (issue 11, item 3): the end of a safety phase turned into the set-up the stability
 * property judges — every link healed and every crashed node restarted, time for a leader to be elected and
 * to lead stably, then a few times one node partitioned away (an `away` fault) and back, each with a quiet settle. Faults of the
 * rest of the plan that could still act in that stretch are dropped, so the property's assumptions (a
 * connected majority, a stable leader) hold by construction.
 */
import type { NodeId } from '../sim/contract.js';
import { STABILITY_SETTLE_ELECTIONS } from '../properties/stability.js';
import { faultEffectEndMs } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { Prng } from '../sim/prng.js';
import { calmNetwork, electionMs, nodeIds } from './plan-tools.js';
import type { Scenario, ScenarioContext, ScenarioPlan } from './types.js';

/** Election timeouts from the heal to the node going away: enough to elect a leader and see it lead. */
export const STABLE_ELECTIONS = 10;
/** Election timeouts after the node comes back during which it must not disturb the leader. */
export const SETTLE_ELECTIONS = STABILITY_SETTLE_ELECTIONS;

/** The smallest cluster in which the nodes left when one is away still form a majority. */
export const STABILITY_NODES_MIN = 3;

/** Away episodes per phase: a returning node disturbs the leader only if it returns mid-campaign, so several. */
export const AWAY_EPISODES = 3;

/**
 * `events` (in time order) cut short before the stability phase, which is appended: heal and restarts at its
 * start, {@link STABLE_ELECTIONS} election timeouts for a leader to settle, then {@link AWAY_EPISODES} times a
 * random node away for 2 to 6 election timeouts, each followed by {@link SETTLE_ELECTIONS} + 1 quiet ones; the
 * last ends before the safety phase does. Returns `events` unchanged when the safety phase is too short.
 */
export function withStabilityPhase(events: readonly FaultEvent[], ctx: ScenarioContext, prng: Prng): FaultEvent[] {
  const e = electionMs(ctx);
  const episodes: { node: NodeId; durationMs: number }[] = [];
  for (let k = 0; k < AWAY_EPISODES; k++) episodes.push({ node: prng.pick(nodeIds(ctx)), durationMs: prng.range(2 * e, 6 * e) });
  const phaseMs = STABLE_ELECTIONS * e + episodes.reduce((sum, a) => sum + a.durationMs + (SETTLE_ELECTIONS + 1) * e, 0);
  const startMs = ctx.safetyMs - phaseMs;
  // With fewer than 3 nodes, the rest is no majority while a node is away (no stable leader to judge).
  if (startMs <= 0 || ctx.nodeCount < STABILITY_NODES_MIN) return [...events];
  // Keep what is over before the phase starts; a crash is kept (it ends with a restart at the start at latest).
  const kept = events.filter((f) => f.atMs < startMs && (f.kind === 'crash' || faultEffectEndMs(f) < startMs));
  const down = new Set<NodeId>();
  for (const f of kept) {
    if (f.kind === 'crash') down.add(f.node);
    else if (f.kind === 'restart') down.delete(f.node);
  }
  const phase: FaultEvent[] = [{ atMs: startMs, kind: 'heal' }, ...[...down].sort((a, b) => a - b).map((n): FaultEvent => ({ atMs: startMs, kind: 'restart', node: n }))];
  let atMs = startMs + STABLE_ELECTIONS * e;
  for (const a of episodes) {
    phase.push({ atMs, kind: 'away', node: a.node, durationMs: a.durationMs });
    atMs += a.durationMs + (SETTLE_ELECTIONS + 1) * e;
  }
  return [...kept, ...phase];
}

/**
 * The stability phase over the whole safety phase: a calm network, a leader given time to settle, then one
 * random node after another partitioned away and back. Without faults that take nodes down, only a returning
 * node can disturb the leader, which is what the stability property judges on implementations that declare
 * `pre-vote` and `check-quorum` (on others it is a plain partition scenario).
 */
export const rejoinStability: Scenario = {
  name: 'rejoin-stability',
  description: 'one node at a time partitioned away from a stable leader and back (PreVote and CheckQuorum must keep the leader)',
  assumes: 'a connected majority with a stable leader; only the away node is cut off',
  injects: ['away'],
  requires: [],
  generate(prng: Prng, ctx: ScenarioContext): ScenarioPlan {
    const e = electionMs(ctx);
    const thinkMsMax = prng.pick([100, 400, 1000, 4000]);
    const events: FaultEvent[] = [];
    for (let atMs = STABLE_ELECTIONS * e; ; ) {
      const durationMs = prng.range(2 * e, 6 * e);
      if (atMs + durationMs + SETTLE_ELECTIONS * e > ctx.safetyMs || ctx.nodeCount < STABILITY_NODES_MIN) break;
      events.push({ atMs, kind: 'away', node: prng.pick(nodeIds(ctx)), durationMs });
      atMs += durationMs + (SETTLE_ELECTIONS + 1) * e;
    }
    return { network: calmNetwork(prng), plan: { events }, workload: { thinkMsMax }, knobs: { thinkMsMax, episodes: events.length } };
  },
};
