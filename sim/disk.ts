/**
 * A node's simulated disk. Writes land in a volatile buffer until fsync makes them durable; a crash loses
 * what was not synced. The host persists every Ready through here, so what a restarted node gets back is
 * exactly what a real disk would have kept.
 */
import { assert } from './assert.js';
import { EMPTY_HARD_STATE } from '../core/types.js';
import type { Entry, HardState, StoredState } from './contract.js';

interface PendingWrite {
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
}

export class Disk {
  private hardState: HardState = EMPTY_HARD_STATE;
  /** Invariant: log[i].index === i + 1. */
  private readonly log: Entry[] = [];
  private readonly pending: PendingWrite[] = [];
  /** Writes made durable over the disk's life, for stats. */
  syncs = 0;

  /** Buffers a write; it is not durable until {@link sync}. */
  write(hardState: HardState | undefined, entries: readonly Entry[]): void {
    this.pending.push({ hardState, entries });
  }

  get unsyncedWrites(): number {
    return this.pending.length;
  }

  /** Makes every buffered write durable, in order. */
  sync(): void {
    for (const w of this.pending) this.apply(w);
    this.pending.length = 0;
    this.syncs++;
  }

  /** Power loss: buffered writes are gone, durable state stays. */
  crash(): void {
    this.pending.length = 0;
  }

  /** What a node restarting now would read back. */
  stored(): StoredState {
    return { hardState: this.hardState, entries: this.log.slice() };
  }

  get durableHardState(): HardState {
    return this.hardState;
  }

  get durableLastIndex(): number {
    return this.log.length;
  }

  private apply(w: PendingWrite): void {
    if (w.hardState !== undefined) this.hardState = w.hardState;
    const first = w.entries[0];
    if (first === undefined) return;
    assert(first.index >= 1 && first.index <= this.log.length + 1, `disk write at index ${first.index} leaves a gap after ${this.log.length}`);
    this.log.length = first.index - 1;
    for (const e of w.entries) {
      assert(e.index === this.log.length + 1, `disk write: non-consecutive entry index ${e.index}`);
      this.log.push(e);
    }
  }
}
