import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../sim/contract.js';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';
import { createLogMatchingChecker } from './log-matching.js';
import { PersistedLogs } from './persisted-log.js';
import type { Fact } from '../sim/facts.js';
import type { Violation } from './types.js';

/** Runs a checker that reads a shared store, feeding the store each fact first (as the run pipeline does). */
function runShared(nodeIds: readonly number[], facts: readonly Fact[]): Violation[] {
  const logs = new PersistedLogs(nodeIds);
  const checker = createLogMatchingChecker(nodeIds, logs);
  const out: Violation[] = [];
  for (const fact of facts) {
    logs.observe(fact);
    const v = checker.observe(fact);
    if (v !== null) out.push(v);
  }
  return out;
}

describe('log matching', () => {
  it('passes logs that agree, including a follower truncating a conflicting suffix and a restart', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 3, 1));
    f.persist(2, { term: 1 }, entries(1, 2, 1));
    f.persist(2, { term: 1 }, [entry(2, 1), entry(3, 1)]); // re-append of an identical entry
    // Node 1 leads term 2 and appends 4..5 that never replicate; node 3 leads term 3 from index 3 on.
    f.persist(1, { term: 2 }, entries(4, 5, 2));
    f.persist(3, { term: 3 }, [...entries(1, 3, 1), entry(4, 3)]);
    f.persist(1, { term: 3, commit: 3 }, [entry(4, 3)]); // drops (5, 2)
    f.persist(1, { term: 3, commit: 4 });
    f.crash(2);
    f.restart(2, entries(1, 3, 1), { term: 1 });
    f.persist(2, { term: 3 }, [entry(4, 3), entry(5, 3)]);
    f.persist(1, { term: 3 }, [entry(5, 3)]);
    expect(runChecker(createLogMatchingChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports the same (index, term) with different data on two nodes', () => {
    const f = new FactLog();
    f.persist(1, { term: 2 }, [entry(1, 1, 'a'), entry(2, 2, 'set x=1')]);
    const bad = f.persist(3, { term: 2 }, [entry(1, 1, 'a'), entry(2, 2, 'set x=2')]);
    const v = runChecker(createLogMatchingChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'log-matching', nodes: [1, 3], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe(
      'Node 3 persisted entry (index 2, term 2) with data "set x=2", but node 1 first persisted that index and term with data "set x=1".',
    );
  });

  it('reports the same (index, term) whose earlier entries differ, naming the first difference', () => {
    const f = new FactLog();
    f.persist(2, { term: 3 }, [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 3, 'c')]);
    const bad = f.persist(1, { term: 3 }, [entry(1, 1, 'a'), entry(2, 2, 'z'), entry(3, 3, 'c')]);
    const v = runChecker(createLogMatchingChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'log-matching', nodes: [1, 2], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe(
      "Node 1 persisted entry (index 3, term 3) equal to node 2's, but the logs before it differ (they first differ at index 2).",
    );
    expect(v[0]!.evidence).toMatchObject({ index: 3, term: 3, recordedBy: 2, firstDifference: 2 });
  });

  it('remembers an (index, term) after every log holding it was truncated', () => {
    const f = new FactLog();
    f.persist(1, { term: 2 }, [entry(1, 1), entry(2, 2, 'old')]);
    f.persist(1, { term: 3 }, [entry(2, 3)]); // truncates (2, 2)
    const bad = f.persist(2, { term: 3 }, [entry(1, 1), entry(2, 2, 'new')]);
    const v = runChecker(createLogMatchingChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'log-matching', nodes: [1, 2], event: bad.event });
  });

  it('reports an earlier difference without a first index when the recorded log is gone', () => {
    const f = new FactLog();
    f.persist(1, { term: 2 }, [entry(1, 1, 'a'), entry(2, 2)]);
    f.persist(1, { term: 3 }, [entry(1, 3)]); // node 1 no longer holds the recorded prefix
    const bad = f.persist(2, { term: 2 }, [entry(1, 2, 'q'), entry(2, 2)]);
    const v = runChecker(createLogMatchingChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1, 2], event: bad.event });
    expect(v[0]!.message).toContain('an earlier entry differs');
  });

  it('reports a restarted log that contradicts the record', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 2, 1));
    f.crash(1);
    const bad = f.restart(1, [entry(1, 1), entry(2, 1, 'corrupt')]);
    const v = runChecker(createLogMatchingChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1], event: bad.event });
    expect(v[0]!.message).toContain('Node 1 restarted with entry (index 2, term 1)');
  });

  it('judges the part of a restarted log that changed, and the whole log again once a violation was reported', () => {
    const f = new FactLog();
    const log1 = entries(1, 3, 1);
    f.persist(1, { term: 1 }, log1);
    const log2 = [log1[0]!, log1[1]!, entry(3, 1, 'other')];
    const first = f.persist(2, { term: 1 }, log2); // (3, 1) with other data: reported
    f.crash(1);
    // Node 1 comes back with its first two entries and a changed third: only the third is new to this log.
    const changed = f.restart(1, [log1[0]!, log1[1]!, entry(3, 1, 'corrupt')]);
    f.crash(2);
    const again = f.restart(2, log2); // the very entries node 2 held: judged in full again after the violations
    for (const v of [runChecker(createLogMatchingChecker([1, 2]), f.facts), runShared([1, 2], f.facts)]) {
      expect(v.map((x) => x.event)).toEqual([first.event, changed.event, again.event]);
      expect(v[1]!.message).toContain('Node 1 restarted with entry (index 3, term 1)');
      expect(v[2]!.message).toContain('Node 2 restarted with entry (index 3, term 1)');
    }
  });

  it('reports a persist that is not consecutive', () => {
    const f = new FactLog();
    const bad = f.persist(2, { term: 1 }, [entry(1, 1), entry(2, 1), entry(4, 1)]);
    const v = runChecker(createLogMatchingChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'log-matching', nodes: [2], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe('Node 2 persisted entries that are not consecutive: index 4 (term 1) follows index 2 (term 1).');
  });

  it('reports a persist leaving a gap after the stored log, and one at index 0', () => {
    const f = new FactLog();
    f.persist(2, { term: 1 }, entries(1, 3, 1));
    const gap = f.persist(2, { term: 1 }, [entry(5, 1)]);
    const zero = f.persist(3, { term: 1 }, [entry(0, 1)]);
    const v = runChecker(createLogMatchingChecker(), f.facts);
    expect(v.map((x) => x.event)).toEqual([gap.event, zero.event]);
    expect(v[0]!.message).toBe('Node 2 persisted entries from index 5 (term 1) but its stored log ends at index 3, leaving a gap.');
    expect(v[1]!.nodes).toEqual([3]);
  });

  const nodeIds = [1, 2, 3, 4];
  const node = fc.constantFrom(...nodeIds);
  /** 0 stands for "the node leading the newest term", so runs replicate from real leaders often. */
  const nodeOrLeader = fc.constantFrom(0, 0, ...nodeIds);
  const op = fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('elect' as const), node, noop: fc.boolean() }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('append' as const),
        node: nodeOrLeader,
        count: fc.integer({ min: 1, max: 4 }),
        data: fc.string({ maxLength: 3 }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('replicate' as const), from: nodeOrLeader, to: node, start: fc.nat(), end: fc.nat() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), node }) },
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

  /**
   * Facts of a run built the way Raft builds logs: only the leader of term t creates term-t entries, and a
   * follower copies entries from another log after the prefix they agree on. With `corrupt`, the first
   * replication changes the data of the last entry it copies; its persist fact is returned as `corrupted`.
   */
  function build(ops: readonly Op[], corrupt: boolean): { log: FactLog; corrupted: number } {
    const f = new FactLog();
    const logs = new Map<number, Entry[]>(nodeIds.map((id) => [id, []]));
    const leadsTerm = new Map<number, number>(nodeIds.map((id) => [id, 0]));
    let term = 0;
    let newestLeader = 1;
    let corrupted = -1;
    const persist = (node: number, from: number, batch: Entry[]): number => {
      const log = logs.get(node)!;
      log.length = from - 1;
      log.push(...batch);
      return f.persist(node, { term }, batch).event;
    };
    for (const o of ops) {
      if (o.kind === 'elect') {
        term++;
        leadsTerm.set(o.node, term);
        newestLeader = o.node;
        const log = logs.get(o.node)!;
        if (o.noop) persist(o.node, log.length + 1, [entry(log.length + 1, term, '')]);
      } else if (o.kind === 'append') {
        const leader = o.node === 0 ? newestLeader : o.node;
        const t = leadsTerm.get(leader)!;
        if (t === 0) continue;
        const log = logs.get(leader)!;
        const batch: Entry[] = [];
        for (let k = 1; k <= o.count; k++) batch.push(entry(log.length + k, t, o.data + String(k)));
        persist(leader, log.length + 1, batch);
      } else if (o.kind === 'replicate') {
        const from = o.from === 0 ? newestLeader : o.from;
        if (from === o.to) continue;
        const src = logs.get(from)!;
        const dst = logs.get(o.to)!;
        // The follower's log agrees with the source up to their common prefix (the AppendEntries check).
        let common = 0;
        while (common < src.length && common < dst.length && src[common] === dst[common]) common++;
        const start = 1 + (o.start % (common + 1));
        if (start > src.length) continue;
        const end = start + (o.end % (src.length - start + 1));
        const batch = src.slice(start - 1, end);
        const last = batch[batch.length - 1]!;
        const spoil = corrupt && corrupted === -1 && last !== dst[last.index - 1];
        if (spoil) batch[batch.length - 1] = entry(last.index, last.term, last.data + '!');
        const event = persist(o.to, start, batch);
        if (spoil) corrupted = event;
        leadsTerm.set(o.to, 0); // a follower that took entries from another log has stepped down
      } else if (o.kind === 'restart') {
        f.crash(o.node);
        f.restart(o.node, logs.get(o.node)!.slice(), { term });
        leadsTerm.set(o.node, 0);
      } else {
        f.persist(o.node, { term });
      }
    }
    return { log: f, corrupted };
  }

  it('never reports logs built consistently (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 120, size: "max" }), (ops) => {
        const { log } = build(ops, false);
        expect(runChecker(createLogMatchingChecker(nodeIds), log.facts)).toEqual([]);
        expect(runShared(nodeIds, log.facts)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the first copied entry whose data was changed (property)', () => {
    let caught = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 120, size: "max" }), (ops) => {
        const { log, corrupted } = build(ops, true);
        const v = runChecker(createLogMatchingChecker(nodeIds), log.facts);
        expect(runShared(nodeIds, log.facts)).toEqual(v);
        if (corrupted === -1) expect(v).toEqual([]);
        else {
          caught++;
          expect(v[0]?.event).toBe(corrupted);
        }
      }),
      { numRuns: 300 },
    );
    expect(caught).toBeGreaterThan(150);
  });
});
