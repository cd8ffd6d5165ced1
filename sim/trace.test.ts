/** The trace as data: records carry what happened (facts, messages, faults), text is rendered from them on demand. */
import { describe, expect, it } from 'vitest';
import { describeMessage } from '../core/describe.js';
import { builtinRaft } from './builtin.js';
import { RELIABLE_NETWORK } from './network.js';
import { simulate } from './simulation.js';
import type { SimulationOptions } from './simulation.js';
import fc from 'fast-check';
import { hashString } from './hash.js';
import { TRACE_CODE, Trace, describeFault, describeTraceRecord, traceHash32, traceKind } from './trace.js';
import type { TraceRecord } from './trace.js';

function recordedRun(overrides: Partial<SimulationOptions> = {}): readonly TraceRecord[] {
  const result = simulate(
    {
      seed: 3,
      nodeCount: 3,
      implementation: builtinRaft(),
      tickMs: 10,
      electionTicks: 10,
      heartbeatTicks: 2,
      safetyMs: 2000,
      livenessMs: 2000,
      network: RELIABLE_NETWORK,
      workload: { clientCount: 2, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 40 },
      plan: { events: [{ atMs: 1000, kind: 'bounce', node: 2, downMs: 300 }] },
      record: true,
      ...overrides,
    },
    { observe: () => false },
  );
  return result.trace ?? [];
}

describe('trace records', () => {
  const records = recordedRun();

  it('hold the facts, messages and faults themselves, stamped with time, event and node', () => {
    const types = new Set(records.map((r) => r.type));
    for (const t of ['fact', 'send', 'deliver', 'client-request', 'fault', 'liveness-start', 'liveness-end'] as const) expect(types.has(t), t).toBe(true);
    for (const r of records) {
      expect(r.kind).toBe(traceKind(r));
      if (r.type === 'fact') expect({ atMs: r.atMs, event: r.event, node: r.node }).toEqual({ atMs: r.fact.atMs, event: r.fact.event, node: r.fact.node });
      if (r.type === 'send') expect(r.node).toBe(r.message.from);
      if (r.type === 'deliver') expect(r.node).toBe(r.message.to);
    }
    const bounce = records.find((r) => r.type === 'fault');
    expect(bounce).toMatchObject({ atMs: 1000, node: 2, kind: 'fault', fault: { kind: 'bounce', node: 2, downMs: 300 } });
    expect(records.some((r) => r.type === 'fact' && r.fact.kind === 'restart' && r.node === 2 && r.atMs === 1300)).toBe(true);
    const events = records.map((r) => r.event);
    expect(events).toEqual([...events].sort((a, b) => a - b));
  });

  it('render as text only on demand, describing messages as the core does', () => {
    const send = records.find((r) => r.type === 'send');
    if (send?.type !== 'send') throw new Error('no send recorded');
    expect(describeTraceRecord(send)).toBe(describeMessage(send.message) + (send.copies === 2 ? ' (duplicated)' : ''));
    const role = records.find((r) => r.type === 'fact' && r.fact.kind === 'role' && r.fact.role === 'leader');
    expect(role === undefined ? '' : describeTraceRecord(role)).toMatch(/^becomes leader in term \d+ \(leader \d\)$/);
    const bounce = records.find((r) => r.type === 'fault');
    expect(bounce === undefined ? '' : describeTraceRecord(bounce)).toBe('crash node 2, restart it 300 ms later');
    expect(describeTraceRecord(records[records.length - 1] as TraceRecord)).toMatch(/^converged after \d+ ms$/);
    for (const r of records) expect(describeTraceRecord(r).length).toBeGreaterThan(0);
  });

  it('renders the records that only faults and storage produce', () => {
    const at = { atMs: 5, event: 9, node: 2 };
    const cases: [TraceRecord, string][] = [
      [{ ...at, kind: 'fault', type: 'fault-target', fault: 'isolate-leader', leader: 2, cut: { side: [2, 3], rest: [1] } }, '(the leader is node 2: cut off {2,3} from {1})'],
      [{ ...at, kind: 'fault', type: 'corrupted', index: null }, 'nothing synced to corrupt'],
      [{ ...at, kind: 'fault', type: 'clog-end', from: 2, to: 3, released: 4 }, 'clog 2→3 ends: 4 held message(s) delivered in send order'],
      [{ ...at, kind: 'fault', type: 'resume', held: 3 }, 'node 2 resumes with stale state; 3 input(s) waited for it'],
      [{ ...at, kind: 'violation', type: 'storage', incident: 'storage-refused', index: 7 }, 'refuses to start: stored entry 7 fails its checksum'],
      [{ ...at, kind: 'crash', type: 'storage', incident: 'torn-tail-dropped', index: 4 }, 'dropped a torn tail from index 4 (never synced)'],
      [{ ...at, kind: 'phase', type: 'liveness-end', convergedAfterMs: null, problems: ['a', 'b'] }, 'did not converge: a; b'],
    ];
    for (const [record, text] of cases) {
      expect(describeTraceRecord(record)).toBe(text);
      expect(traceKind(record)).toBe(record.kind);
    }
    expect(describeFault({ atMs: 0, kind: 'clock-jump', node: 1, ticks: 4 })).toBe('clock of node 1 jumps 4 tick(s) forward');
  });
});

describe('trace hash codes', () => {
  it('are one table of distinct codes', () => {
    const codes = Object.values(TRACE_CODE);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('mix the event index, the code and three integers; recording does not change the hash', () => {
    const quiet = new Trace(false);
    const recorded = new Trace(true);
    for (const t of [quiet, recorded]) t.mix(1, TRACE_CODE.tick, 2, 0, 0);
    recorded.add(0, 1, 2, { type: 'liveness-start' });
    expect(recorded.hash.digest()).toBe(quiet.hash.digest());
    expect(quiet.records).toBeNull();
    expect(recorded.records).toHaveLength(1);
  });

  it('mix a 32-bit hash signed or unsigned alike (traceHash32 keeps the pinned hashes)', () => {
    expect(traceHash32('append')).toBe(hashString('append') | 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (h, digest) => {
        const unsigned = new Trace(false);
        const signed = new Trace(false);
        unsigned.mix(7, TRACE_CODE.send, h, 3 * 256 + 1, digest);
        signed.mix(7, TRACE_CODE.send, h | 0, 3 * 256 + 1, digest | 0);
        return unsigned.hash.digest() === signed.hash.digest();
      }),
    );
    // Values beyond 32 bits still fold in their high half: they are not the same as their low half.
    const big = new Trace(false);
    const low = new Trace(false);
    big.mix(1, TRACE_CODE.send, 0, 0, 0x1_0000_0005);
    low.mix(1, TRACE_CODE.send, 0, 0, 5);
    expect(big.hash.digest()).not.toBe(low.hash.digest());
  });
});
