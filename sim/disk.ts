/**
 * A node's simulated disk: a write-ahead log of checksummed entry records plus the hard state. Writes land
 * in a volatile buffer until fsync makes them durable; a crash loses what was not synced and may leave the
 * last unsynced append torn (a prefix of it on disk, its last record cut short, so its checksum fails).
 * Bit flips of synced records are injected by the corruption fault. The host reads the disk back through
 * {@link Disk.recover} on every start, which tells a torn tail (safe to drop: never synced, so never
 * acknowledged) from corruption of synced data (the node must not use it).
 */
import { assert, assertFail } from './assert.js';
import { EMPTY_HARD_STATE } from '../core/types.js';
import type { Entry, HardState, StoredState } from './contract.js';
import { hashString, mixInt } from './hash.js';
import type { Prng } from './prng.js';

/** Disk behaviour knobs; the zero value is an instant, perfect disk. */
export interface DiskOptions {
  /** fsync latency range in simulated ms; 0 and 0 make fsync instant. */
  readonly fsyncMsMin: number;
  readonly fsyncMsMax: number;
  /** On a crash with an unsynced append pending, chance per 1000 that a torn prefix of it reaches the disk. */
  readonly tornWritePerMille: number;
}

export const PERFECT_DISK: DiskOptions = Object.freeze({ fsyncMsMin: 0, fsyncMsMax: 0, tornWritePerMille: 0 });

interface PendingWrite {
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
}


/** What reading the disk back found. */
export type Recovery =
  | { readonly kind: 'clean'; readonly storage: StoredState }
  /** A torn tail of unsynced records was found and dropped. */
  | { readonly kind: 'torn-tail'; readonly storage: StoredState; readonly droppedFromIndex: number }
  /** A synced record fails its checksum: the node must not start on this disk. */
  | { readonly kind: 'corrupt'; readonly index: number }
  /** Checksums were not verified (a planted host bug): whatever is on disk, corrupt or not. */
  | { readonly kind: 'unverified'; readonly storage: StoredState; readonly corruptIndex: number | null };

export function entryChecksum(e: Entry): number {
  return hashString(e.data, mixInt(mixInt(0x2545f491, e.index), e.term));
}

export class Disk {
  private hardState: HardState = EMPTY_HARD_STATE;
  /** The log records. Invariant: records[i].index === i + 1. */
  private readonly records: Entry[] = [];
  /**
   * Stored checksums of records whose bytes on disk no longer match what was written (torn or bit-flipped),
   * by index. Every other record's stored checksum is, by construction, the checksum of its entry, so it is
   * not computed on the write path (the hot path) — only damage is remembered.
   */
  private readonly damaged = new Map<number, number>();
  /** Records covered by the last fsync; records beyond it are a torn tail. */
  private syncedRecords = 0;
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
    this.syncedRecords = this.records.length;
    this.syncs++;
  }

  /**
   * Power loss: buffered writes are gone, durable state stays. With `prng`, the first unsynced append may
   * leave a torn prefix on disk (chance `tornWritePerMille`). Returns whether a write was torn.
   */
  crash(prng?: Prng, tornWritePerMille = 0): boolean {
    const first = this.pending[0];
    this.pending.length = 0;
    if (prng === undefined || first === undefined || tornWritePerMille <= 0) return false;
    const head = first.entries[0];
    // Only appends can tear here; a torn overwrite would need a WAL's truncation records, which we do not model.
    if (head === undefined || head.index !== this.records.length + 1) return false;
    if (!prng.chance(tornWritePerMille, 1000)) return false;
    // Whole records of the write may have landed before the torn one — unless the write also carried a hard
    // state, which a WAL writes after its entries: entries of a term the stored hard state never saw would
    // be a state no real disk can hold, so then only the torn record remains.
    const kept = first.hardState === undefined ? prng.int(first.entries.length) : 0;
    for (let i = 0; i < kept; i++) this.push(first.entries[i] as Entry);
    const torn = first.entries[kept] as Entry;
    this.records.push({ ...torn, data: torn.data.slice(0, torn.data.length >> 1) });
    this.damaged.set(torn.index, entryChecksum(torn));
    return true;
  }

  /**
   * Flips a bit in the data of a synced record chosen by `prng` (checksum left as it was). Returns the index
   * corrupted, or null when there is no synced record.
   */
  corrupt(prng: Prng): number | null {
    if (this.syncedRecords === 0) return null;
    const i = prng.int(this.syncedRecords);
    const r = this.records[i] as Entry;
    const data = r.data === '' ? '\u0001' : String.fromCharCode(r.data.charCodeAt(0) ^ 1) + r.data.slice(1);
    if (!this.damaged.has(r.index)) this.damaged.set(r.index, entryChecksum(r));
    this.records[i] = { ...r, data };
    return i + 1;
  }

  /** Reads the disk back for a (re)start, verifying checksums unless told not to. */
  recover(verify: boolean): Recovery {
    let bad = -1;
    for (const [index, checksum] of this.damaged) {
      const r = this.records[index - 1];
      if (r !== undefined && entryChecksum(r) !== checksum && (bad === -1 || index - 1 < bad)) bad = index - 1;
    }
    if (!verify) return { kind: 'unverified', storage: this.snapshot(), corruptIndex: bad === -1 ? null : bad + 1 };
    if (bad === -1) {
      this.syncedRecords = this.records.length;
      return { kind: 'clean', storage: this.snapshot() };
    }
    if (bad >= this.syncedRecords) {
      this.truncate(bad);
      this.syncedRecords = bad;
      return { kind: 'torn-tail', storage: this.snapshot(), droppedFromIndex: bad + 1 };
    }
    return { kind: 'corrupt', index: bad + 1 };
  }

  /** What is on disk now, unverified (tests, display). */
  stored(): StoredState {
    return this.snapshot();
  }

  get durableHardState(): HardState {
    return this.hardState;
  }

  get durableLastIndex(): number {
    return this.records.length;
  }

  private snapshot(): StoredState {
    return { hardState: this.hardState, entries: this.records.slice() };
  }

  private push(e: Entry): void {
    if (!(e.index === this.records.length + 1)) assertFail(`disk write: non-consecutive entry index ${e.index}`);
    this.records.push(e);
  }

  /** Keeps the first `length` records; damage beyond them is gone with them. */
  private truncate(length: number): void {
    this.records.length = length;
    if (this.damaged.size === 0) return;
    for (const index of [...this.damaged.keys()]) if (index > length) this.damaged.delete(index);
  }

  private apply(w: PendingWrite): void {
    if (w.hardState !== undefined) this.hardState = w.hardState;
    const first = w.entries[0];
    if (first === undefined) return;
    if (!(first.index >= 1 && first.index <= this.records.length + 1)) assertFail(`disk write at index ${first.index} leaves a gap after ${this.records.length}`);
    this.truncate(first.index - 1);
    for (const e of w.entries) this.push(e);
  }
}
