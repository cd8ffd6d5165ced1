/**
 * 53-bit hashes of log entries and of log prefixes, for checkers that compare logs without keeping copies.
 *
 * A hash is two independent 32-bit lanes (21 + 32 bits) packed into one safe integer, so it lives in a
 * plain `number[]` with no allocation. Equal inputs always give equal hashes, so a hash comparison never
 * raises a false alarm; a collision can only hide a difference, with probability about 2^-53 per
 * comparison (negligible over millions of entries).
 */

import { finalize } from '../sim/hash.js';

const TWO_32 = 0x1_0000_0000;
const HI_MASK = 0x1f_ffff; // 21 bits: 2^21 * 2^32 = 2^53

/** The chain value of the empty log prefix (index 0). */
export const CHAIN_EMPTY = 0;

/**
 * Absorbs one 32-bit word into a lane: the murmur3 body step, with the multipliers as parameters so the two
 * lanes differ. No avalanche here: a lane is finalised once, after its last word.
 */
function absorb(h: number, word: number, c1: number, c2: number): number {
  let k = Math.imul(word | 0, c1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, c2);
  let r = h ^ k;
  r = (r << 13) | (r >>> 19);
  return (Math.imul(r, 5) + 0xe6546b64) | 0;
}

function pack(hi: number, lo: number): number {
  return (hi & HI_MASK) * TWO_32 + (lo >>> 0);
}

/** High 32-bit word of a non-negative integer below 2^53. */
function highWord(value: number): number {
  return Math.floor(value / TWO_32) >>> 0;
}

/**
 * {@link hashData} of `entry.data`. Not memoised: the persisted logs' ChainCache (persisted-log.ts) already hashes each
 * entry of a run about once (~185 calls in a standard run), and a module-wide WeakMap keyed by every entry of
 * every run cost more than it saved (its lookups, and the collector's ephemeron work, were ~3% of a full run).
 */
export function hashEntryData(entry: { readonly data: string }): number {
  return hashData(entry.data);
}

/** The 53-bit hash of an entry's opaque `data` (over its UTF-16 code units, length included). */
export function hashData(data: string): number {
  let a = 0x811c9dc5 ^ data.length;
  let b = 0x9747b28c;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193); // FNV-1a
    b = Math.imul(b ^ c, 0x5bd1e995); // MurmurHash2 multiplier, independent of lane a
    b ^= b >>> 15;
  }
  return pack(finalize(a), finalize(b ^ data.length));
}

/**
 * The chain value of a log prefix ending in an entry of `term` whose data hashes to `dataHash`:
 * chain(i) = chainNext(chain(i - 1), term_i, hashData(data_i)), with chain(0) = {@link CHAIN_EMPTY}.
 * Two prefixes with equal chains are equal (up to a ~2^-53 collision).
 */
export function chainNext(previous: number, term: number, dataHash: number): number {
  const pLo = previous >>> 0;
  const pHi = highWord(previous);
  const tLo = term >>> 0;
  const tHi = highWord(term);
  const dLo = dataHash >>> 0;
  const dHi = highWord(dataHash);
  // Two lanes with their own seeds, multipliers and word orders, each one murmur3 pass over the six words;
  // the finaliser runs once per lane (it ran after every word before, for no gain in a 6-word input).
  let a = absorb(0x243f6a88, pLo, 0xcc9e2d51, 0x1b873593);
  a = absorb(a, pHi, 0xcc9e2d51, 0x1b873593);
  a = absorb(a, tLo, 0xcc9e2d51, 0x1b873593);
  a = absorb(a, tHi, 0xcc9e2d51, 0x1b873593);
  a = absorb(a, dLo, 0xcc9e2d51, 0x1b873593);
  a = absorb(a, dHi, 0xcc9e2d51, 0x1b873593);
  let b = absorb(0x85a308d3, dHi, 0x85ebca6b, 0xc2b2ae35);
  b = absorb(b, tLo, 0x85ebca6b, 0xc2b2ae35);
  b = absorb(b, pLo, 0x85ebca6b, 0xc2b2ae35);
  b = absorb(b, dLo, 0x85ebca6b, 0xc2b2ae35);
  b = absorb(b, tHi, 0x85ebca6b, 0xc2b2ae35);
  b = absorb(b, pHi, 0x85ebca6b, 0xc2b2ae35);
  return pack(finalize(a ^ 24), finalize(b ^ 24));
}
