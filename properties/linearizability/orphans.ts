/**
 * Orphaned operations, for the WGL search's lookahead ({@link Model.requires}): a completed operation that
 * needs one state is orphaned once every operation that could produce that state before its return is
 * placed. From then on it can only be placed while the state still is the one it needs; so a configuration
 * is dead as soon as an orphan needs a state other than the current one. This finds a stale read at the
 * moment the last write of its value is placed, instead of after every order of the operations before it.
 *
 * Only operations with at most {@link PRODUCERS_TRACKED_MAX} producers are tracked (the others are almost
 * never orphaned, and tracking them would cost a scan of their consumers on every placement); leaving one
 * untracked only prunes less, never wrongly.
 */
import type { TypedArena } from './arena.js';
import type { Operation } from './history.js';

const PRODUCERS_TRACKED_MAX = 8;
const NONE = -1;

/**
 * How many of the operations producers[start, end) (a group, in call order) were invoked before position
 * `position`: a binary search, so building the lookahead stays O(n log n) when one value is written thousands of times.
 */
export function invokedBefore<Input, Output>(ops: readonly Operation<Input, Output>[], producers: Int32Array, start: number, end: number, position: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ops[producers[mid] as number] as Operation<Input, Output>).call < position) lo = mid + 1;
    else hi = mid;
  }
  return lo - start;
}

/** What the tracker reads of a search's lookahead tables (see search.ts `buildLookahead`). */
export interface LookaheadTables {
  /** The id of the state completed operation i needs, else -1. Ids are below `keyCount`. */
  readonly requiredId: Int32Array;
  readonly keyCount: number;
  /** The id of a state's key; negative when no operation needs or produces that state. */
  readonly stateId: (state: unknown) => number;
  /** Operation i's producers invoked before its return: producers[producerStart[i] .. + producerCount[i]). */
  readonly producers: Int32Array;
  readonly producerStart: Int32Array;
  readonly producerCount: Int32Array;
  /** Where the tracker's arrays come from (the search's arena). */
  readonly arena: TypedArena;
}

export class OrphanTracker {
  /** Key id of the state each tracked operation needs, else -1. */
  private readonly neededKey: Int32Array;
  /** Unplaced producers left per tracked operation. Invariant: 0 means orphaned (while the operation is unplaced). */
  private readonly producersLeft: Int32Array;
  /** 1 while the operation is placed: a placed operation is never an orphan. */
  private readonly placed: Uint8Array;
  /** consumers[consumerStart[p], consumerStart[p + 1]): tracked operations that producer p can serve. */
  private readonly consumerStart: Int32Array;
  private readonly consumers: Int32Array;
  /** Unplaced orphans per needed key id, and in all. */
  private readonly orphansByKey: Int32Array;
  private orphans = 0;
  private readonly stateId: (state: unknown) => number;

  /**
   * The tracker of a search whose lookahead tables are built (see search.ts `buildLookahead`): `requiredId[i]` is
   * the state completed operation i needs (-1: none), and its producers invoked before its return are
   * `producers[producerStart[i] .. producerStart[i] + producerCount[i])`, in call order. The search computes these
   * once for both its stuck check and this tracker (each used to key and group every operation itself), and names
   * states by integer ids, so a placement's dead check compares no strings.
   */
  static fromLookahead(n: number, lookahead: LookaheadTables): OrphanTracker {
    return new OrphanTracker(n, lookahead);
  }

  private constructor(n: number, lookahead: LookaheadTables) {
    const { requiredId, producers, producerStart, producerCount, arena } = lookahead;
    this.stateId = lookahead.stateId;
    this.neededKey = arena.int32(n).fill(NONE);
    this.producersLeft = arena.int32(n);
    this.placed = arena.uint8(n);
    // Tracked (consumer, producer) pairs, counted per producer, then laid out by producer: no per-operation
    // arrays, since most partitions are small and this runs once per partition.
    this.consumerStart = arena.int32(n + 1);
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      // Only completed operations have a required key (never-completed ones are not tracked).
      const key = requiredId[i] as number;
      if (key === NONE) continue;
      // Producers invoked before this operation returns, itself excepted (a prefix of the group, in call order).
      const start = producerStart[i] as number;
      const count = producerCount[i] as number;
      if (count > PRODUCERS_TRACKED_MAX + 1) continue;
      let left = 0;
      for (let k = 0; k < count; k++) if (producers[start + k] !== i) left++;
      if (left > PRODUCERS_TRACKED_MAX) continue;
      this.neededKey[i] = key;
      this.producersLeft[i] = left;
      pairs += left;
      for (let k = 0; k < count; k++) {
        const p = producers[start + k] as number;
        if (p !== i) this.consumerStart[p + 1] = (this.consumerStart[p + 1] as number) + 1;
      }
    }
    for (let p = 0; p < n; p++) this.consumerStart[p + 1] = (this.consumerStart[p + 1] as number) + (this.consumerStart[p] as number);
    this.consumers = arena.int32(pairs);
    const fill = arena.int32(n);
    fill.set(this.consumerStart.subarray(0, n));
    // Consumers in increasing order, so each producer's consumers stay in consumer order.
    for (let i = 0; i < n; i++) {
      if (this.neededKey[i] === NONE) continue;
      const start = producerStart[i] as number;
      const count = producerCount[i] as number;
      for (let k = 0; k < count; k++) {
        const p = producers[start + k] as number;
        if (p === i) continue;
        this.consumers[fill[p] as number] = i;
        fill[p] = (fill[p] as number) + 1;
      }
    }
    this.orphansByKey = arena.int32(lookahead.keyCount + 1);
    for (let i = 0; i < n; i++) if (this.neededKey[i] !== NONE && this.producersLeft[i] === 0) this.addOrphan(i, 1);
  }

  private addOrphan(op: number, delta: 1 | -1): void {
    const key = this.neededKey[op] as number;
    this.orphansByKey[key] = (this.orphansByKey[key] as number) + delta;
    this.orphans += delta;
  }

  /**
   * Records that `op` was placed; undo with {@link OrphanTracker.unplace} in reverse order. Returns the work
   * done (consumers visited), for the search's work budget.
   */
  place(op: number): number {
    this.placed[op] = 1;
    if (this.neededKey[op] !== NONE && this.producersLeft[op] === 0) this.addOrphan(op, -1);
    const end = this.consumerStart[op + 1] as number;
    for (let k = this.consumerStart[op] as number; k < end; k++) {
      const c = this.consumers[k] as number;
      const left = (this.producersLeft[c] as number) - 1;
      this.producersLeft[c] = left;
      if (left === 0 && this.placed[c] === 0) this.addOrphan(c, 1);
    }
    return end - (this.consumerStart[op] as number);
  }

  unplace(op: number): number {
    const end = this.consumerStart[op + 1] as number;
    for (let k = end - 1; k >= (this.consumerStart[op] as number); k--) {
      const c = this.consumers[k] as number;
      const left = this.producersLeft[c] as number;
      if (left === 0 && this.placed[c] === 0) this.addOrphan(c, -1);
      this.producersLeft[c] = left + 1;
    }
    this.placed[op] = 0;
    if (this.neededKey[op] !== NONE && this.producersLeft[op] === 0) this.addOrphan(op, 1);
    return end - (this.consumerStart[op] as number);
  }

  /** True when some unplaced orphan needs a state other than `state`: nothing can place it any more. */
  dead(state: unknown): boolean {
    if (this.orphans === 0) return false;
    const key = this.stateId(state);
    return this.orphans > (key < 0 ? 0 : (this.orphansByKey[key] as number));
  }
}
