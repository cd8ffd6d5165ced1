import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finalize, hashString, hex32, mixInt, RunningHash } from './hash.js';

function digestOf(values: readonly number[]): string {
  const h = new RunningHash();
  for (const v of values) h.mix(v);
  return h.digest();
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('hashString', () => {
  it('is 32-bit FNV-1a (standard test vectors)', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
    expect(hashString('foobar')).toBe(0xbf9cf968);
  });

  it('depends on its seed', () => {
    expect(hashString('abc', 1)).not.toBe(hashString('abc', 2));
  });
});

describe('mixInt, finalize, hex32', () => {
  it('return unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(u32, fc.integer(), (h, v) => {
        for (const r of [mixInt(h, v), finalize(h)]) {
          if (!Number.isInteger(r) || r < 0 || r > 0xffffffff) return false;
        }
        return true;
      }),
    );
  });

  it('mixInt distinguishes values above 32 bits from their low half', () => {
    expect(mixInt(0, 0x1_0000_0005)).not.toBe(mixInt(0, 5));
  });

  it('hex32 pads to 8 lowercase digits', () => {
    expect(hex32(0)).toBe('00000000');
    expect(hex32(0xabc)).toBe('00000abc');
    expect(hex32(-1)).toBe('ffffffff');
  });
});

describe('RunningHash', () => {
  it('digests to 16 lowercase hex characters', () => {
    expect(new RunningHash().digest()).toMatch(/^[0-9a-f]{16}$/);
    fc.assert(
      fc.property(fc.array(fc.integer()), (values) => {
        expect(digestOf(values)).toMatch(/^[0-9a-f]{16}$/);
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.string()), (values, texts) => {
        const a = new RunningHash();
        const b = new RunningHash();
        for (const h of [a, b]) {
          for (const v of values) h.mix(v);
          for (const t of texts) h.mixString(t);
        }
        expect(a.digest()).toBe(b.digest());
      }),
    );
  });

  it('mix5 is five mix calls', () => {
    const value = fc.oneof(fc.integer(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value, value, value, value)), (steps) => {
        const one = new RunningHash();
        const five = new RunningHash();
        for (const [a, b, c, d, e] of steps) {
          one.mix5(a, b, c, d, e);
          for (const v of [a, b, c, d, e]) five.mix(v);
        }
        expect(one.digest()).toBe(five.digest());
      }),
    );
  });

  it('does not change state when digested', () => {
    const h = new RunningHash();
    h.mix(1);
    const first = h.digest();
    expect(h.digest()).toBe(first);
    h.mix(2);
    expect(h.digest()).toBe(digestOf([1, 2]));
  });

  it('is sensitive to order', () => {
    expect(digestOf([1, 2])).not.toBe(digestOf([2, 1]));
    fc.assert(
      fc.property(u32, u32, fc.array(u32, { maxLength: 5 }), (a, b, rest) => {
        fc.pre(a !== b);
        expect(digestOf([...rest, a, b])).not.toBe(digestOf([...rest, b, a]));
      }),
    );
  });

  it('is sensitive to each value', () => {
    fc.assert(
      fc.property(fc.array(u32, { minLength: 1, maxLength: 20 }), fc.nat(), u32, (values, where, replacement) => {
        const i = where % values.length;
        fc.pre(values[i] !== replacement);
        const changed = values.slice();
        changed[i] = replacement;
        expect(digestOf(changed)).not.toBe(digestOf(values));
      }),
    );
  });

  it('is sensitive to length: a trailing zero changes the digest', () => {
    expect(digestOf([])).not.toBe(digestOf([0]));
    expect(digestOf([0])).not.toBe(digestOf([0, 0]));
  });

  it('is sensitive to the strings mixed in', () => {
    const a = new RunningHash();
    a.mixString('append');
    const b = new RunningHash();
    b.mixString('vote');
    expect(a.digest()).not.toBe(b.digest());
    // String boundaries matter (the high lane is re-seeded per string).
    const c = new RunningHash();
    c.mixString('ab');
    c.mixString('c');
    const d = new RunningHash();
    d.mixString('a');
    d.mixString('bc');
    expect(c.digest()).not.toBe(d.digest());
  });

  // Bug (low severity, mixString is unused by the simulator today): mixString is not length-delimited,
  // and its only per-string step on the high lane is `^ 0x27d4eb2f`, which two empty strings cancel. So
  // mixing ['', ''] leaves the hash exactly as it was. Fix: `this.mix(text.length)` at the start of mixString.
  it('changes when two empty strings are mixed in', () => {
    const h = new RunningHash();
    const before = h.digest();
    h.mixString('');
    h.mixString('');
    expect(h.digest()).not.toBe(before);
  });
});
