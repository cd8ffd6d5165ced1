/**
 * The default scenario: random partitions, message loss, duplication, reordering, crashes and restarts,
 * with the families and their intensities chosen per seed (swarm testing, Groce et al. 2012: a seed that
 * switches some faults off explores behaviour that constant all-on noise hides). The run's liveness phase
 * heals everything at the end.
 */
import { maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { NodeId } from '../sim/contract.js';
import type { Prng } from '../sim/prng.js';
import { BRIDGE_NODES_MIN, mergeByTime, SPLIT_NODES_MIN, withinModel } from './plan-tools.js';
import { withDivergentLogs } from './divergent-logs.js';
import { membershipFamily } from './membership-scenarios.js';
import { reactiveFaults } from './reactive-faults.js';
import { withStabilityPhase } from './stability-phase.js';
import type { Scenario, ScenarioContext, ScenarioPlan } from './types.js';

/**
 * Whether the swarm draws stale replays: in a quarter of its seeds (`swarm`, the default scenario), or in every
 * seed (`always`, the `stale-replay` scenario).
 */
export type ReplayFamily = 'swarm' | 'always';

/**
 * Whether the swarm ends its safety phase with the divergent-logs episode (scenarios/divergent-logs.ts): in a
 * quarter of the seeds without the stability phase (`swarm`, the default scenario), in every seed (`always`, the
 * `divergent-logs` scenario, which then has no stability phase), or never (`off`, `stale-replay`).
 */
export type DivergentFamily = 'swarm' | 'always' | 'off';

/** Mean gap between two `replay` events of a seed, in election timeouts (drawn per seed). */
export const REPLAY_GAP_ELECTIONS_MIN = 3;
export const REPLAY_GAP_ELECTIONS_MAX = 20;
/** Most messages one generated replay delivers again. */
export const REPLAY_COUNT_GENERATED_MAX = 256;
/** Bounds of a generated replay's `ageMsMin`, in election timeouts: from one to dozens (several terms back). */
export const REPLAY_AGE_ELECTIONS_MIN = 1;
export const REPLAY_AGE_ELECTIONS_MAX = 30;

export const randomFaults: Scenario = swarmScenario({
  name: 'random',
  description: 'swarm testing: per seed, a random mix of partitions, bridges, loss, duplication, crashes, leader faults, pauses, skewed clocks, congestion, slow disks, stale replays, divergent logs, snapshots and (when the implementation declares them) configuration changes and leadership transfers',
  replay: 'swarm',
  divergent: 'swarm',
});

/**
 * The default swarm with its stale-replay family in every seed: what the family alone adds, and the proof that a
 * correct Raft ignores old messages however late they come (a reply of an earlier term must never count).
 */
export const staleReplay: Scenario = swarmScenario({
  name: 'stale-replay',
  description: 'the default swarm with stale replays in every seed: every few election timeouts, up to 256 messages sent one to thirty election timeouts earlier are delivered again',
  replay: 'always',
  divergent: 'off',
});

/**
 * The default swarm ending every seed with the divergent-logs episode: the leader cut off with a minority while
 * clients write to it, again and again, and the liveness phase healing a random majority of the divergent logs.
 * What the family alone adds, and the proof that a correct Raft elects through Figure 7's logs.
 */
export const divergentLogs: Scenario = swarmScenario({
  name: 'divergent-logs',
  description: 'the default swarm ending every seed with one to four rounds of leader isolation with a minority while clients keep writing to it (the paper\'s Figure 7 logs at the start of the liveness phase)',
  replay: 'swarm',
  divergent: 'always',
});

function swarmScenario(options: { readonly name: string; readonly description: string; readonly replay: ReplayFamily; readonly divergent: DivergentFamily }): Scenario {
  return {
    name: options.name,
    description: options.description,
    assumes: 'at most f of 2f+1 nodes down at once; synced writes survive crashes; any partition, loss, duplication, delay (however long: old messages may arrive again), pause or clock skew (safety never depends on timing)',
    injects: ['partition', 'bridge', 'isolate-leader', 'heal', 'crash', 'bounce', 'restart', 'message-loss', 'message-duplicate', 'pause', 'clock-jump', 'latency-spike', 'clog', 'reactive', 'away', 'replay'],
    requires: [],
    generate(prng: Prng, ctx: ScenarioContext): ScenarioPlan {
      const partitions = prng.chance(2, 3);
      const crashes = prng.chance(2, 3);
      // Faults aimed at whoever leads when they fire: isolating or bouncing leaders soon after election is
      // what leaves divergent terms at one index (the paper's Figure 8).
      const leaderFaults = prng.chance(1, 2);
      const lossPerMille = prng.chance(1, 2) ? prng.range(1, 80) : 0;
      const duplicatePerMille = prng.chance(1, 2) ? prng.range(1, 80) : 0;
      const longDelayPerMille = prng.chance(1, 3) ? prng.range(1, 30) : 0;
      const latencyMsMax = prng.range(2, 20);
      // Mean gap between fault events: from a storm (several per election timeout) to a calm sea.
      const electionMs = ctx.electionTicks * ctx.tickMs;
      const faultGapMsMean = prng.chance(1, 4) ? prng.range(electionMs >> 2, electionMs) : prng.range(2, 20) * electionMs;
      // Client intensity varies too: an idle cluster commits old-term entries only through the commit rule
      // (Figure 8), a busy one exercises replication and retries.
      const thinkMsMax = prng.pick([0, 20, 40, 100, 400, 1000]);
      // Families with their own stream, so switching them on never shifts the draws above.
      const extra = prng.fork('families');
      const clocks = extra.chance(1, 3);
      const pauses = extra.chance(1, 3);
      const congestion = extra.chance(1, 4);
      const slowDisk = extra.chance(1, 3);
      const skewPerMilleMax = clocks ? extra.range(10, 200) : 0;
      const driftPerMilleMax = clocks ? extra.range(0, 100) : 0;
      const linkCapacity = congestion && extra.chance(1, 2) ? extra.range(4, 32) : 0;
      const fsyncMsMax = slowDisk ? extra.range(1, 10) : 0;
      const tornWritePerMille = slowDisk ? extra.pick([0, 500]) : 0;
      const planned = mergeByTime(
        faultSchedule(prng, ctx, { partitions, crashes, leaderFaults, faultGapMsMean }),
        timeAndCongestion(extra, ctx, { pauses, clocks, congestion, faultGapMsMean }),
      );
      // Reactive faults draw from a stream of their own (drawn last, so seeds without them keep their plans).
      const reactiveStream = prng.fork('reactive');
      const reactive = reactiveStream.chance(1, 2);
      const reactiveGapMsMean = reactive ? reactiveStream.range(2, 20) * electionMs : 0;
      const withReactive = reactive ? withinModel(planned, reactiveFaults(reactiveStream.fork('plan'), ctx, reactiveGapMsMean), ctx) : planned;
      // Stale replays (old messages delivered again, seconds late) on a stream of their own: a seed without them
      // keeps its plan. Added before the stability phase, which drops any that could still act in its window.
      const replayStream = prng.fork('replay');
      const replay = options.replay === 'always' || replayStream.chance(1, 4);
      const replayGapMsMean = replay ? replayStream.range(REPLAY_GAP_ELECTIONS_MIN, REPLAY_GAP_ELECTIONS_MAX) * electionMs : 0;
      const withReplays = replay ? mergeByTime(withReactive, replayFaults(replayStream.fork('plan'), ctx, replayGapMsMean)) : withReactive;
      // A quarter of the seeds end with the stability phase (one node away from a stable leader and back).
      const stabilityStream = prng.fork('stability');
      const stability = options.divergent !== 'always' && stabilityStream.chance(1, 4);
      // A quarter of the other seeds end with the divergent-logs episode instead (both need the end of the safety
      // phase): a stream of its own, so a seed without it keeps its plan.
      // Forked only when it can draw (a seed with the stability phase never does): seeding a stream is not free.
      const divergentStream = stability ? null : prng.fork('divergent');
      const drawn = divergentStream !== null && (options.divergent === 'always' || (options.divergent === 'swarm' && divergentStream.chance(1, 4)));
      const withEpisode = drawn && divergentStream !== null ? withDivergentLogs(withReplays, ctx, divergentStream.fork('plan')) : null;
      const divergent = withEpisode !== null;
      const events = stability ? withStabilityPhase(withReplays, ctx, stabilityStream.fork('plan')) : (withEpisode ?? withReplays);
      // Half the seeds take snapshots (Raft §7) every few to a few dozen applied entries, for implementations with
      // the `snapshot` capability (the host never asks the others): a stream of its own, drawn last, so nothing
      // above shifts. Partitions and crashes then leave followers that only a snapshot can catch up.
      const snapshotStream = prng.fork('snapshots');
      const snapshotEveryEntries = snapshotStream.chance(1, 2) ? snapshotStream.range(3, 40) : 0;
      // Configuration changes and transfers (#15) for implementations declaring `membership-change` or
      // `leadership-transfer`: a stream of its own that draws nothing otherwise, so every other plan is unchanged.
      const capabilities = ctx.capabilities ?? [];
      const membership = membershipFamily(prng, ctx, capabilities);
      const membershipKnob = capabilities.includes('membership-change') || capabilities.includes('leadership-transfer') ? { membership: membership.on } : {};
      const disk = slowDisk ? { fsyncMsMin: 1, fsyncMsMax, tornWritePerMille } : { fsyncMsMin: 0, fsyncMsMax: 0, tornWritePerMille: 0 };
      return {
        network: { latencyMsMin: 1, latencyMsMax, lossPerMille, duplicatePerMille, longDelayPerMille, longDelayMsMax: 20 * ctx.tickMs, linkCapacity },
        plan: { events: membership.on ? mergeByTime(events, membership.events) : events },
        workload: { thinkMsMax },
        ...(clocks ? { clock: { skewPerMilleMax, driftPerMilleMax } } : {}),
        ...(slowDisk || snapshotEveryEntries > 0 ? { disk: snapshotEveryEntries > 0 ? { ...disk, snapshotEveryEntries } : disk } : {}),
        knobs: {
          partitions,
          crashes,
          leaderFaults,
          lossPerMille,
          duplicatePerMille,
          longDelayPerMille,
          latencyMsMax,
          faultGapMsMean,
          thinkMsMax,
          skewPerMilleMax,
          driftPerMilleMax,
          pauses,
          congestion,
          linkCapacity,
          fsyncMsMax,
          tornWritePerMille,
          reactive,
          reactiveGapMsMean,
          replay,
          replayGapMsMean,
          stability,
          divergent,
          snapshotEveryEntries,
          ...membershipKnob,
        },
      };
    },
  };
}

/**
 * Stale replays: every `gapMsMean` or so (half to twice it), a `replay` of up to
 * {@link REPLAY_COUNT_GENERATED_MAX} messages sent at least one to thirty election timeouts earlier. The first
 * comes after a few election timeouts, once there is history to replay.
 */
function replayFaults(prng: Prng, ctx: ScenarioContext, gapMsMean: number): FaultEvent[] {
  const events: FaultEvent[] = [];
  const e = ctx.electionTicks * ctx.tickMs;
  for (let atMs = prng.range(2 * e, Math.max(2 * e, gapMsMean)); atMs < ctx.safetyMs; atMs += prng.range(gapMsMean >> 1, gapMsMean * 2)) {
    events.push({ atMs, kind: 'replay', count: prng.range(1, REPLAY_COUNT_GENERATED_MAX), ageMsMin: prng.range(REPLAY_AGE_ELECTIONS_MIN * e, REPLAY_AGE_ELECTIONS_MAX * e) });
  }
  return events;
}

/**
 * Pauses and clock jumps, latency spikes and clogged links: none of them takes a node down. Draws from `families`'
 * fork `plan`, forked only when a family is on.
 */
function timeAndCongestion(
  families: Prng,
  ctx: ScenarioContext,
  knobs: { readonly pauses: boolean; readonly clocks: boolean; readonly congestion: boolean; readonly faultGapMsMean: number },
): FaultEvent[] {
  const events: FaultEvent[] = [];
  if (!knobs.pauses && !knobs.clocks && !knobs.congestion) return events;
  const prng = families.fork('plan');
  const e = ctx.electionTicks * ctx.tickMs;
  const nodes: NodeId[] = [];
  for (let id = 1; id <= ctx.nodeCount; id++) nodes.push(id);
  const gap = knobs.faultGapMsMean * 2;
  for (let atMs = prng.range(e, Math.max(e, gap)); atMs < ctx.safetyMs; atMs += prng.range(gap >> 1, gap * 2)) {
    const options: FaultEvent[] = [];
    if (knobs.pauses) options.push({ atMs, kind: 'pause', node: prng.chance(1, 2) ? 'leader' : prng.pick(nodes), durationMs: prng.range(ctx.tickMs, 5 * e) });
    if (knobs.clocks) options.push({ atMs, kind: 'clock-jump', node: prng.pick(nodes), ticks: prng.range(1, 2 * ctx.electionTicks) });
    if (knobs.congestion) {
      // Read by index, not destructured: array destructuring inlines the iteration protocol, and this runs once per
      // run, so it is compiled in the bench's measured seeds.
      const shuffled = prng.shuffle(nodes);
      const from = shuffled[0] as NodeId;
      const to = shuffled[1];
      // A lone node has no link to clog (`to` is undefined): it gets the spike.
      options.push(
        prng.chance(1, 2) || to === undefined
          ? { atMs, kind: 'latency-spike', durationMs: prng.range(e, 5 * e), extraMsMax: prng.range(ctx.tickMs, 2 * e) }
          : { atMs, kind: 'clog', from, to, durationMs: prng.range(ctx.tickMs, 3 * e) },
      );
    }
    events.push(prng.pick(options));
  }
  return events;
}

interface ScheduleKnobs {
  readonly partitions: boolean;
  readonly crashes: boolean;
  readonly leaderFaults: boolean;
  readonly faultGapMsMean: number;
}

/**
 * Random partitions, heals, crashes and restarts, inside the fault model (at most f nodes down). Draws from
 * `scenario`'s fork `plan`, forked only when partitions or crashes are on.
 */
function faultSchedule(scenario: Prng, ctx: ScenarioContext, knobs: ScheduleKnobs): FaultEvent[] {
  const events: FaultEvent[] = [];
  if (!knobs.partitions && !knobs.crashes) return events;
  const prng = scenario.fork('plan');
  const nodes: NodeId[] = [];
  for (let id = 1; id <= ctx.nodeCount; id++) nodes.push(id);
  /*
   * By node id: when a crashed node restarts, INDEFINITELY (at a later restart event, or the liveness phase) or UP.
   * A flat array of small integers and loops in id order rather than a Map, spreads, filters and closures: this
   * runs once per run, so it reaches TurboFan late (in the bench's measured seeds) and the size of what it inlines
   * is what compiling it costs. Small integers, not a Float64Array or Infinity: a restart's time read back from one
   * is a double, and the restart events built with it had a hidden class of their own.
   */
  const restartAtMs: number[] = [];
  for (let id = 0; id <= ctx.nodeCount; id++) restartAtMs.push(UP);
  let downCount = 0;
  const limit = maxFaultyNodes(ctx.nodeCount);
  const electionMs = ctx.electionTicks * ctx.tickMs;
  let partitioned = false;
  const leaderBouncesUntil: number[] = [];
  for (let atMs = prng.range(0, knobs.faultGapMsMean); atMs < ctx.safetyMs; atMs += prng.range(knobs.faultGapMsMean >> 2, knobs.faultGapMsMean * 2)) {
    if (downCount > 0) downCount -= restartDue(events, restartAtMs, atMs);
    // At most one event a step, appended at one site: each `push` TurboFan inlines is its own copy of the
    // array-growing code, and this runs once a run, so it is compiled in the bench's measured seeds.
    let event: FaultEvent | null = null;
    const roll = prng.int(4);
    if (knobs.partitions && roll < 2 && nodes.length >= SPLIT_NODES_MIN) {
      if (partitioned && prng.chance(1, 2)) {
        event = { atMs, kind: 'heal' };
        partitioned = false;
      } else {
        const shape = prng.int(knobs.leaderFaults ? 4 : 3);
        // Sizes below 3 have no bridge (it becomes a split) and a leader isolated with no companion.
        if (shape === 3) event = { atMs, kind: 'isolate-leader', companions: prng.int(Math.max(1, Math.min(2, ctx.nodeCount - 2))) };
        else event = shape === 2 && nodes.length >= BRIDGE_NODES_MIN ? randomBridge(prng, nodes, atMs) : { atMs, kind: 'partition', groups: randomSplit(prng, nodes) };
        partitioned = true;
      }
    } else if (knobs.crashes) {
      let bounces = 0;
      for (let k = 0; k < leaderBouncesUntil.length; k++) {
        const until = leaderBouncesUntil[k] as number;
        if (until > atMs) leaderBouncesUntil[bounces++] = until;
      }
      // A length store is a runtime call even when nothing changes: only when a bounce ended.
      if (bounces !== leaderBouncesUntil.length) leaderBouncesUntil.length = bounces;
      const faulty = downCount + bounces;
      if (knobs.leaderFaults && faulty < limit && prng.chance(1, 3)) {
        // Whom this bounce takes down is only known at run time, so it counts toward the limit on its own.
        const downMs = prng.range(1, 2 * electionMs);
        leaderBouncesUntil.push(atMs + downMs);
        event = { atMs, kind: 'bounce', node: 'leader', downMs };
      } else {
        // A crash of a node that is up, or the restart of one down indefinitely: one list and one pick site for
        // both (each inlined copy is code TurboFan compiles in the bench's measured seeds). A crash always finds a
        // node up, since fewer than f are faulty.
        const crash = faulty < limit && (downCount === 0 || prng.chance(1, 2));
        const candidates = nodesWhere(restartAtMs, crash ? UP : INDEFINITELY);
        if (candidates.length > 0) {
          const node = prng.pick(candidates);
          if (crash) {
            event = { atMs, kind: 'crash', node };
            // Half the crashes are quick bounces (back within about two election timeouts): a node that
            // returns mid-election is where forgotten votes and lost unsynced state bite.
            const bounceAtMs = atMs + prng.range(1, electionMs);
            restartAtMs[node] = prng.chance(1, 2) && bounceAtMs < ctx.safetyMs ? bounceAtMs : INDEFINITELY;
            downCount++;
          } else {
            restartAtMs[node] = UP;
            downCount--;
            event = { atMs, kind: 'restart', node };
          }
        }
      }
    }
    if (event !== null) events.push(event);
  }
  if (downCount > 0) restartDue(events, restartAtMs, ctx.safetyMs);
  return events;
}

/** faultSchedule's marks of a node that is up, and of one down until a later restart event or the liveness phase. */
const UP = -1;
const INDEFINITELY = -2;

/** The node ids (ascending) whose restart time (see faultSchedule) is `mark`. */
function nodesWhere(restartAtMs: readonly number[], mark: number): NodeId[] {
  const out: NodeId[] = [];
  for (let id = 1; id < restartAtMs.length; id++) if (restartAtMs[id] === mark) out.push(id);
  return out;
}

/**
 * Appends the restarts due by `untilMs` (in time order, then node order) to `events` and marks their nodes up;
 * returns how many.
 */
function restartDue(events: FaultEvent[], restartAtMs: number[], untilMs: number): number {
  // The earliest due restart first, the lower node id at equal times, one at a time: a run has a few at most, and a
  // scan per restart is less code than a list sorted with a comparator (this is compiled in the measured seeds).
  let count = 0;
  for (;;) {
    let next = 0;
    let nextAtMs = untilMs + 1;
    for (let id = 1; id < restartAtMs.length; id++) {
      const at = restartAtMs[id] as number;
      if (at >= 0 && at < nextAtMs) {
        next = id;
        nextAtMs = at;
      }
    }
    if (next === 0) return count;
    events.push({ atMs: nextAtMs, kind: 'restart', node: next });
    restartAtMs[next] = UP;
    count++;
  }
}

/** A random split into two sides (sometimes one node alone). */
function randomSplit(prng: Prng, nodes: readonly NodeId[]): NodeId[][] {
  const shuffled = prng.shuffle(nodes);
  const cut = prng.chance(1, 3) ? 1 : prng.range(1, nodes.length - 1);
  const a = shuffled.slice(0, cut).sort((x, y) => x - y);
  const b = shuffled.slice(cut).sort((x, y) => x - y);
  return [a, b];
}

/** A bridge: one node hears two sides that cannot hear each other. */
function randomBridge(prng: Prng, nodes: readonly NodeId[], atMs: number): FaultEvent {
  const shuffled = prng.shuffle(nodes);
  const bridge = shuffled[0] as NodeId;
  const rest = shuffled.slice(1);
  const cut = prng.range(1, rest.length - 1);
  const a = rest.slice(0, cut).sort((x, y) => x - y);
  const b = rest.slice(cut).sort((x, y) => x - y);
  return { atMs, kind: 'bridge', bridge, sides: [a, b] };
}
