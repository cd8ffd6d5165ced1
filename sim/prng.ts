/**
 * The seeded PRNG every random decision in a run comes from. Streams are forked by label (a hash of the
 * parent's seed and the label), so adding a draw in one subsystem never shifts another subsystem's stream.
 */
import seedrandom from 'seedrandom';
import { assert, assertFail } from './assert.js';

export class Prng {
  private readonly next: seedrandom.PRNG;

  /** @param seedText the stream's full seed; use {@link Prng.forRun} for a run's root stream. */
  constructor(readonly seedText: string) {
    // Alea: fast, well distributed, and seedrandom guarantees the same sequence on every platform.
    this.next = seedrandom.alea(seedText);
  }

  /** The root stream of run `seed`. */
  static forRun(seed: number): Prng {
    return new Prng(`seaworthy/${seed}`);
  }

  /** An independent stream named `label` under this one. */
  fork(label: string): Prng {
    return new Prng(`${this.seedText}/${label}`);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform unsigned 32-bit integer. */
  uint32(): number {
    return this.next.int32() >>> 0;
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    if (!(Number.isInteger(maxExclusive) && maxExclusive > 0)) assertFail(`int: bad bound ${maxExclusive}`);
    return Math.floor(this.next() * maxExclusive);
  }

  /** Uniform integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    if (!(max >= min)) assertFail(`range: max ${max} < min ${min}`);
    return min + this.int(max - min + 1);
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
