import { describe, expect, it } from 'vitest';
import { ClientHistory } from './client-history.js';
import type { ClientHistoryEvent } from './client-history.js';

/** Every kind of operation and ending: ok read (null and a value), ok write, ok cas, failed cas, given up, pending. */
function sample(): ClientHistory {
  const h = new ClientHistory();
  const read = h.invoke(1, 'read', 'x', 0, null, 0);
  const write = h.invoke(2, 'write', 'y', 1, null, 1);
  h.complete(read, 'ok', null, 2);
  const cas = h.invoke(1, 'cas', 'x', 2, null, 3);
  h.complete(write, 'ok', null, 4);
  const failed = h.invoke(2, 'cas', 'y', 3, 1, 5);
  h.complete(cas, 'ok', null, 6);
  h.complete(failed, 'fail', null, 7);
  const read2 = h.invoke(1, 'read', 'x', 0, null, 8);
  h.complete(read2, 'ok', 2, 9);
  const lost = h.invoke(2, 'cas', 'x', 4, 2, 10);
  h.complete(lost, 'info', null, 11);
  const lostRead = h.invoke(3, 'read', 'y', 0, null, 12);
  h.complete(lostRead, 'info', null, 13);
  h.invoke(4, 'write', 'x', 5, null, 14);
  return h;
}

/** What the workload recorded, event by event, before it kept operations instead. */
const SAMPLE_EVENTS: ClientHistoryEvent[] = [
  { process: 1, type: 'invoke', f: 'read', key: 'x', value: null, atMs: 0 },
  { process: 2, type: 'invoke', f: 'write', key: 'y', value: 1, atMs: 1 },
  { process: 1, type: 'ok', f: 'read', key: 'x', value: null, atMs: 2 },
  { process: 1, type: 'invoke', f: 'cas', key: 'x', value: [null, 2], atMs: 3 },
  { process: 2, type: 'ok', f: 'write', key: 'y', value: 1, atMs: 4 },
  { process: 2, type: 'invoke', f: 'cas', key: 'y', value: [1, 3], atMs: 5 },
  { process: 1, type: 'ok', f: 'cas', key: 'x', value: [null, 2], atMs: 6 },
  { process: 2, type: 'fail', f: 'cas', key: 'y', value: [1, 3], atMs: 7 },
  { process: 1, type: 'invoke', f: 'read', key: 'x', value: null, atMs: 8 },
  { process: 1, type: 'ok', f: 'read', key: 'x', value: 2, atMs: 9 },
  { process: 2, type: 'invoke', f: 'cas', key: 'x', value: [2, 4], atMs: 10 },
  { process: 2, type: 'info', f: 'cas', key: 'x', value: [2, 4], atMs: 11 },
  { process: 3, type: 'invoke', f: 'read', key: 'y', value: null, atMs: 12 },
  { process: 3, type: 'info', f: 'read', key: 'y', value: null, atMs: 13 },
  { process: 4, type: 'invoke', f: 'write', key: 'x', value: 5, atMs: 14 },
];

describe('ClientHistory', () => {
  it('renders the native events the workload used to record, field for field and in the same key order', () => {
    const events = sample().events();
    expect(events).toEqual(SAMPLE_EVENTS);
    expect(JSON.stringify(events)).toBe(JSON.stringify(SAMPLE_EVENTS));
    expect(JSON.stringify(sample())).toBe(JSON.stringify(SAMPLE_EVENTS));
  });

  it('keeps each event object once built, and appends the events recorded since', () => {
    const h = new ClientHistory();
    const op = h.invoke(1, 'write', 'x', 1, null, 0);
    const first = h.events();
    const invoke = first[0];
    expect(first).toHaveLength(1);
    h.complete(op, 'ok', null, 5);
    const second = h.events();
    expect(second).toBe(first);
    expect(second[0]).toBe(invoke);
    expect(second[1]).toEqual({ process: 1, type: 'ok', f: 'write', key: 'x', value: 1, atMs: 5 });
    expect(h.events()[1]).toBe(second[1]);
  });

  it('answers per operation: pairing, positions and times, outcome and the value read', () => {
    const h = sample();
    expect(h.operationCount).toBe(8);
    expect(h.eventCount).toBe(15);
    const rows = Array.from({ length: h.operationCount }, (_, op) => [h.process(op), h.f(op), h.key(op), h.callEvent(op), h.outcome(op), h.outcome(op) === null ? null : h.retEvent(op)]);
    expect(rows).toEqual([
      [1, 'read', 'x', 0, 'ok', 2],
      [2, 'write', 'y', 1, 'ok', 4],
      [1, 'cas', 'x', 3, 'ok', 6],
      [2, 'cas', 'y', 5, 'fail', 7],
      [1, 'read', 'x', 8, 'ok', 9],
      [2, 'cas', 'x', 10, 'info', 11],
      [3, 'read', 'y', 12, 'info', 13],
      [4, 'write', 'x', 14, null, null],
    ]);
    expect([h.readValue(0), h.readValue(4), h.readValue(6)]).toEqual([null, 2, null]);
    expect([h.expected(2), h.expected(3), h.value(3), h.callAtMs(3), h.retAtMs(3)]).toEqual([null, 1, 3, 5, 7]);
  });

  it('keeps a read value that is no small integer as it came (a corrupted entry can bring one)', () => {
    const h = new ClientHistory();
    const op = h.invoke(1, 'read', 'x', 0, null, 0);
    h.complete(op, 'ok', 2.5, 1);
    expect(h.readValue(op)).toBe(2.5);
    expect(h.events()[1]?.value).toBe(2.5);
  });

  it('refuses to complete an operation twice, and values its encoding cannot hold', () => {
    const h = new ClientHistory();
    const op = h.invoke(1, 'read', 'x', 0, null, 0);
    h.complete(op, 'ok', null, 1);
    expect(() => h.complete(op, 'info', null, 2)).toThrow(/not pending/);
    expect(() => h.invoke(1, 'write', 'x', -1, null, 3)).toThrow(/non-negative/);
    expect(() => h.invoke(1, 'cas', 'x', 1, -1, 3)).toThrow(/non-negative/);
  });
});

describe('ClientHistory with its keys named up front', () => {
  it('records and renders exactly as one that names its keys as they come', () => {
    const record = (h: ClientHistory): ClientHistory => {
      const a = h.invoke(1, 'read', 'z', 0, null, 0);
      const b = h.invoke(2, 'write', 'q', 4, null, 1);
      h.complete(a, 'ok', null, 2);
      const c = h.invoke(1, 'read', 'q', 0, null, 3);
      h.complete(b, 'ok', null, 4);
      h.complete(c, 'ok', 1.5, 5);
      const d = h.invoke(3, 'read', 'x', 0, null, 6);
      h.complete(d, 'ok', 4, 7);
      return h;
    };
    const named = record(new ClientHistory(['x', 'y', 'z']));
    const asTheyCome = record(new ClientHistory());
    expect(JSON.stringify(named)).toBe(JSON.stringify(asTheyCome));
    expect([0, 1, 2, 3].map((op) => [named.key(op), named.readValue(op)])).toEqual([
      ['z', null],
      ['q', null],
      ['q', 1.5],
      ['x', 4],
    ]);
  });
});
