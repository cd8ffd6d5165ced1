import { describe, expect, it } from 'vitest';
import { checkOperations, DEFAULT_STEP_BUDGET } from './checker.js';
import { describeExplanation } from './explain.js';
import type { EventType, HistoryEvent } from './history.js';
import { checkHistory, HistoryError } from './index.js';
import { etcdRegisterModel } from './models/etcd-register.js';
import type { EtcdInput, EtcdOutput } from './models/etcd-register.js';
import { generateRegisterHistory, perturbRegisterHistory } from './generate.js';
import { registerMapModel } from './models/register-map.js';
import { finishOperations, pairNativeEvents } from './native.js';
import { PartitionSearch } from './search.js';

/** `[process, type, f, key, value]` rows, for short hand-built histories. */
type Row = readonly [number, EventType, string, string, unknown];
const history = (rows: readonly Row[]): HistoryEvent[] =>
  rows.map(([process, type, f, key, value]) => ({ process, type, f, key, value }));

describe('checkHistory on hand-built histories', () => {
  it('accepts a read concurrent with the write it observes (MIT 6.824 quiz example)', () => {
    const events = history([
      [0, 'invoke', 'write', 'x', 100],
      [1, 'invoke', 'read', 'x', null],
      [2, 'invoke', 'read', 'x', null],
      [2, 'ok', 'read', 'x', null],
      [1, 'ok', 'read', 'x', 100],
      [0, 'ok', 'write', 'x', 100],
    ]);
    expect(checkHistory(events)).toMatchObject({ verdict: 'linearizable', ops: 3 });
  });

  it('rejects a stale read after a newer read, with an explanation naming it', () => {
    const events = history([
      [0, 'invoke', 'write', 'x', 200],
      [1, 'invoke', 'read', 'x', null],
      [1, 'ok', 'read', 'x', 200],
      [2, 'invoke', 'read', 'x', null],
      [2, 'ok', 'read', 'x', null],
      [0, 'ok', 'write', 'x', 200],
    ]);
    const result = checkHistory(events);
    expect(result.verdict).toBe('not-linearizable');
    const explanation = result.explanation;
    expect(explanation?.failing).toMatchObject({ process: 2, description: 'read "x" -> null', call: 3, ret: 4 });
    expect(explanation?.partition).toBe('key "x"');
    expect(explanation?.longest.map((s) => s.op.description)).toEqual(['write "x" 200', 'read "x" -> 200']);
    expect(explanation?.stateBeforeFailing).toBe('200');
    expect(explanation?.concurrent.map((op) => op.process)).toEqual([0]);
    const text = describeExplanation(result).join('\n');
    expect(text).toContain('cannot linearize process 2: read "x" -> null (events 3-4)');
  });

  it('ignores failed operations (native: not applied)', () => {
    const events = history([
      [0, 'invoke', 'write', 'x', 1],
      [0, 'fail', 'write', 'x', 1],
      [1, 'invoke', 'cas', 'x', [null, 2]],
      [1, 'fail', 'cas', 'x', [null, 2]],
      [2, 'invoke', 'read', 'x', null],
      [2, 'ok', 'read', 'x', null],
    ]);
    expect(checkHistory(events)).toMatchObject({ verdict: 'linearizable', ops: 1 });
  });

  it('lets an info write take effect long after it was invoked, or never', () => {
    const late = history([
      [0, 'invoke', 'write', 'x', 1],
      [0, 'info', 'write', 'x', 1],
      [1, 'invoke', 'read', 'x', null],
      [1, 'ok', 'read', 'x', null],
      [1, 'invoke', 'read', 'x', null],
      [1, 'ok', 'read', 'x', 1],
    ]);
    expect(checkHistory(late).verdict).toBe('linearizable');
    const never = history([
      [0, 'invoke', 'write', 'x', 1],
      [1, 'invoke', 'read', 'x', null],
      [1, 'ok', 'read', 'x', null],
    ]);
    expect(checkHistory(never).verdict).toBe('linearizable');
  });

  it('does not let an info write take effect before it was invoked', () => {
    const events = history([
      [1, 'invoke', 'read', 'x', null],
      [1, 'ok', 'read', 'x', 1],
      [0, 'invoke', 'write', 'x', 1],
      [0, 'info', 'write', 'x', 1],
    ]);
    expect(checkHistory(events).verdict).toBe('not-linearizable');
  });

  it('places two identical info writes independently when both are needed', () => {
    const events = history([
      [0, 'invoke', 'write', 'x', 1],
      [0, 'info', 'write', 'x', 1],
      [1, 'invoke', 'write', 'x', 1],
      [1, 'info', 'write', 'x', 1],
      [2, 'invoke', 'read', 'x', null],
      [2, 'ok', 'read', 'x', 1],
      [2, 'invoke', 'write', 'x', 2],
      [2, 'ok', 'write', 'x', 2],
      [2, 'invoke', 'read', 'x', null],
      [2, 'ok', 'read', 'x', 1],
    ]);
    expect(checkHistory(events).verdict).toBe('linearizable');
    // With a single info write, the second read of 1 is impossible.
    expect(checkHistory(events.slice(2)).verdict).toBe('not-linearizable');
  });

  it('checks keys independently and reports each partition', () => {
    const events = history([
      [0, 'invoke', 'write', 'a', 1],
      [0, 'ok', 'write', 'a', 1],
      [1, 'invoke', 'write', 'b', 2],
      [1, 'ok', 'write', 'b', 2],
      [0, 'invoke', 'read', 'b', null],
      [0, 'ok', 'read', 'b', 2],
      [1, 'invoke', 'cas', 'a', [1, 3]],
      [1, 'ok', 'cas', 'a', [1, 3]],
      [0, 'invoke', 'read', 'a', null],
      [0, 'ok', 'read', 'a', 1],
    ]);
    const result = checkHistory(events);
    expect(result.verdict).toBe('not-linearizable');
    expect(result.partitions.map((p) => [p.key, p.ops])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
    expect(result.explanation?.partition).toBe('key "a"');
  });

  it('answers unknown, never a silent pass, when the step budget runs out', () => {
    // Twelve concurrent writes, then reads that pin the order of the last few: more than 50 steps to decide.
    const rows: Row[] = [];
    for (let p = 0; p < 12; p++) rows.push([p, 'invoke', 'write', 'x', p]);
    for (let p = 0; p < 12; p++) rows.push([p, 'ok', 'write', 'x', p]);
    for (let p = 0; p < 40; p++) rows.push([p, 'invoke', 'write', 'x', 100 + p], [p, 'ok', 'write', 'x', 100 + p], [20, 'invoke', 'read', 'x', null], [20, 'ok', 'read', 'x', 100 + p]);
    const result = checkHistory(history(rows), { stepBudget: 50 });
    expect(result).toMatchObject({ verdict: 'unknown', steps: 50, stepBudget: 50, stoppedBy: 'budget' });
    expect(result.explanation).toBeUndefined();
    expect(describeExplanation(result)[0]).toMatch(/^unknown: step budget of 50 exhausted/);
    expect(checkHistory(history(rows)).verdict).toBe('linearizable');
  });

  it('is deterministic: the same history gives the same result, explanation included', () => {
    const events = history([
      [0, 'invoke', 'write', 'x', 1],
      [1, 'invoke', 'write', 'x', 2],
      [0, 'ok', 'write', 'x', 1],
      [1, 'ok', 'write', 'x', 2],
      [2, 'invoke', 'read', 'x', null],
      [2, 'ok', 'read', 'x', 3],
    ]);
    expect(JSON.stringify(checkHistory(events))).toBe(JSON.stringify(checkHistory(events)));
  });

  it('carries atMs into explanations', () => {
    const events: HistoryEvent[] = [
      { process: 0, type: 'invoke', f: 'read', key: 'x', value: null, atMs: 10 },
      { process: 0, type: 'ok', f: 'read', key: 'x', value: 7, atMs: 25 },
    ];
    const result = checkHistory(events);
    expect(result.explanation?.failing).toMatchObject({ callAtMs: 10, retAtMs: 25 });
    expect(describeExplanation(result).join('\n')).toContain('10-25 ms');
  });

  it('rejects malformed native histories with the event index', () => {
    const bad = (events: HistoryEvent[]): unknown => {
      try {
        checkHistory(events);
      } catch (error) {
        return error instanceof HistoryError ? `${String(error.position)}: ${error.problem}` : error;
      }
      return 'no error';
    };
    expect(bad(history([[0, 'ok', 'read', 'x', 1]]))).toBe('0: expected an invocation by process 0 before this ok');
    expect(bad(history([[0, 'invoke', 'write', 'x', 'three']]))).toBe('0: expected "value" of a write to be an integer, got "three"');
    expect(
      bad(
        history([
          [0, 'invoke', 'read', 'x', null],
          [0, 'invoke', 'read', 'x', null],
        ]),
      ),
    ).toBe('1: expected process 0 to complete its read from 0 before invoking again');
    expect(
      bad(
        history([
          [0, 'invoke', 'read', 'x', null],
          [0, 'ok', 'write', 'x', 1],
        ]),
      ),
    ).toBe('1: expected ok to match the invocation at 0 (read "x"), got write "x"');
  });
});

describe('etcd register model', () => {
  const op = (call: number, ret: number | null, input: EtcdInput, output: EtcdOutput) =>
    ({ id: 0, process: call, input, output, call, ret }) as const;

  it('treats a failed cas as having run with a failing compare', () => {
    const ops = finishOperations([
      op(1, 2, { f: 'write', value: 1 }, { kind: 'done' }),
      op(3, 4, { f: 'cas', expected: 1, value: 2 }, { kind: 'cas', ok: false }),
    ]);
    expect(checkOperations(etcdRegisterModel, ops).verdict).toBe('not-linearizable');
    const fine = finishOperations([
      op(1, 2, { f: 'write', value: 1 }, { kind: 'done' }),
      op(3, 4, { f: 'cas', expected: 3, value: 2 }, { kind: 'cas', ok: false }),
      op(5, 6, { f: 'read' }, { kind: 'read', value: 1 }),
    ]);
    expect(checkOperations(etcdRegisterModel, fine).verdict).toBe('linearizable');
  });

  it('accepts any result for a timed-out read and lets a crashed cas apply later', () => {
    const ops = finishOperations([
      op(1, 2, { f: 'write', value: 1 }, { kind: 'done' }),
      op(3, null, { f: 'cas', expected: 1, value: 5 }, { kind: 'unknown' }),
      op(4, 5, { f: 'read' }, { kind: 'unknown' }),
      op(6, 7, { f: 'read' }, { kind: 'read', value: 1 }),
      op(8, 9, { f: 'read' }, { kind: 'read', value: 5 }),
    ]);
    expect(checkOperations(etcdRegisterModel, ops).verdict).toBe('linearizable');
  });
});

describe('checks one after another', () => {
  it('give what each partition gives searched alone, though each check takes over the buffer of the one before', () => {
    // Histories of every size and kind in turn: a smaller check reuses a larger one's dirty buffer, and a larger
    // one gets a new buffer.
    const histories = [90, 12, 300, 40, 5, 150].flatMap((operations, i) => {
      const events = generateRegisterHistory({ operations, keys: 1 + (i % 3), clients: 6, crashPerMille: 300, values: 5, seed: i + 1 });
      const perturbed = perturbRegisterHistory(events);
      return perturbed === undefined ? [events] : [events, perturbed];
    });
    let failing = 0;
    for (const events of histories) {
      const ops = pairNativeEvents(events);
      const result = checkOperations(registerMapModel, ops);
      if (result.verdict === 'not-linearizable') failing++;
      for (const partition of result.partitions) {
        // The same partition, searched alone with an arena of its own.
        const alone = new PartitionSearch(registerMapModel, ops.filter((op) => op.input.key === partition.key));
        alone.run(DEFAULT_STEP_BUDGET);
        if (partition.verdict === 'unknown') continue;
        expect({ verdict: alone.result, steps: alone.steps, work: alone.work }).toEqual({ verdict: partition.verdict, steps: partition.steps, work: partition.work });
      }
    }
    expect(failing).toBeGreaterThan(0);
  });
});
