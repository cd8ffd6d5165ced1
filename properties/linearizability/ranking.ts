/**
 * Ranking operations by a numeric key (their return positions, mostly), for the search's candidate order and its
 * entry list: one of a search's set-up steps, split out to be tested on its own.
 */
import type { TypedArena } from './arena.js';

/** Operation indices fit in this many low bits of a packed sort key (see {@link rankByKey}). */
const PACKED_INDEX_BITS = 21;
const PACKED_INDEX_SPAN = 2 ** PACKED_INDEX_BITS;

/** Element moves an insertion sort of n keys may make before it gives way to a sort in O(n log n). */
const insertionShiftsMax = (n: number): number => 16 * n + 64;

/**
 * Fills `rank` as {@link rankByKey} does by an insertion sort of the indices into `order` (scratch), and returns
 * true; false, leaving `rank` to be filled again, when the keys are too far from sorted. The keys of a real history
 * nearly are: they are return positions of operations listed by call, so an operation passes only those that ran
 * inside it, a handful under the concurrency of a few clients. Typed arrays' `sort` was most of the ranking's
 * cost on such keys (a tenth of checking a run's history). The sort is stable, so equal keys keep index order.
 */
function rankNearlySorted(keys: Float64Array, rank: Int32Array, order: Int32Array): boolean {
  const n = keys.length;
  let shiftsLeft = insertionShiftsMax(n);
  for (let i = 0; i < n; i++) {
    const key = keys[i] as number;
    let j = i;
    while (j > 0 && (keys[order[j - 1] as number] as number) > key) {
      order[j] = order[j - 1] as number;
      j--;
    }
    shiftsLeft -= i - j;
    if (shiftsLeft < 0) return false;
    order[j] = i;
  }
  for (let position = 0; position < n; position++) rank[order[position] as number] = position;
  return true;
}

/**
 * rank[i] = position of operation i when sorted by (keys[i], i), in an array from `arena`. Keys are positions
 * (event indices or line numbers), or half-way between two (an overwriting operation placed after a mutating one),
 * or MAX_VALUE (never completed). Nearly sorted keys, as a history's are, take an insertion sort; others, when each
 * key doubled is a small integer, pack (2 * key, i) into one exact double that a plain numeric sort orders with no
 * comparator calls; any other keys take the comparator sort. All three give the same ranks.
 */
export function rankByKey(keys: Float64Array, arena: TypedArena): Int32Array {
  const n = keys.length;
  const rank = arena.int32(n);
  if (rankNearlySorted(keys, rank, arena.int32(n))) return rank;
  let closedMax = 0;
  let packable = n < PACKED_INDEX_SPAN;
  for (let i = 0; i < n && packable; i++) {
    const key = keys[i] as number;
    if (key === Number.MAX_VALUE) continue;
    const doubled = 2 * key;
    if (!Number.isInteger(doubled) || doubled < 0 || doubled >= 2 ** 31) packable = false;
    else if (doubled > closedMax) closedMax = doubled;
  }
  if (!packable) {
    // Ties (never-completed operations) keep call order: the comparator ends with the index.
    const order = [...keys.keys()].sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
    order.forEach((op, position) => {
      rank[op] = position;
    });
    return rank;
  }
  // Never-completed operations after every completed one, among themselves in index (call) order.
  const openSlot = closedMax + 1;
  const packed = arena.float64(n);
  for (let i = 0; i < n; i++) {
    const key = keys[i] as number;
    packed[i] = (key === Number.MAX_VALUE ? openSlot : 2 * key) * PACKED_INDEX_SPAN + i;
  }
  packed.sort();
  for (let position = 0; position < n; position++) rank[(packed[position] as number) % PACKED_INDEX_SPAN] = position;
  return rank;
}
