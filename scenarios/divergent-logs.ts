/**
 * The divergent-logs episode (issue 11): the end of a safety phase turned into Jepsen's classic leader isolation,
 * repeated, so that the liveness phase starts with logs like the followers of the Raft paper's Figure 7 — some
 * with extra uncommitted entries of older terms, some missing entries, some both. Each round cuts whoever leads
 * off with a minority (an `isolate-leader` with companions) while the clients, which reach every node, keep
 * writing to it: it and its companions append a tail of its term that can never commit, while the majority elects
 * a leader of a newer term that has committed only a few entries of its own when the next round cuts it off in
 * turn. The last isolation lasts until the liveness phase heals a random majority (sim/liveness.ts), so the
 * election that must then succeed may have to count votes of longer logs ending in older terms: Raft §5.4.1
 * compares last terms first, and Raft promises progress for any majority up and connected.
 *
 * Faults of the rest of the plan that could still act in the episode are dropped and every crashed node is
 * restarted at its start (as the stability phase does), so the rounds start from a healed cluster with a leader.
 * None of it takes a node down: the episode is inside the fault model by construction.
 */
import { maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { Prng } from '../sim/prng.js';
import { electionMs, healedAt } from './plan-tools.js';
import type { ScenarioContext } from './types.js';

/** The smallest cluster with a minority to isolate and a majority left to elect (a leader alone is a minority). */
export const DIVERGENT_NODES_MIN = 3;

/** Bounds of the quiet start (heal, restarts) before the first round, in election timeouts: time to elect and write. */
export const DIVERGENT_SETTLE_ELECTIONS_MIN = 2;
export const DIVERGENT_SETTLE_ELECTIONS_MAX = 5;

/** Bounds of the number of rounds (leader isolations) of an episode. */
export const DIVERGENT_ROUNDS_MIN = 1;
export const DIVERGENT_ROUNDS_MAX = 4;

/**
 * Bounds of the time after each round, in election timeouts: from just enough for the majority to elect a new
 * leader (one election timeout and a campaign) to time for it to commit a few entries; after the last round, the
 * time until the liveness phase starts.
 */
export const DIVERGENT_GAP_ELECTIONS_MIN = 1;
export const DIVERGENT_GAP_ELECTIONS_MAX = 4;

/**
 * `events` (in time order) cut short before the episode, which is appended and ends with the safety phase: a heal
 * and the restart of every node still down, a quiet start, then one to four rounds, each an `isolate-leader` with
 * 0..f-1 companions (the isolated side stays a minority) followed by a quiet gap. Returns null (no episode) in
 * clusters of fewer than {@link DIVERGENT_NODES_MIN} nodes or when the safety phase is too short for it.
 */
export function withDivergentLogs(events: readonly FaultEvent[], ctx: ScenarioContext, prng: Prng): FaultEvent[] | null {
  const e = electionMs(ctx);
  const settleMs = prng.range(DIVERGENT_SETTLE_ELECTIONS_MIN * e, DIVERGENT_SETTLE_ELECTIONS_MAX * e);
  const rounds = prng.range(DIVERGENT_ROUNDS_MIN, DIVERGENT_ROUNDS_MAX);
  const companionsMax = Math.max(0, maxFaultyNodes(ctx.nodeCount) - 1);
  const shape: { readonly companions: number; readonly gapMs: number }[] = [];
  for (let k = 0; k < rounds; k++) {
    shape.push({ companions: prng.range(0, companionsMax), gapMs: prng.range(DIVERGENT_GAP_ELECTIONS_MIN * e, DIVERGENT_GAP_ELECTIONS_MAX * e) });
  }
  const episodeMs = settleMs + shape.reduce((sum, r) => sum + r.gapMs, 0);
  const startMs = ctx.safetyMs - episodeMs;
  if (startMs <= 0 || ctx.nodeCount < DIVERGENT_NODES_MIN) return null;
  // The rest of the plan cut short at the start, then a heal and every node still down restarted.
  const episode = healedAt(events, startMs);
  let atMs = startMs + settleMs;
  for (const r of shape) {
    episode.push({ atMs, kind: 'isolate-leader', companions: r.companions });
    atMs += r.gapMs;
  }
  return episode;
}
