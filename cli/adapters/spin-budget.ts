/**
 * How many non-blocking reads the host tries before it blocks on a process's reply (cli/adapters/process-pipe.ts).
 *
 * A blocking read costs a round trip two scheduler wake-ups; on a machine with a core to spare, most replies of a
 * process that answers in tens of microseconds arrive while the host is still trying non-blocking reads, and the
 * host's wake-up is saved. On a machine with no core to spare the process is not running while the host spins, so
 * the reads are wasted CPU. So the host spins in full while spinning finds replies, and after a run of spins that
 * all missed it stops spinning for a while, then tries again (a machine that frees up is noticed).
 *
 * Halving the budget on each miss (an adaptive mutex's rule) was measured and dropped: replies that take longer
 * than the spin now and then (a large Ready) shrank the budget until it caught nothing, and the run was slower
 * than with no spin at all.
 */

/** Non-blocking reads tried at most before blocking: about 200 µs of host CPU (a failed read throws, ~6 µs). */
export const SPIN_READS_MAX = 32;
/** Spins in a row that all missed before the host stops spinning. */
export const SPIN_MISSES_TO_PAUSE = 8;
/** Replies waited for without spinning once spinning paused, before it is tried again. */
export const SPIN_PAUSE_REPLIES = 64;

/** One process's spin budget, adapted reply by reply. */
export class SpinBudget {
  private misses = 0;
  private paused = 0;

  constructor(private readonly max: number = SPIN_READS_MAX) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`spin budget must be a non-negative integer, got ${max}`);
  }

  /** The non-blocking reads to try for the next reply: the full budget, or 0 while spinning is paused. */
  next(): number {
    if (this.paused === 0) return this.max;
    this.paused--;
    return 0;
  }

  /** The reply came within the spin. */
  found(): void {
    this.misses = 0;
  }

  /** The spin ran out and the host blocked: after {@link SPIN_MISSES_TO_PAUSE} in a row, pause spinning. */
  missed(): void {
    if (++this.misses < SPIN_MISSES_TO_PAUSE) return;
    this.misses = 0;
    this.paused = SPIN_PAUSE_REPLIES;
  }
}
