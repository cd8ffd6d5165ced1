import { describe, expect, it } from 'vitest';
import { objectList } from './arrays.js';

describe('objectList', () => {
  it('is a fresh, empty, writable array each time', () => {
    const a = objectList<{ n: number }>();
    const b = objectList<{ n: number }>();
    expect(a).toEqual([]);
    expect(a).toHaveLength(0);
    expect(a).not.toBe(b);
    a.push({ n: 1 });
    a[1] = { n: 2 };
    expect(a).toEqual([{ n: 1 }, { n: 2 }]);
    expect(b).toEqual([]);
    expect(Object.isFrozen(a)).toBe(false);
  });
});
