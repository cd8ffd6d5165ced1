import { describe, expect, it } from 'vitest';
import { EMPTY_HARD_STATE } from '../core/types.js';
import { AssertionError } from './assert.js';
import type { Entry, HardState } from './contract.js';
import { Disk } from './disk.js';

function entries(firstIndex: number, lastIndex: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let index = firstIndex; index <= lastIndex; index++) out.push({ index, term, data: `t${term}/${index}` });
  return out;
}

const HS1: HardState = { term: 1, vote: 1, commit: 0 };
const HS2: HardState = { term: 2, vote: 3, commit: 2 };

describe('Disk', () => {
  it('starts empty', () => {
    const disk = new Disk();
    expect(disk.stored()).toEqual({ hardState: EMPTY_HARD_STATE, entries: [] });
    expect(disk.durableLastIndex).toBe(0);
    expect(disk.unsyncedWrites).toBe(0);
  });

  it('does not make a write durable until sync', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 2, 1));
    expect(disk.unsyncedWrites).toBe(1);
    expect(disk.stored()).toEqual({ hardState: EMPTY_HARD_STATE, entries: [] });
    expect(disk.durableHardState).toEqual(EMPTY_HARD_STATE);
    disk.sync();
    expect(disk.unsyncedWrites).toBe(0);
    expect(disk.syncs).toBe(1);
    expect(disk.stored()).toEqual({ hardState: HS1, entries: entries(1, 2, 1) });
    expect(disk.durableLastIndex).toBe(2);
  });

  it('applies buffered writes in order on sync', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 3, 1));
    disk.write(undefined, entries(4, 4, 1));
    disk.write(HS2, entries(3, 3, 2));
    disk.sync();
    expect(disk.stored()).toEqual({ hardState: HS2, entries: [...entries(1, 2, 1), ...entries(3, 3, 2)] });
  });

  it('keeps the hard state when a write carries none', () => {
    const disk = new Disk();
    disk.write(HS1, []);
    disk.sync();
    disk.write(undefined, entries(1, 1, 1));
    disk.sync();
    expect(disk.durableHardState).toEqual(HS1);
  });

  it('loses unsynced writes on a crash and keeps synced ones', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 2, 1));
    disk.sync();
    disk.write(HS2, entries(3, 5, 2));
    disk.crash();
    expect(disk.unsyncedWrites).toBe(0);
    expect(disk.stored()).toEqual({ hardState: HS1, entries: entries(1, 2, 1) });
    // A sync after the crash has nothing left to make durable.
    disk.sync();
    expect(disk.stored()).toEqual({ hardState: HS1, entries: entries(1, 2, 1) });
  });

  it('replaces the stored suffix on a write at an index <= the last', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 5, 1));
    disk.sync();
    disk.write(HS2, entries(3, 3, 2));
    disk.sync();
    expect(disk.stored().entries).toEqual([...entries(1, 2, 1), ...entries(3, 3, 2)]);
    expect(disk.durableLastIndex).toBe(3);
    disk.write(undefined, entries(1, 1, 3));
    disk.sync();
    expect(disk.stored().entries).toEqual(entries(1, 1, 3));
  });

  it('appends a write at last + 1', () => {
    const disk = new Disk();
    disk.write(undefined, entries(1, 2, 1));
    disk.sync();
    disk.write(undefined, entries(3, 4, 1));
    disk.sync();
    expect(disk.stored().entries).toEqual(entries(1, 4, 1));
  });

  it('asserts on a write that leaves a gap', () => {
    const disk = new Disk();
    disk.write(undefined, entries(1, 2, 1));
    disk.sync();
    disk.write(undefined, entries(4, 4, 1));
    expect(() => disk.sync()).toThrow(AssertionError);
    expect(() => new DiskWith(entries(2, 2, 1)).sync()).toThrow(/gap/);
    expect(() => new DiskWith([{ index: 0, term: 1, data: '' }]).sync()).toThrow(AssertionError);
  });

  it('asserts on non-consecutive indexes within a write', () => {
    const disk = new DiskWith([
      { index: 1, term: 1, data: '' },
      { index: 3, term: 1, data: '' },
    ]);
    expect(() => disk.sync()).toThrow(/non-consecutive/);
  });

  it('hands out copies of the stored log', () => {
    const disk = new DiskWith(entries(1, 2, 1));
    disk.sync();
    const stored = disk.stored();
    (stored.entries as Entry[]).pop();
    expect(disk.stored().entries).toHaveLength(2);
  });
});

/** A disk with one buffered write of `initial`. */
class DiskWith extends Disk {
  constructor(initial: readonly Entry[]) {
    super();
    this.write(undefined, initial);
  }
}
