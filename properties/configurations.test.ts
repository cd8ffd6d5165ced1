import { describe, expect, it } from 'vitest';
import { toBase64 } from '../sim/contract-options.js';
import { Configurations, confEntryText, jointMajority } from './configurations.js';
import { FactLog, confEntry, entries, entry } from './fact-builders.js';

function feed(configs: Configurations, f: FactLog): Configurations {
  for (const fact of f.facts) configs.observe(fact);
  return configs;
}

describe('configurations from persisted logs', () => {
  it('gives the bootstrap configuration until a configuration entry, and stays unchanged without one', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 3, 1));
    const c = feed(new Configurations([1, 2, 3]), f);
    expect(c.changed).toBe(false);
    expect(c.at(1, 3)).toEqual({ voters: [1, 2, 3], learners: [], outgoing: [] });
    expect(c.latest(2)).toBe(c.bootstrap);
  });

  it('takes the latest configuration entry at or before a position, forgets truncated ones and rebuilds on restart', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, [entry(1, 1), confEntry(2, 1, [1, 2, 3, 4]), entry(3, 1), confEntry(4, 1, [1, 2, 4])]);
    const c = feed(new Configurations([1, 2, 3]), f);
    expect(c.changed).toBe(true);
    expect(c.at(1, 1)).toBe(c.bootstrap);
    expect(c.at(1, 2)?.voters).toEqual([1, 2, 3, 4]);
    expect(c.at(1, 3)?.voters).toEqual([1, 2, 3, 4]);
    expect(c.latest(1)?.voters).toEqual([1, 2, 4]);
    expect(c.entryIndexAt(1, 3)).toBe(2);
    expect(c.configurationsAfter(1, 2, []).map((x) => x.voters)).toEqual([[1, 2, 4]]);
    const g = new FactLog();
    g.persist(1, { term: 2 }, [entry(4, 2)]); // a conflict truncation drops the entry at 4
    feed(c, g);
    expect(c.latest(1)?.voters).toEqual([1, 2, 3, 4]);
    const h = new FactLog();
    h.restart(1, [entry(1, 1)]);
    feed(c, h);
    expect(c.latest(1)).toBe(c.bootstrap);
  });

  it('finds the first configuration entry after plain ones in a batch, and one only a restart carries (a torn write kept it)', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 2, 1));
    f.persist(1, { term: 1 }, [entry(3, 1), confEntry(4, 1, [1, 2, 3, 4]), entry(5, 1)]);
    const c = feed(new Configurations([1, 2, 3]), f);
    expect(c.changed).toBe(true);
    expect(c.at(1, 3)).toBe(c.bootstrap);
    expect(c.at(1, 5)?.voters).toEqual([1, 2, 3, 4]);
    // No persist fact ever carried a configuration entry, yet the restarted disk holds one.
    const g = new FactLog();
    g.persist(2, { term: 1 }, entries(1, 2, 1));
    g.restart(2, [entry(1, 1), entry(2, 1), confEntry(3, 1, [1, 2])]);
    const d = feed(new Configurations([1, 2, 3]), g);
    expect(d.changed).toBe(true);
    expect(d.latest(2)?.voters).toEqual([1, 2]);
    expect(d.latest(1)).toBe(d.bootstrap);
  });

  it('rebuilds the same configurations on a restart as the persists gave, and reports a malformed entry again', () => {
    const bad = { index: 3, term: 1, data: 'conf:{"voters":[2,1]}' };
    const f = new FactLog();
    f.persist(1, { term: 1 }, [entry(1, 1), confEntry(2, 1, [1, 2, 3, 4]), bad]);
    const c = feed(new Configurations([1, 2, 3]), f);
    const before = c.latest(1);
    expect(c.malformed.map((m) => m.index)).toEqual([3]);
    const g = new FactLog();
    g.persist(2, { term: 1 }, [entry(1, 1)]);
    feed(c, g);
    expect(c.malformed).toEqual([]);
    const h = new FactLog();
    h.restart(1, [entry(1, 1), confEntry(2, 1, [1, 2, 3, 4]), bad]);
    feed(c, h);
    expect(c.latest(1)).toEqual(before);
    expect(c.entryIndexAt(1, 3)).toBe(2);
    expect(c.malformed).toEqual([{ node: 1, index: 3, term: 1, problem: 'voters must be ascending without duplicates, got [2, 1]' }]);
  });

  it('gives a joined node no configuration until an entry names it, and reports malformed entries', () => {
    const f = new FactLog();
    f.join(4);
    const c = feed(new Configurations([1, 2, 3]), f);
    expect(c.latest(4)).toBeNull();
    const g = new FactLog();
    g.persist(4, { term: 1 }, [confEntry(1, 1, [1, 2, 3], { learners: [4] }), { index: 2, term: 1, data: 'conf:{"voters":[]}' }]);
    feed(c, g);
    expect(c.latest(4)?.learners).toEqual([4]);
    expect(c.malformed).toEqual([{ node: 4, index: 2, term: 1, problem: 'a configuration needs at least one voter' }]);
  });

  it('reads configuration entries in base64 too (entryData: base64), and nothing else as one', () => {
    const text = confEntry(1, 1, [1, 2, 3, 4]).data;
    expect(confEntryText(toBase64(text))).toBe(text);
    expect(confEntryText(text)).toBe(text);
    for (const other of ['', '{"c":1}', toBase64('{"c":1}'), toBase64('config'), 'Y29uZjp!', 'conference']) expect(confEntryText(other)).toBeUndefined();
    const f = new FactLog();
    f.persist(1, { term: 1 }, [{ index: 1, term: 1, data: toBase64(text) }, { index: 2, term: 1, data: toBase64('{"client":1}') }]);
    const c = feed(new Configurations([1, 2, 3]), f);
    expect(c.latest(1)?.voters).toEqual([1, 2, 3, 4]);
    expect(c.entryIndexAt(1, 2)).toBe(1);
  });

  it('counts majorities of each half of a joint configuration, never learners', () => {
    const joint = { voters: [3, 4, 5], learners: [6], outgoing: [1, 2, 3] };
    const has = (ids: number[]) => (id: number) => ids.includes(id);
    expect(jointMajority(joint, has([3, 4, 2]))).toBe(true);
    expect(jointMajority(joint, has([3, 4, 5]))).toBe(false);
    expect(jointMajority({ voters: [1, 2, 3], learners: [4], outgoing: [] }, has([1, 4]))).toBe(false);
  });
});
