import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from './assert.js';
import { EventQueue } from './event-queue.js';
import type { Scheduled } from './event-queue.js';

interface TestEvent extends Scheduled {
  readonly label: string;
}

function event(atMs: number, label: string): TestEvent {
  return { atMs, seq: -1, label };
}

function drain(queue: EventQueue<TestEvent>): TestEvent[] {
  const out: TestEvent[] = [];
  for (let e = queue.pop(); e !== undefined; e = queue.pop()) out.push(e);
  return out;
}

describe('EventQueue', () => {
  it('starts empty', () => {
    const q = new EventQueue<TestEvent>();
    expect(q.size).toBe(0);
    expect(q.now).toBe(0);
    expect(q.peekTime()).toBeUndefined();
    expect(q.pop()).toBeUndefined();
  });

  it('pops in time order and advances now', () => {
    const q = new EventQueue<TestEvent>();
    q.push(event(30, 'c'));
    q.push(event(10, 'a'));
    q.push(event(20, 'b'));
    expect(q.size).toBe(3);
    expect(q.peekTime()).toBe(10);
    expect(q.pop()?.label).toBe('a');
    expect(q.now).toBe(10);
    expect(q.pop()?.label).toBe('b');
    expect(q.pop()?.label).toBe('c');
    expect(q.now).toBe(30);
    expect(q.size).toBe(0);
  });

  it('breaks ties by insertion order', () => {
    const q = new EventQueue<TestEvent>();
    for (const label of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) q.push(event(5, label));
    q.push(event(1, 'first'));
    expect(drain(q).map((e) => e.label)).toEqual(['first', 'a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('assigns increasing sequence numbers', () => {
    const q = new EventQueue<TestEvent>();
    const a = event(3, 'a');
    const b = event(1, 'b');
    q.push(a);
    q.push(b);
    expect(b.seq).toBeGreaterThan(a.seq);
  });

  it('accepts events at the current time, after a pop', () => {
    const q = new EventQueue<TestEvent>();
    q.push(event(10, 'a'));
    q.pop();
    q.push(event(10, 'same time'));
    expect(q.pop()?.label).toBe('same time');
  });

  it('rejects events scheduled in the past', () => {
    const q = new EventQueue<TestEvent>();
    q.push(event(10, 'a'));
    q.pop();
    expect(() => q.push(event(9, 'past'))).toThrow(AssertionError);
    expect(() => q.push(event(9, 'past'))).toThrow(/in the past/);
    expect(() => new EventQueue<TestEvent>().push(event(-1, 'negative'))).toThrow(AssertionError);
  });

  it('rejects non-integer times', () => {
    const q = new EventQueue<TestEvent>();
    expect(() => q.push(event(1.5, 'fraction'))).toThrow(/integer/);
    expect(() => q.push(event(Number.NaN, 'nan'))).toThrow(AssertionError);
    expect(() => q.push(event(Number.POSITIVE_INFINITY, 'infinity'))).toThrow(AssertionError);
    expect(q.size).toBe(0);
  });

  it('holds more events than its initial slots, in order, and reuses the slots it frees', () => {
    const q = new EventQueue<TestEvent>();
    const pushed: TestEvent[] = [];
    // 5000 events over 0..999 ms (all in the ring): the slab grows twice; ties keep insertion order.
    for (let i = 0; i < 5000; i++) pushed.push(event((i * 7919) % 1000, `e${i}`));
    for (const e of pushed) q.push(e);
    expect(q.size).toBe(5000);
    const expected = [...pushed].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq).map((e) => e.label);
    const got: string[] = [];
    // Pop half, push more at the current time (into freed slots), then drain.
    for (let i = 0; i < 2500; i++) got.push((q.pop() as TestEvent).label);
    const now = q.now;
    for (let i = 0; i < 100; i++) q.push(event(now + 2000, `late${i}`));
    got.push(...drain(q).map((e) => e.label));
    expect(got).toEqual([...expected, ...Array.from({ length: 100 }, (_, i) => `late${i}`)]);
  });

  it('matches a stable sort by time, for any interleaving of pushes and pops (property)', () => {
    type Op = { readonly kind: 'push'; readonly delayMs: number } | { readonly kind: 'pop' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      // Mostly near (one bucket per ms of the ring), some around the ring's 1024 ms window, some beyond it (the heap).
      fc.record({ kind: fc.constant('push' as const), delayMs: fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: 1000, max: 1100 }) }, { weight: 1, arbitrary: fc.nat({ max: 5000 }) }) }),
      fc.constant({ kind: 'pop' as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new EventQueue<TestEvent>();
        // Reference: a list kept sorted by (time, insertion), with insertion as the explicit tie-break.
        const reference: { atMs: number; order: number; label: string }[] = [];
        let order = 0;
        let now = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            const label = `e${order}`;
            q.push(event(now + o.delayMs, label));
            reference.push({ atMs: now + o.delayMs, order: order++, label });
            reference.sort((x, y) => x.atMs - y.atMs || x.order - y.order);
          } else {
            const expected = reference.shift();
            const got = q.pop();
            expect(got?.label).toBe(expected?.label);
            if (expected !== undefined) now = expected.atMs;
          }
          expect(q.size).toBe(reference.length);
          expect(q.peekTime()).toBe(reference[0]?.atMs);
        }
        expect(drain(q).map((e) => e.label)).toEqual(reference.map((r) => r.label));
      }),
    );
  });
});
