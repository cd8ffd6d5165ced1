import { describe, expect, it } from 'vitest';
import { createDurabilityChecker } from './durability.js';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';

describe('durability', () => {
  it('passes acked writes that stay, and overwrites of unacked or uncommitted entries', () => {
    const f = new FactLog();
    f.persist(1, { term: 2, commit: 0 }, entries(1, 7, 2));
    f.persist(2, { term: 2, commit: 7 }, entries(1, 7, 2));
    f.apply(1, entry(7, 2));
    f.ack(1, 7, 2);
    f.ack(1, 7, 2, 1, 1); // a retried reply for the same write
    f.apply(2, entry(7, 2));
    // Node 3 had a stale uncommitted (7, 1) and is overwritten: its commit is below 7, fine.
    f.persist(3, { term: 1, commit: 6 }, entries(1, 7, 1));
    f.persist(3, { term: 2, commit: 6 }, [entry(7, 2)]);
    // Entry 8 was never acked: replacing it at a committed index is not this checker's business.
    f.persist(1, { term: 3, commit: 7 }, [entry(8, 2)]);
    f.persist(1, { term: 3, commit: 8 }, [entry(8, 3)]);
    f.crash(2);
    f.restart(2, entries(1, 7, 2), { term: 2, commit: 7 });
    f.apply(2, entry(7, 2));
    expect(runChecker(createDurabilityChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports an acked write at index 7 term 2 later applied as term 3 elsewhere', () => {
    const f = new FactLog();
    f.apply(1, entry(7, 2));
    f.ack(1, 7, 2, 4, 9);
    const bad = f.apply(3, entry(7, 3));
    const v = runChecker(createDurabilityChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'durability', nodes: [1, 3], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe(
      `Node 3 applied term 3 at index 7, losing the write acknowledged at (index 7, term 2) by node 1 at ${f.facts[1]!.atMs} ms.`,
    );
  });

  it('reports an ack for a term other than the one already applied at that index', () => {
    const f = new FactLog();
    f.apply(2, entry(7, 3));
    const bad = f.ack(1, 7, 2);
    const v = runChecker(createDurabilityChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1, 2], event: bad.event });
    expect(v[0]!.message).toContain('but node 2 had applied term 3 at that index');
  });

  it('reports two acks at one index with different terms', () => {
    const f = new FactLog();
    f.ack(1, 7, 2, 1, 1);
    const bad = f.ack(2, 7, 3, 2, 1);
    const v = runChecker(createDurabilityChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1, 2], event: bad.event });
    expect(v[0]!.message).toBe(
      'A client 2 write (seq 1) was acknowledged at (index 7, term 3) by node 2, but a client 1 write (seq 1) was acknowledged at (index 7, term 2) by node 1 at 0 ms.',
    );
  });

  it('reports a committed acked entry overwritten on disk with another term', () => {
    const f = new FactLog();
    f.persist(2, { term: 2, commit: 7 }, entries(1, 7, 2));
    f.apply(1, entry(7, 2));
    f.ack(1, 7, 2);
    const bad = f.persist(2, { term: 3, commit: 7 }, [entry(6, 2), entry(7, 3)]);
    const v = runChecker(createDurabilityChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'durability', nodes: [1, 2], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe(
      `Node 2 persisted a log that replaces index 7 with term 3 although its commit index is 7, losing the write acknowledged at (index 7, term 2) by node 1 at ${f.facts[2]!.atMs} ms.`,
    );
  });

  it('reports a committed acked entry dropped by a truncating persist', () => {
    const f = new FactLog();
    f.persist(2, { term: 2, commit: 7 }, entries(1, 7, 2));
    f.apply(2, entry(7, 2));
    f.ack(2, 7, 2);
    const bad = f.persist(2, { term: 3, commit: 7 }, [entry(5, 3)]);
    const v = runChecker(createDurabilityChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [2], event: bad.event });
    expect(v[0]!.message).toContain('Node 2 persisted a log that drops index 7 (it now ends at index 5) although its commit index is 7');
  });
});
