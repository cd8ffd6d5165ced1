import { describe, expect, it } from 'vitest';
import { clocksAreImperfect, DRIFT_TICKS_DEFAULT, NodeClocks, PERFECT_CLOCKS } from './clock.js';
import type { ClockOptions } from './clock.js';
import { Prng } from './prng.js';

function clocks(options: Partial<ClockOptions>, nodeCount = 5, tickMs = 10, seed = 1): NodeClocks {
  return new NodeClocks(nodeCount, tickMs, { ...PERFECT_CLOCKS, ...options }, Prng.forRun(seed).fork('clock'));
}

/** Simulated ms a node takes for `ticks` ticks. */
function elapsedMs(c: NodeClocks, node: number, ticks: number): number {
  let total = 0;
  for (let i = 0; i < ticks; i++) total += c.nextIntervalMs(node);
  return total;
}

describe('NodeClocks: perfect clocks', () => {
  it('ticks every tickMs on every node', () => {
    const c = clocks({});
    for (let node = 1; node <= 5; node++) {
      expect(c.ratePerMille(node)).toBe(0);
      for (let i = 0; i < 100; i++) expect(c.nextIntervalMs(node)).toBe(10);
    }
  });

  it('counts as perfect when absent or zero', () => {
    expect(clocksAreImperfect(undefined)).toBe(false);
    expect(clocksAreImperfect(PERFECT_CLOCKS)).toBe(false);
    expect(clocksAreImperfect({ skewPerMilleMax: 1, driftPerMilleMax: 0 })).toBe(true);
    expect(clocksAreImperfect({ skewPerMilleMax: 0, driftPerMilleMax: 1 })).toBe(true);
  });

  it('draws nothing from the stream when off', () => {
    const prng = Prng.forRun(3).fork('clock');
    const c = new NodeClocks(3, 10, PERFECT_CLOCKS, prng);
    for (let i = 0; i < 100; i++) c.nextIntervalMs(1 + (i % 3));
    expect(prng.uint32()).toBe(Prng.forRun(3).fork('clock').uint32());
  });
});

describe('NodeClocks: skew', () => {
  it('gives each node a fixed skew within the bound, different across nodes', () => {
    const c = clocks({ skewPerMilleMax: 200 }, 7);
    const skews = Array.from({ length: 7 }, (_, i) => c.skewPerMille(i + 1));
    for (const s of skews) expect(Math.abs(s)).toBeLessThanOrEqual(200);
    expect(new Set(skews).size).toBeGreaterThan(3);
  });

  it('keeps whole-ms intervals >= 1 whose long-run rate is exact (the fraction is carried)', () => {
    const c = clocks({ skewPerMilleMax: 333 }, 5, 7);
    for (let node = 1; node <= 5; node++) {
      const s = c.skewPerMille(node);
      let total = 0;
      const seen = new Set<number>();
      for (let i = 0; i < 10_000; i++) {
        const d = c.nextIntervalMs(node);
        seen.add(d);
        total += d;
      }
      for (const d of seen) expect(Number.isInteger(d) && d >= 1).toBe(true);
      // 10 000 intervals of 7 * (1000 + s) / 1000 ms, exactly, up to the carried fraction (< 1 ms).
      const exact = (10_000 * 7 * (1000 + s)) / 1000;
      expect(Math.abs(total - exact)).toBeLessThan(1);
    }
  });

  it('makes nodes tick in proportion to their rates over 10 s', () => {
    const c = clocks({ skewPerMilleMax: 200 });
    for (let node = 1; node <= 5; node++) {
      let ticks = 0;
      for (let ms = c.nextIntervalMs(node); ms <= 10_000; ms += c.nextIntervalMs(node)) ticks++;
      const expected = 10_000 / ((10 * (1000 + c.skewPerMille(node))) / 1000);
      expect(Math.abs(ticks - expected)).toBeLessThanOrEqual(1);
    }
  });

  it('never goes below 1 ms on a fast 1 ms clock', () => {
    const c = clocks({ skewPerMilleMax: 500 }, 5, 1, 2);
    for (let node = 1; node <= 5; node++) for (let i = 0; i < 1000; i++) expect(c.nextIntervalMs(node)).toBeGreaterThanOrEqual(1);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = clocks({ skewPerMilleMax: 100 }, 5, 10, 4);
    const b = clocks({ skewPerMilleMax: 100 }, 5, 10, 4);
    const other = clocks({ skewPerMilleMax: 100 }, 5, 10, 5);
    const skews = (c: NodeClocks): number[] => [1, 2, 3, 4, 5].map((n) => c.skewPerMille(n));
    expect(skews(b)).toEqual(skews(a));
    expect(skews(other)).not.toEqual(skews(a));
  });
});

describe('NodeClocks: drift', () => {
  it('re-draws the rate every driftTicks ticks, within the bound', () => {
    const c = clocks({ driftPerMilleMax: 100, driftTicks: 50 }, 1);
    const rates: number[] = [];
    for (let i = 0; i < 50 * 40; i++) {
      c.nextIntervalMs(1);
      if (i % 50 === 0) rates.push(c.ratePerMille(1));
      else expect(c.ratePerMille(1)).toBe(rates[rates.length - 1]);
    }
    for (const r of rates) expect(Math.abs(r)).toBeLessThanOrEqual(100);
    expect(new Set(rates).size).toBeGreaterThan(10);
  });

  it('adds to the skew, staying within skew + drift of the true rate', () => {
    const c = clocks({ skewPerMilleMax: 100, driftPerMilleMax: 50 }, 3);
    for (let node = 1; node <= 3; node++) {
      const s = c.skewPerMille(node);
      const total = elapsedMs(c, node, DRIFT_TICKS_DEFAULT * 20);
      const ticks = DRIFT_TICKS_DEFAULT * 20;
      expect(total).toBeGreaterThanOrEqual(Math.floor((ticks * 10 * (1000 + s - 50)) / 1000) - 1);
      expect(total).toBeLessThanOrEqual(Math.ceil((ticks * 10 * (1000 + s + 50)) / 1000) + 1);
    }
  });

  it("keeps each node's drift on a stream of its own", () => {
    const a = clocks({ driftPerMilleMax: 100, driftTicks: 1 }, 2);
    const b = clocks({ driftPerMilleMax: 100, driftTicks: 1 }, 2);
    // Node 1 ticking more on `a` does not change node 2's clock.
    elapsedMs(a, 1, 500);
    expect(elapsedMs(a, 2, 300)).toBe(elapsedMs(b, 2, 300));
  });
});

describe('NodeClocks: validation', () => {
  it('rejects bad options', () => {
    expect(() => clocks({ skewPerMilleMax: -1 })).toThrow(/skewPerMilleMax/);
    expect(() => clocks({ driftPerMilleMax: 1.5 })).toThrow(/driftPerMilleMax/);
    expect(() => clocks({ skewPerMilleMax: 400, driftPerMilleMax: 200 })).toThrow(/<= 500/);
    expect(() => clocks({ driftPerMilleMax: 10, driftTicks: 0 })).toThrow(/driftTicks/);
    expect(() => clocks({}, 3, 0)).toThrow(/tickMs/);
  });
});
