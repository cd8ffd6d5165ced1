import { describe, expect, it } from 'vitest';
import { entries, entry, FactLog, runChecker } from './fact-builders.js';
import { PersistedLogs } from './persisted-log.js';
import { SnapshotFactExpander } from './snapshot-facts.js';
import { createSnapshotSafetyChecker } from './snapshot-safety.js';
import type { Fact } from '../sim/facts.js';

/** Node 1 applies 1..4 and snapshots at 4; node 2 installs that snapshot and applies 5; node 1 restarts from it. */
function healthy(): FactLog {
  const f = new FactLog();
  f.persist(1, { term: 1, vote: 1, commit: 5 }, entries(1, 5, 1));
  for (const e of entries(1, 4, 1)) f.apply(1, e);
  f.snapshot(1, 4, 1, 77);
  f.snapshot(2, 4, 1, 77, 'installed');
  f.persist(2, { term: 1, vote: 1, commit: 5 }, [entry(5, 1)]);
  f.restore(2, 4, 1, 77, 'install');
  f.apply(2, entry(5, 1));
  f.crash(1);
  f.restartFromSnapshot(1, { index: 4, term: 1 }, [entry(5, 1)], { term: 1, vote: 1, commit: 5 });
  f.restore(1, 4, 1, 77, 'restart');
  return f;
}

/** Runs the checker with shared persisted logs fed (expanded) facts first, as a run does. */
function judge(facts: readonly Fact[]): string[] {
  const logs = new PersistedLogs([1, 2, 3]);
  const expander = new SnapshotFactExpander(logs, [1, 2, 3]);
  const checker = createSnapshotSafetyChecker([1, 2, 3], logs);
  const out: string[] = [];
  for (const observed of facts) {
    const fact = expander.expand(observed);
    logs.observe(fact);
    const v = checker.observe(fact);
    if (v !== null) out.push(v.message);
  }
  return out;
}

describe('snapshot safety', () => {
  it('passes snapshots, installs and restarts that agree', () => {
    expect(judge(healthy().facts)).toEqual([]);
    expect(runChecker(createSnapshotSafetyChecker([1, 2, 3]), healthy().facts)).toEqual([]);
  });

  it('catches a restored state that differs from the state another node had at that index', () => {
    const f = healthy();
    f.restore(3, 4, 1, 78, 'install');
    expect(judge(f.facts)).toEqual([expect.stringMatching(/Node 3 restored .* at index 4 whose state differs from the state node 1 had/)]);
  });

  it('catches a snapshot whose term is not that of the entry applied at its index', () => {
    const f = healthy();
    f.snapshot(3, 2, 2, 5, 'installed');
    expect(runChecker(createSnapshotSafetyChecker([1, 2, 3]), f.facts)[0]?.message).toMatch(/ending at \(index 2, term 2\), but the entry applied at index 2 has term 1/);
  });

  it('catches a snapshot standing for a prefix no node persisted', () => {
    const f = new FactLog();
    f.persist(1, { term: 1, vote: 1 }, entries(1, 2, 1));
    f.snapshot(2, 3, 1, 9, 'installed');
    expect(judge(f.facts)[0]).toMatch(/an entry no node ever persisted/);
  });

  it('catches a state machine going back to an older snapshot within an incarnation', () => {
    const f = healthy();
    f.restore(2, 3, 1, 66, 'install');
    expect(judge(f.facts)[0]).toMatch(/Node 2 restored a snapshot at index 3 after applying up to index 5 since it started/);
  });

  it('catches a restart that forgets the snapshot the node had durably stored', () => {
    const f = healthy();
    f.crash(2);
    f.restart(2, entries(1, 3, 1), { term: 1, vote: 1 });
    expect(judge(f.facts)[0]).toMatch(/Node 2 restarted from no snapshot, although it had durably stored a snapshot at index 4/);
  });
});

describe('snapshot facts as whole logs', () => {
  it('an installed snapshot and its persist become one persist of the prefix plus the entries after it', () => {
    const logs = new PersistedLogs([1, 2]);
    const expander = new SnapshotFactExpander(logs, [1, 2]);
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 6, 1));
    f.persist(2, { term: 1 }, [entry(1, 1), entry(2, 1), entry(3, 9)]);
    f.snapshot(2, 4, 1, 1, 'installed');
    f.persist(2, { term: 1, commit: 4 }, [entry(5, 1)]);
    const seen = f.facts.map((fact) => {
      const e = expander.expand(fact);
      logs.observe(e);
      return e;
    });
    expect(seen[0]).toBe(f.facts[0]); // facts without snapshots pass as they are
    const merged = seen[3] as Fact & { kind: 'persist' };
    expect(merged.entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/1', '3/1', '4/1', '5/1']);
    expect(logs.logOf(2).lastIndex).toBe(5);
  });

  it('takes the prefix from a node that joined when no initial node holds it (every initial node replaced)', () => {
    const logs = new PersistedLogs([1]);
    const expander = new SnapshotFactExpander(logs, [1]);
    const f = new FactLog();
    f.join(4);
    f.persist(4, { term: 3 }, entries(1, 6, 3));
    f.join(5);
    f.snapshot(5, 4, 3, 1, 'installed');
    f.persist(5, { term: 3, commit: 4 }, [entry(5, 3)]);
    const seen = f.facts.map((fact) => {
      const e = expander.expand(fact);
      logs.observe(e);
      return e;
    });
    expect((seen[4] as Fact & { kind: 'persist' }).entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a restart from a snapshot becomes a restart of the whole log', () => {
    const logs = new PersistedLogs([1]);
    const expander = new SnapshotFactExpander(logs, [1]);
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 6, 1));
    f.restartFromSnapshot(1, { index: 4, term: 1 }, [entry(5, 1), entry(6, 1)]);
    logs.observe(expander.expand(f.facts[0]!));
    const restart = expander.expand(f.facts[1]!) as Fact & { kind: 'restart' };
    expect(restart.stored.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
