import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TypedArena } from './arena.js';
import { rankByKey } from './ranking.js';

/** The definition: ranks by (key, index) through a comparator sort. */
function naiveRanks(keys: readonly number[]): number[] {
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const rank = new Array<number>(keys.length).fill(-1);
  order.forEach((op, position) => {
    rank[op] = position;
  });
  return rank;
}

function ranks(keys: readonly number[]): number[] {
  return Array.from(rankByKey(Float64Array.from(keys), new TypedArena(64 * keys.length + 64)));
}

/** Return positions of operations listed by call, each returning up to `spread` positions late: nearly sorted. */
const nearlySorted = fc.array(fc.record({ late: fc.nat({ max: 6 }), open: fc.nat({ max: 9 }), half: fc.boolean() }), { maxLength: 200 }).map((specs) =>
  specs.map((s, i) => (s.open === 0 ? Number.MAX_VALUE : 2 * i + s.late + (s.half ? 0.5 : 0))),
);

describe('rankByKey', () => {
  it('ranks nearly sorted keys (the insertion sort) as the definition does, ties and never-completed ones included', () => {
    fc.assert(fc.property(nearlySorted, (keys) => {
        expect(ranks(keys)).toEqual(naiveRanks(keys));
      }), { numRuns: 300, seed: 7 });
  });

  it('ranks keys far from sorted (the packed sort) as the definition does', () => {
    // Returns in reverse order of calls: n(n-1)/2 inversions, beyond the insertion sort's allowance.
    for (const n of [40, 100, 300]) {
      const keys = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? Number.MAX_VALUE : 3 * n - 2 * i + (i % 3 === 0 ? 0.5 : 0)));
      expect(ranks(keys)).toEqual(naiveRanks(keys));
    }
  });

  it('ranks any keys (the comparator sort) as the definition does', () => {
    const anyKeys = fc.array(fc.oneof(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.constant(Number.MAX_VALUE), fc.integer({ min: 0, max: 5 })), { maxLength: 150 });
    fc.assert(fc.property(anyKeys, (keys) => {
        expect(ranks(keys)).toEqual(naiveRanks(keys));
      }), { numRuns: 300, seed: 11 });
  });
});
