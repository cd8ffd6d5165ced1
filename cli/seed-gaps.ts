/**
 * The seeds a stopped batch left without a verdict. A batch reports seeds in seed order, but when it is
 * stopped (a signal, a time budget) the seeds that finished beyond one still running are reported too
 * (cli/seed-order.ts `flush`), so "seeds a..b" would overstate what ran: the seeds skipped over are kept here.
 * At most the seeds in flight at the stop are ever listed (a few per job), so this stays small.
 */
export class SeedGaps {
  private nextSeed: number;
  /** Seeds skipped over, ascending. */
  readonly unfinished: number[] = [];

  constructor(seedStart: number) {
    this.nextSeed = seedStart;
  }

  /** Seed `seed` was reported; seeds are reported in ascending order. */
  reported(seed: number): void {
    for (let s = this.nextSeed; s < seed; s++) this.unfinished.push(s);
    this.nextSeed = Math.max(this.nextSeed, seed + 1);
  }
}
