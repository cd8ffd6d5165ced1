/** Named partition scenarios: each one network failure shape, repeated over the safety phase. */
import type { FaultEvent } from '../sim/faults.js';
import { BRIDGE_NODES_MIN, calmNetwork, electionMs, faultTimes, nodeIds, SPLIT_NODES_MIN, splitAt } from './plan-tools.js';
import type { Scenario } from './types.js';

export const leaderIsolation: Scenario = {
  name: 'leader-isolation',
  description: 'whoever leads is cut off alone, again and again; the rest must elect a new leader while the old one still believes',
  assumes: 'any partition; a majority stays connected between isolations',
  injects: ['isolate-leader', 'heal'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const holdMsMax = prng.range(2 * e, 10 * e);
    const events: FaultEvent[] = [];
    // A lone node has no one to be cut off from.
    if (ctx.nodeCount < SPLIT_NODES_MIN) return { network: calmNetwork(prng), plan: { events }, knobs: { holdMsMax } };
    for (const atMs of faultTimes(plan, ctx, 3 * e, 2 * e, holdMsMax)) {
      events.push({ atMs, kind: 'isolate-leader', companions: 0 });
      const healAtMs = atMs + plan.range(e, holdMsMax);
      if (healAtMs < ctx.safetyMs) events.push({ atMs: healAtMs, kind: 'heal' });
    }
    return { network: calmNetwork(prng), plan: { events: sortedHealsLast(events) }, knobs: { holdMsMax } };
  },
};

export const minorityPartition: Scenario = {
  name: 'minority-partition',
  description: 'a minority (possibly holding the leader) is split off while clients keep talking to nodes on both sides',
  assumes: 'any partition; the majority side can always elect',
  injects: ['partition', 'heal'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const nodes = nodeIds(ctx);
    const e = electionMs(ctx);
    // At most f = floor((n - 1) / 2) nodes, so the other side is a majority on even sizes too (4 splits 1/3,
    // never 2/2, which leaves no majority). One or two nodes have no minority to split off.
    const minority = Math.floor((ctx.nodeCount - 1) / 2);
    const events: FaultEvent[] = [];
    let atMs = plan.range(e, 5 * e);
    while (minority >= 1 && atMs < ctx.safetyMs) {
      events.push({ atMs, kind: 'partition', groups: splitAt(plan.shuffle(nodes), plan.range(1, minority)) });
      atMs += plan.range(2 * e, 20 * e);
      if (atMs >= ctx.safetyMs) break;
      events.push({ atMs, kind: 'heal' });
      atMs += plan.range(e, 10 * e);
    }
    return { network: calmNetwork(prng), plan: { events }, knobs: { minorityMax: minority } };
  },
};

export const flappingPartition: Scenario = {
  name: 'flapping-partition',
  description: 'random splits that come and go every few tens of ms, faster than elections settle',
  assumes: 'any partition, however fast it changes (safety never depends on timing)',
  injects: ['partition', 'heal'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const nodes = nodeIds(ctx);
    const e = electionMs(ctx);
    const flapMsMax = prng.range(ctx.tickMs * 2, e);
    const events: FaultEvent[] = [];
    let split = false;
    for (const atMs of ctx.nodeCount < SPLIT_NODES_MIN ? [] : faultTimes(plan, ctx, e, ctx.tickMs, flapMsMax)) {
      events.push(split ? { atMs, kind: 'heal' } : { atMs, kind: 'partition', groups: splitAt(plan.shuffle(nodes), plan.range(1, ctx.nodeCount - 1)) });
      split = !split;
    }
    return { network: calmNetwork(prng), plan: { events }, knobs: { flapMsMax } };
  },
};

export const bridgePartition: Scenario = {
  name: 'bridge',
  description: 'two sides that cannot talk, joined by one bridge node that hears both (a non-transitive partition)',
  assumes: 'non-transitive connectivity; safety never depends on who can reach whom',
  injects: ['bridge'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const nodes = nodeIds(ctx);
    const e = electionMs(ctx);
    const events: FaultEvent[] = [];
    for (const atMs of ctx.nodeCount < BRIDGE_NODES_MIN ? [] : faultTimes(plan, ctx, e, 3 * e, 20 * e)) {
      const [bridge, ...rest] = plan.shuffle(nodes) as [number, ...number[]];
      const sides = splitAt(rest, plan.range(1, rest.length - 1));
      events.push({ atMs, kind: 'bridge', bridge, sides });
    }
    return { network: calmNetwork(prng), plan: { events }, knobs: {} };
  },
};

export const asymmetricPartition: Scenario = {
  name: 'asymmetric-partition',
  description: 'one-way link failures: some nodes hear others but cannot answer them (a leader that can send but not receive)',
  assumes: 'one-way link failures; safety never depends on who can reach whom',
  injects: ['one-way', 'heal'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const events: FaultEvent[] = [];
    for (const atMs of ctx.nodeCount < SPLIT_NODES_MIN ? [] : faultTimes(plan, ctx, 2 * e, 3 * e, 20 * e)) {
      if (plan.chance(1, 4)) {
        events.push({ atMs, kind: 'heal' });
        continue;
      }
      const shuffled = plan.shuffle(nodeIds(ctx));
      const cut = plan.range(1, ctx.nodeCount - 1);
      events.push({ atMs, kind: 'one-way', from: shuffled.slice(0, cut).sort((a, b) => a - b), to: shuffled.slice(cut).sort((a, b) => a - b) });
    }
    return { network: calmNetwork(prng), plan: { events }, knobs: {} };
  },
};

export const majorityRing: Scenario = {
  name: 'majority-ring',
  description: 'each node talks only to its ring neighbours: everyone sees a majority, no two majorities are the same',
  assumes: 'every node reaches a majority, no two majorities alike',
  injects: ['ring', 'heal'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const events: FaultEvent[] = [];
    let ring = false;
    for (const atMs of faultTimes(plan, ctx, 2 * e, 5 * e, 30 * e)) {
      events.push(ring ? { atMs, kind: 'heal' } : { atMs, kind: 'ring' });
      ring = !ring;
    }
    return { network: calmNetwork(prng), plan: { events }, knobs: {} };
  },
};

/** Keeps heals that land at the same time as the next isolation before it (heal, then cut again). */
function sortedHealsLast(events: FaultEvent[]): FaultEvent[] {
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atMs - b.e.atMs || a.i - b.i).map(({ e }) => e);
}
