import { describe, expect, it } from 'vitest';
import { pickSeeds } from './adapters/determinism.js';
import { PASSING_KEPT_MAX, RunAggregate } from './run-aggregate.js';
import { stoppedSummary } from './seed-summary.js';
import type { SeedSummary } from './seed-summary.js';

function summary(seed: number, ok: boolean): SeedSummary {
  return {
    seed,
    ok,
    traceHash: `h${seed}`,
    implementation: 'x',
    implementationError: false,
    events: 10,
    simulatedMs: 100,
    faults: { crash: 1 },
    probes: { 'leader-elected': 2 },
    clientOps: { ok: 3, fail: 1, info: 0 },
    firstViolation: ok ? null : { property: 'election-safety', message: `two leaders in seed ${seed}`, atMs: 5 },
  };
}

describe('RunAggregate', () => {
  it('sums seeds as they come and lists failures in order', () => {
    const agg = new RunAggregate('x');
    for (let seed = 1; seed <= 5; seed++) agg.add(summary(seed, seed !== 3), seed === 2 ? { mathRandom: 4, clock: 1 } : null);
    expect(agg.runs).toBe(5);
    expect(agg.events).toBe(50);
    expect(agg.faults).toEqual({ crash: 5 });
    expect(agg.probes).toEqual({ 'leader-elected': 10 });
    expect(agg.clientOps).toEqual({ ok: 15, fail: 5, info: 0 });
    expect(agg.usage).toEqual({ mathRandom: 4, clock: 1 });
    expect(agg.failures).toEqual([{ seed: 3, property: 'election-safety', message: 'two leaders in seed 3', atMs: 5 }]);
  });

  it('keeps every outcome of a small batch, so --verify-determinism picks exactly as from the full list', () => {
    const agg = new RunAggregate('x');
    const all = Array.from({ length: 200 }, (_, i) => summary(i + 1, (i + 1) % 17 !== 0));
    for (const s of all) agg.add(s, null);
    const full = all.map((s) => ({ seed: s.seed, ok: s.ok, traceHash: s.traceHash }));
    expect(pickSeeds(agg.outcomes())).toEqual(pickSeeds(full));
  });

  it('holds a bounded sample of a huge batch that still spans it, and never a seed the watchdog stopped', () => {
    const agg = new RunAggregate('x');
    const seeds = PASSING_KEPT_MAX * 10;
    agg.add(stoppedSummary('x', { seed: 0, node: 1, call: 'tick', sequence: 9, timeoutMs: 100 }), null);
    for (let seed = 1; seed <= seeds; seed++) agg.add(summary(seed, true), null);
    const kept = agg.outcomes();
    expect(kept.length).toBeLessThanOrEqual(PASSING_KEPT_MAX);
    expect(kept.some((o) => o.seed === 0)).toBe(false);
    expect(kept[0]?.seed).toBe(1);
    expect(kept[kept.length - 1]?.seed).toBeGreaterThan(seeds - seeds / 8);
    expect(agg.implementationErrors).toBe(1);
    expect(agg.failures[0]?.message).toMatch(/node 1: tick\(\) did not return within 100 ms .*seed 0, call 9/);
  });
});
