/**
 * The seeded PRNG every random decision in a run comes from. Streams are forked by label (a hash of the
 * parent's seed and the label), so adding a draw in one subsystem never shifts another subsystem's stream.
 */
import { assert, assertFail } from './assert.js';

/*
 * Baagoe's Mash, the hash Alea seeds itself with (as seedrandom's), as functions of its state `n` (a double below
 * 2^33): Alea mashes three spaces, then its seed text three times, reading a value after each pass.
 */

/** Mash's state after one more character code. */
function mashChar(state: number, code: number): number {
  let n = state + code;
  let h = 0.02519603282416938 * n;
  n = h >>> 0;
  h -= n;
  h *= n;
  n = h >>> 0;
  h -= n;
  return n + h * 0x100000000; // 2^32
}

/** Mash's state after the characters of `data`. */
function mashText(state: number, data: string): number {
  let n = state;
  for (let i = 0; i < data.length; i++) n = mashChar(n, data.charCodeAt(i));
  return n;
}

/** The value Mash returns in state `n`, in [0, 1). */
function mashValue(n: number): number {
  return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
}

/**
 * `Math.floor` and `Number.isInteger` as module constants (as sim/hash.ts's `imul`): a draw is inlined into every
 * caller (the network draws on every send), TurboFan inlines by bytecode size against a budget per compiled caller,
 * and each `Math.floor(...)` was a global and a named load of bytecode. TurboFan sees the same builtins.
 */
const floor = Math.floor;
const isInteger = Number.isInteger;

const SLASH = 0x2f;
/** Mash's state and values after Alea's three spaces, the same for every seed. */
const SPACES_N0 = 0xefc8249d;
const SPACES_S0 = mashValue(mashChar(SPACES_N0, 0x20));
const SPACES_S1 = mashValue(mashChar(mashChar(SPACES_N0, 0x20), 0x20));
const SPACES_N = mashChar(mashChar(mashChar(SPACES_N0, 0x20), 0x20), 0x20);
const SPACES_S2 = mashValue(SPACES_N);

/** {@link Prng.range}'s failure, as `range` then `int` report it: out of line, so the draw inlines small. */
function badRange(min: number, max: number): never {
  if (!(max >= min)) assertFail(`range: max ${max} < min ${min}`);
  assertFail(`int: bad bound ${max - min + 1}`);
}

export class Prng {
  // Alea's state (Baagoe's algorithm, as seedrandom's `alea` implements it, draw for draw). The fields start as
  // doubles: a field declared without a value starts undefined (ES2022 class fields), which made V8 keep these
  // as tagged fields and box a fresh heap number on every draw, 2.5x slower.
  private s0 = 0.5;
  private s1 = 0.5;
  private s2 = 0.5;
  private c = 1;
  /**
   * Mash's state after its first pass over `seedText` (after the three spaces Alea mashes first). A fork's seed
   * text starts with this stream's, so its first pass continues from here over `/label` alone: seeding a stream is
   * three passes over its ~40 characters, a chain of dependent floating-point steps (~1.4 µs), and a run seeds
   * ~50 streams. Starts as a double, like the state above.
   */
  private readonly firstPassN: number = 0.5;

  /**
   * @param seedText the stream's full seed; use {@link Prng.forRun} for a run's root stream.
   * @param firstPassN Mash's state after the first pass over `seedText`, passed only by {@link fork} (which has
   *   it from its parent); computed when absent. Any other value seeds a stream that is not `seedText`'s.
   */
  constructor(
    readonly seedText: string,
    firstPassN: number = mashText(SPACES_N, seedText),
  ) {
    this.firstPassN = firstPassN;
    let s0 = SPACES_S0 - mashValue(firstPassN);
    if (s0 < 0) s0 += 1;
    this.s0 = s0;
    // Alea's second and third passes in one loop: each inlined pass over the text is its own copy of the loop, and
    // a run's root stream (`forRun`, twice a run) reaches TurboFan in the bench's measured seeds.
    let n = firstPassN;
    for (let pass = 1; pass <= 2; pass++) {
      n = mashText(n, seedText);
      let s = (pass === 1 ? SPACES_S1 : SPACES_S2) - mashValue(n);
      if (s < 0) s += 1;
      if (pass === 1) this.s1 = s;
      else this.s2 = s;
    }
  }

  private next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  /** The root stream of run `seed`. */
  static forRun(seed: number): Prng {
    const seedText = `seaworthy/${seed}`;
    return new Prng(seedText, mashText(SPACES_N, seedText));
  }

  /** An independent stream named `label` under this one. */
  fork(label: string): Prng {
    // The first pass over the parent's text is the parent's own; only `/label` is mashed onto it.
    return new Prng(`${this.seedText}/${label}`, mashText(mashChar(this.firstPassN, SLASH), label));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform unsigned 32-bit integer. */
  uint32(): number {
    return ((this.next() * 0x100000000) | 0) >>> 0;
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    if (!(isInteger(maxExclusive) && maxExclusive > 0)) assertFail(`int: bad bound ${maxExclusive}`);
    return floor(this.next() * maxExclusive);
  }

  /** Uniform integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    // One check of the span rather than `int`'s inlined after this one's: the plan generators draw a dozen ranges
    // in functions that run once a run, and each inlined draw is code TurboFan compiles in the bench's window.
    const span = max - min + 1;
    if (!(span >= 1 && isInteger(span))) badRange(min, max);
    return min + floor(this.next() * span);
  }

  /**
   * True with probability numerator/denominator. Probabilities are exact ratios (TigerBeetle style), and
   * a zero numerator never draws, so a fault that is off does not consume the stream.
   */
  chance(numerator: number, denominator: number): boolean {
    if (numerator <= 0) return false;
    if (numerator >= denominator) return true;
    return this.int(denominator) < numerator;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick: empty array');
    return items[this.int(items.length)] as T;
  }

  /** A new array with the items in a uniformly random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }
}
