/**
 * Snapshot scenarios (Raft §7): the host snapshots and compacts often, and the faults aim at what snapshots make
 * hard — a follower that can only catch up by InstallSnapshot, crashes and power loss while a snapshot is written
 * or installed, an install racing a leader change, and re-sent snapshots arriving late. Each needs the `snapshot`
 * capability; implementations without it have these scenarios skipped, with a notice.
 */
import type { DiskOptions } from '../sim/disk.js';
import { maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import type { Prng } from '../sim/prng.js';
import { byTime, calmNetwork, electionMs, faultTimes, nodeIds, SPLIT_NODES_MIN } from './plan-tools.js';
import type { Scenario, ScenarioContext } from './types.js';

/** Snapshots every few applied entries: with the standard workload a leader compacts several times a second. */
function snapshotDisk(prng: Prng, slow: boolean): DiskOptions {
  const snapshotEveryEntries = prng.range(3, 20);
  if (!slow) return { fsyncMsMin: 0, fsyncMsMax: 0, tornWritePerMille: 0, snapshotEveryEntries };
  // A slow disk keeps snapshot writes pending for a while, so crashes strike them before the rename.
  return { fsyncMsMin: 1, fsyncMsMax: prng.range(2, 15), tornWritePerMille: prng.pick([0, 500]), snapshotEveryEntries };
}

function knobsOf(disk: DiskOptions): { snapshotEveryEntries: number; fsyncMsMax: number } {
  return { snapshotEveryEntries: disk.snapshotEveryEntries ?? 0, fsyncMsMax: disk.fsyncMsMax };
}

/**
 * Cuts one random node off from the rest (a partition of it alone) for several election timeouts, then heals,
 * again and again: the rest commit and compact past it, so when it returns only a snapshot can bring it up to date.
 * The node may be the leader; then the rest elect a new one and the old leader is the one that lags.
 */
function laggingFollowerEvents(plan: Prng, ctx: ScenarioContext): FaultEvent[] {
  const e = electionMs(ctx);
  const events: FaultEvent[] = [];
  if (ctx.nodeCount < SPLIT_NODES_MIN) return events;
  const nodes = nodeIds(ctx);
  let atMs = plan.range(2 * e, 4 * e);
  while (atMs < ctx.safetyMs) {
    const node = plan.pick(nodes);
    events.push({ atMs, kind: 'partition', groups: [[node], nodes.filter((n) => n !== node)] });
    atMs += plan.range(4 * e, 15 * e);
    if (atMs >= ctx.safetyMs) break;
    events.push({ atMs, kind: 'heal' });
    atMs += plan.range(2 * e, 6 * e);
  }
  return events;
}

export const snapshotLaggingFollower: Scenario = {
  name: 'snapshot-lagging-follower',
  description: 'a follower is cut off while the others commit and compact their logs past it; healed, it can catch up only by InstallSnapshot',
  assumes: 'any partition; a majority stays connected while one node is away',
  injects: ['partition', 'heal'],
  requires: ['snapshot'],
  generate(prng, ctx) {
    const disk = snapshotDisk(prng, false);
    const events = laggingFollowerEvents(prng.fork('plan'), ctx);
    return { network: calmNetwork(prng), disk, plan: { events }, knobs: knobsOf(disk) };
  },
};

export const snapshotCrash: Scenario = {
  name: 'snapshot-crash',
  description: 'crashes and power loss strike while snapshots are written and installed on a slow disk: the old snapshot must survive an unrenamed new one, and a restart must come back from snapshot + log',
  assumes: 'at most f of 2f+1 nodes down at once, or all at once by power loss; synced writes and renamed snapshots survive, unsynced ones do not',
  injects: ['partition', 'heal', 'crash-point', 'crash-point-struck', 'power-loss', 'restart'],
  requires: ['snapshot'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const disk = snapshotDisk(prng, true);
    const e = electionMs(ctx);
    const limit = maxFaultyNodes(ctx.nodeCount);
    // A lagging follower makes installs happen; crash points and power loss then strike writes, snapshots among them.
    const events: FaultEvent[] = laggingFollowerEvents(plan.fork('lagging'), ctx);
    let busyUntil: number[] = [];
    for (const atMs of faultTimes(plan, ctx, 3 * e, e, 5 * e)) {
      busyUntil = busyUntil.filter((until) => until > atMs);
      const downMs = plan.range(1, 2 * e);
      if (plan.chance(1, 5)) {
        if (busyUntil.length > 0) continue; // every node goes down: nobody else may be down then
        events.push({ atMs, kind: 'power-loss', downMs });
        busyUntil.push(atMs + 2 * downMs);
        continue;
      }
      if (busyUntil.length >= limit) continue;
      busyUntil.push(atMs + 2 * downMs);
      events.push({ atMs, kind: 'crash-point', node: plan.chance(1, 2) ? 'leader' : plan.pick(nodeIds(ctx)), point: plan.pick(['before-fsync', 'after-persist'] as const), downMs });
    }
    return { network: calmNetwork(prng), disk, plan: { events: byTime(events) }, workload: { thinkMsMax: 10 }, knobs: knobsOf(disk) };
  },
};

export const snapshotLeaderChange: Scenario = {
  name: 'snapshot-leader-change',
  description: 'while a returning follower is being sent a snapshot, the leader is cut off or bounced, so the install races a new leader (and a new leader\'s own snapshot)',
  assumes: 'any partition; at most f of 2f+1 nodes down at once; a majority can always elect',
  injects: ['partition', 'isolate-leader', 'bounce', 'heal', 'restart'],
  requires: ['snapshot'],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const disk = snapshotDisk(prng, false);
    const e = electionMs(ctx);
    const events: FaultEvent[] = [];
    for (const lag of laggingFollowerEvents(plan.fork('lagging'), ctx)) {
      events.push(lag);
      if (lag.kind !== 'heal' || ctx.nodeCount < 3) continue;
      // Just after the follower returns, while the snapshot's chunks are in flight: a few ms to one round trip.
      const raceAtMs = lag.atMs + plan.range(0, 20);
      if (raceAtMs >= ctx.safetyMs) continue;
      if (plan.chance(1, 2)) {
        events.push({ atMs: raceAtMs, kind: 'isolate-leader', companions: 0 });
        const healAtMs = raceAtMs + plan.range(e, 4 * e);
        if (healAtMs < ctx.safetyMs) events.push({ atMs: healAtMs, kind: 'heal' });
      } else {
        events.push({ atMs: raceAtMs, kind: 'bounce', node: 'leader', downMs: plan.range(1, 2 * e) });
      }
    }
    return { network: calmNetwork(prng), disk, plan: { events: byTime(events) }, knobs: knobsOf(disk) };
  },
};

/** A lossy, duplicating, reordering network: re-sent snapshot chunks arrive late and twice. */
function unrulyNetwork(prng: Prng): NetworkOptions {
  return { latencyMsMin: 1, latencyMsMax: prng.range(5, 30), lossPerMille: prng.range(0, 100), duplicatePerMille: prng.range(50, 200), longDelayPerMille: prng.range(10, 50), longDelayMsMax: prng.range(50, 300) };
}

export const snapshotHeavy: Scenario = {
  name: 'snapshot-heavy',
  description: 'snapshots every few entries on a lossy, duplicating, slow network with followers coming and going: snapshots are sent, re-sent and delivered late',
  assumes: 'any message loss, duplication, reordering and delay; any partition with a connected majority',
  injects: ['partition', 'heal'],
  requires: ['snapshot'],
  generate(prng, ctx) {
    const disk = { ...snapshotDisk(prng, false), snapshotEveryEntries: prng.range(2, 6) };
    const network = unrulyNetwork(prng);
    const events = laggingFollowerEvents(prng.fork('plan'), ctx);
    return { network, disk, plan: { events }, workload: { thinkMsMax: 10 }, knobs: { ...knobsOf(disk), lossPerMille: network.lossPerMille, duplicatePerMille: network.duplicatePerMille } };
  },
};

export const SNAPSHOT_SCENARIOS: readonly Scenario[] = [snapshotLaggingFollower, snapshotCrash, snapshotLeaderChange, snapshotHeavy];
