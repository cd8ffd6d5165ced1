import { describe, expect, it } from 'vitest';
import { EMPTY_HARD_STATE } from '../core/types.js';
import { AssertionError } from './assert.js';
import type { Entry, HardState } from './contract.js';
import { Disk } from './disk.js';
import { Prng } from './prng.js';

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

describe('Disk snapshots', () => {
  const snap = (index: number, term: number, data = `state@${index}`) => ({ index, term, peers: [1, 2, 3], data });

  it('a compacting snapshot becomes durable at the next sync and drops the log prefix it stands for', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 6, 1));
    disk.sync();
    disk.writeSnapshot({ snapshot: snap(4, 1), mode: 'compact' });
    expect(disk.snapshotPending).toBe(true);
    expect(disk.stored().snapshot).toBeUndefined();
    disk.sync();
    expect(disk.syncedSnapshots).toEqual([{ snapshot: snap(4, 1), mode: 'compact' }]);
    expect(disk.stored()).toEqual({ hardState: HS1, entries: entries(5, 6, 1), snapshot: snap(4, 1) });
    expect(disk.durableLastIndex).toBe(6);
    disk.write(undefined, entries(7, 7, 1));
    disk.sync();
    expect(disk.syncedSnapshots).toEqual([]);
    expect(disk.stored().entries.map((e) => e.index)).toEqual([5, 6, 7]);
  });

  it('an installed snapshot replaces the whole log; the entries written after it follow it', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 6, 1));
    disk.sync();
    disk.writeSnapshot({ snapshot: snap(5, 2), mode: 'install' });
    disk.write(HS2, entries(6, 7, 2));
    disk.sync();
    expect(disk.stored()).toEqual({ hardState: HS2, entries: entries(6, 7, 2), snapshot: snap(5, 2) });
    expect(() => {
      disk.write(undefined, entries(3, 3, 2));
      disk.sync();
    }).toThrow(AssertionError);
  });

  it('a crash before the rename leaves the old snapshot and the whole log', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 6, 1));
    disk.writeSnapshot({ snapshot: snap(2, 1), mode: 'compact' });
    disk.sync();
    disk.writeSnapshot({ snapshot: snap(5, 1), mode: 'compact' });
    disk.crash();
    expect(disk.recover(true)).toEqual({ kind: 'clean', storage: { hardState: HS1, entries: entries(3, 6, 1), snapshot: snap(2, 1) } });
  });

  it('a bit flipped in the snapshot file is corruption, refused on recovery (used as is when not verified)', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 3, 1));
    disk.writeSnapshot({ snapshot: snap(3, 1), mode: 'compact' });
    disk.sync();
    // With no records after it, the snapshot is the only synced thing a corruption can hit.
    expect(disk.corrupt(Prng.forRun(1))).toBe(3);
    expect(disk.recover(true)).toEqual({ kind: 'corrupt', index: 3 });
    const used = disk.recover(false);
    expect(used.kind).toBe('unverified');
    if (used.kind === 'unverified') expect(used.corruptIndex).toBe(3);
  });

  it('indexes of damaged records after a snapshot stay absolute', () => {
    const hits = new Set<number | null>();
    for (let seed = 1; seed <= 20; seed++) {
      const disk = new Disk();
      disk.write(HS1, entries(1, 4, 1));
      disk.writeSnapshot({ snapshot: snap(2, 1), mode: 'compact' });
      disk.sync();
      const hit = disk.corrupt(Prng.forRun(seed));
      hits.add(hit);
      expect(disk.recover(true)).toEqual({ kind: 'corrupt', index: hit });
    }
    expect([...hits].sort()).toEqual([2, 3, 4]);
  });
});

describe('Disk damaged records', () => {
  // A damaged record is built field by field (see withData in disk.ts): same fields as a written entry, new data.
  it('a torn record keeps the entry fields in the core order, with half its data', () => {
    let torn: Entry | undefined;
    for (let seed = 1; torn === undefined && seed <= 50; seed++) {
      const disk = new Disk();
      disk.write(HS1, entries(1, 1, 1));
      disk.sync();
      disk.write(undefined, [{ term: 1, index: 2, data: 'abcdef' }]);
      if (!disk.crash(Prng.forRun(seed), 1000)) continue;
      const used = disk.recover(false);
      if (used.kind === 'unverified') torn = used.storage.entries[1];
    }
    expect(torn).toBeDefined();
    expect(Object.keys(torn!)).toEqual(['term', 'index', 'data']);
    expect(torn).toEqual({ term: 1, index: 2, data: 'abc' });
  });

  it('a bit-flipped record keeps any field beyond the contract three', () => {
    const disk = new Disk();
    const extended = { term: 1, index: 1, data: 'x', note: 'kept' } as Entry;
    disk.write(HS1, [extended]);
    disk.sync();
    expect(disk.corrupt(Prng.forRun(1))).toBe(1);
    const used = disk.recover(false);
    expect(used.kind).toBe('unverified');
    if (used.kind === 'unverified') expect(used.storage.entries[0]).toEqual({ term: 1, index: 1, data: 'y', note: 'kept' });
  });
});
