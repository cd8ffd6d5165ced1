import { describe, expect, it } from 'vitest';
import { HistoryError } from './history.js';
import type { HistoryEvent } from './history.js';
import { pairNativeEvents } from './native.js';

/** A history with processes `a` and `b`: b's write stays open, a's read completes, a's second write fails. */
function history(a: number, b: number): HistoryEvent[] {
  return [
    { process: a, type: 'invoke', f: 'write', key: 'x', value: 1, atMs: 0 },
    { process: b, type: 'invoke', f: 'write', key: 'x', value: 2, atMs: 1 },
    { process: a, type: 'ok', f: 'write', key: 'x', value: 1, atMs: 2 },
    { process: a, type: 'invoke', f: 'read', key: 'x', value: null, atMs: 3 },
    { process: a, type: 'ok', f: 'read', key: 'x', value: 2, atMs: 4 },
    { process: a, type: 'invoke', f: 'write', key: 'x', value: 3, atMs: 5 },
    { process: a, type: 'fail', f: 'write', key: 'x', value: 3, atMs: 6 },
  ];
}

describe('pairNativeEvents', () => {
  it('pairs the same operations whatever the process ids: small ones (array slots) and huge ones (a Map)', () => {
    const small = pairNativeEvents(history(0, 7));
    expect(small.map((op) => [op.id, op.process, op.call, op.ret, op.input.f, op.output.kind])).toEqual([
      [0, 0, 0, 2, 'write', 'known'],
      [1, 7, 1, null, 'write', 'unknown'],
      [2, 0, 3, 4, 'read', 'known'],
    ]);
    for (const [a, b] of [
      [2 ** 40, 7],
      [0, 2 ** 16],
      [2 ** 16 - 1, 2 ** 20],
    ] as const) {
      const ops = pairNativeEvents(history(a, b));
      expect(ops.map((op) => ({ ...op, process: op.process === a ? 'a' : 'b' }))).toEqual(small.map((op) => ({ ...op, process: op.process === 0 ? 'a' : 'b' })));
    }
  });

  it('reports a second invocation before the first completed, and a completion without one, for any process id', () => {
    for (const p of [3, 2 ** 20]) {
      const twice: HistoryEvent[] = [
        { process: p, type: 'invoke', f: 'read', key: 'x', value: null },
        { process: p, type: 'invoke', f: 'read', key: 'x', value: null },
      ];
      expect(() => pairNativeEvents(twice)).toThrow(HistoryError);
      expect(() => pairNativeEvents([{ process: p, type: 'ok', f: 'read', key: 'x', value: 1 }])).toThrow(/expected an invocation by process/);
    }
  });
});
