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

describe('Disk damage goes with its record', () => {
  const snap = (index: number, term: number) => ({ index, term, peers: [1, 2, 3], data: `state@${index}` });
  // Damage is kept per record position (marks) plus the checksum first stored for it; whatever drops the record
  // drops the damage, and a record written afresh at the same index is clean.
  it('a damaged record overwritten by a later write is clean again', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 3, 1));
    disk.sync();
    const hit = disk.corrupt(Prng.forRun(1));
    expect(hit).not.toBeNull();
    expect(disk.recover(true)).toEqual({ kind: 'corrupt', index: hit });
    // A conflicting write from the damaged index on replaces the record (and everything after it).
    disk.write(HS2, entries(hit as number, 4, 2));
    disk.sync();
    expect(disk.recover(true)).toEqual({ kind: 'clean', storage: disk.stored() });
    // The same index damaged again stores the new record's checksum, not the dropped one's.
    for (let seed = 1; seed <= 50; seed++) {
      const copy = new Disk();
      copy.write(HS1, entries(1, 1, 1));
      copy.sync();
      const again = copy.corrupt(Prng.forRun(seed));
      copy.write(HS2, entries(1, 1, 2));
      copy.sync();
      expect(copy.recover(true)).toEqual({ kind: 'clean', storage: copy.stored() });
      expect(copy.corrupt(Prng.forRun(seed))).toBe(again);
      expect(copy.recover(true)).toEqual({ kind: 'corrupt', index: 1 });
    }
  });

  it('a record damaged twice is judged against the checksum of what was written', () => {
    const disk = new Disk();
    disk.write(HS1, entries(1, 1, 1));
    disk.sync();
    // Two flips of the first bit restore the bytes: the record is whole again.
    expect(disk.corrupt(Prng.forRun(1))).toBe(1);
    expect(disk.corrupt(Prng.forRun(1))).toBe(1);
    expect(disk.recover(true)).toEqual({ kind: 'clean', storage: disk.stored() });
    expect(disk.stored().entries).toEqual(entries(1, 1, 1));
  });

  it('damage compacted into a snapshot or replaced by an installed one is gone; damage after it stays', () => {
    const compacted = new Disk();
    compacted.write(HS1, entries(1, 4, 1));
    compacted.sync();
    let index: number | null = null;
    for (let seed = 1; index !== 1; seed++) {
      const probe = new Disk();
      probe.write(HS1, entries(1, 4, 1));
      probe.sync();
      index = probe.corrupt(Prng.forRun(seed));
      if (index === 1) expect(compacted.corrupt(Prng.forRun(seed))).toBe(1);
    }
    compacted.writeSnapshot({ snapshot: snap(2, 1), mode: 'compact' });
    compacted.sync();
    expect(compacted.recover(true)).toEqual({ kind: 'clean', storage: compacted.stored() });

    const installed = new Disk();
    installed.write(HS1, entries(1, 3, 1));
    installed.sync();
    installed.corrupt(Prng.forRun(2));
    installed.writeSnapshot({ snapshot: snap(5, 2), mode: 'install' });
    installed.write(HS2, entries(6, 6, 2));
    installed.sync();
    expect(installed.recover(true)).toEqual({ kind: 'clean', storage: installed.stored() });

    const kept = new Disk();
    kept.write(HS1, entries(1, 4, 1));
    kept.sync();
    let hit: number | null = null;
    for (let seed = 1; hit === null || hit < 3; seed++) {
      const probe = new Disk();
      probe.write(HS1, entries(1, 4, 1));
      probe.sync();
      hit = probe.corrupt(Prng.forRun(seed));
      if (hit !== null && hit >= 3) expect(kept.corrupt(Prng.forRun(seed))).toBe(hit);
    }
    kept.writeSnapshot({ snapshot: snap(2, 1), mode: 'compact' });
    kept.sync();
    expect(kept.recover(true)).toEqual({ kind: 'corrupt', index: hit });
  });

  it('a torn tail dropped on recovery leaves the records before it clean, and the index free for a clean write', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const disk = new Disk();
      disk.write(HS1, entries(1, 1, 1));
      disk.sync();
      disk.write(undefined, entries(2, 3, 1));
      if (!disk.crash(Prng.forRun(seed), 1000)) continue;
      const recovery = disk.recover(true);
      expect(recovery.kind).toBe('torn-tail');
      disk.write(undefined, entries(disk.durableLastIndex + 1, 3, 1));
      disk.sync();
      expect(disk.recover(true)).toEqual({ kind: 'clean', storage: disk.stored() });
      expect(disk.stored().entries).toEqual(entries(1, 3, 1));
    }
  });
});

describe('Disk recovery shape', () => {
  it('every kind of recovery is one object shape (same fields in the same order)', () => {
    const kinds = new Map<string, string>();
    for (let seed = 1; seed <= 60; seed++) {
      for (const verify of [true, false]) {
        const disk = new Disk();
        disk.write(HS1, entries(1, 2, 1));
        disk.sync();
        disk.write(undefined, entries(3, 4, 1));
        disk.crash(Prng.forRun(seed), 500);
        if (seed % 3 === 0) disk.corrupt(Prng.forRun(seed));
        const r = disk.recover(verify);
        kinds.set(r.kind, Object.keys(r).join(','));
      }
    }
    expect([...kinds.keys()].sort()).toEqual(['clean', 'corrupt', 'torn-tail', 'unverified']);
    expect(new Set(kinds.values()).size).toBe(1);
  });
});
