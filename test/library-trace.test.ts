/** The library hands out trace records and the one renderer for them, so a reader of verdict.trace never parses text. */
import { describe, expect, it } from 'vitest';
import { describeTraceRecord, runSeed, SCENARIOS, simulate } from '../index.js';
import type { TraceRecord } from '../index.js';

describe('library: trace records', () => {
  it('exports describeTraceRecord and the record types', () => {
    const scenario = SCENARIOS.find((s) => s.name === 'random');
    if (scenario === undefined) throw new Error('no random scenario');
    const verdict = runSeed({ seed: 2, scenario, nodeCount: 3, record: true });
    const records: readonly TraceRecord[] = verdict.trace ?? [];
    expect(records.length).toBeGreaterThan(100);
    expect(records.every((r) => describeTraceRecord(r).length > 0)).toBe(true);
  });
});

describe('verdict.trace keeps its 0.1 shape', () => {
  it('each record carries its rendered line as text, as before the records were typed', () => {
    const verdict = simulate({ seed: 3, record: true });
    const first = verdict.trace?.[0];
    expect(first).toBeDefined();
    expect(first).toMatchObject({ atMs: expect.any(Number), event: expect.any(Number), kind: expect.any(String), node: expect.any(Number), text: expect.any(String) });
    expect(first?.text).toBe(describeTraceRecord(first!));
  });
});
