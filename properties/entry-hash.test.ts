import { describe, expect, it } from 'vitest';
import { CHAIN_EMPTY, chainNext, hashData, hashEntryData } from './entry-hash.js';

describe('entry hashes', () => {
  // An implementation that rewrites a persisted entry's data in place is buggy, and log matching must see the
  // new data: a hash memoised per entry object would keep judging the old one.
  it('hash an entry by its current data, never a remembered one', () => {
    const entry = { index: 1, term: 1, data: 'put x 1' };
    const before = hashEntryData(entry);
    entry.data = 'put x 2';
    expect(hashEntryData(entry)).not.toBe(before);
    expect(hashEntryData(entry)).toBe(hashData('put x 2'));
  });

  it('are safe integers using the high lane too', () => {
    let highBits = 0;
    for (let i = 0; i < 200; i++) {
      const h = hashData(`cmd-${i}`);
      const c = chainNext(h, i + 1, hashData(String(i)));
      for (const v of [h, c]) {
        expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
        if (v >= 2 ** 32) highBits++;
      }
    }
    expect(highBits).toBeGreaterThan(350);
  });

  it('tell apart data, terms, order and prefixes', () => {
    const a = hashData('a');
    const b = hashData('b');
    expect(hashData('')).not.toBe(hashData('\u0000'));
    expect(a).not.toBe(b);
    const ab = chainNext(chainNext(CHAIN_EMPTY, 1, a), 1, b);
    const ba = chainNext(chainNext(CHAIN_EMPTY, 1, b), 1, a);
    expect(ab).not.toBe(ba);
    expect(chainNext(CHAIN_EMPTY, 1, a)).not.toBe(chainNext(CHAIN_EMPTY, 2, a));
    expect(chainNext(CHAIN_EMPTY, 2 ** 32 + 1, a)).not.toBe(chainNext(CHAIN_EMPTY, 1, a));
    expect(chainNext(ab, 1, a)).toBe(chainNext(chainNext(chainNext(CHAIN_EMPTY, 1, a), 1, b), 1, a));
  });

  it('has no collisions among 200k distinct one-entry chains', () => {
    const seen = new Set<number>();
    for (let term = 1; term <= 200; term++) {
      for (let i = 0; i < 1000; i++) seen.add(chainNext(CHAIN_EMPTY, term, hashData(`v${i}`)));
    }
    expect(seen.size).toBe(200_000);
  });

  it('has no collisions among 200k chains that differ only in their previous prefix', () => {
    const seen = new Set<number>();
    let previous = CHAIN_EMPTY;
    for (let i = 0; i < 200_000; i++) {
      previous = chainNext(previous, 1, hashData(''));
      seen.add(previous);
    }
    expect(seen.size).toBe(200_000);
  });

  it('is pinned: values never change without a deliberate update', () => {
    expect([hashData(''), hashData('set x=1'), chainNext(CHAIN_EMPTY, 1, hashData('set x=1'))]).toMatchInlineSnapshot(`
      [
        8580639942427176,
        6422462344511190,
        2685706059097739,
      ]
    `);
  });
});
