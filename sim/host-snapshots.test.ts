/** The host's snapshot helpers: the digest memo gives exactly snapshotDigest's results. */
import { describe, expect, it } from 'vitest';
import { snapshotDigest, SnapshotDigests } from './host-snapshots.js';

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
