/** The timeline reads node state from the trace's fact records (no parsing of text we wrote) and renders each record. */
import { describe, expect, it } from 'vitest';
import { membershipChurn, transferLagging } from '../scenarios/membership-scenarios.js';
import { randomFaults } from '../scenarios/random-faults.js';
import { runSeed } from '../scenarios/run-seed.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation } from '../sim/contract.js';
import type { TraceRecord } from '../sim/trace.js';
import { formatTimeline, updateNodeState } from './timeline.js';

const at = { atMs: 10, event: 3, node: 2 };

/** Our core without the membership capabilities: the swarm then plans a fixed cluster, as this test expects. */
function fixedClusterCore(): RaftImplementation {
  const core = builtinRaft();
  return { ...core, capabilities: (core.capabilities ?? []).filter((c) => c !== 'membership-change' && c !== 'leadership-transfer') };
}

const plainLines = (lines: readonly string[]): string[] => lines.map((l) => l.replace(/\u001b\[[0-9;]*m/g, ''));

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
    const verdict = runSeed({ seed: 3, scenario: randomFaults, nodeCount: 3, record: true, implementation: fixedClusterCore() });
    const lines = formatTimeline(verdict.trace ?? [], verdict.violations, { messages: true, width: 0, nodeCount: 3 });
    const plain = lines.map((l) => l.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(plain[0]).toMatch(/time ms +n1 +n2 +n3 +│ step/);
    expect(plain.some((l) => /\bL\d+ c\d+/.test(l) && /becomes leader in term \d+/.test(l))).toBe(true);
    expect(plain.some((l) => / \d+->\d+ append t\d+ /.test(l))).toBe(true);
    expect(plain.length).toBe((verdict.trace ?? []).length + 1);
  });

  it('shows configuration changes, joins and retirements readably, with columns for the nodes that join', () => {
    const verdict = runSeed({ seed: 2, scenario: membershipChurn, nodeCount: 3, record: true });
    expect(verdict.ok).toBe(true);
    const plain = plainLines(formatTimeline(verdict.trace ?? [], verdict.violations, { messages: false, width: 0, nodeCount: 3 }));
    expect(plain[0]).toMatch(/time ms +n1 +n2 +n3 +n4 +n5 +n6 +n7 +│ step/);
    for (const note of [
      /◆ {2}configuration \d+\/\d+ appended: node 4 added as a learner/,
      /◆ {2}configuration \d+\/\d+ appended: node 4 promoted from learner to voter/,
      /◆ {2}configuration \d+\/\d+ appended: node 5 added as a voter/,
      /◆ {2}configuration \d+\/\d+ appended: entered joint consensus: C_old \{1,2,3,4,5\} and C_new \{2,3,4,5,6\} must both agree/,
      /◆ {2}configuration \d+\/\d+ appended: left joint consensus: voters \{2,3,4,5,6\}; node 1 removed/,
      /◆ {2}configuration \d+\/\d+ committed: voters \{2,3,4,5,6\}/,
      /n4 restart +started with an empty disk to join the cluster/,
      /n1 crash +stopped for good \(retired\)/,
    ]) {
      expect(plain.some((l) => note.test(l)), String(note)).toBe(true);
    }
    // Before its join, node 6's column is blank; after its retirement, node 1's reads "retired".
    expect(plain.some((l) => /^ +\d+ .*retired/.test(l))).toBe(true);
  });

  it('shows leadership transfers as requested, then completed or aborted', () => {
    const verdict = runSeed({ seed: 1, scenario: transferLagging, nodeCount: 5, record: true });
    const plain = plainLines(formatTimeline(verdict.trace ?? [], verdict.violations, { messages: false, width: 0, nodeCount: 5 }));
    expect(plain.some((l) => /◆ {2}transfer requested: leader \d → node \d/.test(l))).toBe(true);
    expect(plain.some((l) => /◆ {2}transfer \d → \d (completed: node \d leads in term \d+|aborted: )/.test(l))).toBe(true);
  });
});
