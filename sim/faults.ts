/**
 * Fault plans: timed fault events as plain data, so a plan can be printed, saved, replayed and shrunk.
 * The guard keeps a plan inside the fault model Raft claims to survive.
 */
import type { NodeId } from './contract.js';

export type FaultEvent =
  /** Split the cluster into groups that cannot talk to each other. */
  | { readonly atMs: number; readonly kind: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  /**
   * Two sides that cannot talk to each other, and one bridge node that talks to both (a non-transitive
   * partition: both sides may elect leaders that the bridge hears).
   */
  | { readonly atMs: number; readonly kind: 'bridge'; readonly bridge: NodeId; readonly sides: readonly [readonly NodeId[], readonly NodeId[]] }
  /**
   * Cut the current leader (the live node leading in the highest term), together with the `companions`
   * nodes that follow it in id order (wrapping), off from the rest of the cluster. No leader: nothing happens.
   */
  | { readonly atMs: number; readonly kind: 'isolate-leader'; readonly companions: number }
  /** Restore every link. */
  | { readonly atMs: number; readonly kind: 'heal' }
  /** The node's process dies: volatile state and unsynced writes are lost. */
  | { readonly atMs: number; readonly kind: 'crash'; readonly node: NodeId }
  /**
   * Crash a node and restart it `downMs` later. `node: 'leader'` picks, when the event fires, the live node
   * that leads in the highest term (none: nothing happens), so plans can target roles they cannot foresee.
   */
  | { readonly atMs: number; readonly kind: 'bounce'; readonly node: NodeId | 'leader'; readonly downMs: number }
  /** Every live node loses power at once (unsynced writes lost, maybe torn) and all come back `downMs` later. */
  | { readonly atMs: number; readonly kind: 'power-loss'; readonly downMs: number }
  /**
   * The node crashes, one of its synced log records gets a flipped bit, and it restarts `downMs` later. A
   * correct host detects it by checksum and the node refuses to start: it counts as down for good.
   */
  | { readonly atMs: number; readonly kind: 'corrupt'; readonly node: NodeId; readonly downMs: number }
  /**
   * Arms a crash point on a node (or whoever leads when the event fires): it crashes in the middle of
   * handling its next Ready that writes — after the write but before its fsync, or after the fsync but
   * before sending the messages that depend on it — and restarts `downMs` later. A crash point that has not
   * struck within `downMs` of being armed is disarmed.
   */
  | { readonly atMs: number; readonly kind: 'crash-point'; readonly node: NodeId | 'leader'; readonly point: 'before-fsync' | 'after-persist'; readonly downMs: number }
  /** A crashed node starts again from what its disk kept. */
  | { readonly atMs: number; readonly kind: 'restart'; readonly node: NodeId }
  /**
   * An asymmetric partition: messages from any `from` node to any `to` node are dropped, the reverse
   * direction still works. Replaces the current link shape, like `partition`; `heal` ends it.
   */
  | { readonly atMs: number; readonly kind: 'one-way'; readonly from: readonly NodeId[]; readonly to: readonly NodeId[] }
  /**
   * A majority ring: node i talks only to i - 1 and i + 1 (mod n). In a 5-node cluster every node sees a
   * majority, but only through its neighbours (see Network.ring). Replaces the link shape; `heal` ends it.
   */
  | { readonly atMs: number; readonly kind: 'ring' }
  /** For `durationMs`, every message (clients' too) takes an extra uniform delay in [0, extraMsMax] ms. */
  | { readonly atMs: number; readonly kind: 'latency-spike'; readonly durationMs: number; readonly extraMsMax: number }
  /**
   * For `durationMs`, messages on the link `from → to` (in flight or sent meanwhile) are held, not dropped;
   * when the clog ends they are all delivered at once, in send order.
   */
  | { readonly atMs: number; readonly kind: 'clog'; readonly from: NodeId; readonly to: NodeId; readonly durationMs: number }
  /**
   * The node's process stops for `durationMs` (a GC pause, a stopped VM): no ticks (skipped, not made up),
   * and messages and client requests to it wait and are handled in arrival order when it resumes with its
   * stale state, the classic stale leader. `node: 'leader'` picks the leader when the event fires, like
   * `bounce`. Not a crash: the node keeps its state, so it does not count toward f.
   */
  | { readonly atMs: number; readonly kind: 'pause'; readonly node: NodeId | 'leader'; readonly durationMs: number }
  /** The node's clock jumps forward: it gets `ticks` ticks at once (nothing when it is down or paused). */
  | { readonly atMs: number; readonly kind: 'clock-jump'; readonly node: NodeId; readonly ticks: number }
  /**
   * The node is cut off from every other node (both directions) for `durationMs`, then its links are restored
   * (whatever other shape the network has keeps its other links). Not a crash: it does not count toward f. The
   * stability property (properties/stability.ts) judges what a node does while away and when it comes back.
   */
  | { readonly atMs: number; readonly kind: 'away'; readonly node: NodeId; readonly durationMs: number }
  /**
   * Stale replay: the network delivers again up to `count` messages that nodes sent at least `ageMsMin` ms
   * earlier, picked at random among the ones it remembers (the last `REPLAY_HISTORY_MAX` sent, seconds of
   * traffic), each after the usual latency on its link as the link is now (a cut or full link drops it). Raft's
   * model allows any message to arrive arbitrarily late, and again (the TLA+ spec's bag of messages); a
   * retransmitting middlebox or an at-least-once transport that reconnects does exactly this. A correct Raft
   * ignores, or tolerates, what is stale: a reply of an earlier term must not count. Takes no node down.
   */
  | { readonly atMs: number; readonly kind: 'replay'; readonly count: number; readonly ageMsMin: number }
  /**
   * A reactive fault: armed at `atMs` for `windowMs`, it fires once, on the first fact that matches `trigger`
   * (see {@link ReactiveTrigger}), and `delayMs` later does `action` to the node the fact came from (or to its
   * `peer`-th neighbour in id order, wrapping): see {@link ReactiveAction}. Facts only, never an
   * implementation's internals, so it works the same on any implementation. Unfired at the end of its window
   * (or of the safety phase), it does nothing.
   */
  | {
      readonly atMs: number;
      readonly kind: 'reactive';
      readonly trigger: ReactiveTrigger;
      readonly action: ReactiveAction;
      readonly windowMs: number;
      readonly delayMs: number;
      /** How long the bounced node stays down, or the isolation or clog lasts, in ms. */
      readonly durationMs: number;
      /** For `bounce-peer` and `clog`: the target is the trigger node's `peer`-th neighbour (1..n-1). */
      readonly peer: number;
    }
  /**
   * A membership goal (`membership-change`): from `atMs` the membership driver (sim/membership.ts) works towards
   * `goal` through whoever leads, one configuration change at a time, retrying until the committed configuration
   * meets it or `giveUpMs` have passed. A node the goal adds starts with an empty disk when the goal becomes active;
   * with `retire`, a node the goal removes is stopped for good once its removal is committed. Goals queue: one is
   * active at a time.
   */
  | {
      readonly atMs: number;
      readonly kind: 'conf-change';
      readonly goal: ConfGoal;
      readonly retire: boolean;
      readonly giveUpMs: number;
      /**
       * When present, the leader the goal's first change is proposed to crashes right after it persists the
       * configuration entry, before sending it (an after-persist crash point), and restarts this many ms later:
       * a change only the old leader holds, the window of the 2015 single-server change bug.
       */
      readonly crashLeaderMs?: number;
    }
  /**
   * Asks whoever leads to transfer its leadership (`leadership-transfer`) to `target`, or (`random`) to a voter of
   * the committed configuration drawn when it fires. One attempt; no leader: nothing happens.
   */
  | { readonly atMs: number; readonly kind: 'transfer'; readonly target: NodeId | 'random' };

/**
 * What a membership goal asks for; the driver turns it into configuration changes against the configuration
 * committed when it acts:
 * - `add`: `node` ends as a voter, added as a learner then promoted (`via: 'learner'`) or added as a voter at once;
 * - `remove`: `node` (or whoever leads when the goal becomes active) ends outside the configuration;
 * - `replace`: `add` ends a voter and `remove` outside, in one joint change (C_old,new, thesis §4.3).
 */
export type ConfGoal =
  | { readonly op: 'add'; readonly node: NodeId; readonly via: 'learner' | 'voter' }
  | { readonly op: 'remove'; readonly node: NodeId | 'leader' }
  | { readonly op: 'replace'; readonly remove: NodeId | 'leader'; readonly add: NodeId };

/**
 * The most node ids a run with membership changes uses (ids 1..7, the largest cluster Seaworthy runs): nodes
 * beyond the initial ones get the ids above them as they join.
 */
export const NODE_IDS_MAX = 7;

/** Whether a plan event is a membership event (a run with one needs the membership capabilities). */
export function isMembershipEvent(e: FaultEvent): boolean {
  return e.kind === 'conf-change' || e.kind === 'transfer';
}

/** Whether `events` has a membership event (a loop, not `some` with a callback: plan checks run once per run). */
export function hasMembershipEvent(events: readonly FaultEvent[]): boolean {
  for (let i = 0; i < events.length; i++) if (isMembershipEvent(events[i] as FaultEvent)) return true;
  return false;
}

/**
 * What a reactive fault waits for, in the facts:
 * - `vote`: a node persists a vote (a hard state whose vote or term differs from the last one it persisted);
 * - `candidate`: a node announces the candidate role (an election is under way);
 * - `leader-append`: a leader persists new log entries (before its followers can have them all);
 * - `ack`: a client's write is acknowledged (the node is the one that served it);
 * - `leader-elected`: a node announces the leader role (re-replication after a leader change starts);
 * - `conf-append`: a leader persists a configuration entry (before a majority has it: the window of the 2015
 *   single-server change bug).
 */
export type ReactiveTrigger = 'vote' | 'candidate' | 'leader-append' | 'ack' | 'leader-elected' | 'conf-append';

/**
 * What a reactive fault does when it fires:
 * - `bounce`: crash the trigger node and restart it `durationMs` later;
 * - `bounce-peer`: the same to its `peer`-th neighbour (a voter in the election under way);
 * - `isolate`: cut the trigger node off for `durationMs` (an `away` fault: a deposed leader that clients still reach);
 * - `clog`: hold the link from the trigger node to its `peer`-th neighbour for `durationMs` (a slow follower);
 * - `mute`: hold every link from the trigger node for `durationMs`, messages already in flight included (a node
 *   whose sends stall: a new leader whose first appends reach nobody while the others elect another, the
 *   paper's Figure 8 server S5 at term 3).
 */
export type ReactiveAction = 'bounce' | 'bounce-peer' | 'isolate' | 'clog' | 'mute';

/** Every trigger, for plan-file validation and generators. */
export const REACTIVE_TRIGGERS = ['vote', 'candidate', 'leader-append', 'ack', 'leader-elected', 'conf-append'] as const satisfies readonly ReactiveTrigger[];
/** Every action, for plan-file validation and generators. */
export const REACTIVE_ACTIONS = ['bounce', 'bounce-peer', 'isolate', 'clog', 'mute'] as const satisfies readonly ReactiveAction[];

/**
 * The last ms at which a fault event can still act on the cluster: its own time for instant changes (a
 * partition's shape lasts until a heal, which callers track themselves), the end of its down time or duration
 * for timed faults, and for a reactive fault the end of what it may do if it fires last in its window. A crash
 * without a restart, and a corruption, never end (infinity).
 */
export function faultEffectEndMs(e: FaultEvent): number {
  switch (e.kind) {
    case 'bounce':
    case 'power-loss':
      return e.atMs + e.downMs;
    case 'crash-point':
      return e.atMs + 2 * e.downMs;
    case 'crash':
    case 'corrupt':
      return Number.POSITIVE_INFINITY;
    case 'latency-spike':
    case 'clog':
    case 'pause':
    case 'away':
      return e.atMs + e.durationMs;
    case 'reactive':
      return e.atMs + e.windowMs + e.delayMs + e.durationMs;
    default:
      return e.atMs;
  }
}

/** The `peer`-th neighbour of `node` in id order, wrapping (1-based ids). */
export function peerOf(node: NodeId, peer: number, nodeCount: number): NodeId {
  return ((node - 1 + peer) % nodeCount) + 1;
}

export type FaultKind = FaultEvent['kind'];

export interface FaultPlan {
  /** Invariant: sorted by atMs (stable for equal times). */
  readonly events: readonly FaultEvent[];
}

export const EMPTY_PLAN: FaultPlan = Object.freeze({ events: Object.freeze([]) });

/** The run's timing, for bounds measured in election timeouts. */
export interface PlanTiming {
  readonly tickMs: number;
  readonly electionTicks: number;
}

/** The most messages one `replay` event delivers again. */
export const REPLAY_COUNT_MAX = 1024;

/**
 * Bound on pauses, latency spikes and clock jumps, in election timeouts: long enough for a paused leader to
 * be replaced many times over, short enough that the quorum it belongs to makes progress again soon after.
 */
export const TIMED_FAULT_ELECTIONS_MAX = 10;

/** The most nodes that may be down at once so a quorum survives: f of 2f + 1. */
export function maxFaultyNodes(nodeCount: number): number {
  return Math.floor((nodeCount - 1) / 2);
}

/**
 * Checks a plan against the fault model: events in time order within the safety phase, nodes that exist,
 * restarts only of crashed nodes, never more than f nodes down at once, and (given the run's `timing`)
 * pauses, spikes and clock jumps within {@link TIMED_FAULT_ELECTIONS_MAX} election timeouts. Returns the
 * problems found (empty when the plan is inside the model).
 */
export function checkPlan(plan: FaultPlan, nodeCount: number, safetyMs: number, timing?: PlanTiming): string[] {
  const problems: string[] = [];
  const check = new PlanCheck(nodeCount, safetyMs, timing, hasMembershipEvent(plan.events));
  for (let i = 0; i < plan.events.length; i++) check.step(plan.events[i] as FaultEvent, i, problems);
  return problems;
}

/**
 * {@link checkPlan} one event at a time: the fault model's state after the events stepped so far (who is down, the
 * bounces in progress, the latest time), so a caller trying many one-event extensions of a plan checks each from
 * where it differs instead of from the start (scenarios/plan-tools.ts `withinModel`), and can copy the state and
 * compare two of them.
 */
export class PlanCheck {
  /*
   * Who is down and who is corrupted, as lists in the order they went down (what a Set iterates in): a handful of
   * small integers, which a copy slices and a comparison scans. This runs on every candidate plan a scenario tries,
   * once a run, so TurboFan compiles it in the bench's measured seeds, and a Set's hash table and iteration protocol
   * were most of what it inlined.
   */
  private down: NodeId[] = [];
  /** Nodes whose storage was corrupted: down for the rest of the run, and never more than f. */
  private corrupted: NodeId[] = [];
  /** End times of bounces in progress (their node may be unknown until run time). */
  private bouncesUntil: number[] = [];
  private lastMs = 0;
  private readonly limit: number;
  /** The highest node id that exists (see {@link isNodeId}). */
  private readonly idsMax: number;

  /** `membership`: the plan has a membership event, so node ids up to {@link NODE_IDS_MAX} exist. */
  constructor(
    private readonly nodeCount: number,
    private readonly safetyMs: number,
    private readonly timing: PlanTiming | undefined,
    private readonly membership: boolean,
  ) {
    this.limit = maxFaultyNodes(nodeCount);
    // Nodes that join later take ids up to NODE_IDS_MAX; "at most f down" is also judged at run time against the
    // configuration then in force (sim/membership.ts), the static limit above stays the initial cluster's.
    this.idsMax = membership ? Math.max(nodeCount, NODE_IDS_MAX) : nodeCount;
  }

  /** A copy of this state, to step on without changing this one. */
  copy(): PlanCheck {
    const c = new PlanCheck(this.nodeCount, this.safetyMs, this.timing, this.membership);
    c.down = this.down.slice();
    c.corrupted = this.corrupted.slice();
    c.bouncesUntil = this.bouncesUntil.slice();
    c.lastMs = this.lastMs;
    return c;
  }

  /**
   * Whether every event from here on gets the same problems after this state as after `other` (both of one plan
   * check): the same nodes down or corrupted, the same bounces still in progress after the latest time, and the
   * same latest time.
   */
  sameAs(other: PlanCheck): boolean {
    if (this.lastMs !== other.lastMs || !sameMembers(this.down, other.down) || !sameMembers(this.corrupted, other.corrupted)) return false;
    // Most states have no bounce in progress: nothing to filter and sort then.
    if (this.bouncesUntil.length === 0 && other.bouncesUntil.length === 0) return true;
    const a = liveBounces(this.bouncesUntil, this.lastMs);
    const b = liveBounces(other.bouncesUntil, this.lastMs);
    if (a.length !== b.length) return false;
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
    return true;
  }

  /** Checks event `e`, the plan's `i`-th, after the events stepped so far; appends its problems to `problems`. */
  step(e: FaultEvent, i: number, problems: string[]): void {
    const { down, corrupted, limit, idsMax, nodeCount, safetyMs, timing } = this;
    const bouncesUntil = this.bouncesUntil;
    let lastMs = this.lastMs;
    // The event's name is written into its problems afterwards, only if it has any: a scenario checks candidate
    // plans many times per run (random-faults' withinModel), and naming every event of every candidate was a
    // measurable share of a run.
    const where = WHERE;
    const problemsBefore = problems.length;
    if (!Number.isInteger(e.atMs) || e.atMs < 0 || e.atMs > safetyMs) problems.push(`${where}: time outside the safety phase [0, ${safetyMs}]`);
    if (e.atMs < lastMs) problems.push(`${where}: events out of time order`);
    lastMs = Math.max(lastMs, e.atMs);
    if (bouncesUntil.length > 0) {
      // In place (each state owns its list; copy() slices it): no new array per step, and the length is stored
      // only when a bounce ended (a length store is a runtime call).
      let kept = 0;
      for (let k = 0; k < bouncesUntil.length; k++) {
        const until = bouncesUntil[k] as number;
        if (until > e.atMs) bouncesUntil[kept++] = until;
      }
      if (kept !== bouncesUntil.length) bouncesUntil.length = kept;
    }
    const downCount = down.length + corrupted.length + bouncesUntil.length;
    switch (e.kind) {
      case 'crash':
        if (!isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
        else if (down.includes(e.node)) problems.push(`${where}: node ${e.node} is already down`);
        else if (downCount >= limit) problems.push(`${where}: more than ${limit} of ${nodeCount} nodes down at once`);
        else down.push(e.node);
        break;
      case 'corrupt':
        if (!isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
        else if (!Number.isInteger(e.downMs) || e.downMs < 1) problems.push(`${where}: downMs must be a whole number >= 1`);
        else if (down.includes(e.node) || corrupted.includes(e.node)) problems.push(`${where}: node ${e.node} is already down`);
        else if (downCount >= limit) problems.push(`${where}: more than ${limit} of ${nodeCount} nodes down or corrupted at once`);
        else corrupted.push(e.node);
        break;
      case 'crash-point':
        if (e.node !== 'leader' && !isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
        else if (!Number.isInteger(e.downMs) || e.downMs < 1) problems.push(`${where}: downMs must be a whole number >= 1`);
        else if (downCount >= limit) problems.push(`${where}: more than ${limit} of ${nodeCount} nodes down at once`);
        // It strikes within downMs of being armed (or is disarmed), then stays down for downMs.
        else bouncesUntil.push(e.atMs + 2 * e.downMs);
        break;
      case 'power-loss':
        // Every node dies with its disk intact (synced state survives): Raft claims to survive this.
        if (!Number.isInteger(e.downMs) || e.downMs < 1) problems.push(`${where}: downMs must be a whole number >= 1`);
        else if (down.length > 0) problems.push(`${where}: power loss while node(s) ${down.join(',')} are down would need their restarts replanned`);
        break;
      case 'bounce':
        if (e.node !== 'leader' && !isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
        else if (!Number.isInteger(e.downMs) || e.downMs < 1) problems.push(`${where}: downMs must be a whole number >= 1`);
        else if (downCount >= limit) problems.push(`${where}: more than ${limit} of ${nodeCount} nodes down at once`);
        else bouncesUntil.push(e.atMs + e.downMs);
        break;
      case 'restart':
        if (!isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
        else if (!removeMember(down, e.node)) problems.push(`${where}: node ${e.node} is not down`);
        break;
      case 'partition': {
        const seen: NodeId[] = [];
        for (let g = 0; g < e.groups.length; g++) groupProblems(where, e.groups[g] as readonly NodeId[], idsMax, seen, problems);
        break;
      }
      case 'bridge': {
        // The bridge node, then each side, as one loop over groups (one inlined copy of groupProblems, not three).
        const groups = [[e.bridge], e.sides[0], e.sides[1]];
        const seen: NodeId[] = [];
        for (let g = 0; g < groups.length; g++) groupProblems(where, groups[g] as readonly NodeId[], idsMax, seen, problems);
        break;
      }
      case 'isolate-leader':
        if (!Number.isInteger(e.companions) || e.companions < 0 || e.companions >= nodeCount - 1) problems.push(`${where}: companions must be a whole number in [0, ${nodeCount - 2}]`);
        break;
      case 'heal':
        break;
      case 'reactive': {
        const before = problems.length;
        reactiveProblems(where, e, nodeCount, timing, problems);
        if (problems.length > before || (e.action !== 'bounce' && e.action !== 'bounce-peer')) break;
        // Whom it takes down is known only when it fires: it counts as one node down from arming until the
        // latest restart it can cause, like a leader bounce.
        if (downCount >= limit) problems.push(`${where}: more than ${limit} of ${nodeCount} nodes down at once`);
        else bouncesUntil.push(e.atMs + e.windowMs + e.delayMs + e.durationMs);
        break;
      }
      case 'away':
        if (!isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
        wholeProblems(where, 'durationMs', e.durationMs, timedMsMax(timing), 1, problems);
        break;
      case 'replay':
        // Any age is inside the model (a message may arrive arbitrarily late); the count bounds the work.
        wholeProblems(where, 'count', e.count, REPLAY_COUNT_MAX, 1, problems);
        wholeProblems(where, 'ageMsMin', e.ageMsMin, Number.MAX_SAFE_INTEGER, 0, problems);
        break;
      case 'one-way':
      case 'ring':
      case 'latency-spike':
      case 'clog':
      case 'pause':
      case 'clock-jump':
        networkOrClockProblems(where, e, idsMax, timing, problems);
        break;
      case 'conf-change':
        problems.push(...confGoalProblems(where, e.goal, idsMax, nodeCount));
        wholeProblems(where, 'giveUpMs', e.giveUpMs, Number.MAX_SAFE_INTEGER, 1, problems);
        if (e.crashLeaderMs !== undefined) wholeProblems(where, 'crashLeaderMs', e.crashLeaderMs, timedMsMax(timing), 1, problems);
        break;
      case 'transfer':
        if (e.target !== 'random' && !isNodeId(e.target, idsMax)) problems.push(`${where}: no node ${e.target}`);
        break;
    }
    for (let k = problemsBefore; k < problems.length; k++) problems[k] = `fault #${i} (${e.kind} at ${e.atMs} ms)${(problems[k] as string).slice(WHERE.length)}`;
    this.bouncesUntil = bouncesUntil;
    this.lastMs = lastMs;
  }
}

/**
 * The bounce end times later than `afterMs`, ascending. Loops and a comparator of the module rather than filter,
 * sort and every with closures: sameAs runs on every candidate plan, and its callers are compiled in the bench's
 * measured seeds with all of it inlined.
 */
function liveBounces(untils: readonly number[], afterMs: number): number[] {
  const live: number[] = [];
  for (let k = 0; k < untils.length; k++) {
    const until = untils[k] as number;
    if (until > afterMs) live.push(until);
  }
  return live.length > 1 ? live.sort(ascending) : live;
}

function ascending(a: number, b: number): number {
  return a - b;
}

/** Whether two lists of distinct node ids hold the same ids (in any order). */
function sameMembers(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!b.includes(a[i] as NodeId)) return false;
  return true;
}

/** Removes `node` from a list of distinct node ids, keeping the others' order; returns whether it was there. */
function removeMember(list: NodeId[], node: NodeId): boolean {
  const at = list.indexOf(node);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

/** Whether `n` names a node that exists: a whole number in 1..idsMax. */
function isNodeId(n: NodeId, idsMax: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= idsMax;
}

/** Stands for the event's name at the start of each of its problems until {@link checkPlan} names it. */
const WHERE = '\u0000';

/** The bound on timed faults in ms: {@link TIMED_FAULT_ELECTIONS_MAX} election timeouts (unbounded without timing). */
function timedMsMax(timing: PlanTiming | undefined): number {
  return timing === undefined ? Number.MAX_SAFE_INTEGER : TIMED_FAULT_ELECTIONS_MAX * timing.electionTicks * timing.tickMs;
}

/** Appends to `problems` the problem of `value` when it is not a whole number in [min, max]. */
function wholeProblems(where: string, name: string, value: number, max: number, min: number, problems: string[]): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) problems.push(`${where}: ${name} must be a whole number in [${min}, ${max}], got ${value}`);
}

/** Appends to `problems` the problems with a reactive fault's fields (the f-limit is judged by the caller). */
function reactiveProblems(where: string, e: Extract<FaultEvent, { kind: 'reactive' }>, nodeCount: number, timing: PlanTiming | undefined, problems: string[]): void {
  if (!(REACTIVE_TRIGGERS as readonly string[]).includes(e.trigger)) problems.push(`${where}: unknown trigger ${String(e.trigger)}`);
  if (!(REACTIVE_ACTIONS as readonly string[]).includes(e.action)) problems.push(`${where}: unknown action ${String(e.action)}`);
  const msMax = timedMsMax(timing);
  wholeProblems(where, 'windowMs', e.windowMs, Number.MAX_SAFE_INTEGER, 1, problems);
  wholeProblems(where, 'delayMs', e.delayMs, msMax, 0, problems);
  wholeProblems(where, 'durationMs', e.durationMs, msMax, 1, problems);
  if (e.action === 'bounce-peer' || e.action === 'clog') wholeProblems(where, 'peer', e.peer, nodeCount - 1, 1, problems);
}

type NetworkOrClockFault = Extract<FaultEvent, { kind: 'one-way' | 'ring' | 'latency-spike' | 'clog' | 'pause' | 'clock-jump' }>;

/**
 * Appends to `problems` the problems with a network or clock fault: nodes that exist, whole durations >= 1, and
 * bounds in election timeouts when the timing is known. None of them takes a node down, so none counts toward f.
 */
function networkOrClockProblems(where: string, e: NetworkOrClockFault, idsMax: number, timing: PlanTiming | undefined, problems: string[]): void {
  const msMax = timedMsMax(timing);
  switch (e.kind) {
    case 'one-way': {
      if (e.from.length === 0 || e.to.length === 0) problems.push(`${where}: from and to must both name nodes`);
      const seen: NodeId[] = [];
      groupProblems(where, e.from, idsMax, seen, problems);
      groupProblems(where, e.to, idsMax, seen, problems);
      break;
    }
    case 'ring':
      break;
    case 'latency-spike':
      wholeProblems(where, 'durationMs', e.durationMs, Number.MAX_SAFE_INTEGER, 1, problems);
      wholeProblems(where, 'extraMsMax', e.extraMsMax, msMax, 1, problems);
      break;
    case 'clog':
      if (!isNodeId(e.from, idsMax) || !isNodeId(e.to, idsMax)) problems.push(`${where}: no link ${e.from}→${e.to}`);
      else if (e.from === e.to) problems.push(`${where}: a node cannot clog its link to itself`);
      wholeProblems(where, 'durationMs', e.durationMs, Number.MAX_SAFE_INTEGER, 1, problems);
      break;
    case 'pause':
      if (e.node !== 'leader' && !isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
      wholeProblems(where, 'durationMs', e.durationMs, msMax, 1, problems);
      break;
    case 'clock-jump':
      if (!isNodeId(e.node, idsMax)) problems.push(`${where}: no node ${e.node}`);
      wholeProblems(where, 'ticks', e.ticks, timing === undefined ? Number.MAX_SAFE_INTEGER : TIMED_FAULT_ELECTIONS_MAX * timing.electionTicks, 1, problems);
      break;
  }
}

/** Problems with a membership goal: nodes that exist, and a node added is one that joins (not an initial one). */
function confGoalProblems(where: string, goal: ConfGoal, idsMax: number, nodeCount: number): string[] {
  const problems: string[] = [];
  const added = goal.op === 'add' ? goal.node : goal.op === 'replace' ? goal.add : null;
  const removed = goal.op === 'remove' ? goal.node : goal.op === 'replace' ? goal.remove : null;
  if (added !== null && (!isNodeId(added, idsMax) || added <= nodeCount)) problems.push(`${where}: a node added must be a new one (an id in ${nodeCount + 1}..${NODE_IDS_MAX}), got ${added}`);
  if (removed !== null && removed !== 'leader' && !isNodeId(removed, idsMax)) problems.push(`${where}: no node ${removed}`);
  if (goal.op === 'add' && goal.via !== 'learner' && goal.via !== 'voter') problems.push(`${where}: via must be "learner" or "voter", got ${String(goal.via)}`);
  return problems;
}

/**
 * Appends to `problems` the unknown nodes of `nodes`, and those named before (in `seen`, which it extends): called
 * group after group over a partition's groups, a bridge's node and sides or a one-way's two sides. `seen` is a
 * list, not a Set (a plan names a handful of nodes, and this runs for every candidate plan a scenario tries);
 * `includes` compares as a Set does (SameValueZero).
 */
function groupProblems(where: string, nodes: readonly NodeId[], idsMax: number, seen: NodeId[], problems: string[]): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as NodeId;
    if (!isNodeId(n, idsMax)) problems.push(`${where}: no node ${n}`);
    else if (seen.includes(n)) problems.push(`${where}: node ${n} is in two partition groups`);
    seen.push(n);
  }
}
