/** The timeline reads node state from the trace's fact records (no parsing of text we wrote) and renders each record. */
import { describe, expect, it } from 'vitest';
import { randomFaults } from '../scenarios/random-faults.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { TraceRecord } from '../sim/trace.js';
import { formatTimeline, updateNodeState } from './timeline.js';

const at = { atMs: 10, event: 3, node: 2 };

describe('timeline', () => {
  it('updates a node column from fact records only', () => {
    const s = { role: 'F', term: 0, commit: 0, applied: 0, down: false };
    const role: TraceRecord = { ...at, kind: 'role', type: 'fact', fact: { ...at, kind: 'role', role: 'leader', leader: 2, term: 4 } };
    expect(updateNodeState(s, role)).toBe(true);
    expect(s).toMatchObject({ role: 'L', term: 4 });
    const persist: TraceRecord = { ...at, kind: 'persist', type: 'fact', fact: { ...at, kind: 'persist', hardState: { term: 4, vote: 2, commit: 7 }, entries: [] } };
    updateNodeState(s, persist);
    expect(s.commit).toBe(7);
    updateNodeState(s, { ...at, kind: 'crash', type: 'fact', fact: { ...at, kind: 'crash' } });
    expect(s.down).toBe(true);
    const restart: TraceRecord = { ...at, kind: 'restart', type: 'fact', fact: { ...at, kind: 'restart', stored: { hardState: { term: 5, vote: 0, commit: 6 }, entries: [] } } };
    updateNodeState(s, restart);
    expect(s).toEqual({ role: 'F', term: 5, commit: 6, applied: 0, down: false });
    // A record that is not a fact never changes a column, whatever its text says.
    expect(updateNodeState(s, { ...at, kind: 'fault', type: 'fault', fault: { atMs: 10, kind: 'crash', node: 2 } })).toBe(false);
  });

  it('renders a recorded run with node columns and each record as text', () => {
    const verdict = runSeed({ seed: 3, scenario: randomFaults, nodeCount: 3, record: true });
    const lines = formatTimeline(verdict.trace ?? [], verdict.violations, { messages: true, width: 0, nodeCount: 3 });
    const plain = lines.map((l) => l.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(plain[0]).toMatch(/time ms +n1 +n2 +n3 +│ step/);
    expect(plain.some((l) => /\bL\d+ c\d+/.test(l) && /becomes leader in term \d+/.test(l))).toBe(true);
    expect(plain.some((l) => / \d+->\d+ append t\d+ /.test(l))).toBe(true);
    expect(plain.length).toBe((verdict.trace ?? []).length + 1);
  });
});
