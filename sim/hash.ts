/**
 * Small, fast, deterministic hashing for traces and checkers: 32-bit lanes mixed with Math.imul
 * (FNV-1a for strings, a murmur3-style finaliser for integers). Not cryptographic; stable forever,
 * because pinned trace hashes depend on it.
 */

/**
 * `Math.imul` as a module constant: `Math.imul(...)` is a global load and a named load in bytecode at every use,
 * and TurboFan inlines a function by the size of its bytecode, against a budget per compiled caller.
 * {@link RunningHash.mix5} uses it ten times and the trace mixes on every event, from handlers whose budget goes to
 * the host and the core first: with the shorter bytecode (mix5 398 -> 348 bytes) the mix is inlined in more of them
 * (full pipeline -0.4% to -0.6% of its instructions). TurboFan sees the same builtin either way.
 */
const imul = Math.imul;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function hashString(text: string, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** Mixes one integer into a 32-bit running hash (murmur3 body step). */
export function mixInt(h: number, value: number): number {
  // Fold values above 32 bits in so large integers still change the hash.
  let k = (value | 0) ^ ((value / 0x100000000) | 0);
  k = imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = imul(k, 0x1b873593);
  let r = (h ^ k) | 0;
  r = (r << 13) | (r >>> 19);
  return (imul(r, 5) + 0xe6546b64) >>> 0;
}

/** Avalanche finaliser (murmur3 fmix32). */
export function finalize(h: number): number {
  let r = h >>> 0;
  r ^= r >>> 16;
  r = imul(r, 0x85ebca6b);
  r ^= r >>> 13;
  r = imul(r, 0xc2b2ae35);
  r ^= r >>> 16;
  return r >>> 0;
}

/** Formats a 32-bit lane as 8 lowercase hex digits. */
export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/**
 * `value` folded to 32 bits as {@link RunningHash.mix} does, `(value | 0) ^ ((value / 2^32) | 0)`, without the
 * division for a 32-bit integer (whose high part is 0): nearly every value the trace mixes is one, and five
 * divisions per mixed step were a measurable share of it.
 */
function fold(value: number): number {
  const low = value | 0;
  return low === value ? low : low ^ ((value / 0x100000000) | 0);
}

/**
 * A running 64-bit hash as two independent 32-bit lanes. The trace hash of a run is one of these, fed
 * every observable event, so two runs with one differing event differ in their hash.
 */
export class RunningHash {
  private lo = 0x9e3779b9;
  private hi = 0x7f4a7c15;

  /** Mixes one integer into both lanes (cheap multiply-xor steps; the digest finalises). */
  mix(value: number): void {
    const v = (value | 0) ^ ((value / 0x100000000) | 0);
    this.lo = imul(this.lo ^ v, 0x01000193);
    this.hi = imul((this.hi ^ v) + 0x7feb352d, 0x2c1b3c6d);
  }

  /**
   * `mix(a)` to `mix(e)` in one call, with the lanes in locals: the trace mixes five integers per step, and
   * five calls reading and writing both fields were a measurable share of every event. Same result as five
   * {@link mix} calls (hash.test.ts checks it).
   */
  mix5(a: number, b: number, c: number, d: number, e: number): void {
    let lo = this.lo;
    let hi = this.hi;
    let v = fold(a);
    lo = imul(lo ^ v, 0x01000193);
    hi = imul((hi ^ v) + 0x7feb352d, 0x2c1b3c6d);
    v = fold(b);
    lo = imul(lo ^ v, 0x01000193);
    hi = imul((hi ^ v) + 0x7feb352d, 0x2c1b3c6d);
    v = fold(c);
    lo = imul(lo ^ v, 0x01000193);
    hi = imul((hi ^ v) + 0x7feb352d, 0x2c1b3c6d);
    v = fold(d);
    lo = imul(lo ^ v, 0x01000193);
    hi = imul((hi ^ v) + 0x7feb352d, 0x2c1b3c6d);
    v = fold(e);
    this.lo = imul(lo ^ v, 0x01000193);
    this.hi = imul((hi ^ v) + 0x7feb352d, 0x2c1b3c6d);
  }

  mixString(text: string): void {
    this.mix(text.length);
    this.lo = hashString(text, this.lo);
    this.hi = hashString(text, this.hi ^ 0x27d4eb2f);
  }

  /** 16 hex digits. */
  digest(): string {
    return hex32(finalize(this.hi)) + hex32(finalize(this.lo ^ this.hi));
  }
}
