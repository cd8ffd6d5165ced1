/**
 * Membership scenarios (Raft thesis §4, §3.10): clusters that grow, shrink and replace their nodes while faults
 * strike, and leadership transfers under message loss and to lagging targets. Their plans hold `conf-change` goals
 * and `transfer` events (sim/faults.ts) that the simulation's membership driver pursues through whoever leads; new
 * nodes take the ids above the initial ones, up to 7. Each declares the capability it needs; implementations
 * without it have the scenario skipped. `membershipFamily` is the default swarm's per-seed share of the same.
 */
import type { Capability, NodeId } from '../sim/contract.js';
import { NODE_IDS_MAX } from '../sim/faults.js';
import type { ConfGoal, FaultEvent } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import type { Prng } from '../sim/prng.js';
import { byTime, calmNetwork, electionMs, faultTimes, nodeIds, withinModel } from './plan-tools.js';
import type { Scenario, ScenarioContext } from './types.js';

/** How long the driver pursues one goal before giving it up, in election timeouts. */
const GIVE_UP_ELECTIONS = 30;

function goalEvent(atMs: number, goal: ConfGoal, ctx: ScenarioContext, retire: boolean): Extract<FaultEvent, { kind: 'conf-change' }> {
  return { atMs, kind: 'conf-change', goal, retire, giveUpMs: GIVE_UP_ELECTIONS * electionMs(ctx) };
}

/** The ids a run may add, in order: those above the initial cluster, up to {@link NODE_IDS_MAX}. */
function spareIds(ctx: ScenarioContext): NodeId[] {
  const ids: NodeId[] = [];
  for (let id = ctx.nodeCount + 1; id <= NODE_IDS_MAX; id++) ids.push(id);
  return ids;
}

/**
 * The churn of `membership-churn`: grow by two, replace every original node (a joint change each) while new ids
 * last, remove the originals left over, then shrink back to the initial size. 3 nodes go 3 → 5 → 3 and end with
 * none of the originals ({1,2,3} → {1..5} → {4..7} less one); larger clusters replace as many as the ids allow.
 */
export function churnGoals(prng: Prng, ctx: ScenarioContext): ConfGoal[] {
  const spare = spareIds(ctx);
  const originals = prng.shuffle(nodeIds(ctx));
  const voters = new Set(nodeIds(ctx));
  const goals: ConfGoal[] = [];
  for (let k = 0; k < 2 && spare.length > 0; k++) {
    const node = spare.shift() as NodeId;
    goals.push({ op: 'add', node, via: prng.chance(1, 2) ? 'learner' : 'voter' });
    voters.add(node);
  }
  for (const original of originals) {
    const add = spare.shift();
    if (add !== undefined) {
      goals.push({ op: 'replace', remove: original, add });
      voters.add(add);
    } else if (voters.size > ctx.nodeCount) {
      goals.push({ op: 'remove', node: original });
    } else {
      continue;
    }
    voters.delete(original);
  }
  const newcomers = prng.shuffle([...voters].filter((id) => id > ctx.nodeCount));
  while (voters.size > ctx.nodeCount && newcomers.length > 0) {
    const node = newcomers.shift() as NodeId;
    goals.push({ op: 'remove', node });
    voters.delete(node);
  }
  return goals;
}

/** Goals from `firstMs` on, `gapMs` apart (drawn), within the safety phase. */
function spaced(prng: Prng, ctx: ScenarioContext, goals: readonly ConfGoal[], retire: boolean, firstMs: number, gapMsMin: number, gapMsMax: number): FaultEvent[] {
  const events: FaultEvent[] = [];
  let atMs = firstMs;
  for (const goal of goals) {
    if (atMs >= ctx.safetyMs) break;
    events.push(goalEvent(atMs, goal, ctx, retire));
    atMs += prng.range(gapMsMin, gapMsMax);
  }
  return events;
}

/** Bounces of the leader or of any node (a node not running then is left alone), within the initial fault model. */
function bounces(prng: Prng, ctx: ScenarioContext, firstMs: number, gapMsMin: number, gapMsMax: number): FaultEvent[] {
  const e = electionMs(ctx);
  const ids = Array.from({ length: NODE_IDS_MAX }, (_, i) => i + 1);
  return faultTimes(prng, ctx, firstMs, gapMsMin, gapMsMax).map((atMs): FaultEvent => ({ atMs, kind: 'bounce', node: prng.chance(1, 3) ? 'leader' : prng.pick(ids), downMs: prng.range(1, 2 * e) }));
}

export const membershipChurn: Scenario = {
  name: 'membership-churn',
  description: 'the cluster grows by two, then every original node is replaced (joint consensus) and retired, and it shrinks back, while nodes and leaders crash and restart',
  assumes: 'at most f of 2f+1 voters down in every configuration in force (both halves while joint); synced writes survive crashes',
  injects: ['conf-change', 'conf-change-done', 'conf-proposal', 'join', 'retire', 'bounce', 'restart'],
  requires: ['membership-change'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const goals = spaced(plan, ctx, churnGoals(plan, ctx), true, plan.range(2 * e, 4 * e), 4 * e, 10 * e);
    const events = withinModel(goals, bounces(plan.fork('bounces'), ctx, 3 * e, 3 * e, 12 * e), ctx);
    return { network: calmNetwork(prng), plan: { events }, workload: { thinkMsMax: 20 }, knobs: { goals: goals.length } };
  },
};

export const replaceLeader: Scenario = {
  name: 'replace-leader',
  description: 'whoever leads is replaced by a new node (joint consensus) and retired, again and again: the leader leaves the configuration it commits and must step down',
  assumes: 'a majority of every configuration in force stays up and connected',
  injects: ['conf-change', 'conf-change-done', 'conf-proposal', 'join', 'retire'],
  requires: ['membership-change'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const spare = spareIds(ctx);
    // With no id left to add, the leader is removed outright (the cluster shrinks by one each time, down to 3).
    const goals: ConfGoal[] = spare.length > 0 ? spare.map((add) => ({ op: 'replace', remove: 'leader', add })) : [{ op: 'remove', node: 'leader' }, { op: 'remove', node: 'leader' }];
    const events = spaced(plan, ctx, goals, true, plan.range(2 * e, 4 * e), 6 * e, 14 * e);
    return { network: calmNetwork(prng), plan: { events }, workload: { thinkMsMax: 20 }, knobs: { goals: events.length } };
  },
};

export const addDuringPartition: Scenario = {
  name: 'add-during-partition',
  description: 'a node is added (as a learner then promoted, or as a voter) while the cluster is split or its leader is cut off, then the network heals',
  assumes: 'any partition; the configuration change commits only with a majority of every configuration in force',
  injects: ['conf-change', 'conf-proposal', 'join', 'partition', 'isolate-leader', 'heal'],
  requires: ['membership-change'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const ids = nodeIds(ctx);
    const events: FaultEvent[] = [];
    let atMs = plan.range(2 * e, 4 * e);
    for (const node of spareIds(ctx).slice(0, 3)) {
      if (atMs >= ctx.safetyMs) break;
      if (ids.length >= 2) {
        if (plan.chance(1, 2)) events.push({ atMs, kind: 'isolate-leader', companions: plan.int(Math.max(1, Math.floor((ids.length - 1) / 2))) });
        else {
          const cut = plan.range(1, ids.length - 1);
          const shuffled = plan.shuffle(ids);
          events.push({ atMs, kind: 'partition', groups: [shuffled.slice(0, cut).sort((a, b) => a - b), shuffled.slice(cut).sort((a, b) => a - b)] });
        }
      }
      events.push(goalEvent(atMs + plan.range(0, 2 * e), { op: 'add', node, via: plan.chance(1, 2) ? 'learner' : 'voter' }, ctx, false));
      const healAtMs = atMs + plan.range(3 * e, 10 * e);
      if (healAtMs < ctx.safetyMs && ids.length >= 2) events.push({ atMs: healAtMs, kind: 'heal' });
      atMs = healAtMs + plan.range(3 * e, 8 * e);
    }
    return { network: calmNetwork(prng), plan: { events: byTime(events) }, workload: { thinkMsMax: 20 }, knobs: { added: events.filter((x) => x.kind === 'conf-change').length } };
  },
};

export const removePartitionedCampaigner: Scenario = {
  name: 'remove-partitioned-campaigner',
  description: 'a node is cut off, removed from the configuration while away (it keeps running and campaigning with rising terms), then the network heals and its stale messages reach the cluster',
  assumes: 'any partition with a connected majority; a removed node is not retired until the run ends',
  injects: ['conf-change', 'conf-change-done', 'conf-proposal', 'partition', 'heal'],
  requires: ['membership-change'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const ids = nodeIds(ctx);
    if (ids.length < 2) return { network: calmNetwork(prng), plan: { events: [] }, knobs: { removed: 0 } };
    const node = plan.pick(ids);
    const cutAtMs = plan.range(2 * e, 5 * e);
    const removeAtMs = cutAtMs + plan.range(e, 3 * e);
    const healAtMs = removeAtMs + plan.range(8 * e, 20 * e);
    const events: FaultEvent[] = [
      { atMs: cutAtMs, kind: 'partition', groups: [[node], ids.filter((id) => id !== node)] },
      goalEvent(removeAtMs, { op: 'remove', node }, ctx, false),
      { atMs: healAtMs, kind: 'heal' },
    ];
    return { network: calmNetwork(prng), plan: { events: events.filter((x) => x.atMs < ctx.safetyMs) }, workload: { thinkMsMax: 20 }, knobs: { removed: node } };
  },
};

export const confChangeCrash: Scenario = {
  name: 'conf-change-crash',
  description: 'a leader crashes right after persisting a configuration change, before sending it, and the next leader is asked for another change at once: the 2015 single-server change bug\'s window (a new leader must first commit an entry of its own term)',
  assumes: 'at most f of 2f+1 voters down in every configuration in force; synced writes survive crashes',
  injects: ['conf-change', 'conf-proposal', 'crash-point', 'crash-point-struck', 'join', 'retire', 'restart'],
  requires: ['membership-change'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const ids = nodeIds(ctx);
    const events: FaultEvent[] = [];
    let atMs = plan.range(2 * e, 4 * e);
    // Two single-server changes from an odd-sized configuration cannot diverge (any majorities of C ± 1 node
    // meet), so an odd cluster first loses one voter; then each round adds a node through a leader that crashes
    // with the change, and asks the next leader to remove one of the others.
    if (ids.length % 2 === 1 && ids.length >= 3) {
      events.push(goalEvent(atMs, { op: 'remove', node: plan.pick(ids) }, ctx, true));
      atMs += plan.range(4 * e, 8 * e);
    }
    for (const add of spareIds(ctx)) {
      if (atMs >= ctx.safetyMs) break;
      events.push({ ...goalEvent(atMs, { op: 'add', node: add, via: 'voter' }, ctx, false), giveUpMs: plan.range(e, 3 * e), crashLeaderMs: plan.range(e, 4 * e) });
      events.push(goalEvent(atMs + 1, { op: 'remove', node: plan.pick(ids) }, ctx, false));
      atMs += plan.range(15 * e, 30 * e);
    }
    return { network: calmNetwork(prng), plan: { events }, workload: { thinkMsMax: 40 }, knobs: { rounds: events.filter((x) => x.kind === 'conf-change' && x.crashLeaderMs !== undefined).length } };
  },
};

export const jointPause: Scenario = {
  name: 'joint-pause',
  description: 'a node is replaced by joint consensus while the removed node and enough others of C_old are paused that C_old has no majority awake but C_new has: C_old,new must wait for them',
  assumes: 'paused processes (not crashes); joint consensus needs a majority of both configurations',
  injects: ['conf-change', 'conf-proposal', 'join', 'pause'],
  requires: ['membership-change'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const retryMs = e >> 1;
    const events: FaultEvent[] = [];
    let atMs = plan.range(2 * e, 4 * e);
    let members = nodeIds(ctx);
    for (const add of spareIds(ctx)) {
      if (atMs >= ctx.safetyMs || members.length < 2) break;
      const [removed, ...others] = plan.shuffle(members) as [NodeId, ...NodeId[]];
      // The removed node and ⌊n/2⌋ - 1 others: C_old keeps ⌈n/2⌉ awake, not a majority; C_new keeps those and the newcomer.
      const paused = [removed, ...others.slice(0, Math.floor(members.length / 2) - 1)];
      events.push(goalEvent(atMs, { op: 'replace', remove: removed, add }, ctx, true));
      // The driver's first attempt comes one retry after the goal: pause them just after the joint entry leaves.
      const pauseAtMs = atMs + retryMs + plan.range(1, 10);
      const durationMs = plan.range(2 * e, 8 * e);
      for (const node of paused) if (pauseAtMs < ctx.safetyMs) events.push({ atMs: pauseAtMs, kind: 'pause', node, durationMs });
      members = [...others, add];
      atMs = pauseAtMs + durationMs + plan.range(4 * e, 10 * e);
    }
    return { network: calmNetwork(prng), plan: { events: byTime(events) }, workload: { thinkMsMax: 20 }, knobs: { replacements: events.filter((x) => x.kind === 'conf-change').length } };
  },
};

/** A lossy, duplicating network: TimeoutNow and the appends that bring the target up to date get lost. */
function lossyNetwork(prng: Prng): NetworkOptions {
  return { latencyMsMin: 1, latencyMsMax: prng.range(5, 20), lossPerMille: prng.range(20, 200), duplicatePerMille: prng.range(0, 50), longDelayPerMille: 0, longDelayMsMax: 0 };
}

export const transferLossy: Scenario = {
  name: 'transfer-lossy',
  description: 'the leader is asked again and again to hand its leadership to a random voter while messages are lost and duplicated: transfers complete, or abort after an election timeout',
  assumes: 'any message loss and duplication',
  injects: ['transfer', 'message-loss'],
  requires: ['leadership-transfer'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const network = lossyNetwork(prng);
    const events = faultTimes(plan, ctx, plan.range(2 * e, 4 * e), 2 * e, 8 * e).map((atMs): FaultEvent => ({ atMs, kind: 'transfer', target: 'random' }));
    return { network, plan: { events }, workload: { thinkMsMax: 20 }, knobs: { transfers: events.length, lossPerMille: network.lossPerMille } };
  },
};

export const transferLagging: Scenario = {
  name: 'transfer-lagging',
  description: 'a node is cut off while clients write, and leadership is transferred to it as it returns: the leader must bring it up to date before TimeoutNow',
  assumes: 'a node away from the cluster (not a crash); any lag',
  injects: ['transfer', 'away'],
  requires: ['leadership-transfer'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const ids = nodeIds(ctx);
    const events: FaultEvent[] = [];
    if (ids.length >= 2) {
      for (const atMs of faultTimes(plan, ctx, plan.range(2 * e, 4 * e), 15 * e, 30 * e)) {
        const node = plan.pick(ids);
        const durationMs = plan.range(3 * e, 10 * e);
        events.push({ atMs, kind: 'away', node, durationMs });
        // As it returns (a few ms before its links are back, to one round trip after): it still lags.
        const transferAtMs = atMs + durationMs + plan.range(-5, 20);
        if (transferAtMs < ctx.safetyMs) events.push({ atMs: transferAtMs, kind: 'transfer', target: node });
      }
    }
    return { network: calmNetwork(prng), plan: { events: byTime(events) }, workload: { thinkMsMax: 5 }, knobs: { transfers: events.filter((x) => x.kind === 'transfer').length } };
  },
};

/**
 * The default swarm's membership family, for an implementation declaring `capabilities`: half the seeds get one to
 * three configuration goals (add through a learner or at once, remove, replace by joint consensus, on ids that
 * exist then) and, with `leadership-transfer`, a few transfers to random voters. Draws from `seed`'s fork
 * `membership`; empty without the capabilities, and then it forks nothing (seeding a stream is not free, and most
 * implementations lack both).
 */
export function membershipFamily(seed: Prng, ctx: ScenarioContext, capabilities: readonly Capability[]): { readonly events: FaultEvent[]; readonly on: boolean } {
  const conf = capabilities.includes('membership-change');
  const transfer = capabilities.includes('leadership-transfer');
  if (!conf && !transfer) return { events: [], on: false };
  const prng = seed.fork('membership');
  if (!prng.chance(1, 2)) return { events: [], on: false };
  const e = electionMs(ctx);
  const events: FaultEvent[] = [];
  if (conf) {
    const voters = new Set(nodeIds(ctx));
    const spare = spareIds(ctx);
    let atMs = prng.range(e, 10 * e);
    for (let k = prng.range(1, 3); k > 0 && atMs < ctx.safetyMs; k--) {
      const roll = prng.int(3);
      const add = spare[0];
      let goal: ConfGoal;
      if ((roll === 0 || voters.size === 1) && add !== undefined) goal = { op: 'add', node: add, via: prng.chance(1, 2) ? 'learner' : 'voter' };
      else if (roll === 1 && add !== undefined) goal = { op: 'replace', remove: prng.chance(1, 3) ? 'leader' : prng.pick([...voters]), add };
      else if (voters.size > 1) goal = { op: 'remove', node: prng.pick([...voters]) };
      else break;
      if (goal.op !== 'remove') {
        spare.shift();
        voters.add(add as NodeId);
      }
      const removed = goal.op === 'remove' ? goal.node : goal.op === 'replace' ? goal.remove : null;
      if (typeof removed === 'number') voters.delete(removed);
      events.push(goalEvent(atMs, goal, ctx, prng.chance(1, 2)));
      atMs += prng.range(4 * e, 20 * e);
    }
  }
  if (transfer) for (const atMs of faultTimes(prng, ctx, prng.range(2 * e, 20 * e), 5 * e, 40 * e)) events.push({ atMs, kind: 'transfer', target: 'random' });
  return { events: byTime(events), on: true };
}

export const MEMBERSHIP_SCENARIOS: readonly Scenario[] = [membershipChurn, confChangeCrash, jointPause, replaceLeader, addDuringPartition, removePartitionedCampaigner, transferLossy, transferLagging];
