import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { AssertionError } from './assert.js';
import { Prng } from './prng.js';

function floats(prng: Prng, count: number): number[] {
  return Array.from({ length: count }, () => prng.float());
}

describe('Prng', () => {
  it('gives the same sequence for the same seed, and a different one for another seed', () => {
    const a = Prng.forRun(7);
    const b = Prng.forRun(7);
    const c = Prng.forRun(8);
    const seqA = floats(a, 50);
    expect(floats(b, 50)).toEqual(seqA);
    expect(floats(c, 50)).not.toEqual(seqA);
  });

  it('pins the first values of a fixed seed (golden: a seedrandom upgrade that changes sequences is noticed)', () => {
    const p = Prng.forRun(42);
    expect(p.seedText).toBe('seaworthy/42');
    expect([p.float(), p.float(), p.uint32(), p.int(1000), p.range(10, 20)]).toEqual([
      0.621967997867614, 0.4932312942110002, 1976896186, 521, 18,
    ]);
    const network = Prng.forRun(42).fork('network');
    expect(network.seedText).toBe('seaworthy/42/network');
    expect([network.float(), network.uint32()]).toEqual([0.08632583054713905, 2355204902]);
  });

  it('draws exactly what seedrandom\'s Alea draws, for any seed text (our copy of it is the hot path\'s, the library is its oracle)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.array(fc.constantFrom('float', 'uint32', 'int', 'range', 'chance'), { maxLength: 200 }), (seedText, draws) => {
        const ours = new Prng(seedText);
        const theirs = seedrandom.alea(seedText);
        for (const draw of draws) {
          if (draw === 'float') expect(ours.float()).toBe(theirs());
          else if (draw === 'uint32') expect(ours.uint32()).toBe(theirs.int32() >>> 0);
          else if (draw === 'int') expect(ours.int(1000)).toBe(Math.floor(theirs() * 1000));
          else if (draw === 'range') expect(ours.range(3, 17)).toBe(3 + Math.floor(theirs() * 15));
          else expect(ours.chance(30, 1000)).toBe(Math.floor(theirs() * 1000) < 30);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forks streams that do not depend on draws made on the parent', () => {
    const untouched = Prng.forRun(3).fork('disk');
    const expected = floats(untouched, 20);

    const parent = Prng.forRun(3);
    floats(parent, 1000);
    expect(floats(parent.fork('disk'), 20)).toEqual(expected);
  });

  it('forks sibling streams that do not shift each other, whatever is drawn from either', () => {
    fc.assert(
      fc.property(fc.nat({ max: 500 }), fc.nat({ max: 500 }), fc.string(), (drawsA, drawsParent, labelSuffix) => {
        const reference = Prng.forRun(11).fork(`b${labelSuffix}`);
        const expected = floats(reference, 10);

        const root = Prng.forRun(11);
        const a = root.fork(`a${labelSuffix}`);
        const b = root.fork(`b${labelSuffix}`);
        floats(a, drawsA);
        floats(root, drawsParent);
        expect(floats(b, 10)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('seeds a fork exactly as a stream of its full seed text (a fork continues its parent\'s first Mash pass)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 4 }), (rootText, labels) => {
        let forked = new Prng(rootText);
        let text = rootText;
        for (const label of labels) {
          forked = forked.fork(label);
          text = `${text}/${label}`;
        }
        expect(forked.seedText).toBe(text);
        const theirs = seedrandom.alea(text);
        const expected = Array.from({ length: 8 }, () => theirs());
        expect(floats(new Prng(text), 8)).toEqual(expected);
        expect(floats(forked, 8)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('gives different streams for different labels', () => {
    const root = Prng.forRun(5);
    expect(floats(root.fork('a'), 10)).not.toEqual(floats(root.fork('b'), 10));
    expect(floats(root.fork('a'), 10)).not.toEqual(floats(root, 10));
  });

  it('keeps float in [0, 1) and uint32 in [0, 2^32)', () => {
    const p = Prng.forRun(1);
    let bad = 0;
    for (let i = 0; i < 10_000; i++) {
      const f = p.float();
      const u = p.uint32();
      if (!(f >= 0 && f < 1) || !(Number.isInteger(u) && u >= 0 && u <= 0xffffffff)) bad++;
    }
    expect(bad).toBe(0);
  });

  it('keeps int(n) in [0, n) and reaches both ends', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer(), (n, seed) => {
        const p = Prng.forRun(seed);
        for (let i = 0; i < 100; i++) {
          const v = p.int(n);
          if (!Number.isInteger(v) || v < 0 || v >= n) return false;
        }
        return true;
      }),
    );
    const p = Prng.forRun(2);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(p.int(6));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps range(min, max) within both inclusive bounds and reaches both', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.nat({ max: 1000 }), fc.integer(), (min, width, seed) => {
        const p = Prng.forRun(seed);
        for (let i = 0; i < 50; i++) {
          const v = p.range(min, min + width);
          if (!Number.isInteger(v) || v < min || v > min + width) return false;
        }
        return true;
      }),
    );
    const p = Prng.forRun(4);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(p.range(3, 5));
    expect([...seen].sort()).toEqual([3, 4, 5]);
    expect(Prng.forRun(4).range(9, 9)).toBe(9);
  });

  it('asserts on bad bounds', () => {
    const p = Prng.forRun(1);
    expect(() => p.int(0)).toThrow(AssertionError);
    expect(() => p.int(-3)).toThrow(AssertionError);
    expect(() => p.int(2.5)).toThrow(AssertionError);
    expect(() => p.range(5, 4)).toThrow(AssertionError);
    expect(() => p.pick([])).toThrow(AssertionError);
  });

  it('reports a bad range as range and int always did (range checks its span itself, its messages are unchanged)', () => {
    const p = Prng.forRun(1);
    expect(() => p.range(5, 4)).toThrow('range: max 4 < min 5');
    expect(() => p.range(0, Number.NaN)).toThrow('range: max NaN < min 0');
    expect(() => p.range(1, 2.5)).toThrow('int: bad bound 2.5');
    expect(() => p.range(0, Number.POSITIVE_INFINITY)).toThrow('int: bad bound Infinity');
    // Nothing drawn by a failed range: the stream goes on as if it had not been asked.
    const fresh = Prng.forRun(1);
    expect(p.range(0.5, 2.5)).toBe(fresh.range(0.5, 2.5));
    expect(floats(p, 5)).toEqual(floats(fresh, 5));
  });

  it('chance(0, n) is false and never draws: the stream is not consumed', () => {
    const used = Prng.forRun(9);
    const fresh = Prng.forRun(9);
    for (let i = 0; i < 100; i++) expect(used.chance(0, 1000)).toBe(false);
    expect(used.chance(-1, 1000)).toBe(false);
    expect(floats(used, 10)).toEqual(floats(fresh, 10));
  });

  it('chance(n, n) is always true and never draws either', () => {
    const used = Prng.forRun(10);
    const fresh = Prng.forRun(10);
    for (let i = 0; i < 100; i++) expect(used.chance(1000, 1000)).toBe(true);
    expect(used.chance(3, 2)).toBe(true);
    expect(floats(used, 10)).toEqual(floats(fresh, 10));
  });

  it('chance(k, n) happens at roughly k/n over many draws', () => {
    const p = Prng.forRun(12);
    let hits = 0;
    const draws = 20_000;
    for (let i = 0; i < draws; i++) if (p.chance(250, 1000)) hits++;
    expect(hits / draws).toBeGreaterThan(0.23);
    expect(hits / draws).toBeLessThan(0.27);
  });

  it('shuffle returns a permutation and leaves its input alone', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 60 }), fc.integer(), (items, seed) => {
        const before = items.slice();
        const out = Prng.forRun(seed).shuffle(items);
        expect(items).toEqual(before);
        expect(out).not.toBe(items);
        expect([...out].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
    );
  });

  it('shuffle reaches every order of a small array', () => {
    const p = Prng.forRun(13);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) seen.add(p.shuffle(['a', 'b', 'c']).join(''));
    expect(seen.size).toBe(6);
  });

  it('pick returns an element of the array', () => {
    const p = Prng.forRun(14);
    const items = ['x', 'y', 'z'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(p.pick(items));
    expect([...seen].sort()).toEqual(['x', 'y', 'z']);
  });
});
