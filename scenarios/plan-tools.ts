/** Small pure helpers shared by scenario generators. */
import type { NodeId } from '../sim/contract.js';
import { checkPlan, faultEffectEndMs, hasMembershipEvent, PlanCheck } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import type { Prng } from '../sim/prng.js';
import type { ScenarioContext } from './types.js';

export function nodeIds(ctx: ScenarioContext): NodeId[] {
  const ids: NodeId[] = [];
  for (let id = 1; id <= ctx.nodeCount; id++) ids.push(id);
  return ids;
}

/**
 * The smallest cluster each network shape needs: a split needs two nodes, a bridge three (the bridge and one
 * node on each side). Smaller clusters (Seaworthy runs 1..7 nodes) get no such event rather than a degenerate one.
 */
export const SPLIT_NODES_MIN = 2;
export const BRIDGE_NODES_MIN = 3;

export function electionMs(ctx: ScenarioContext): number {
  return ctx.electionTicks * ctx.tickMs;
}

/** A calm network with a little latency: the baseline most targeted scenarios add their one fault to. */
export function calmNetwork(prng: Prng): NetworkOptions {
  return { latencyMsMin: 1, latencyMsMax: prng.range(2, 10), lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 };
}

/** Sorted ascending copies of the two halves of `nodes` cut at `cut`. */
export function splitAt(nodes: readonly NodeId[], cut: number): [NodeId[], NodeId[]] {
  const asc = (a: NodeId, b: NodeId): number => a - b;
  return [nodes.slice(0, cut).sort(asc), nodes.slice(cut).sort(asc)];
}

/**
 * Fault times from `firstMs` to the end of the safety phase, with gaps drawn uniformly in [gapMsMin, gapMsMax].
 */
export function faultTimes(prng: Prng, ctx: ScenarioContext, firstMs: number, gapMsMin: number, gapMsMax: number): number[] {
  const times: number[] = [];
  for (let atMs = firstMs; atMs < ctx.safetyMs; atMs += prng.range(gapMsMin, gapMsMax)) times.push(atMs);
  return times;
}

/**
 * Events sorted by time, stable for equal times (plans must be in time order). A new array; the events themselves
 * are shared. Most plans arrive in time order already (generators draw increasing times), so that case is one
 * pass and a copy; otherwise `Array#sort`, which is stable (ES2019), so equal times keep their order without an
 * index per event (a wrapper object per event and two `map`s were most of what sorting a swarm plan cost).
 */
export function byTime(events: readonly FaultEvent[]): FaultEvent[] {
  const out = events.slice();
  return inTimeOrder(out) ? out : out.sort(byAtMs);
}

/**
 * `byTime([...first, ...second])` in one pass when both are in time order (a swarm plan joins families drawn
 * apart): a stable merge, `first`'s events before `second`'s at equal times, as the stable sort keeps them.
 */
export function mergeByTime(first: readonly FaultEvent[], second: readonly FaultEvent[]): FaultEvent[] {
  if (!inTimeOrder(first) || !inTimeOrder(second)) return byTime(first.concat(second));
  // One loop and one append site: each `push` TurboFan inlines is its own copy of the array-growing code, and this
  // runs a few times a run, so it is compiled in the bench's measured seeds.
  const out: FaultEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    const fromSecond = i === first.length || (j < second.length && (second[j] as FaultEvent).atMs < (first[i] as FaultEvent).atMs);
    out.push(fromSecond ? (second[j++] as FaultEvent) : (first[i++] as FaultEvent));
  }
  return out;
}

function byAtMs(a: FaultEvent, b: FaultEvent): number {
  return a.atMs - b.atMs;
}

/**
 * The plan with each extra event added in time order when the plan stays inside the fault model (a reactive
 * bounce while f nodes are already down is left out), so the extra family never pushes a plan past f.
 *
 * Exactly `checkPlan` on every candidate plan, without re-checking each from the start (which was quadratic: a
 * swarm seed tries dozens of extra events on a plan of a hundred): when the plan so far is in time order and
 * inside the model, a candidate's problems can only start where the extra event goes in, and they end where the
 * fault model's state with the event is again the state without it (its bounce is over). So the state before the
 * insertion point is carried forward from one extra event to the next (they come in time order), and each
 * candidate is checked from there until the two states meet. Anything else takes the plain path.
 */
export function withinModel(planned: readonly FaultEvent[], extra: readonly FaultEvent[], ctx: ScenarioContext): FaultEvent[] {
  const membership = hasMembershipEvent(planned);
  if (!inTimeOrder(planned) || hasMembershipEvent(extra) || !fitsModel(planned, ctx)) return withinModelPlain(planned, extra, ctx);
  const events = planned.slice();
  /** The model's state after `events[0, at)`. */
  let before = new PlanCheck(ctx.nodeCount, ctx.safetyMs, ctx, membership);
  let at = 0;
  const scratch: string[] = [];
  for (let k = 0; k < extra.length; k++) {
    const e = extra[k] as FaultEvent;
    // byTime puts the new event after every event of its time: its place is the first later event.
    const place = upperBound(events, e.atMs);
    if (place < at) {
      before = new PlanCheck(ctx.nodeCount, ctx.safetyMs, ctx, membership);
      at = 0;
    }
    for (; at < place; at++) before.step(events[at] as FaultEvent, at, scratch);
    const withIt = before.copy();
    withIt.step(e, place, scratch);
    if (scratch.length === 0 && fitsAfter(events, place, withIt, before, scratch)) {
      events.splice(place, 0, e);
      before = withIt.copy();
      at = place + 1;
    }
    // Storing an array's length is a runtime call even when it does not change: only when there is something to clear.
    if (scratch.length !== 0) scratch.length = 0;
  }
  return events;
}

/**
 * {@link withinModel}'s plain path (a plan out of time order or outside the model, membership events): each
 * candidate plan checked from its start. Out of line: no swarm plan takes it, and withinModel runs once a run, so
 * it is compiled in the bench's measured seeds at a cost that grows with what it holds.
 */
function withinModelPlain(planned: readonly FaultEvent[], extra: readonly FaultEvent[], ctx: ScenarioContext): FaultEvent[] {
  let events = [...planned];
  for (const e of extra) {
    const candidate = byTime([...events, e]);
    if (fitsModel(candidate, ctx)) events = candidate;
  }
  return events;
}

function fitsModel(events: readonly FaultEvent[], ctx: ScenarioContext): boolean {
  return checkPlan({ events }, ctx.nodeCount, ctx.safetyMs, ctx).length === 0;
}

/**
 * Whether `events[from..]` stay inside the model after the state `withIt` (the plan with an extra event), given
 * that they do after `without` (the same plan without it): stepped side by side until the two states meet.
 */
function fitsAfter(events: readonly FaultEvent[], from: number, withIt: PlanCheck, without: PlanCheck, problems: string[]): boolean {
  const a = withIt.copy();
  const b = without.copy();
  for (let i = from; i < events.length; i++) {
    if (a.sameAs(b)) return true;
    const e = events[i] as FaultEvent;
    a.step(e, i + 1, problems);
    if (problems.length > 0) return false;
    b.step(e, i, problems);
  }
  return true;
}

function inTimeOrder(events: readonly FaultEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if ((events[i] as FaultEvent).atMs < (events[i - 1] as FaultEvent).atMs) return false;
  return true;
}

/** The index of the first event later than `atMs` (events in time order). */
function upperBound(events: readonly FaultEvent[], atMs: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((events[mid] as FaultEvent).atMs <= atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `events` cut short at `startMs` and followed by a heal and the restart of every node still down, both at
 * `startMs`: the healed cluster a closing phase of the safety phase starts from (the stability phase, the
 * divergent-logs episode). What is over before `startMs` is kept; a crash is kept too, since its node restarts at
 * `startMs` at the latest. Restarts go in node order, so the plan is the same for the same events. `events` is a
 * generated plan: its crashes and restarts name node ids (whole numbers from 1).
 */
export function healedAt(events: readonly FaultEvent[], startMs: number): FaultEvent[] {
  /*
   * Indexed loops and a flag per node id rather than `filter` with a closure, a Set and for-of: this runs once a
   * run (a quarter of the swarm's seeds), so it is compiled in the bench's measured seeds, and those inline the
   * iteration protocol and the Set's hash table. Plain arrays appended to: spreading pieces met a new array map
   * there (a "wrong map" deoptimization).
   */
  const kept: FaultEvent[] = [];
  const down: boolean[] = [];
  for (let i = 0; i < events.length; i++) {
    const f = events[i] as FaultEvent;
    // The kind read once (plan events come in a dozen shapes: each read is a megamorphic load), and one call of
    // markDown for crashes and restarts (each inlined copy is its own loop to compile).
    const kind = f.kind;
    if (!(f.atMs < startMs && (kind === 'crash' || faultEffectEndMs(f) < startMs))) continue;
    kept.push(f);
    if (kind === 'crash' || kind === 'restart') markDown(down, f.node, kind === 'crash');
  }
  kept.push({ atMs: startMs, kind: 'heal' });
  // Node ids are small positive integers: ascending id order is the sorted order the restarts go in.
  for (let n = 1; n < down.length; n++) if (down[n] === true) kept.push({ atMs: startMs, kind: 'restart', node: n });
  return kept;
}

/** Sets node `node`'s flag, growing the list with `false` up to it (so it stays packed). */
function markDown(down: boolean[], node: NodeId, value: boolean): void {
  while (down.length <= node) down.push(false);
  down[node] = value;
}
