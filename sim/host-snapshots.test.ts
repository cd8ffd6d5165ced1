/** The host's snapshot helpers: the digest memo gives exactly snapshotDigest's results. */
import { describe, expect, it } from 'vitest';
import { snapshotDigest, SnapshotDigests, takenSnapshot } from './host-snapshots.js';

describe('SnapshotDigests', () => {
  it('gives snapshotDigest of every data, repeated, alternating, equal in content or empty', () => {
    const digests = new SnapshotDigests();
    const a = '{"kv":{"x":1},"sessions":{}}';
    const b = '{"kv":{"x":2},"sessions":{}}';
    // Equal content in another string object (built at run time, so not the same literal).
    const aCopy = ['{"kv":{"x":', String(1), '},"sessions":{}}'].join('');
    expect(aCopy).toBe(a);
    for (const data of ['', a, a, b, a, aCopy, '', b, b, '']) expect(digests.of(data)).toBe(snapshotDigest(data));
  });

  it('keeps hosts apart: each memo answers for its own data', () => {
    const one = new SnapshotDigests();
    const two = new SnapshotDigests();
    expect(one.of('first')).toBe(snapshotDigest('first'));
    expect(two.of('second')).toBe(snapshotDigest('second'));
    expect(one.of('first')).toBe(snapshotDigest('first'));
    expect(one.of('second')).toBe(snapshotDigest('second'));
  });
});

describe('takenSnapshot', () => {
  it('has the fields a spread of the configuration gave, in the same order, for every combination', () => {
    const v = [1, 2, 3];
    for (const learners of [[], [4]]) {
      for (const outgoing of [[], [1, 2, 5]]) {
        const c = { voters: v, learners, outgoing };
        const taken = takenSnapshot(7, 2, c, 'data');
        const spread = { index: 7, term: 2, peers: v, ...(learners.length > 0 ? { learners } : {}), ...(outgoing.length > 0 ? { outgoing } : {}), data: 'data' };
        expect(Object.keys(taken)).toEqual(Object.keys(spread));
        expect(taken).toEqual(spread);
        expect(JSON.stringify(taken)).toBe(JSON.stringify(spread));
      }
    }
  });

  it('a fixed cluster gets no learners or outgoing field at all', () => {
    expect(Object.keys(takenSnapshot(3, 1, { voters: [1, 2, 3], learners: [], outgoing: [] }, 'x'))).toEqual(['index', 'term', 'peers', 'data']);
  });
});

describe('SnapshotDigests start', () => {
  it('starts knowing the digest of no data', () => {
    expect(new SnapshotDigests().of('')).toBe(snapshotDigest(''));
  });
});
