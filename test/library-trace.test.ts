/** The library hands out trace records and the one renderer for them, so a reader of verdict.trace never parses text. */
import { describe, expect, it } from 'vitest';
import { describeTraceRecord, runSeed, SCENARIOS } from '../index.js';
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
