/** Named scenarios about time: skewed and drifting clocks, clock jumps, paused processes. */
import type { FaultEvent } from '../sim/faults.js';
import { byTime, calmNetwork, electionMs, faultTimes, nodeIds, SPLIT_NODES_MIN } from './plan-tools.js';
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

/**
 * Lease reads (thesis §6.4.1, etcd's ReadOnlyLeaseBased) trade a heartbeat round for an assumption: no other
 * leader is elected while the lease lasts, which holds only if clocks run at nearly the same rate. Here they do
 * not: every node's clock runs up to 40% off, and the leader is cut off alone again and again while clients
 * can still reach it. A leader whose clock runs slow keeps serving reads from its lease after the others, whose
 * clocks run fast, have elected a new leader and committed writes: stale reads, which only the linearizability
 * check sees. Only implementations declaring `lease-read` run it: it judges that promise, which ReadIndex with
 * a heartbeat round (thesis §6.4) does not make.
 */
export const leaseSkew: Scenario = {
  name: 'lease-skew',
  description: 'clocks run up to 40% off while the leader is cut off alone again and again: a lease read must not outlive the leadership it relies on',
  assumes: 'clocks drift far beyond what a lease tolerates; safe ReadIndex never depends on time, lease reads do',
  injects: ['isolate-leader', 'heal'],
  requires: ['lease-read'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const skewPerMilleMax = prng.range(200, 400);
    const driftPerMilleMax = prng.range(0, 50);
    const clock = { skewPerMilleMax, driftPerMilleMax };
    const knobs = { skewPerMilleMax, driftPerMilleMax };
    const events: FaultEvent[] = [];
    if (ctx.nodeCount < SPLIT_NODES_MIN) return { network: calmNetwork(prng), clock, plan: { events }, knobs };
    // Each isolation lasts long enough for the others to elect a new leader and commit writes (2-4 election
    // timeouts), and the next comes after the cluster has settled again.
    for (const atMs of faultTimes(plan, ctx, 3 * e, 5 * e, 8 * e)) {
      events.push({ atMs, kind: 'isolate-leader', companions: 0 });
      const healAtMs = atMs + plan.range(2 * e, 4 * e);
      if (healAtMs < ctx.safetyMs) events.push({ atMs: healAtMs, kind: 'heal' });
    }
    // Clients give up on a silent node quickly, so a client that finds the old leader unresponsive to a write is
    // soon at the new one, and reads at the old one and writes at the new one interleave within the window.
    return { network: calmNetwork(prng), clock, plan: { events: byTime(events) }, workload: { thinkMsMax: 10, requestTimeoutMs: 50, clientCount: 5 }, knobs };
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
