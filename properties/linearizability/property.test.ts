import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bruteForceLinearizable } from './brute-force.js';
import type { HistoryEvent } from './history.js';
import { checkHistory } from './index.js';
import { interleavedHistory } from './test-harness.js';

interface PlannedOp {
  readonly process: number;
  readonly f: 'read' | 'write' | 'cas';
  readonly key: string;
  readonly value: number;
  readonly expected: number | null;
  readonly gap: number;
  readonly length: number;
  readonly point: number;
  readonly outcome: 'ok' | 'info' | 'pending';
  readonly takesEffect: boolean;
}

const plannedOp = fc.record({
  process: fc.integer({ min: 0, max: 4 }),
  f: fc.constantFrom('read', 'read', 'write', 'cas') as fc.Arbitrary<'read' | 'write' | 'cas'>,
  key: fc.constantFrom('x', 'x', 'x', 'y'),
  value: fc.integer({ min: 0, max: 1 }),
  expected: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null, freq: 4 }),
  gap: fc.integer({ min: 0, max: 3 }),
  length: fc.integer({ min: 1, max: 6 }),
  point: fc.nat(),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'info', 'info', 'pending') as fc.Arbitrary<'ok' | 'info' | 'pending'>,
  takesEffect: fc.boolean(),
});

/**
 * Builds a history that is linearizable by construction: each operation gets an interval and a linearization
 * point strictly inside it; reads return, and cas outcomes follow, the state at that point. Operations that
 * end with `info` (or never complete) take effect at their point, or never.
 */
function buildHistory(plan: readonly PlannedOp[]): HistoryEvent[] {
  const busyUntil = new Map<number, number>();
  let clock = 0;
  interface Timed {
    readonly op: PlannedOp;
    readonly call: number;
    readonly ret: number;
    readonly at: number;
  }
  const timed: Timed[] = [];
  for (const op of plan) {
    clock += op.gap;
    const free = busyUntil.get(op.process) ?? 0;
    if (!Number.isFinite(free)) continue; // its earlier operation never completes
    const call = Math.max(clock, free) * 4 + 1;
    const ret = call + op.length * 4 + 1;
    // Distinct call/return positions (4k+1 and 4k+2 offsets) and points strictly inside (4k+3 offsets).
    const at = call + 2 + 4 * (op.point % op.length);
    busyUntil.set(op.process, op.outcome === 'pending' ? Number.POSITIVE_INFINITY : (ret + 3) / 4);
    timed.push({ op, call, ret: ret + 1, at });
  }
  const state = new Map<string, number | null>();
  const results = new Map<Timed, { type: 'ok' | 'fail' | 'info' | 'pending'; value: unknown }>();
  for (const t of [...timed].sort((a, b) => a.at - b.at)) {
    const { op } = t;
    const current = state.get(op.key) ?? null;
    const effective = op.outcome === 'ok' || op.takesEffect;
    const final = op.outcome === 'ok' ? 'ok' : op.outcome;
    if (op.f === 'read') {
      results.set(t, { type: final, value: op.outcome === 'ok' ? current : null });
    } else if (op.f === 'write') {
      if (effective) state.set(op.key, op.value);
      results.set(t, { type: final, value: op.value });
    } else {
      const matches = current === op.expected;
      if (effective && matches) state.set(op.key, op.value);
      const type = op.outcome === 'ok' && !matches ? 'fail' : final;
      results.set(t, { type, value: [op.expected, op.value] });
    }
  }
  const events: { at: number; event: HistoryEvent }[] = [];
  for (const t of timed) {
    const { op } = t;
    const invokeValue = op.f === 'read' ? null : op.f === 'write' ? op.value : [op.expected, op.value];
    events.push({ at: t.call, event: { process: op.process, type: 'invoke', f: op.f, key: op.key, value: invokeValue } });
    const result = results.get(t);
    if (result === undefined || result.type === 'pending') continue;
    events.push({ at: t.ret, event: { process: op.process, type: result.type, f: op.f, key: op.key, value: result.value } });
  }
  return events.sort((a, b) => a.at - b.at).map((e) => e.event);
}

/** Changes one read's result, which may or may not break linearizability. */
function perturb(events: readonly HistoryEvent[], choice: number, value: number | null): HistoryEvent[] {
  const reads = events.flatMap((e, i) => (e.type === 'ok' && e.f === 'read' ? [i] : []));
  if (reads.length === 0) return [...events];
  const target = reads[choice % reads.length] as number;
  return events.map((e, i) => (i === target ? { ...e, value } : e));
}

describe('checker agrees with a brute-force oracle', () => {
  it('accepts histories linearizable by construction (with info and never-completed operations)', () => {
    let withInfo = 0;
    fc.assert(
      fc.property(fc.array(plannedOp, { maxLength: 12 }), (plan) => {
        const events = buildHistory(plan);
        if (events.some((e) => e.type === 'info')) withInfo++;
        expect(bruteForceLinearizable(events)).toBe(true);
        expect(checkHistory(events).verdict).toBe('linearizable');
      }),
      { numRuns: 400, seed: 0x5ea },
    );
    expect(withInfo).toBeGreaterThan(50);
  });

  it('agrees on perturbed histories', () => {
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.array(plannedOp, { minLength: 2, maxLength: 12 }),
        fc.nat(),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
        (plan, choice, value) => {
          const events = perturb(buildHistory(plan), choice, value);
          const expected = bruteForceLinearizable(events);
          const result = checkHistory(events);
          expect(result.verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
          if (!expected) {
            rejected++;
            expect(result.explanation).toBeDefined();
          }
        },
      ),
      { numRuns: 600, seed: 0xb0a7 },
    );
    expect(rejected).toBeGreaterThan(20);
  });

  it('agrees on unconstrained random histories', () => {
    const randomEvent = fc.record({
      process: fc.integer({ min: 0, max: 3 }),
      f: fc.constantFrom('read', 'write', 'cas'),
      key: fc.constantFrom('x', 'y'),
      v: fc.integer({ min: 0, max: 2 }),
      e: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
      end: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'info'),
      returnAfter: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(randomEvent, { maxLength: 10 }), (specs) => {
        const events = interleavedHistory(specs);
        const expected = bruteForceLinearizable(events);
        expect(checkHistory(events).verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
      }),
      { numRuns: 800, seed: 0xc0de },
    );
  });
});
