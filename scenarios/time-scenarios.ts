/** Named scenarios about time: skewed and drifting clocks, clock jumps, paused processes. */
import type { FaultEvent } from '../sim/faults.js';
import { calmNetwork, electionMs, faultTimes, nodeIds } from './plan-tools.js';
import type { Scenario } from './types.js';

export const clockSkew: Scenario = {
  name: 'clock-skew',
  description: 'every node ticks at its own, drifting rate, and now and then a clock jumps ahead by several election timeouts',
  assumes: 'clocks drift and jump; safety never depends on time, only liveness on bounded skew',
  injects: ['clock-jump'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const skewPerMilleMax = prng.range(50, 300);
    const driftPerMilleMax = prng.range(0, 150);
    const events: FaultEvent[] = faultTimes(plan, ctx, 2 * e, 5 * e, 30 * e).map((atMs) => ({
      atMs,
      kind: 'clock-jump',
      node: plan.pick(nodeIds(ctx)),
      ticks: plan.range(1, 3 * ctx.electionTicks),
    }));
    return { network: calmNetwork(prng), clock: { skewPerMilleMax, driftPerMilleMax }, plan: { events }, knobs: { skewPerMilleMax, driftPerMilleMax } };
  },
};

export const leaderPause: Scenario = {
  name: 'leader-pause',
  description: 'the leader process freezes (GC pause, SIGSTOP) for up to several election timeouts, then resumes with stale state',
  assumes: 'processes pause for bounded times (≤ 10 election timeouts) and resume with stale state',
  injects: ['pause'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const pauseMsMax = prng.range(e, 8 * e);
    const events: FaultEvent[] = [];
    let until = 0;
    for (const atMs of faultTimes(plan, ctx, 3 * e, e, 10 * e)) {
      if (atMs < until) continue;
      const durationMs = plan.range(ctx.tickMs, pauseMsMax);
      until = atMs + durationMs;
      events.push({ atMs, kind: 'pause', node: plan.chance(3, 4) ? 'leader' : plan.pick(nodeIds(ctx)), durationMs });
    }
    return { network: calmNetwork(prng), plan: { events }, knobs: { pauseMsMax } };
  },
};
