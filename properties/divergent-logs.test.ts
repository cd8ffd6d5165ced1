import { describe, expect, it } from 'vitest';
import { endBefore, endOf, longerButOlder, noLongerNoNewer } from './divergent-logs.js';
import { DurableNodes } from './durable-state.js';
import { entries, entry, FactLog } from './fact-builders.js';
import { PersistedLog, PersistedLogs } from './persisted-log.js';
import { ProbeCounter } from './probes.js';
import type { ProbeCounts } from './probes.js';

function logOf(...terms: number[]): PersistedLog {
  const log = new PersistedLog();
  log.replaceFrom(terms.map((term, i) => entry(i + 1, term)));
  return log;
}

function countsOf(f: FactLog, nodeIds: readonly number[] = [1, 2, 3]): ProbeCounts {
  const p = new ProbeCounter(undefined, { nodeIds });
  for (const fact of f.facts) p.observe(fact);
  return p.counts;
}

/**
 * Figure 7 in three nodes: node 1 holds a deposed leader's tail of term 1 (three entries), nodes 2 and 3 the
 * shorter log of term 2. Node 2 then campaigns in term 3 and wins with the votes in `voters`.
 */
function figure7(voters: readonly number[]): FactLog {
  const f = new FactLog();
  f.persist(1, { term: 1 }, entries(1, 3, 1));
  f.persist(2, { term: 2 }, [entry(1, 1), entry(2, 2)]);
  f.persist(3, { term: 2 }, [entry(1, 1), entry(2, 2)]);
  f.persist(2, { term: 3, vote: 2 });
  for (const v of voters) f.persist(v, { term: 3, vote: 2 });
  // The election no-op reaches the leader's disk in the write that announces its role.
  f.persist(2, { term: 3, vote: 2 }, [entry(3, 3)]);
  f.lead(2, 3);
  return f;
}

describe('divergent-logs comparisons', () => {
  it('reads a leader\'s log as it stood for election, without its own term\'s entries', () => {
    expect(endBefore(logOf(1, 1, 2, 3), 3)).toEqual({ lastIndex: 3, lastTerm: 2 });
    expect(endBefore(logOf(1, 1, 2), 3)).toEqual({ lastIndex: 3, lastTerm: 2 });
    expect(endBefore(logOf(3), 3)).toEqual({ lastIndex: 0, lastTerm: 0 });
    expect(endOf(logOf(1, 2, 2))).toEqual({ lastIndex: 3, lastTerm: 2 });
    expect(endOf(logOf())).toEqual({ lastIndex: 0, lastTerm: 0 });
  });

  it('tells a longer log of an older term from one that is no longer and no newer', () => {
    const candidate = { lastIndex: 5, lastTerm: 4 };
    expect(longerButOlder({ lastIndex: 7, lastTerm: 3 }, candidate)).toBe(true);
    expect(longerButOlder({ lastIndex: 7, lastTerm: 4 }, candidate)).toBe(false);
    expect(longerButOlder({ lastIndex: 5, lastTerm: 3 }, candidate)).toBe(false);
    expect(noLongerNoNewer({ lastIndex: 5, lastTerm: 4 }, candidate)).toBe(true);
    expect(noLongerNoNewer({ lastIndex: 4, lastTerm: 2 }, candidate)).toBe(true);
    expect(noLongerNoNewer({ lastIndex: 6, lastTerm: 2 }, candidate)).toBe(false);
    expect(noLongerNoNewer({ lastIndex: 3, lastTerm: 5 }, candidate)).toBe(false);
  });
});

describe('Figure 7 probes', () => {
  it('see an election won only with the vote of a longer log of an older term', () => {
    const counts = countsOf(figure7([1]));
    expect(counts['elected-over-longer-older-log']).toBe(1);
    expect(counts['election-won-by-last-term-only']).toBe(1);
  });

  it('do not count an election that a majority of no-longer logs would have won anyway', () => {
    const counts = countsOf(figure7([3]));
    expect(counts['elected-over-longer-older-log']).toBe(1);
    expect(counts['election-won-by-last-term-only']).toBe(0);
    // Both voted: the votes of nodes 2 and 3 alone make the majority.
    expect(countsOf(figure7([1, 3]))['election-won-by-last-term-only']).toBe(0);
  });

  it('judge the second probe only when the votes seen make a majority', () => {
    // On five nodes, two votes of three are not a won election as far as the facts show.
    expect(countsOf(figure7([1]), [1, 2, 3, 4, 5])['election-won-by-last-term-only']).toBe(0);
  });

  it('leave out a crashed node and logs that are longer in the same term', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 3, 1));
    f.crash(1);
    f.persist(2, { term: 2 }, [entry(1, 1), entry(2, 2)]);
    f.persist(3, { term: 2 }, [entry(1, 1), entry(2, 2), entry(3, 2)]);
    f.persist(2, { term: 3, vote: 2 });
    f.lead(2, 3);
    const counts = countsOf(f);
    expect(counts['elected-over-longer-older-log']).toBe(0);
    expect(counts['election-won-by-last-term-only']).toBe(0);
    expect(counts['leader-with-shorter-log']).toBe(1);
  });
});

describe('probes on the run\'s durable nodes', () => {
  /** As RunCheckers feeds them: the logs first, then the counter, then the durable nodes (after the counter read them). */
  function sharedCountsOf(f: FactLog, nodeIds: readonly number[]): ProbeCounts {
    const logs = new PersistedLogs(nodeIds);
    const durable = new DurableNodes(nodeIds);
    const p = new ProbeCounter(logs, { nodeIds, durable });
    for (const fact of f.facts) {
      logs.observe(fact);
      p.observe(fact);
      if (fact.kind === 'persist') durable.of(fact.node).persist(fact);
      if (fact.kind === 'restart') durable.of(fact.node).restart(fact);
    }
    return p.counts;
  }

  it('count what a counter keeping its own stored terms and votes counts', () => {
    for (const voters of [[1], [3], [1, 3]]) {
      const f = figure7(voters);
      // A term jump across a restart, judged against the term the restart brought back.
      f.crash(3);
      f.restart(3, [entry(1, 1), entry(2, 2)], { term: 3 });
      f.persist(3, { term: 6 });
      expect(sharedCountsOf(f, [1, 2, 3])).toEqual(countsOf(f));
      expect(countsOf(f)['term-jump']).toBeGreaterThan(0);
    }
  });
});

