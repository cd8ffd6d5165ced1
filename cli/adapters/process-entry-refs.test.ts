import { describe, expect, it } from 'vitest';
import { EntryRecord, expandPredictions } from './process-entry-refs.js';

const entry = (index: number, term = 1): { term: number; index: number; data: string } => ({ term, index, data: `d${index}` });
const run = (lo: number, hi: number, term = 1): ReturnType<typeof entry>[] => Array.from({ length: hi - lo + 1 }, (_, i) => entry(lo + i, term));

describe('entry references', () => {
  it('expands a Ready from the log as the Ready leaves it: its own entries, committed entries and message fields', () => {
    const record = new EntryRecord({ entries: run(1, 3) });
    const ready = {
      entries: run(4, 5),
      messages: [
        { from: 1, term: 1, type: 'append', to: 2, prevIndex: 2, prevTerm: 1, entries: { $entries: [3, 5] }, commit: 3 },
        { from: 1, term: 1, type: 'append', to: 3, prevIndex: 5, prevTerm: 1, entries: [], commit: 3 },
      ],
      committedEntries: { $entries: [1, 3] },
    };
    record.apply(ready);
    expect(record.expandReady(ready)).toBeNull();
    expect(ready.committedEntries).toEqual(run(1, 3));
    expect(ready.messages[0]?.entries).toEqual(run(3, 5));
    // Fields that are not references are left alone, an empty array included.
    expect(ready.messages[1]?.entries).toEqual([]);
    expect(ready.messages[0]?.prevIndex).toBe(2);
  });

  it('follows truncations and snapshots as the host stores them', () => {
    const record = new EntryRecord({ entries: run(1, 4) });
    record.apply({ entries: run(3, 3, 2) });
    expect(record.lastIndex).toBe(3);
    const truncated = { messages: [{ entries: { $entries: [2, 3] } }] };
    expect(record.expandReady(truncated)).toBeNull();
    expect(truncated.messages[0]?.entries).toEqual([entry(2, 1), entry(3, 2)]);
    // A snapshot replaces the whole log: only what follows it can be named.
    record.apply({ snapshot: { index: 10, term: 2 }, entries: run(11, 12, 2) });
    expect(record.expandReady({ committedEntries: { $entries: [11, 12] } })).toBeNull();
    expect(record.expandReady({ committedEntries: { $entries: [10, 11] } })).toMatch(/to entries the host does not hold \(it holds 11\.\.12 of this node's log\) as "committedEntries"/);
    // A restart from storage with a snapshot starts after it.
    const restarted = new EntryRecord({ entries: run(11, 11), snapshot: { index: 10 } });
    expect(restarted.expandMessage({ entries: { $entries: [11, 11] } })).toBeNull();
  });

  it('refuses a reference out of range or malformed, naming it', () => {
    const record = new EntryRecord({ entries: run(1, 2) });
    expect(record.expandMessage({ type: 'append', entries: { $entries: [2, 3] } })).toMatch(/a reference \{"\$entries":\[2,3\]\} to entries the host does not hold \(it holds 1\.\.2 of this node's log\) in field "entries" of a message/);
    expect(record.expandMessage({ entries: { $entries: [2, 1] } })).toMatch(/does not hold/);
    expect(record.expandMessage({ entries: { $entries: [1] } })).toMatch(/is not \{"\$entries": \[first, last\]\}, two whole indexes/);
    expect(record.expandMessage({ entries: { $entries: ['1', 2] } })).toMatch(/two whole indexes/);
    expect(new EntryRecord({ entries: [] }).expandMessage({ entries: { $entries: [1, 1] } })).toMatch(/it holds none/);
    // An object with other keys is a value of the implementation's own, not a reference.
    const own = { entries: { $entries: [9, 9], note: 1 } };
    expect(record.expandMessage(own)).toBeNull();
    expect(own.entries).toEqual({ $entries: [9, 9], note: 1 });
  });

  it('expands predictions: predicted Readys and step messages, nested levels and inputs with their own then', () => {
    const record = new EntryRecord({ entries: run(1, 3) });
    const heartbeat = { from: 1, term: 1, type: 'append', to: 2, prevIndex: 1, prevTerm: 1, entries: { $entries: [2, 3] }, commit: 1 };
    const nested = { inputs: [{ request: { type: 'tick' }, ready: { entries: [], messages: [], committedEntries: { $entries: [1, 3] } } }], then: {} };
    const predictions = {
      inputs: [
        { request: { type: 'step', message: heartbeat }, ready: null, then: { predictions: nested } },
        { request: { type: 'tick' }, ready: { entries: [], messages: [{ ...heartbeat }], committedEntries: [] } },
      ],
      then: { predictions: 'same' },
    };
    expect(expandPredictions(record, predictions)).toBeNull();
    expect(heartbeat.entries).toEqual(run(2, 3));
    expect(predictions.inputs[1]?.ready?.messages[0]?.entries).toEqual(run(2, 3));
    expect(nested.inputs[0]?.ready.committedEntries).toEqual(run(1, 3));
    expect(expandPredictions(record, { inputs: [{ request: { type: 'tick' }, ready: { entries: [], messages: [], committedEntries: { $entries: [3, 4] } } }] })).toMatch(/does not hold/);
  });
});
