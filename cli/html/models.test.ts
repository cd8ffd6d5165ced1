import { describe, expect, it } from 'vitest';
import { checkHistory, describeContradiction, describeExplanation, pairNativeEvents } from '../../properties/linearizability/index.js';
import type { HistoryEvent, LinExplanation } from '../../properties/linearizability/index.js';
import type { Message } from '../../sim/contract.js';
import type { TraceDetail, TraceRecord } from '../../sim/trace.js';
import { traceKind } from '../../sim/trace.js';
import { buildBatchData } from './batch-model.js';
import type { BatchSummaryInput } from './batch-model.js';
import { BAND_STATES, buildClusterData, MESSAGE_FIELDS, MESSAGE_STATUS } from './cluster-model.js';
import { historyFromNative } from './history-model.js';
import { embedJson, renderPage } from './page.js';

let event = 0;
function rec(atMs: number, node: number, detail: TraceDetail): TraceRecord {
  return { ...detail, atMs, event: event++, node, kind: traceKind(detail) } as TraceRecord;
}
const role = (atMs: number, node: number, r: 'leader' | 'candidate' | 'follower', term: number): TraceRecord => rec(atMs, node, { type: 'fact', fact: { kind: 'role', atMs, event, node, role: r, term, leader: r === 'leader' ? node : 0 } });

describe('embedJson', () => {
  it('cannot end the script element it sits in, and round-trips', () => {
    const value = { text: '</script><script>alert(1)</script> <!-- \u2028' };
    const embedded = embedJson(value);
    expect(embedded).not.toMatch(/<\/script/i);
    expect(embedded).not.toContain('<!--');
    expect(JSON.parse(embedded)).toEqual(value);
  });

  it('a page with hostile text in its data still has exactly its two script elements', () => {
    const page = renderPage({ kind: 'batch', title: '</title><script>x()</script>', summary: ['</script>'], ok: true, batch: buildBatchData(summary({})) });
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page).toContain('&lt;/title&gt;');
    expect(page).toContain("default-src 'none'");
  });
});

describe('the cluster view model', () => {
  const m = (from: number, to: number, type: string, term: number): Message => ({ type, from, to, term });

  it('builds role bands, crashed spans, network faults and commit steps from the records', () => {
    const trace: TraceRecord[] = [
      role(100, 1, 'candidate', 1),
      role(120, 1, 'leader', 1),
      rec(130, 1, { type: 'fact', fact: { kind: 'persist', atMs: 130, event, node: 1, hardState: { term: 1, vote: 1, commit: 3 }, entries: [] } }),
      rec(200, 0, { type: 'fault', fault: { atMs: 200, kind: 'partition', groups: [[1], [2, 3]] } }),
      rec(300, 2, { type: 'fault', fault: { atMs: 300, kind: 'crash', node: 2 } }),
      rec(300, 2, { type: 'fact', fact: { kind: 'crash', atMs: 300, event, node: 2 } }),
      rec(400, 0, { type: 'fault', fault: { atMs: 400, kind: 'heal' } }),
      rec(450, 3, { type: 'fault', fault: { atMs: 450, kind: 'away', node: 3, durationMs: 100 } }),
    ];
    const c = buildClusterData({ nodeCount: 3, trace, violations: [], endMs: 1000 });
    const bandsOf = (node: number): string[] => c.bands.filter((b) => b[0] === node).map((b) => `${b[1]}-${b[2]} ${BAND_STATES[b[3]] as string} t${b[4]}`);
    expect(bandsOf(1)).toEqual(['0-100 follower t0', '100-120 candidate t1', '120-1000 leader t1']);
    expect(bandsOf(2)).toEqual(['0-300 follower t0', '300-1000 crashed t0']);
    expect(c.spans.map((s) => `${s.node} ${s.kind} ${s.startMs}-${s.endMs}`)).toEqual(['0 partition 200-400', '3 away 450-550']);
    expect(c.spans[0]?.label).toBe('partition {1} | {2,3}');
    expect(c.commits).toEqual([[1, 130, 3]]);
    expect(c.marks.map((k) => c.markKinds[k[2]])).toEqual(['fault', 'fault', 'crash', 'fault', 'fault']);
    expect(c.marks[2]).toEqual([2, 300, 1, 'crashed: volatile state and unsynced writes lost']);
  });

  it('marks snapshots taken or installed, and restores from one, as snapshot events', () => {
    const trace: TraceRecord[] = [
      rec(50, 2, { type: 'fact', fact: { kind: 'snapshot', atMs: 50, event, node: 2, index: 40, term: 3, digest: 0xbeef, origin: 'installed' } }),
      rec(51, 2, { type: 'fact', fact: { kind: 'restore', atMs: 51, event, node: 2, index: 40, term: 3, digest: 0xbeef, origin: 'install' } }),
    ];
    const c = buildClusterData({ nodeCount: 2, trace, violations: [], endMs: 100 });
    expect(c.marks.map((k) => [k[0], k[1], c.markKinds[k[2]]])).toEqual([[2, 50, 'snapshot'], [2, 51, 'snapshot']]);
    expect(c.marks[0]?.[3]).toBe('snapshot 40/3 installed durably (digest beef)');
  });

  it('pairs each send with its delivery, keeps drops and never-delivered copies apart', () => {
    const delivered = m(1, 2, 'append', 1);
    const duplicated = m(1, 3, 'append', 1);
    const lost = m(2, 1, 'append-resp', 1);
    const neverArrived = m(3, 1, 'vote', 2);
    const trace: TraceRecord[] = [
      rec(10, 1, { type: 'send', message: delivered, copies: 1 }),
      rec(10, 1, { type: 'send', message: duplicated, copies: 2 }),
      rec(12, 2, { type: 'drop', message: lost, reason: 'loss' }),
      rec(13, 3, { type: 'send', message: neverArrived, copies: 1 }),
      rec(15, 2, { type: 'deliver', message: delivered }),
      rec(16, 3, { type: 'deliver', message: duplicated }),
      rec(19, 3, { type: 'deliver', message: duplicated }),
    ];
    const c = buildClusterData({ nodeCount: 3, trace, violations: [], endMs: 100 });
    const rows: number[][] = [];
    for (let o = 0; o < c.messages.length; o += MESSAGE_FIELDS) rows.push(c.messages.slice(o, o + MESSAGE_FIELDS));
    expect(rows.map((r) => [r[0], r[1], c.messageTypes[r[2] as number], r[4], r[5], r[6]])).toEqual([
      [1, 2, 'append', 10, 5, MESSAGE_STATUS.delivered],
      [1, 3, 'append', 10, 6, MESSAGE_STATUS.delivered],
      [1, 3, 'append', 10, 9, MESSAGE_STATUS.delivered],
      [2, 1, 'append-resp', 12, -1, MESSAGE_STATUS.lost],
      [3, 1, 'vote', 13, -1, MESSAGE_STATUS.undelivered],
    ]);
    expect(c.latencyMsMax).toBe(9);
  });

  it('draws each replayed copy as a message leaving at the replay, and the replay as one fault mark', () => {
    const old = m(2, 1, 'append-resp', 1);
    const cut = m(3, 1, 'append-resp', 1);
    const trace: TraceRecord[] = [
      rec(10, 2, { type: 'send', message: old, copies: 1 }),
      rec(14, 1, { type: 'deliver', message: old }),
      rec(10, 3, { type: 'send', message: cut, copies: 1 }),
      rec(13, 1, { type: 'deliver', message: cut }),
      rec(500, 0, { type: 'fault', fault: { atMs: 500, kind: 'replay', count: 2, ageMsMin: 100 } }),
      rec(500, 2, { type: 'replayed', message: old, sentAtMs: 10, copies: 1 }),
      rec(500, 3, { type: 'replayed', message: cut, sentAtMs: 10, copies: 0 }),
      rec(503, 1, { type: 'deliver', message: old }),
    ];
    const c = buildClusterData({ nodeCount: 3, trace, violations: [], endMs: 1000 });
    const rows: number[][] = [];
    for (let o = 0; o < c.messages.length; o += MESSAGE_FIELDS) rows.push(c.messages.slice(o, o + MESSAGE_FIELDS));
    expect(rows.map((r) => [r[0], r[1], r[4], r[5], r[6]])).toEqual([
      [2, 1, 10, 4, MESSAGE_STATUS.delivered],
      [3, 1, 10, 3, MESSAGE_STATUS.delivered],
      [2, 1, 500, 3, MESSAGE_STATUS.delivered],
      [3, 1, 500, -1, MESSAGE_STATUS.lost],
    ]);
    expect(c.marks.filter((k) => k[1] === 500)).toHaveLength(1);
  });

  it('centres a history violation on the failing operation, any other on its own time', () => {
    const violations = [
      { property: 'linearizability' as const, atMs: 900, event: 5, nodes: [], message: 'not linearizable' },
      { property: 'election-safety' as const, atMs: 400, event: 3, nodes: [1, 2], message: 'two leaders' },
    ];
    const c = buildClusterData({ nodeCount: 2, trace: [], violations, endMs: 1000, historyFocus: { startMs: 300, endMs: 350 } });
    expect(c.violations.map((v) => [v.focusStartMs, v.focusEndMs])).toEqual([[300, 350], [400, 400]]);
  });
});

describe('the history view model and the contradiction', () => {
  // A stale read: process 2 reads x=1 after process 1's write of 2 completed.
  const staleRead: HistoryEvent[] = [
    { process: 1, type: 'invoke', f: 'write', key: 'x', value: 1, atMs: 0 },
    { process: 1, type: 'ok', f: 'write', key: 'x', value: 1, atMs: 10 },
    { process: 1, type: 'invoke', f: 'write', key: 'x', value: 2, atMs: 20 },
    { process: 1, type: 'ok', f: 'write', key: 'x', value: 2, atMs: 30 },
    { process: 3, type: 'invoke', f: 'write', key: 'y', value: 5, atMs: 32 },
    { process: 3, type: 'fail', f: 'write', key: 'y', value: 5, atMs: 34 },
    { process: 2, type: 'invoke', f: 'read', key: 'x', value: null, atMs: 40 },
    { process: 2, type: 'ok', f: 'read', key: 'x', value: 1, atMs: 50 },
    { process: 1, type: 'invoke', f: 'write', key: 'x', value: 3, atMs: 60 },
  ];

  it('names the earlier operation that forces a stale read', () => {
    const result = checkHistory(staleRead);
    expect(result.verdict).toBe('not-linearizable');
    const c = describeContradiction(result.explanation as LinExplanation);
    expect(c.forcing?.description).toBe('write "x" 2');
    expect(c.forcingPrecedes).toBe(true);
    expect(c.reason).toBe(`process 2's read "x" -> 1 (called at 40 ms) cannot take effect: key "x" is 2 after process 1's write "x" 2, which completed at 30 ms, before it was called`);
  });

  it('the text explanation carries the same reason, right after the failing operation', () => {
    const lines = describeExplanation(checkHistory(staleRead));
    expect(lines[1]).toMatch(/^ {2}in key "x": cannot linearize process 2: read "x" -> 1/);
    expect(lines[2]).toBe(`  why: ${describeContradiction(checkHistory(staleRead).explanation as LinExplanation).reason}`);
  });

  it('says when the state is still the initial one, and when the forcing operation overlaps', () => {
    const initial = checkHistory([
      { process: 1, type: 'invoke', f: 'read', key: 'x', value: null, atMs: 0 },
      { process: 1, type: 'ok', f: 'read', key: 'x', value: 7, atMs: 5 },
    ]);
    expect(describeContradiction(initial.explanation as LinExplanation).reason).toContain('is still in its initial state null');
    const e = initial.explanation as LinExplanation;
    const overlapping: LinExplanation = { ...e, longest: [{ op: { id: 9, process: 4, description: 'write "x" 3', call: 0, ret: 9 }, stateAfter: '3' }], stateBeforeFailing: '3', failing: { ...e.failing, call: 2 } };
    const c = describeContradiction(overlapping);
    expect(c.forcingPrecedes).toBe(false);
    expect(c.reason).toContain("after process 4's write \"x\" 3, which overlaps it");
  });

  it('draws every operation, failed and open ones too, and marks prefix, forcing and failing operations', () => {
    const result = checkHistory(staleRead);
    const h = historyFromNative(staleRead, pairNativeEvents(staleRead), result, 100);
    expect(h.ops.map((o) => `${o.process} ${o.label} ${o.start}-${String(o.end)} ${o.outcome}`)).toEqual([
      '1 write "x" 1 0-10 ok',
      '1 write "x" 2 20-30 ok',
      '3 write "y" 5 (failed) 32-34 fail',
      '2 read "x" -> 1 40-50 ok',
      '1 write "x" 3 (outcome unknown) 60-null info',
    ]);
    const e = h.explanation;
    const idOf = (label: string): number => h.ops.find((o) => o.label === label)?.id ?? -2;
    expect(e?.failingId).toBe(idOf('read "x" -> 1'));
    expect(e?.forcingId).toBe(idOf('write "x" 2'));
    expect(e?.prefixIds).toContain(idOf('write "x" 1'));
    expect(h.ops.find((o) => o.outcome === 'fail')?.id).toBe(-1);
  });
});

function summary(over: Partial<BatchSummaryInput>): BatchSummaryInput {
  return {
    version: '0.1.0', runs: 10, passed: 8, failed: 2, seedStart: 1, scenario: 'random', nodes: null, bug: 'double-vote', implementation: 'core',
    wallMs: 1500, events: 1000, simulatedMs: 100_000, faults: { crash: 3, partition: 0, heal: 5 }, probes: { 'leader-change': 4, 'figure8-commit': 0 },
    probesMissed: ['figure8-commit'], clientOps: { ok: 1, fail: 2, info: 3 },
    classes: [{ signature: 'election-safety: two leaders', property: 'election-safety', count: 2, seeds: [3, 7], repro: 'npx seaworthy replay --seed 3' }],
    failures: [{ seed: 3, message: 'two leaders in term 4' }, { seed: 7, message: 'two leaders in term 9' }], implementationErrors: 0, interrupted: false,
    ...over,
  };
}

describe('the batch view model', () => {
  it('lists classes with their first message and page, non-zero faults largest first, and missed probes', () => {
    const b = buildBatchData(summary({}), (i) => (i === 0 ? 'class-1/report.html' : null));
    expect(b.scenarios).toEqual([{ name: 'random', passed: 8, failed: 2 }]);
    expect(b.classes).toEqual([{ property: 'election-safety', message: 'two leaders in term 4', count: 2, seeds: [3, 7], repro: 'npx seaworthy replay --seed 3', href: 'class-1/report.html' }]);
    expect(b.faults).toEqual([['heal', 5], ['crash', 3]]);
    expect(b.missed).toEqual(['figure8-commit']);
  });
});
