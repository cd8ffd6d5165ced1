/**
 * A node's simulated disk: a write-ahead log of checksummed entry records plus the hard state. Writes land
 * in a volatile buffer until fsync makes them durable; a crash loses what was not synced and may leave the
 * last unsynced append torn (a prefix of it on disk, its last record cut short, so its checksum fails).
 * Bit flips of synced records are injected by the corruption fault. The host reads the disk back through
 * {@link Disk.recover} on every start, which tells a torn tail (safe to drop: never synced, so never
 * acknowledged) from corruption of synced data (the node must not use it).
 *
 * Snapshots (Raft §7) are a file of their own, written as real systems write them: to a temporary file, then
 * renamed over the old one, and made durable by the next fsync. Until then a crash (or power loss, which loses an
 * unsynced rename) leaves the old snapshot and the whole log as they were; a torn temporary file is never renamed,
 * so it is never read. Once durable, the snapshot stands for the log prefix up to its index, which is dropped. The
 * snapshot's data is checksummed too: a bit flip in it is corruption of synced data, detected on recovery.
 */
import { assert, assertFail } from './assert.js';
import { EMPTY_HARD_STATE } from '../core/types.js';
import { emptyEntryList } from '../core/log.js';
import type { Entry, HardState, Snapshot, StoredState } from './contract.js';
import { hashString, mixInt } from './hash.js';
import type { Prng } from './prng.js';

/** Disk behaviour knobs; the zero value is an instant, perfect disk. */
export interface DiskOptions {
  /** fsync latency range in simulated ms; 0 and 0 make fsync instant. */
  readonly fsyncMsMin: number;
  readonly fsyncMsMax: number;
  /** On a crash with an unsynced append pending, chance per 1000 that a torn prefix of it reaches the disk. */
  readonly tornWritePerMille: number;
  /**
   * The host snapshots its state machine and compacts the log every this many applied entries, for
   * implementations with the `snapshot` capability; 0 or absent: never (the default, and what every run without
   * snapshots keeps).
   */
  readonly snapshotEveryEntries?: number;
}

export const PERFECT_DISK: DiskOptions = Object.freeze({ fsyncMsMin: 0, fsyncMsMax: 0, tornWritePerMille: 0 });

/**
 * A snapshot written to its temporary file, renamed into place at the next fsync. `install`: received from a
 * leader, it replaces the whole stored log (the entries written after it follow it); `compact`: taken from this
 * node's own state machine, it replaces only the log prefix up to its index.
 */
export interface SnapshotWrite {
  readonly snapshot: Snapshot;
  readonly mode: 'install' | 'compact';
}

interface PendingWrite {
  readonly hardState: HardState | undefined;
  readonly entries: readonly Entry[];
  /** A snapshot file written with this write (null for the plain writes of a Ready). */
  readonly snapshot: SnapshotWrite | null;
}

const NO_SNAPSHOT_WRITES: readonly SnapshotWrite[] = Object.freeze([]);


/** What reading the disk back found. */
export type Recovery =
  | { readonly kind: 'clean'; readonly storage: StoredState }
  /** A torn tail of unsynced records was found and dropped. */
  | { readonly kind: 'torn-tail'; readonly storage: StoredState; readonly droppedFromIndex: number }
  /** A synced record fails its checksum: the node must not start on this disk. */
  | { readonly kind: 'corrupt'; readonly index: number }
  /** Checksums were not verified (a planted host bug): whatever is on disk, corrupt or not. */
  | { readonly kind: 'unverified'; readonly storage: StoredState; readonly corruptIndex: number | null };

/**
 * A {@link Recovery} of any kind in one object shape, the fields a kind does not have left undefined: a start reads
 * `kind` first, and a second shape (the first torn tail or corruption of a process, a few runs in a hundred) was a
 * "wrong map" that deoptimized the host's start, inlined disk and core construction included.
 */
function recovery(
  kind: Recovery['kind'],
  storage: StoredState | undefined,
  index: number | undefined,
  droppedFromIndex: number | undefined,
  corruptIndex: number | null | undefined,
): Recovery {
  return { kind, storage, index, droppedFromIndex, corruptIndex } as Recovery;
}

export function entryChecksum(e: Entry): number {
  return hashString(e.data, mixInt(mixInt(0x2545f491, e.index), e.term));
}

/** The checksum of a snapshot file: its index, term, configuration and data. */
export function snapshotChecksum(s: Snapshot): number {
  let h = mixInt(mixInt(0x6c8e9cf5, s.index), s.term);
  for (const p of s.peers) h = mixInt(h, p);
  // Learners and C_old's voters only when present, so a snapshot without them checksums as before membership changes.
  for (const p of s.learners ?? []) h = mixInt(h, p + 0x100);
  for (const p of s.outgoing ?? []) h = mixInt(h, p + 0x200);
  return hashString(s.data, h);
}

export class Disk {
  private hardState: HardState = EMPTY_HARD_STATE;
  /** The durable snapshot, standing for the log prefix up to its index; null before the first. */
  private snap: Snapshot | null = null;
  /** The stored checksum of the snapshot file when its bytes were damaged after it was written; null otherwise. */
  private snapDamage: number | null = null;
  /** The last index the snapshot covers (0 without one). Invariant: records[i].index === base + i + 1. */
  private base = 0;
  /** The log records after the snapshot. */
  private records: Entry[] = emptyEntryList();
  /**
   * Whether each record's bytes on disk may no longer match what was written (1: torn or bit-flipped; 0: as
   * written), position by position. Invariant: `marks.length === records.length`. Parallel to the records so that
   * whatever drops records (a truncation, a snapshot) drops their damage with them, without a branch of its own: a
   * loop over the damaged indexes on truncation was a rare path, first taken late in a process (a write cutting
   * records after a torn write), that deoptimized the fsync path it was inlined into.
   */
  private marks: number[] = [];
  /**
   * The stored checksum of each marked record, by index. Every other record's stored checksum is, by construction,
   * the checksum of its entry, so it is not computed on the write path (the hot path) — only damage is remembered.
   * An entry whose record is no longer marked (dropped since) is stale: ignored, and pruned by {@link recover}.
   */
  private readonly damaged = new Map<number, number>();
  /** Records covered by the last fsync; records beyond it are a torn tail. */
  private syncedRecords = 0;
  /**
   * Buffered writes: `pending[0, pendingCount)`; slots beyond are cleared. Emptied by resetting the count, not the
   * array's length: a length of 0 gives the array back its backing store, so every Ready's write allocated a new
   * 16-slot one.
   */
  private readonly pending: (PendingWrite | undefined)[] = [];
  private pendingCount = 0;
  /** Writes made durable over the disk's life, for stats. */
  syncs = 0;

  /** The snapshot files the last {@link sync} renamed into place, in order (usually none). */
  syncedSnapshots: readonly SnapshotWrite[] = NO_SNAPSHOT_WRITES;

  /** Buffers a write; it is not durable until {@link sync}. */
  write(hardState: HardState | undefined, entries: readonly Entry[]): void {
    this.pending[this.pendingCount++] = { hardState, entries, snapshot: null };
  }

  /**
   * Writes a snapshot to its temporary file; the next {@link sync} renames it into place and drops the log prefix
   * it stands for (`install`: the whole log). Writes buffered after it apply after it.
   */
  writeSnapshot(write: SnapshotWrite): void {
    this.pending[this.pendingCount++] = { hardState: undefined, entries: [], snapshot: write };
  }

  /** A snapshot written and not yet renamed into place by an fsync. */
  get snapshotPending(): boolean {
    for (let i = 0; i < this.pendingCount; i++) if ((this.pending[i] as PendingWrite).snapshot !== null) return true;
    return false;
  }

  get unsyncedWrites(): number {
    return this.pendingCount;
  }

  /** Makes every buffered write durable, in order. */
  sync(): void {
    this.syncedSnapshots = NO_SNAPSHOT_WRITES;
    const pending = this.pending;
    for (let i = 0; i < this.pendingCount; i++) this.apply(pending[i] as PendingWrite);
    this.dropPending();
    this.syncedRecords = this.records.length;
    this.syncs++;
  }

  /**
   * Power loss: buffered writes are gone, durable state stays. With `prng`, the first unsynced append may
   * leave a torn prefix on disk (chance `tornWritePerMille`). Returns whether a write was torn.
   */
  crash(prng?: Prng, tornWritePerMille = 0): boolean {
    const first = this.pendingCount > 0 ? this.pending[0] : undefined;
    this.dropPending();
    if (prng === undefined || first === undefined || tornWritePerMille <= 0) return false;
    const head = first.entries[0];
    // Only appends can tear here; a torn overwrite would need a WAL's truncation records, which we do not model.
    if (head === undefined || head.index !== this.durableLastIndex + 1) return false;
    if (!prng.chance(tornWritePerMille, 1000)) return false;
    // Whole records of the write may have landed before the torn one — unless the write also carried a hard
    // state, which a WAL writes after its entries: entries of a term the stored hard state never saw would
    // be a state no real disk can hold, so then only the torn record remains.
    const kept = first.hardState === undefined ? prng.int(first.entries.length) : 0;
    for (let i = 0; i < kept; i++) this.push(first.entries[i] as Entry);
    const torn = first.entries[kept] as Entry;
    this.records.push(withData(torn, torn.data.slice(0, torn.data.length >> 1)));
    this.marks.push(1);
    this.damaged.set(torn.index, entryChecksum(torn));
    return true;
  }

  /**
   * Flips a bit in the data of a synced record, or of the snapshot file, chosen by `prng` (checksum left as it
   * was). Returns the index corrupted (the snapshot's index for the snapshot), or null when nothing is synced.
   * Without a snapshot the draw is the one it always was, so runs without snapshots are unchanged.
   */
  corrupt(prng: Prng): number | null {
    const snap = this.snap;
    if (snap !== null) {
      const i = prng.int(this.syncedRecords + 1);
      if (i === this.syncedRecords) {
        if (this.snapDamage === null) this.snapDamage = snapshotChecksum(snap);
        this.snap = { ...snap, data: flipFirstBit(snap.data) };
        return snap.index;
      }
      return this.corruptRecord(i);
    }
    if (this.syncedRecords === 0) return null;
    return this.corruptRecord(prng.int(this.syncedRecords));
  }

  private corruptRecord(i: number): number {
    const r = this.records[i] as Entry;
    // Damaged twice: the checksum stored is still the one written first.
    if (this.marks[i] === 0) {
      this.marks[i] = 1;
      this.damaged.set(r.index, entryChecksum(r));
    }
    this.records[i] = withData(r, flipFirstBit(r.data));
    return r.index;
  }

  /** Reads the disk back for a (re)start, verifying checksums unless told not to. */
  recover(verify: boolean): Recovery {
    // `bad` is a position in `records`; the snapshot file, which comes first, is position -2 when damaged.
    const snapBad = this.snap !== null && this.snapDamage !== null && snapshotChecksum(this.snap) !== this.snapDamage;
    let bad = -1;
    for (const [index, checksum] of this.damaged) {
      const position = index - this.base - 1;
      if (position < 0 || position >= this.marks.length || this.marks[position] !== 1) {
        // Dropped since it was damaged (truncated, or compacted into a snapshot): whatever holds its index now was
        // written afresh.
        this.damaged.delete(index);
        continue;
      }
      if (entryChecksum(this.records[position] as Entry) !== checksum && (bad === -1 || position < bad)) bad = position;
    }
    if (snapBad) {
      const index = (this.snap as Snapshot).index;
      if (!verify) return recovery('unverified', this.snapshot(), undefined, undefined, index);
      // The snapshot was fsynced before anything after it could be written: damage to it is never a torn tail.
      return recovery('corrupt', undefined, index, undefined, undefined);
    }
    if (!verify) return recovery('unverified', this.snapshot(), undefined, undefined, bad === -1 ? null : this.base + bad + 1);
    if (bad === -1) {
      this.syncedRecords = this.records.length;
      return recovery('clean', this.snapshot(), undefined, undefined, undefined);
    }
    if (bad >= this.syncedRecords) {
      this.truncate(bad);
      this.syncedRecords = bad;
      return recovery('torn-tail', this.snapshot(), undefined, this.base + bad + 1, undefined);
    }
    return recovery('corrupt', undefined, this.base + bad + 1, undefined, undefined);
  }

  /** What is on disk now, unverified (tests, display). */
  stored(): StoredState {
    return this.snapshot();
  }

  get durableHardState(): HardState {
    return this.hardState;
  }

  get durableLastIndex(): number {
    return this.base + this.records.length;
  }

  /** The durable snapshot (null before the first), unverified. */
  get durableSnapshot(): Snapshot | null {
    return this.snap;
  }

  private snapshot(): StoredState {
    const entries = this.records.slice();
    return this.snap === null ? { hardState: this.hardState, entries } : { hardState: this.hardState, entries, snapshot: this.snap };
  }

  private push(e: Entry): void {
    if (!(e.index === this.durableLastIndex + 1)) assertFail(`disk write: non-consecutive entry index ${e.index}`);
    this.records.push(e);
    this.marks.push(0);
  }

  /** Forgets the buffered writes (applied or lost), keeping the buffer. */
  private dropPending(): void {
    for (let i = 0; i < this.pendingCount; i++) this.pending[i] = undefined;
    this.pendingCount = 0;
  }

  /** Keeps the first `length` records; damage beyond them is gone with them (their marks go too). */
  private truncate(length: number): void {
    // Only when it shrinks: a store to an array's length is a runtime call even when the length stays (the
    // common case, an append after the last record), ~400 instructions a write.
    if (length < this.records.length) {
      this.records.length = length;
      this.marks.length = length;
    }
  }

  private apply(w: PendingWrite): void {
    if (w.snapshot !== null) this.applySnapshot(w.snapshot);
    if (w.hardState !== undefined) this.hardState = w.hardState;
    // Length first: our core's empty entries are a frozen array, and reading [0] of a frozen empty array goes
    // through the generic keyed-load IC every time (~280 instructions).
    if (w.entries.length === 0) return;
    const first = w.entries[0] as Entry;
    if (!(first.index > this.base && first.index <= this.durableLastIndex + 1)) assertFail(`disk write at index ${first.index} leaves a gap after ${this.durableLastIndex} or reaches into the snapshot at ${this.base}`);
    this.truncate(first.index - this.base - 1);
    // Indexed: a Ready's entries may be a frozen array, over which a for-of allocates an iterator result.
    const entries = w.entries;
    for (let i = 0; i < entries.length; i++) this.push(entries[i] as Entry);
  }

  /** The rename: the snapshot replaces the old one, and the log prefix it stands for (or the whole log) goes. */
  private applySnapshot(w: SnapshotWrite): void {
    const index = w.snapshot.index;
    // The records a snapshot stands for go with their marks; what stays keeps its own.
    const from = Math.min(this.records.length, Math.max(0, index - this.base));
    const keep = w.mode === 'compact' ? this.records.slice(from) : emptyEntryList();
    this.marks = w.mode === 'compact' ? this.marks.slice(from) : [];
    this.records = keep;
    this.base = index;
    this.snap = w.snapshot;
    this.snapDamage = null;
    this.syncedSnapshots = this.syncedSnapshots === NO_SNAPSHOT_WRITES ? [w] : [...this.syncedSnapshots, w];
  }
}

/**
 * `entry` with its bytes on disk replaced by `data` (a torn or bit-flipped record). Built field by field, as the core
 * builds its entries, not by spreading: a spread copy has a hidden class of its own, and the first one a run makes
 * (a torn write, a few runs in a hundred) reached the core and the checkers through the stored log and deoptimized
 * some sixty of their hot functions at once, each recompiled on the spot (about 7% of the bench's CPU time).
 * An entry carrying fields beyond the three of the contract keeps them, spread as before.
 */
function withData(entry: Entry, data: string): Entry {
  return Object.keys(entry).length === 3 ? { term: entry.term, index: entry.index, data } : { ...entry, data };
}

function flipFirstBit(data: string): string {
  return data === '' ? '\u0001' : String.fromCharCode(data.charCodeAt(0) ^ 1) + data.slice(1);
}
