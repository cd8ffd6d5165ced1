/**
 * The bookkeeping of a batch run on several threads, without the threads: which seeds to hand out next
 * ({@link SeedDealer}) and which finished seeds may be reported ({@link SeedReleaser}). Neither keeps
 * anything per seed of the batch, only per seed in flight, so a batch may be as large as a safe integer.
 */

/** Seeds `from` .. `from + count - 1`. */
export interface SeedChunk {
  readonly from: number;
  readonly count: number;
}

/** Hands out a batch's seeds in chunks, taking back the unfinished part of a chunk whose worker was lost. */
export class SeedDealer {
  private nextSeed: number;
  private readonly end: number;
  /** Seeds taken back, handed out before new ones; Invariant: sorted by `from`, disjoint. */
  private readonly returned: SeedChunk[] = [];

  /** Deals seeds `seedStart` .. `seedStart + seeds - 1`, `chunkSeeds` at a time at most. */
  constructor(
    seedStart: number,
    seeds: number,
    private readonly chunkSeeds: number,
  ) {
    this.nextSeed = seedStart;
    this.end = seedStart + seeds;
  }

  /** The next chunk, lowest seeds first; null when every seed has been dealt. */
  take(): SeedChunk | null {
    const again = this.returned.shift();
    if (again !== undefined) return again;
    if (this.nextSeed >= this.end) return null;
    const chunk = { from: this.nextSeed, count: Math.min(this.chunkSeeds, this.end - this.nextSeed) };
    this.nextSeed += chunk.count;
    return chunk;
  }

  /** Deals seeds `from` .. `from + count - 1` again (count 0 is ignored). */
  giveBack(from: number, count: number): void {
    if (count <= 0) return;
    this.returned.push({ from, count });
    this.returned.sort((a, b) => a.from - b.from);
  }
}

/**
 * Reports finished seeds in seed order whatever order they finish in, holding only those that finished
 * ahead of an earlier one still running.
 */
export class SeedReleaser<T> {
  private nextSeed: number;
  /** Finished seeds waiting for an earlier one; Invariant: every key > nextSeed - 1. */
  private readonly waiting = new Map<number, T>();

  constructor(
    seedStart: number,
    private readonly report: (seed: number, value: T) => void,
  ) {
    this.nextSeed = seedStart;
  }

  /**
   * Seed `seed` finished with `value`; reports it and every waiting seed it was holding back. A seed already
   * reported or waiting is ignored: each seed is reported once.
   */
  finished(seed: number, value: T): void {
    if (seed < this.nextSeed || this.waiting.has(seed)) return;
    this.waiting.set(seed, value);
    for (let next = this.waiting.get(this.nextSeed); next !== undefined; next = this.waiting.get(this.nextSeed)) {
      this.waiting.delete(this.nextSeed);
      this.report(this.nextSeed, next);
      this.nextSeed++;
    }
  }

  /** Every seed before this one has been reported. */
  get reportedUpTo(): number {
    return this.nextSeed;
  }

  /** The batch stopped early: reports the seeds still waiting (beyond a gap), in seed order. */
  flush(): void {
    for (const seed of [...this.waiting.keys()].sort((a, b) => a - b)) {
      const value = this.waiting.get(seed);
      if (value !== undefined) this.report(seed, value);
    }
    this.waiting.clear();
  }
}
