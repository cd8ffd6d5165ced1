/**
 * Reactive fault families (issue 11, item 2): faults armed for a window that fire on what just happened in the
 * facts, aimed at the moments where durability, election and commit bugs show — right after a vote is
 * persisted, during an election, right after a leader appends or a write is acknowledged, and right after a
 * leader change (a slow follower link keeps the Figure 8 window open, and a new leader whose sends stall leaves
 * its election entry on its own disk only, the Figure 8 server that can still be elected). A generator only: the
 * caller keeps the plan inside the fault model.
 */
import type { FaultEvent, ReactiveAction, ReactiveTrigger } from '../sim/faults.js';
import type { Prng } from '../sim/prng.js';
import { electionMs } from './plan-tools.js';
import type { ScenarioContext } from './types.js';

/** One family: a trigger, the actions that fit it, and how long its action lasts, in election timeouts ×10. */
interface Family {
  readonly trigger: ReactiveTrigger;
  readonly actions: readonly ReactiveAction[];
  /** Bounds of `durationMs` in tenths of an election timeout: short for restarts, long for clogs. */
  readonly durationTenthsMin: number;
  readonly durationTenthsMax: number;
  /** Upper bound of `delayMs` in ticks (0: act within the same ms). */
  readonly delayTicksMax: number;
}

/**
 * The families of the issue: crash a node right after it persists a vote and restart it quickly; crash a voter
 * while an election is under way and restart it at once; crash or isolate a leader right after it appends a
 * new entry (before a majority has it) or right after a write is acknowledged (a deposed leader that clients
 * still reach while a new leader takes writes); clog a new leader's link to one follower (re-replication after
 * a leader change takes many rounds); mute a new leader at once, what it already sent included (its election
 * entry stays on its own disk while the others elect another leader: Figure 8's S5, whose log of a newer term
 * makes it electable against replicas of an older term's entry).
 */
export const REACTIVE_FAMILIES: readonly Family[] = Object.freeze([
  { trigger: 'vote', actions: ['bounce'], durationTenthsMin: 1, durationTenthsMax: 5, delayTicksMax: 0 },
  { trigger: 'candidate', actions: ['bounce-peer'], durationTenthsMin: 1, durationTenthsMax: 5, delayTicksMax: 1 },
  { trigger: 'leader-append', actions: ['bounce', 'isolate'], durationTenthsMin: 2, durationTenthsMax: 30, delayTicksMax: 1 },
  { trigger: 'ack', actions: ['bounce', 'isolate'], durationTenthsMin: 2, durationTenthsMax: 50, delayTicksMax: 0 },
  { trigger: 'leader-elected', actions: ['clog'], durationTenthsMin: 10, durationTenthsMax: 80, delayTicksMax: 2 },
  { trigger: 'leader-elected', actions: ['mute'], durationTenthsMin: 10, durationTenthsMax: 50, delayTicksMax: 0 },
]);

/**
 * Reactive faults every `gapMsMean` on average (uniform in [gap/2, 2·gap]) over the safety phase, each of a
 * family picked at random. Events may fall outside the fault model together with other faults (a bounce while
 * f nodes are down): the caller filters them through `checkPlan`.
 */
export function reactiveFaults(prng: Prng, ctx: ScenarioContext, gapMsMean: number): FaultEvent[] {
  const events: FaultEvent[] = [];
  if (gapMsMean <= 0) return events;
  const e = electionMs(ctx);
  for (let atMs = prng.range(0, gapMsMean); atMs < ctx.safetyMs; atMs += prng.range(gapMsMean >> 1, gapMsMean * 2)) {
    const family = prng.pick(REACTIVE_FAMILIES);
    const action = prng.pick(family.actions);
    // A peer exists only in a cluster of two or more: a lone node gets the actions on itself only.
    if ((action === 'bounce-peer' || action === 'clog' || action === 'mute') && ctx.nodeCount < 2) continue;
    events.push({
      atMs,
      kind: 'reactive',
      trigger: family.trigger,
      action,
      windowMs: prng.range(e, 10 * e),
      delayMs: family.delayTicksMax === 0 ? 0 : prng.range(0, family.delayTicksMax * ctx.tickMs),
      durationMs: Math.max(1, Math.floor((prng.range(family.durationTenthsMin, family.durationTenthsMax) * e) / 10)),
      peer: ctx.nodeCount < 2 ? 0 : prng.range(1, ctx.nodeCount - 1),
    });
  }
  return events;
}
