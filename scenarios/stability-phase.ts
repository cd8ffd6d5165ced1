/**
 * The stability phase (issue 11, item 3): the end of a safety phase turned into the set-up the stability
 * property judges — every link healed and every crashed node restarted, time for a leader to be elected and
 * to lead stably, then a few episodes, each followed by a quiet settle: one node partitioned away (an `away`
 * fault) and back, a minority partitioned from the rest and healed, or one node's clock jumping past its
 * election timeout (a spurious timeout while the leader is healthy). A node or minority that happens to hold
 * the leader tests CheckQuorum (the leader must step down); the others test PreVote and the leader lease.
 * Faults of the rest of the plan that could still act in that stretch are dropped, so the property's
 * assumptions (a connected majority, a stable leader) hold by construction.
 */
import type { NodeId } from '../sim/contract.js';
import { STABILITY_SETTLE_ELECTIONS } from '../properties/stability.js';
import { maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { Prng } from '../sim/prng.js';
import { calmNetwork, electionMs, healedAt, nodeIds } from './plan-tools.js';
import type { Scenario, ScenarioContext, ScenarioPlan } from './types.js';

/** Election timeouts from the heal to the first episode: enough to elect a leader and see it lead. */
export const STABLE_ELECTIONS = 10;
/** Election timeouts after an episode during which nobody may disturb the leader. */
export const SETTLE_ELECTIONS = STABILITY_SETTLE_ELECTIONS;

/** The smallest cluster in which the nodes left when one is away still form a majority. */
export const STABILITY_NODES_MIN = 3;

/** Episodes per phase: a returning node disturbs the leader only if it returns mid-campaign, so several. */
export const AWAY_EPISODES = 3;

/** Bounds of an away or minority episode, in election timeouts: long enough, often, to judge a leader's step-down. */
const AWAY_ELECTIONS_MIN = 2;
const AWAY_ELECTIONS_MAX = 9;

/**
 * One episode: `away` (one node cut off), `minority` (a group of 2..f nodes partitioned from the rest; clusters of
 * 5 or more) or `timeout` (one node's clock jumps 2 to 3 election timeouts: its election timer fires at once).
 */
type Episode =
  | { readonly kind: 'away'; readonly node: NodeId; readonly durationMs: number }
  | { readonly kind: 'minority'; readonly nodes: readonly NodeId[]; readonly durationMs: number }
  | { readonly kind: 'timeout'; readonly node: NodeId; readonly ticks: number };

function drawEpisode(prng: Prng, ctx: ScenarioContext): Episode {
  const e = electionMs(ctx);
  const nodes = nodeIds(ctx);
  const f = maxFaultyNodes(ctx.nodeCount);
  const kind = prng.pick(f >= 2 ? (['away', 'minority', 'timeout'] as const) : (['away', 'timeout'] as const));
  switch (kind) {
    case 'away':
      return { kind, node: prng.pick(nodes), durationMs: prng.range(AWAY_ELECTIONS_MIN * e, AWAY_ELECTIONS_MAX * e) };
    case 'minority':
      return { kind, nodes: prng.shuffle(nodes).slice(0, prng.range(2, f)).sort((a, b) => a - b), durationMs: prng.range(AWAY_ELECTIONS_MIN * e, AWAY_ELECTIONS_MAX * e) };
    case 'timeout':
      return { kind, node: prng.pick(nodes), ticks: prng.range(2 * ctx.electionTicks, 3 * ctx.electionTicks) };
  }
}

/** How long an episode's fault lasts, in ms (a clock jump is instant). */
function episodeMs(a: Episode): number {
  return a.kind === 'timeout' ? 0 : a.durationMs;
}

/** The fault events of one episode starting at `atMs`. */
function episodeEvents(a: Episode, atMs: number, ctx: ScenarioContext): FaultEvent[] {
  switch (a.kind) {
    case 'away':
      return [{ atMs, kind: 'away', node: a.node, durationMs: a.durationMs }];
    case 'minority': {
      const rest = nodeIds(ctx).filter((n) => !a.nodes.includes(n));
      return [
        { atMs, kind: 'partition', groups: [[...a.nodes], rest] },
        { atMs: atMs + a.durationMs, kind: 'heal' },
      ];
    }
    case 'timeout':
      return [{ atMs, kind: 'clock-jump', node: a.node, ticks: a.ticks }];
  }
}

/**
 * `events` (in time order) cut short before the stability phase, which is appended: heal and restarts at its
 * start, {@link STABLE_ELECTIONS} election timeouts for a leader to settle, then {@link AWAY_EPISODES} random
 * episodes (see {@link Episode}), each followed by {@link SETTLE_ELECTIONS} + 1 quiet election timeouts; the last
 * ends before the safety phase does. Returns `events` unchanged when the safety phase is too short.
 */
export function withStabilityPhase(events: readonly FaultEvent[], ctx: ScenarioContext, prng: Prng): FaultEvent[] {
  const e = electionMs(ctx);
  const episodes: Episode[] = [];
  for (let k = 0; k < AWAY_EPISODES; k++) episodes.push(drawEpisode(prng, ctx));
  const phaseMs = STABLE_ELECTIONS * e + episodes.reduce((sum, a) => sum + episodeMs(a) + (SETTLE_ELECTIONS + 1) * e, 0);
  const startMs = ctx.safetyMs - phaseMs;
  // With fewer than 3 nodes, the rest is no majority while a node is away (no stable leader to judge).
  if (startMs <= 0 || ctx.nodeCount < STABILITY_NODES_MIN) return [...events];
  // The rest of the plan cut short at the start, then a heal and every node still down restarted.
  const phase = healedAt(events, startMs);
  let atMs = startMs + STABLE_ELECTIONS * e;
  for (const a of episodes) {
    phase.push(...episodeEvents(a, atMs, ctx));
    atMs += episodeMs(a) + (SETTLE_ELECTIONS + 1) * e;
  }
  return phase;
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
