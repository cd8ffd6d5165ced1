/** Named network-quality scenarios: the MIT 6.824 unreliable network, a slow follower, congested links. */
import type { FaultEvent } from '../sim/faults.js';
import { maxFaultyNodes } from '../sim/faults.js';
import { byTime, calmNetwork, electionMs, faultTimes, nodeIds, SPLIT_NODES_MIN } from './plan-tools.js';
import type { Scenario } from './types.js';

export const mitUnreliable: Scenario = {
  name: 'unreliable-network',
  description: 'the MIT 6.824 unreliable network: ~10% loss, long delays, heavy reordering and duplicates, plus crashes',
  assumes: 'at most f of 2f+1 nodes down at once; synced writes survive crashes; messages may be lost, duplicated, delayed and reordered',
  injects: ['message-loss', 'message-duplicate', 'bounce'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const events: FaultEvent[] = [];
    // One or two nodes tolerate no node down (f = 0): the network alone is unreliable then.
    const bounces = maxFaultyNodes(ctx.nodeCount) >= 1;
    for (let atMs = plan.range(e, 10 * e); bounces && atMs < ctx.safetyMs; atMs += plan.range(5 * e, 20 * e)) {
      events.push({ atMs, kind: 'bounce', node: plan.pick(nodeIds(ctx)), downMs: plan.range(e, 5 * e) });
    }
    const network = { latencyMsMin: 1, latencyMsMax: 27, lossPerMille: 100, duplicatePerMille: 50, longDelayPerMille: 100, longDelayMsMax: 2 * e };
    return { network, plan: { events }, knobs: { lossPerMille: 100, longDelayPerMille: 100 } };
  },
};

export const slowFollower: Scenario = {
  name: 'slow-follower',
  description: 'one follower is cut off for seconds while the log grows, then must catch up through many appends',
  assumes: 'any partition; a follower may lag arbitrarily far behind',
  injects: ['partition', 'heal'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const laggard = plan.pick(nodeIds(ctx));
    const others = nodeIds(ctx).filter((n) => n !== laggard);
    const events: FaultEvent[] = [];
    for (let atMs = plan.range(e, 5 * e); others.length > 0 && atMs < ctx.safetyMs; ) {
      events.push({ atMs, kind: 'partition', groups: [[laggard], others] });
      atMs += plan.range(10 * e, 40 * e);
      if (atMs >= ctx.safetyMs) break;
      events.push({ atMs, kind: 'heal' });
      atMs += plan.range(5 * e, 10 * e);
    }
    // Busy clients, so the laggard falls far behind (more than one append's worth of entries).
    return { network: { latencyMsMin: 1, latencyMsMax: 5, lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 }, plan: { events }, workload: { thinkMsMax: 0 }, knobs: { laggard } };
  },
};

export const congestedLinks: Scenario = {
  name: 'congested-links',
  description: 'latency spikes, clogged links whose messages arrive in a burst later, and a small per-link capacity that drops overflow',
  assumes: 'unbounded delay and bounded loss from overflow; messages are never corrupted',
  injects: ['latency-spike', 'clog', 'message-overflow'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const nodes = nodeIds(ctx);
    const linkCapacity = prng.range(2, 16);
    const events: FaultEvent[] = [];
    for (const atMs of faultTimes(plan, ctx, e, e, 10 * e)) {
      // A clog needs a link, so a lone node only gets spikes.
      if (plan.chance(1, 2) || nodes.length < SPLIT_NODES_MIN) {
        events.push({ atMs, kind: 'latency-spike', durationMs: plan.range(e, 10 * e), extraMsMax: plan.range(ctx.tickMs, 3 * e) });
      } else {
        const [from, to] = plan.shuffle(nodes) as [number, number];
        events.push({ atMs, kind: 'clog', from, to, durationMs: plan.range(ctx.tickMs, 5 * e) });
      }
    }
    return { network: { ...calmNetwork(prng), linkCapacity }, plan: { events: byTime(events) }, knobs: { linkCapacity } };
  },
};
