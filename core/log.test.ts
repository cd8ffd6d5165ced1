import { describe, expect, it } from 'vitest';
import { emptyEntryList, RaftLog } from './log.js';
import type { Entry } from './types.js';

const ents = (terms: readonly number[], from = 1): Entry[] => terms.map((term, i) => ({ term, index: from + i, data: `d${from + i}` }));

describe('RaftLog', () => {
  it('starts stable from storage and looks up terms', () => {
    const log = new RaftLog(ents([1, 1, 2]));
    expect([log.lastIndex(), log.lastTerm(), log.stableIndex()]).toEqual([3, 2, 3]);
    expect([log.termAt(0), log.termAt(1), log.termAt(3)]).toEqual([0, 1, 2]);
    expect(() => log.termAt(4)).toThrow(/outside log/);
    expect(log.matchTerm(0, 0)).toBe(true);
    expect(log.matchTerm(3, 2)).toBe(true);
    expect(log.matchTerm(4, 2)).toBe(false);
  });

  it('rejects non-consecutive stored entries', () => {
    expect(() => new RaftLog([{ term: 1, index: 2, data: '' }])).toThrow(/index 2 after last index 0/);
    expect(() => new RaftLog([...ents([1, 1]), { term: 1, index: 4, data: '' }])).toThrow(/index 4 after last index 2/);
    // The log copies what the disk kept: the caller's array stays the caller's.
    const stored = ents([1, 1]);
    const copy = new RaftLog(stored);
    stored.pop();
    expect(copy.lastIndex()).toBe(2);
  });

  it('compares up-to-dateness by last term, then length (Raft §5.4.1)', () => {
    const log = new RaftLog(ents([1, 2, 2]));
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });

  it('finds the first conflict, or 0 for a duplicate', () => {
    const log = new RaftLog(ents([1, 1, 2]));
    expect(log.findConflict(ents([1, 1], 1))).toBe(0);
    expect(log.findConflict(ents([1, 2, 3], 2))).toBe(4);
    expect(log.findConflict(ents([1, 3], 2))).toBe(3);
    expect(log.findConflict([])).toBe(0);
  });

  it('finds the last index at or below a term (fast back-off)', () => {
    const log = new RaftLog(ents([1, 1, 3, 3, 5]));
    expect(log.findConflictByTerm(5, 4)).toBe(4);
    expect(log.findConflictByTerm(5, 2)).toBe(2);
    expect(log.findConflictByTerm(9, 0)).toBe(0);
    expect(log.findConflictByTerm(9, 5)).toBe(5);
  });

  it('truncates a conflicting suffix, lowering the stable index', () => {
    const log = new RaftLog(ents([1, 1, 2, 2]));
    log.truncateAndAppend(ents([3, 3], 3), 0);
    expect(log.lastIndex()).toBe(4);
    expect(log.stableIndex()).toBe(2);
    expect(log.unstableEntries().map((e) => e.term)).toEqual([3, 3]);
    log.stableTo(4);
    expect(log.unstableEntries()).toEqual([]);
  });

  it('appends from an offset into the given entries', () => {
    const log = new RaftLog(ents([1]));
    log.truncateAndAppend(ents([1, 1, 1], 1), 1);
    expect(log.lastIndex()).toBe(3);
    expect(log.stableIndex()).toBe(1);
    expect(() => log.truncateAndAppend(ents([1], 9), 0)).toThrow(/truncateAndAppend at 9/);
  });

  it('slices with a bound', () => {
    const log = new RaftLog(ents([1, 1, 1, 1, 1]));
    expect(log.slice(2, 5, 2).map((e) => e.index)).toEqual([2, 3]);
    expect(log.slice(6, 5, 2)).toEqual([]);
    // Heartbeats carry no entries: every empty slice is one shared array, frozen so no reader can fill it.
    expect(log.slice(3, 2, 9)).toBe(log.slice(6, 5, 2));
    expect(Object.isFrozen(log.slice(6, 5, 2))).toBe(true);
    expect(() => log.slice(1, 6, 9)).toThrow(/outside log/);
    // Without a bound (committed entries to apply): all of the range, the same shared arrays.
    expect(log.between(2, 5).map((e) => e.index)).toEqual([2, 3, 4, 5]);
    expect(log.between(6, 5)).toBe(log.slice(6, 5, 2));
    expect(() => log.between(0, 3)).toThrow(/outside log/);
    expect(() => log.between(1, 6)).toThrow(/outside log/);
  });

  it('hands out the same array again for the same range until the entries there change', () => {
    const log = new RaftLog(ents([1, 1, 1]));
    log.truncateAndAppend(ents([2, 2], 4), 0);
    // A broadcast asks once per follower for the same new entries, and the Ready that persists them asks again.
    const first = log.slice(4, 5, 9);
    expect(log.slice(4, 5, 9)).toBe(first);
    expect(log.unstableEntries()).toBe(first);
    expect(log.slice(4, 5, 2)).toBe(first); // the same range, reached through the bound
    // Another range is a fresh array, which is then the shared one; appending leaves existing ranges as they were.
    const other = log.slice(2, 5, 9);
    expect(other).not.toBe(first);
    expect(log.slice(2, 5, 9)).toBe(other);
    log.truncateAndAppend(ents([2], 6), 0);
    expect(log.slice(2, 5, 9)).toBe(other);
    // A truncation replaces entries of the shared range: never hand out what the log no longer holds.
    log.truncateAndAppend(ents([3, 3], 5), 0);
    const replaced = log.slice(2, 5, 9);
    expect(replaced).not.toBe(other);
    expect(replaced.map((e) => e.term)).toEqual([1, 1, 2, 3]);
    expect(other.map((e) => e.term)).toEqual([1, 1, 2, 2]); // what was handed out before stays as it was
    // Compaction and restore replace the array the ranges are cut from.
    log.stableTo(6);
    const tail = log.slice(5, 6, 9);
    log.compact(3, 1);
    expect(log.slice(5, 6, 9)).not.toBe(tail);
    expect(log.slice(5, 6, 9)).toEqual(tail);
    const kept = log.slice(5, 6, 9);
    log.restore(4, 2, true);
    expect(log.unstableEntries()).not.toBe(kept);
    expect(log.unstableEntries()).toEqual(kept);
  });

  it('refuses to move the stable index backwards or past the end', () => {
    const log = new RaftLog(ents([1, 1]));
    expect(() => log.stableTo(1)).toThrow(/stableTo/);
    expect(() => log.stableTo(3)).toThrow(/stableTo/);
  });
});

describe('emptyEntryList', () => {
  it('is a fresh, empty, writable array each time', () => {
    const a = emptyEntryList();
    const b = emptyEntryList();
    expect(a).toEqual([]);
    expect(a).not.toBe(b);
    a.push({ term: 1, index: 1, data: '' });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(0);
  });

  it('a log started empty, or restored without its suffix, appends as one built from entries', () => {
    const log = new RaftLog([]);
    log.push({ term: 1, index: 1, data: 'a' });
    expect(log.lastIndex()).toBe(1);
    expect(log.restore(5, 2, false)).toBe(0);
    log.push({ term: 2, index: 6, data: 'b' });
    expect(log.entryAt(6)).toEqual({ term: 2, index: 6, data: 'b' });
  });
});
