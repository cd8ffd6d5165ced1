/** Small pure helpers shared by scenario generators. */
import type { NodeId } from '../sim/contract.js';
import { checkPlan } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import type { Prng } from '../sim/prng.js';
import type { ScenarioContext } from './types.js';

export function nodeIds(ctx: ScenarioContext): NodeId[] {
  return Array.from({ length: ctx.nodeCount }, (_, i) => i + 1);
}

/**
 * The smallest cluster each network shape needs: a split needs two nodes, a bridge three (the bridge and one
 * node on each side). Smaller clusters (Seaworthy runs 1..7 nodes) get no such event rather than a degenerate one.
 */
export const SPLIT_NODES_MIN = 2;
export const BRIDGE_NODES_MIN = 3;

export function electionMs(ctx: ScenarioContext): number {
  return ctx.electionTicks * ctx.tickMs;
}

/** A calm network with a little latency: the baseline most targeted scenarios add their one fault to. */
export function calmNetwork(prng: Prng): NetworkOptions {
  return { latencyMsMin: 1, latencyMsMax: prng.range(2, 10), lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 };
}

/** Sorted ascending copies of the two halves of `nodes` cut at `cut`. */
export function splitAt(nodes: readonly NodeId[], cut: number): [NodeId[], NodeId[]] {
  const asc = (a: NodeId, b: NodeId): number => a - b;
  return [nodes.slice(0, cut).sort(asc), nodes.slice(cut).sort(asc)];
}

/**
 * Fault times from `firstMs` to the end of the safety phase, with gaps drawn uniformly in [gapMsMin, gapMsMax].
 */
export function faultTimes(prng: Prng, ctx: ScenarioContext, firstMs: number, gapMsMin: number, gapMsMax: number): number[] {
  const times: number[] = [];
  for (let atMs = firstMs; atMs < ctx.safetyMs; atMs += prng.range(gapMsMin, gapMsMax)) times.push(atMs);
  return times;
}

/** Events sorted by time, stable for equal times (plans must be in time order). */
export function byTime(events: readonly FaultEvent[]): FaultEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i)
    .map(({ e }) => e);
}

/**
 * The plan with each extra event added in time order when the plan stays inside the fault model (a reactive
 * bounce while f nodes are already down is left out), so the extra family never pushes a plan past f.
 */
export function withinModel(planned: readonly FaultEvent[], extra: readonly FaultEvent[], ctx: ScenarioContext): FaultEvent[] {
  let events = [...planned];
  for (const e of extra) {
    const candidate = byTime([...events, e]);
    if (checkPlan({ events: candidate }, ctx.nodeCount, ctx.safetyMs, ctx).length === 0) events = candidate;
  }
  return events;
}
