/**
 * RaftLog: a node's log as one array, split by `stableIndex` into the stable prefix (what the host has
 * fsynced) and the unstable suffix (appended in memory, handed to the host in the next Ready). This is etcd's
 * raftLog + unstable, without snapshots: the log always starts at index 1.
 */
import { assert, assertFail } from './assert.js';
import type { Entry } from './types.js';

const NO_ENTRIES: readonly Entry[] = Object.freeze([]);

export class RaftLog {
  /** Invariant: `entries[i].index === i + 1` (consecutive from 1). */
  private readonly entries: Entry[];
  /**
   * Last index the host has made durable.
   * Invariant: 0 <= stableIndex <= lastIndex(); lowered when a truncation replaces stable entries.
   */
  private stable: number;

  /** `stored` are the entries the disk kept; they are stable. Throws if their indexes are not 1, 2, 3, … */
  constructor(stored: readonly Entry[]) {
    // Checked first, then copied in one slice: a restart hands over the whole stored log, and pushing it entry by
    // entry regrew the array several times per restart.
    for (let i = 0; i < stored.length; i++) {
      const e = stored[i] as Entry;
      if (!(e.index === i + 1)) assertFail(`append of index ${e.index} after last index ${i}`);
    }
    this.entries = stored.slice();
    this.stable = this.entries.length;
  }

  lastIndex(): number {
    return this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.entries.length);
  }

  stableIndex(): number {
    return this.stable;
  }

  /** Term of the entry at `index`; 0 for index 0. Throws when `index` is outside [0, lastIndex()]. */
  termAt(index: number): number {
    if (index === 0) return 0;
    const e = this.entries[index - 1];
    if (!(e !== undefined)) assertFail(`termAt(${index}) outside log [1, ${this.entries.length}]`);
    return e.term;
  }

  /** The entry at `index`. Throws when absent. */
  entryAt(index: number): Entry {
    const e = this.entries[index - 1];
    if (!(e !== undefined)) assertFail(`entryAt(${index}) outside log [1, ${this.entries.length}]`);
    return e;
  }

  /** True when the log holds an entry at `index` with term `term` (index 0 matches term 0 only). */
  matchTerm(index: number, term: number): boolean {
    if (index > this.entries.length) return false;
    return this.termAt(index) === term;
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as this one? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.entries.length);
  }

  /**
   * The index of the first of `ents` that this log lacks or holds with a different term; 0 when the log already
   * holds all of them (a duplicate or stale append). `ents` must be consecutive.
   */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (0 if none): etcd's findConflictByTerm, the fast
   * back-off that skips a whole conflicting term per round trip. `index` is clamped to lastIndex().
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.entries.length);
    while (i > 0 && this.termAt(i) > term) i--;
    return i;
  }

  /** Appends one entry at lastIndex() + 1. Throws if its index is not the next one. */
  push(e: Entry): void {
    if (!(e.index === this.entries.length + 1)) assertFail(`append of index ${e.index} after last index ${this.entries.length}`);
    this.entries.push(e);
  }

  /**
   * Writes `ents[from..]` at their indexes: entries at or beyond the first one's index are dropped first (the
   * conflict truncation of Raft §5.3). The first index must be in [1, lastIndex() + 1]. Truncating stable entries
   * lowers the stable index, so the next Ready re-persists from there (the host replaces its stored suffix).
   */
  truncateAndAppend(ents: readonly Entry[], from: number): void {
    const first = ents[from];
    if (first === undefined) return;
    if (!(first.index >= 1 && first.index <= this.entries.length + 1)) assertFail(`truncateAndAppend at ${first.index} with last index ${this.entries.length}`);
    if (first.index <= this.entries.length) {
      this.entries.length = first.index - 1;
      if (this.stable > first.index - 1) this.stable = first.index - 1;
    }
    for (let i = from; i < ents.length; i++) this.push(ents[i] as Entry);
  }

  /**
   * Entries [lo, hi] inclusive, at most `maxCount` of them; empty when lo > hi. A fresh array, except that every
   * empty result is one shared frozen array: most appends are heartbeats that carry no entries.
   */
  slice(lo: number, hi: number, maxCount: number): readonly Entry[] {
    if (!(lo >= 1 && hi <= this.entries.length)) assertFail(`slice [${lo}, ${hi}] outside log [1, ${this.entries.length}]`);
    const end = Math.min(hi, lo + maxCount - 1);
    return end < lo ? NO_ENTRIES : this.entries.slice(lo - 1, end);
  }

  /** The unstable entries (stableIndex() + 1 .. lastIndex()), the ones the next Ready must persist. */
  unstableEntries(): Entry[] {
    return this.entries.slice(this.stable);
  }

  /** The host made entries up to `index` durable. Throws if that is beyond the log or goes backwards. */
  stableTo(index: number): void {
    if (!(index >= this.stable && index <= this.entries.length)) assertFail(`stableTo(${index}) with stable ${this.stable}, last ${this.entries.length}`);
    this.stable = index;
  }
}
