/**
 * RaftLog: a node's log as one array, split by `stableIndex` into the stable prefix (what the host has
 * fsynced) and the unstable suffix (appended in memory, handed to the host in the next Ready). This is etcd's
 * raftLog + unstable: the log starts after the snapshot's last included index (1 without a snapshot).
 */
import { assert, assertFail } from './assert.js';
import { objectList } from './arrays.js';
import type { Entry } from './types.js';

const NO_ENTRIES: readonly Entry[] = Object.freeze([]);

/**
 * A new, empty array for entries whose elements kind is already objects (see core/arrays.ts). A log or a disk
 * starting with an empty literal met two array maps: its first push changed the kind (deoptimizing what was
 * optimized for the first map), and push sites that had seen both called the generic builtin. A restart also handed
 * the core the disk's records in whichever kind they had, which the core's log functions then met as a second map.
 * Every entry array of the log and the simulated disk is made here or copied from one (a slice keeps the kind).
 */
export function emptyEntryList(): Entry[] {
  return objectList<Entry>();
}

export class RaftLog {
  /**
   * The last index the snapshot covers (Raft §7 "last included index"); entries up to it are compacted away.
   * Invariant: 0 <= offset <= stable; 0 when the node has no snapshot.
   */
  private offset: number = 0;
  /** The term of the entry at `offset` ("last included term"); 0 when offset is 0. */
  private offsetTerm: number = 0;
  /** Invariant: `entries[i].index === offset + i + 1` (consecutive after the snapshot). */
  private entries: Entry[];
  /**
   * Last index the host has made durable.
   * Invariant: offset <= stableIndex <= lastIndex(); lowered when a truncation replaces stable entries.
   */
  private stable: number = 0;
  /**
   * The last non-empty range `slice` or `unstableEntries` handed out, [sharedLo, sharedHi], handed out again to the
   * next request for the same range: a leader sends the same new entries to every follower in replicate state, and
   * the Ready that persists them asks for the same range too. A fresh copy per message made one array per follower.
   * Invariant: `shared` holds this log's entries [sharedLo, sharedHi]; sharedLo is 0 (never a requested lo) when
   * nothing is shared, and it is reset whenever entries in the range may change (a truncation, compaction, restore).
   */
  private sharedLo: number = 0;
  private sharedHi: number = 0;
  private shared: readonly Entry[] = NO_ENTRIES;

  /**
   * `stored` are the entries the disk kept after `snapshot` (from 1 without one); they are stable. Throws if their
   * indexes are not consecutive from the snapshot's index + 1.
   */
  constructor(stored: readonly Entry[], snapshot?: { readonly index: number; readonly term: number }) {
    this.offset = snapshot?.index ?? 0;
    this.offsetTerm = snapshot?.term ?? 0;
    // Checked first, then copied in one slice: a restart hands over the whole stored log, and pushing it entry by
    // entry regrew the array several times per restart.
    for (let i = 0; i < stored.length; i++) {
      const e = stored[i] as Entry;
      if (!(e.index === this.offset + i + 1)) assertFail(`append of index ${e.index} after last index ${this.offset + i}`);
    }
    // Empty (a first start): the list of objects a log appends to, not a copy of the caller's empty array.
    this.entries = stored.length === 0 ? emptyEntryList() : stored.slice();
    this.stable = this.lastIndex();
  }

  lastIndex(): number {
    return this.offset + this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.lastIndex());
  }

  stableIndex(): number {
    return this.stable;
  }

  /** The snapshot's last included index: entries up to it are compacted (0 without a snapshot). */
  snapshotIndex(): number {
    return this.offset;
  }

  /**
   * Term of the entry at `index`; 0 for index 0, the snapshot's term at its index. Throws when `index` is outside
   * [snapshotIndex(), lastIndex()] (compacted or beyond the log).
   */
  termAt(index: number): number {
    // Read on every call, not only when asked for the snapshot's index: that case comes up at a run's start (the
    // first appends' prevLogIndex 0), before V8 collects feedback, and a load first executed once termAt was
    // optimized deoptimized every caller it was inlined into (handleAppend, sendEntries) at the next run's start.
    const offsetTerm = this.offsetTerm;
    if (index === this.offset) return offsetTerm;
    const e = this.entries[index - this.offset - 1];
    if (!(e !== undefined)) assertFail(`termAt(${index}) outside log [${this.offset}, ${this.lastIndex()}]`);
    return e.term;
  }

  /** The entry at `index`. Throws when absent (compacted or beyond the log). */
  entryAt(index: number): Entry {
    const e = this.entries[index - this.offset - 1];
    if (!(e !== undefined)) assertFail(`entryAt(${index}) outside log [${this.offset + 1}, ${this.lastIndex()}]`);
    return e;
  }

  /**
   * True when the log holds an entry at `index` with term `term` (index 0 matches term 0 only; the snapshot's index
   * matches its term). False for a compacted index: its term is no longer known.
   */
  matchTerm(index: number, term: number): boolean {
    if (index > this.lastIndex() || index < this.offset) return false;
    return this.termAt(index) === term;
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as this one? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The index of the first of `ents` that this log lacks or holds with a different term; 0 when the log already
   * holds all of them (a duplicate or stale append). `ents` must be consecutive and after the snapshot.
   */
  findConflict(ents: readonly Entry[]): number {
    // Indexed: a heartbeat's entries are a frozen empty array, and a for-of over a frozen array allocated an
    // iterator result per call even in optimised code.
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i] as Entry;
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (0 if none): etcd's findConflictByTerm, the fast
   * back-off that skips a whole conflicting term per round trip. `index` is clamped to lastIndex(); the search
   * stops at the snapshot's index (the terms below are gone), and an index below it is returned as is.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    if (i < this.offset) return i;
    while (i > this.offset && this.termAt(i) > term) i--;
    return i;
  }

  /** Appends one entry at lastIndex() + 1. Throws if its index is not the next one. */
  push(e: Entry): void {
    if (!(e.index === this.lastIndex() + 1)) assertFail(`append of index ${e.index} after last index ${this.lastIndex()}`);
    this.entries.push(e);
  }

  /**
   * Writes `ents[from..]` at their indexes: entries at or beyond the first one's index are dropped first (the
   * conflict truncation of Raft §5.3). The first index must be in [snapshotIndex() + 1, lastIndex() + 1].
   * Truncating stable entries lowers the stable index, so the next Ready re-persists from there (the host
   * replaces its stored suffix).
   */
  truncateAndAppend(ents: readonly Entry[], from: number): void {
    const first = ents[from];
    if (first === undefined) return;
    if (!(first.index > this.offset && first.index <= this.lastIndex() + 1)) assertFail(`truncateAndAppend at ${first.index} with log [${this.offset + 1}, ${this.lastIndex()}]`);
    if (first.index <= this.lastIndex()) {
      this.forgetShared();
      this.entries.length = first.index - this.offset - 1;
      if (this.stable > first.index - 1) this.stable = first.index - 1;
    }
    for (let i = from; i < ents.length; i++) this.push(ents[i] as Entry);
  }

  /**
   * Entries [lo, hi] inclusive, at most `maxCount` of them; empty when lo > hi. Read-only, as the types say: every
   * empty result is one shared frozen array (most appends are heartbeats that carry no entries), and a non-empty one
   * is the same array as the previous result when that was the same range (see `shared`), so appends and Readys may
   * share it. Throws when the range reaches into the compacted prefix or beyond the log.
   */
  slice(lo: number, hi: number, maxCount: number): readonly Entry[] {
    if (!(lo > this.offset && hi <= this.lastIndex())) assertFail(`slice [${lo}, ${hi}] outside log [${this.offset + 1}, ${this.lastIndex()}]`);
    const end = Math.min(hi, lo + maxCount - 1);
    return end < lo ? NO_ENTRIES : this.shareRange(lo, end);
  }

  /**
   * Entries [lo, hi] inclusive, all of them: `slice` without a bound (committed entries to apply, a suffix kept after
   * a snapshot). Apart so that `slice`'s arithmetic stays on small integers: a bound of Number.MAX_SAFE_INTEGER made
   * it floating point for every append. Read-only and possibly shared, like `slice`'s.
   */
  between(lo: number, hi: number): readonly Entry[] {
    if (!(lo > this.offset && hi <= this.lastIndex())) assertFail(`slice [${lo}, ${hi}] outside log [${this.offset + 1}, ${this.lastIndex()}]`);
    return hi < lo ? NO_ENTRIES : this.shareRange(lo, hi);
  }

  /**
   * The unstable entries (stableIndex() + 1 .. lastIndex()), the ones the next Ready must persist; empty (the shared
   * frozen array) when there are none. Read-only and possibly shared, like `slice`'s.
   */
  unstableEntries(): readonly Entry[] {
    const last = this.lastIndex();
    return this.stable < last ? this.shareRange(this.stable + 1, last) : NO_ENTRIES;
  }

  /** Entries [lo, hi], lo <= hi, inside the log: the shared array when it holds that range, else a fresh one shared from now on. */
  private shareRange(lo: number, hi: number): readonly Entry[] {
    if (lo === this.sharedLo && hi === this.sharedHi) return this.shared;
    const entries = this.entries.slice(lo - this.offset - 1, hi - this.offset);
    this.sharedLo = lo;
    this.sharedHi = hi;
    this.shared = entries;
    return entries;
  }

  /** Entries at the shared range's indexes are about to change or go: nothing is shared any more. */
  private forgetShared(): void {
    this.sharedLo = 0;
    this.sharedHi = 0;
    this.shared = NO_ENTRIES;
  }

  /** The host made entries up to `index` durable. Throws if that is beyond the log or goes backwards. */
  stableTo(index: number): void {
    if (!(index >= this.stable && index <= this.lastIndex())) assertFail(`stableTo(${index}) with stable ${this.stable}, last ${this.lastIndex()}`);
    this.stable = index;
  }

  /**
   * Drops the entries up to `index`, which a durable snapshot now stands for (log compaction, Raft §7). Throws
   * unless `index` is a stable entry of this log after the current snapshot and `term` is its term.
   */
  compact(index: number, term: number): void {
    if (!(index > this.offset && index <= this.stable)) assertFail(`compact(${index}) outside stable log [${this.offset + 1}, ${this.stable}]`);
    if (!(this.termAt(index) === term)) assertFail(`compact(${index}) with term ${term}, but the entry there has term ${this.termAt(index)}`);
    this.forgetShared();
    this.entries = this.entries.slice(index - this.offset);
    this.offset = index;
    this.offsetTerm = term;
  }

  /**
   * Installs a snapshot received from the leader (Raft §7): the log becomes the snapshot, followed by the
   * entries after it when `keepSuffix` and this log holds the snapshot's last entry (same index and term) —
   * those entries are unstable again, since the host replaces its whole stored log with the snapshot and the
   * Ready's entries. Returns the number of entries kept.
   */
  restore(index: number, term: number, keepSuffix: boolean): number {
    const kept = keepSuffix && index >= this.offset && this.matchTerm(index, term) ? this.entries.slice(index - this.offset) : emptyEntryList();
    this.forgetShared();
    this.entries = kept;
    this.offset = index;
    this.offsetTerm = term;
    this.stable = index;
    return kept.length;
  }
}
