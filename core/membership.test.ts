import { describe, expect, it } from 'vitest';
import { encodeConfEntry, simpleConfiguration } from './configuration.js';
import type { Configuration } from './configuration.js';
import { bootstrapConfiguration, ConfigurationHistory, snapshotConfiguration } from './membership.js';
import type { Entry } from './types.js';

const c123 = simpleConfiguration([1, 2, 3]);
const c1234 = simpleConfiguration([1, 2, 3, 4]);
const withLearner: Configuration = { voters: [1, 2, 3], learners: [4], outgoing: [] };
const conf = (index: number, c: Configuration): Entry => ({ index, term: 1, data: encodeConfEntry(c) });
const cmd = (index: number): Entry => ({ index, term: 1, data: `{"k":${index}}` });

describe('ConfigurationHistory (thesis §4.1: the latest configuration in the log, committed or not)', () => {
  it('starts from the bootstrap configuration, or none for a joining node', () => {
    expect(new ConfigurationHistory(bootstrapConfiguration([1, 2, 3]), []).latest()).toEqual(c123);
    expect(new ConfigurationHistory(bootstrapConfiguration([]), []).latest()).toBeNull();
  });

  it('takes a stored log\'s latest configuration entry over the base', () => {
    const h = new ConfigurationHistory(c123, [cmd(1), conf(2, withLearner), cmd(3), conf(4, c1234), cmd(5)]);
    expect(h.latest()).toEqual(c1234);
    expect(h.latestIndex()).toBe(4);
    expect(h.atIndex(3)).toEqual(withLearner);
    expect(h.atIndex(1)).toEqual(c123);
  });

  it('falls back to the latest remaining entry when a suffix is truncated', () => {
    const h = new ConfigurationHistory(c123, [conf(1, withLearner), cmd(2), conf(3, c1234)]);
    expect(h.truncateFrom(4)).toBe(false);
    expect(h.truncateFrom(3)).toBe(true);
    expect(h.latest()).toEqual(withLearner);
    expect(h.truncateFrom(1)).toBe(true);
    expect(h.latest()).toEqual(c123);
  });

  it('ignores client commands, no-ops and malformed configuration entries', () => {
    const h = new ConfigurationHistory(c123, []);
    expect(h.noteAppended(cmd(1))).toBe(false);
    expect(h.noteAppended({ index: 2, term: 1, data: '' })).toBe(false);
    expect(h.noteAppended({ index: 3, term: 1, data: 'conf:{"voters":[]}' })).toBe(false);
    expect(h.latest()).toBe(h.atIndex(3));
    expect(h.latest()).toEqual(c123);
  });

  it('keeps the configuration at a compaction point as its base', () => {
    const h = new ConfigurationHistory(c123, [conf(1, withLearner), cmd(2), conf(3, c1234)]);
    h.compact(2);
    expect(h.atIndex(2)).toEqual(withLearner);
    expect(h.latest()).toEqual(c1234);
    h.compact(3);
    expect(h.latestIndex()).toBe(0);
    expect(h.latest()).toEqual(c1234);
  });

  it('restores a snapshot\'s configuration, under a kept suffix\'s own entries', () => {
    const h = new ConfigurationHistory(c123, [conf(1, c1234)]);
    h.restore(withLearner, 5, []);
    expect(h.latest()).toEqual(withLearner);
    h.restore(withLearner, 5, [cmd(6), conf(7, c1234)]);
    expect(h.latest()).toEqual(c1234);
    expect(h.atIndex(6)).toEqual(withLearner);
  });

  it('reads a snapshot\'s configuration from its meta', () => {
    expect(snapshotConfiguration({ index: 3, term: 1, peers: [1, 2, 3] })).toEqual(c123);
    expect(snapshotConfiguration({ index: 3, term: 1, peers: [2, 3, 4], learners: [5], outgoing: [1, 2, 3] })).toEqual({ voters: [2, 3, 4], learners: [5], outgoing: [1, 2, 3] });
    expect(snapshotConfiguration({ index: 3, term: 1, peers: [] })).toBeNull();
  });
});
