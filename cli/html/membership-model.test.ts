import { describe, expect, it } from 'vitest';
import { encodeConfEntry } from '../../core/configuration.js';
import type { Configuration } from '../../core/configuration.js';
import type { Entry, NodeId } from '../../sim/contract.js';
import type { Fact } from '../../sim/facts.js';
import type { TraceDetail, TraceRecord } from '../../sim/trace.js';
import { traceKind } from '../../sim/trace.js';
import { BAND_STATES, buildClusterData } from './cluster-model.js';
import { buildMembershipData, entryConfiguration } from './membership-model.js';

let event = 0;
function rec(atMs: number, node: number, detail: TraceDetail): TraceRecord {
  return { ...detail, atMs, event: event++, node, kind: traceKind(detail) } as TraceRecord;
}
type FactBody = Fact extends infer F ? (F extends Fact ? Omit<F, 'atMs' | 'event' | 'node'> : never) : never;
const fact = (atMs: number, node: NodeId, body: FactBody): TraceRecord => rec(atMs, node, { type: 'fact', fact: { ...body, atMs, event, node } as Fact });
const conf = (voters: NodeId[], outgoing: NodeId[] = [], learners: NodeId[] = []): Configuration => ({ voters, learners, outgoing });
const confEntry = (index: number, term: number, c: Configuration): Entry => ({ index, term, data: encodeConfEntry(c) });
const persist = (atMs: number, node: NodeId, entries: Entry[]): TraceRecord => fact(atMs, node, { kind: 'persist', hardState: { term: 1, vote: 0, commit: 0 }, entries });
const apply = (atMs: number, node: NodeId, entry: Entry): TraceRecord => fact(atMs, node, { kind: 'apply', entry });
const leader = (atMs: number, node: NodeId, term: number): TraceRecord => fact(atMs, node, { kind: 'role', role: 'leader', leader: node, term });

describe('entryConfiguration', () => {
  it('reads text and base64 configuration entries, and nothing else', () => {
    const c = conf([1, 2, 3], [], [4]);
    expect(entryConfiguration(encodeConfEntry(c))).toEqual(c);
    expect(entryConfiguration(Buffer.from(encodeConfEntry(c)).toString('base64'))).toEqual(c);
    expect(entryConfiguration('{"client":1,"seq":1,"key":"x","op":"get"}')).toBeUndefined();
    expect(entryConfiguration(Buffer.from('{"client":1}').toString('base64'))).toBeUndefined();
    expect(entryConfiguration('')).toBeUndefined();
    expect(entryConfiguration('conf:{"voters":[]}')).toBeUndefined();
  });
});

describe('the membership model', () => {
  it('has nothing for a fixed-cluster run, so its page is drawn as before', () => {
    const trace = [leader(10, 1, 1), persist(12, 1, [{ index: 1, term: 1, data: '' }]), apply(20, 1, { index: 1, term: 1, data: '' })];
    expect(buildMembershipData(trace, 3, 3, 100)).toBeNull();
    expect('membership' in buildClusterData({ nodeCount: 3, trace, violations: [], endMs: 100 })).toBe(false);
  });

  it('follows a replacement through joint consensus: lifetimes, committed configurations, entries appended and committed', () => {
    const joint = conf([2, 3, 4], [1, 2, 3]);
    const next = conf([2, 3, 4]);
    const trace = [
      fact(100, 4, { kind: 'join' }),
      persist(150, 2, [confEntry(5, 1, joint)]),
      persist(155, 3, [confEntry(5, 1, joint)]),
      apply(160, 2, confEntry(5, 1, joint)),
      apply(162, 3, confEntry(5, 1, joint)),
      persist(170, 2, [confEntry(6, 1, next)]),
      apply(180, 2, confEntry(6, 1, next)),
      fact(200, 1, { kind: 'retire' }),
    ];
    const m = buildMembershipData(trace, 3, 4, 1000);
    expect(m?.lifetimes).toEqual([
      { node: 1, startMs: 0, endMs: 200, joined: false, retired: true },
      { node: 2, startMs: 0, endMs: 1000, joined: false, retired: false },
      { node: 3, startMs: 0, endMs: 1000, joined: false, retired: false },
      { node: 4, startMs: 100, endMs: 1000, joined: true, retired: false },
    ]);
    expect(m?.configurations.map((c) => [c.startMs, c.endMs, c.index, c.voters, c.outgoing])).toEqual([
      [0, 160, 0, [1, 2, 3], []],
      [160, 180, 5, [2, 3, 4], [1, 2, 3]],
      [180, 1000, 6, [2, 3, 4], []],
    ]);
    expect(m?.configurations[1]?.change).toBe('entered joint consensus: C_old {1,2,3} and C_new {2,3,4} must both agree');
    expect(m?.configurations[2]?.change).toBe('left joint consensus: voters {2,3,4}; node 1 removed');
    expect(m?.entries.map((e) => [e.index, e.term, e.appendedMs, e.appendedBy, e.committedMs, e.fate])).toEqual([
      [5, 1, 150, 2, 160, 'committed'],
      [6, 1, 170, 2, 180, 'committed'],
    ]);    // Each node acts on the newest configuration in its own log: node 3 never received C_new, node 1 retired, and
    // node 4 (joined) has none, so no span.
    expect(m?.nodeConfigurations).toEqual([
      [1, 0, 200, 0, 0],
      [2, 0, 150, 0, 0],
      [2, 150, 170, 5, 1],
      [2, 170, 1000, 6, 1],
      [3, 0, 155, 0, 0],
      [3, 155, 1000, 5, 1],
    ]);
  });

  it('follows each node\'s own configuration through a truncated suffix and an installed snapshot', () => {
    const grow = conf([1, 2, 3, 4]);
    const shrink = conf([1, 2]);
    const trace = [
      fact(10, 4, { kind: 'join' }),
      persist(20, 1, [confEntry(3, 1, grow)]),
      apply(30, 1, confEntry(3, 1, grow)),
      // Node 2 appends a configuration of a deposed leader, then the next leader's entries overwrite it.
      persist(40, 2, [confEntry(4, 1, shrink)]),
      persist(50, 2, [{ index: 4, term: 2, data: '' }]),
      // Node 4 starts from a snapshot at index 5: the newest committed configuration at or below it is 3/1.
      fact(60, 4, { kind: 'snapshot', index: 5, term: 2, digest: 1, origin: 'installed' }),
    ];
    const m = buildMembershipData(trace, 3, 4, 100);
    expect(m?.nodeConfigurations).toEqual([
      [1, 0, 20, 0, 0],
      [1, 20, 100, 3, 1],
      [2, 0, 40, 0, 0],
      [2, 40, 50, 4, 1],
      [2, 50, 100, 0, 0],
      [3, 0, 100, 0, 0],
      [4, 60, 100, 3, 1],
    ]);
    expect(m?.entries.find((e) => e.index === 4)?.fate).toBe('pending');
  });

  it('tells an entry overwritten at its index (by a configuration or a command) from one still pending at the run\'s end', () => {
    const lost = conf([1, 2, 3, 4]);
    const won = conf([1, 2, 3], [], [5]);
    const late = conf([1, 2, 3]);
    const crashed = conf([1, 2]);
    const trace = [
      persist(10, 1, [confEntry(3, 1, lost)]),
      persist(40, 2, [confEntry(3, 2, won)]),
      apply(50, 2, confEntry(3, 2, won)),
      persist(60, 2, [confEntry(4, 2, late)]),
      // A leader that crashed right after persisting its change: a command of the next leader takes the index.
      persist(70, 2, [confEntry(5, 2, crashed)]),
      apply(90, 3, { index: 5, term: 3, data: '{"client":1,"seq":4,"key":"x","op":"get"}' }),
    ];
    const m = buildMembershipData(trace, 3, 3, 100);
    expect(m?.entries.map((e) => [e.index, e.term, e.fate, e.committedMs])).toEqual([
      [3, 1, 'overwritten', null],
      [3, 2, 'committed', 50],
      [4, 2, 'pending', null],
      [5, 2, 'overwritten', null],
    ]);
    expect(m?.entries[1]?.learners).toEqual([5]);
    // The committed configuration moves only with what is applied.
    expect(m?.configurations.map((c) => c.index)).toEqual([0, 3]);
  });

  it('ends each transfer: completed by its target, aborted by another leader or by the next request, refused, pending', () => {
    const transfer = (atMs: number, node: NodeId, target: NodeId, accepted: boolean): TraceRecord => fact(atMs, node, { kind: 'transfer', target, accepted });
    const trace = [
      transfer(100, 1, 2, true),
      leader(118, 2, 2),
      transfer(200, 2, 3, true),
      leader(260, 1, 3),
      transfer(300, 1, 2, false),
      transfer(400, 1, 3, true),
      transfer(450, 1, 2, true),
    ];
    const m = buildMembershipData(trace, 3, 3, 1000);
    expect(m?.transfers.map((t) => [t.from, t.target, t.atMs, t.outcome, t.endMs, t.leader, t.term])).toEqual([
      [1, 2, 100, 'completed', 118, 2, 2],
      [2, 3, 200, 'aborted', 260, 1, 3],
      [1, 2, 300, 'refused', 300, 0, 0],
      [1, 3, 400, 'aborted', 450, 0, 0],
      [1, 2, 450, 'pending', 1000, 0, 0],
    ]);
    expect(m?.transfers.map((t) => t.text)).toEqual([
      'transfer of leadership n1 → n2, asked at 100 ms: completed, n2 leads in term 2, 18 ms after the request',
      'transfer of leadership n2 → n3, asked at 200 ms: aborted, n1 leads in term 3 instead, 60 ms after the request',
      'transfer of leadership n1 → n2, asked at 300 ms: refused by n1',
      'transfer of leadership n1 → n3, asked at 400 ms: aborted, the next transfer was asked first, 50 ms after the request',
      'transfer of leadership n1 → n2, asked at 450 ms: no leader announced by the run\'s end',
    ]);
  });
});

describe('the cluster view of a membership run', () => {
  it('gives a joined node a lane whose bands start at its join, ends a retired node\'s bands, and marks the membership facts', () => {
    const trace = [
      fact(100, 4, { kind: 'join' }),
      // A fault aimed at a node before it started draws no band.
      fact(90, 5, { kind: 'crash' }),
      fact(150, 2, { kind: 'conf-proposal', request: { changes: [{ type: 'add-voter', node: 4 }] }, accepted: true }),
      fact(300, 1, { kind: 'retire' }),
      rec(400, 0, { type: 'membership', step: 'given-up', goal: { op: 'remove', node: 2 } }),
      rec(90, 0, { type: 'fault', fault: { atMs: 90, kind: 'conf-change', goal: { op: 'add', node: 4, via: 'voter' }, retire: false, giveUpMs: 1000 } }),
    ];
    const c = buildClusterData({ nodeCount: 3, trace, violations: [], endMs: 1000 });
    expect(c.nodes).toBe(4);
    const bandsOf = (node: number): string[] => c.bands.filter((b) => b[0] === node).map((b) => `${b[1]}-${b[2]} ${BAND_STATES[b[3]] as string}`);
    expect(bandsOf(1)).toEqual(['0-300 follower']);
    expect(bandsOf(4)).toEqual(['100-1000 follower']);
    expect(bandsOf(5)).toEqual([]);
    const kinds = c.marks.map((k) => `${k[0]} ${c.markKinds[k[2]] as string}`);
    expect(kinds).toEqual(['4 join', '5 crash', '2 conf', '1 retire', '0 goal-failed', '0 goal']);
    expect(c.membership?.lifetimes.map((l) => l.node)).toEqual([1, 2, 3, 4]);
  });
});
