import { describe, expect, it } from 'vitest';
import type { Fact } from '../sim/facts.js';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';
import { ChainCache, PersistedLog, PersistedLogs } from './persisted-log.js';
import { ProbeCounter } from './probes.js';
import { createSafetyCheckers } from './safety.js';
import type { Violation } from './types.js';

/** Every chain of `log` up to its last index. */
function chains(log: PersistedLog): number[] {
  return Array.from({ length: log.lastIndex + 1 }, (_, i) => log.chainAt(i));
}

/** A run that breaks every safety property, with a truncation and a restart along the way. */
function brokenRun(): FactLog {
  const f = new FactLog();
  f.lead(1, 1);
  f.persist(1, { term: 1, vote: 1, commit: 2 }, entries(1, 3, 1));
  f.persist(2, { term: 1 }, entries(1, 3, 1));
  f.apply(1, entry(1, 1));
  f.apply(1, entry(2, 1));
  f.ack(1, 2, 1);
  f.persist(3, { term: 2 }, [entry(1, 1), entry(2, 2)]);
  f.persist(2, { term: 2 }, [entry(2, 2)]); // truncates (2, 1) and (3, 1)
  f.crash(2);
  f.restart(2, [entry(1, 1), entry(2, 2)], { term: 2 });
  f.lead(2, 1);
  f.persist(2, { term: 2, vote: 2 }, [entry(1, 1), entry(2, 1, 'other')]);
  f.persist(3, { term: 2 }, [entry(5, 2)]); // a gap
  f.lead(3, 3);
  f.apply(2, entry(1, 1));
  f.apply(2, entry(2, 3));
  return f;
}

/** Feeds `facts` the way the run pipeline does: the shared store first, then every checker. */
function runShared(facts: readonly Fact[]): Violation[][] {
  const logs = new PersistedLogs([1, 2, 3]);
  const checkers = createSafetyCheckers([1, 2, 3], logs);
  const out: Violation[][] = checkers.map(() => []);
  for (const fact of facts) {
    logs.observe(fact);
    checkers.forEach((c, i) => {
      const v = c.observe(fact);
      if (v !== null) out[i]!.push(v);
    });
  }
  return out;
}

describe('persisted logs', () => {
  it('reports whether a persist replaced an entry of another term', () => {
    const log = new PersistedLog();
    expect(log.replaceFrom(entries(1, 3, 1))).toBe(false);
    expect(log.replaceFrom([entry(2, 1), entry(3, 1)])).toBe(false); // the same entries again
    expect(log.replaceFrom([entry(2, 1)])).toBe(false); // drops index 3, replaces nothing
    expect(log.replaceFrom([entry(2, 2), entry(3, 2)])).toBe(true);
    expect(log.lastIndex).toBe(3);
  });

  it('keeps the chains of a restart that reuses the stored entry objects, and rehashes what differs', () => {
    const stored = entries(1, 5, 1);
    const log = new PersistedLog();
    log.replaceFrom(stored);
    // Same objects for 1..3, then a different entry at 4: chains must equal a log built from scratch.
    const restarted = [...stored.slice(0, 3), entry(4, 2), entry(5, 2), entry(6, 2)];
    expect(log.reset(restarted)).toBe(3); // the kept prefix: identical objects at the same positions
    const fresh = new PersistedLog();
    expect(fresh.reset(restarted)).toBe(0);
    expect(chains(log)).toEqual(chains(fresh));
    // A shorter restart made of the same objects, then a longer one again.
    expect(log.reset(restarted.slice(0, 2))).toBe(2);
    expect(log.lastIndex).toBe(2);
    expect(log.reset(restarted)).toBe(2);
    expect(chains(log)).toEqual(chains(fresh));
    // An identical object after a different one is not part of the kept prefix.
    expect(log.reset([entry(1, 1), ...restarted.slice(1)])).toBe(0);
    expect(log.reset(restarted)).toBe(0);
    expect(chains(log)).toEqual(chains(fresh));
    expect(() => log.reset([entry(1, 1), entry(3, 1)])).toThrow(/not consecutive/);
  });

  it('share a chain cache without ever changing a chain', () => {
    const cache = new ChainCache();
    const [a, b, c] = [new PersistedLog(cache), new PersistedLog(cache), new PersistedLog(cache)];
    const shared = entries(1, 4, 1);
    a.replaceFrom(shared);
    b.replaceFrom(shared); // cache hits
    c.replaceFrom([entry(1, 1, 'other'), ...shared.slice(1)]); // same objects after a different first entry
    a.replaceFrom([entry(3, 2), entry(4, 2)]);
    b.reset([...shared.slice(0, 2), entry(3, 2), entry(4, 2)]);
    for (const log of [a, b, c]) {
      const alone = new PersistedLog();
      alone.reset(Array.from({ length: log.lastIndex }, (_, i) => log.entryAt(i + 1)!));
      expect(chains(log)).toEqual(chains(alone));
    }
    expect(c.chainAt(4)).not.toBe(new PersistedLog().chainAt(0));
    expect(c.chainAt(2)).not.toBe(chains(b)[2]);
  });

  it('give the shared checkers the same violations as checkers with their own logs', () => {
    const facts = brokenRun().facts;
    const checkers = createSafetyCheckers([1, 2, 3]);
    const own = checkers.map((c) => runChecker(c, facts));
    // The run breaks at least the five properties that read persisted logs or judge what they imply.
    const fired = checkers.filter((_, i) => own[i]!.length > 0).map((c) => c.property);
    expect(fired).toEqual(expect.arrayContaining(['election-safety', 'log-matching', 'leader-completeness', 'state-machine-safety', 'durability']));
    expect(runShared(facts)).toEqual(own);
  });

  it('refuse a reader fed a fact the store has not observed', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 2, 1));
    const logs = new PersistedLogs();
    const [, logMatching] = createSafetyCheckers([1], logs);
    expect(() => logMatching!.observe(f.facts[0]!)).toThrow(/have not observed the persist of node 1/);
    logs.observe(f.facts[0]!);
    expect(logMatching!.observe(f.facts[0]!)).toBeNull();
  });

  it('give shared probes the same counts as probes with their own logs', () => {
    const facts = brokenRun().facts;
    const own = new ProbeCounter();
    const logs = new PersistedLogs();
    const shared = new ProbeCounter(logs);
    for (const fact of facts) {
      own.observe(fact);
      logs.observe(fact);
      shared.observe(fact);
    }
    expect(own.counts['log-truncated']).toBe(2); // node 2 at (2, 2), then again after its restart
    expect(shared.counts).toEqual(own.counts);
  });
});
