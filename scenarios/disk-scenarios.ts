/** Named storage scenarios: power loss, torn writes, corruption, crash points — with real fsync latency. */
import type { DiskOptions } from '../sim/disk.js';
import { maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { Prng } from '../sim/prng.js';
import { byTime, calmNetwork, electionMs, faultTimes, nodeIds } from './plan-tools.js';
import type { Scenario, ScenarioContext } from './types.js';

function slowDisk(prng: Prng, tornWritePerMille: number): DiskOptions {
  const fsyncMsMax = prng.range(2, 15);
  return { fsyncMsMin: 1, fsyncMsMax, tornWritePerMille };
}

export const powerLoss: Scenario = {
  name: 'power-loss',
  description: 'every node loses power at once, again and again, with writes in flight (unsynced writes are lost)',
  assumes: 'every node may crash at once; fsynced writes survive, unsynced ones do not (and may tear)',
  injects: ['power-loss', 'restart'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const disk = slowDisk(prng, prng.pick([0, 500]));
    const events: FaultEvent[] = faultTimes(plan, ctx, 2 * e, e, 8 * e).map((atMs) => ({ atMs, kind: 'power-loss', downMs: plan.range(1, 2 * e) }));
    // Busy clients keep writes in flight, so a power loss usually strikes some node mid-fsync.
    const thinkMsMax = prng.pick([0, 10, 40]);
    return { network: calmNetwork(prng), disk, plan: { events }, workload: { thinkMsMax }, knobs: { fsyncMsMax: disk.fsyncMsMax, tornWritePerMille: disk.tornWritePerMille, thinkMsMax } };
  },
};

export const tornWrites: Scenario = {
  name: 'torn-writes',
  description: 'nodes crash mid-write on a slow disk, leaving torn records the host must detect and drop on restart',
  assumes: 'at most f of 2f+1 nodes down at once; synced writes survive crashes; an unsynced write may be torn, and the host detects it by checksum',
  injects: ['crash-point', 'crash-point-struck', 'torn-write', 'power-loss'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const disk = slowDisk(prng, 1000);
    const events = crashPointStorm(plan, ctx, ['before-fsync'], { crashOnly: false });
    return { network: calmNetwork(prng), disk, plan: { events }, knobs: { fsyncMsMax: disk.fsyncMsMax } };
  },
};

export const crashPoints: Scenario = {
  name: 'crash-points',
  description: 'nodes (often the leader) die at exact points of handling a Ready: after the write before fsync, or after fsync before sending',
  assumes: 'at most f of 2f+1 nodes down at once; synced writes survive crashes; a crash may strike between any two steps of handling a Ready',
  injects: ['crash-point', 'crash-point-struck', 'restart'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const disk = slowDisk(prng, prng.pick([0, 300]));
    const events = crashPointStorm(plan, ctx, ['before-fsync', 'after-persist'], { crashOnly: true });
    return { network: calmNetwork(prng), disk, plan: { events }, knobs: { fsyncMsMax: disk.fsyncMsMax, tornWritePerMille: disk.tornWritePerMille } };
  },
};

export const diskCorruption: Scenario = {
  name: 'disk-corruption',
  description: 'synced log records on up to f nodes get a flipped bit; those nodes must refuse to use them while the rest carry on',
  assumes: 'at most f nodes with corrupt storage, detected by checksum (a node refuses to start on it)',
  injects: ['corrupt', 'storage-refused'],
  requires: [],
  generate(prng, ctx) {
    const plan = prng.fork('plan');
    const e = electionMs(ctx);
    const nodes = nodeIds(ctx);
    const victims = plan.shuffle(nodes).slice(0, maxFaultyNodes(ctx.nodeCount));
    const events: FaultEvent[] = victims.map((node, i) => ({ atMs: plan.range(5 * e, ctx.safetyMs >> 1) + i * e, kind: 'corrupt', node, downMs: plan.range(1, e) }));
    return { network: calmNetwork(prng), disk: slowDisk(prng, 0), plan: { events: byTime(events) }, knobs: { corruptedNodes: victims.length } };
  },
};

/** Crash points armed on random nodes or the leader, inside the fault model. */
function crashPointStorm(prng: Prng, ctx: ScenarioContext, points: readonly ('before-fsync' | 'after-persist')[], options: { crashOnly: boolean }): FaultEvent[] {
  const e = electionMs(ctx);
  const limit = maxFaultyNodes(ctx.nodeCount);
  const nodes = nodeIds(ctx);
  const events: FaultEvent[] = [];
  let busyUntil: number[] = [];
  for (const atMs of faultTimes(prng, ctx, 2 * e, e >> 1, 4 * e)) {
    busyUntil = busyUntil.filter((until) => until > atMs);
    if (busyUntil.length >= limit) continue;
    const downMs = prng.range(1, 2 * e);
    busyUntil.push(atMs + 2 * downMs);
    const node = prng.chance(1, 2) ? 'leader' : prng.pick(nodes);
    if (!options.crashOnly && prng.chance(1, 4)) events.push({ atMs, kind: 'power-loss', downMs });
    else events.push({ atMs, kind: 'crash-point', node, point: prng.pick(points), downMs });
  }
  return events;
}
