import { describe, expect, it } from 'vitest';
import { FactLog, entries, entry, runChecker } from './fact-builders.js';
import { PERSIST_INVARIANTS } from './persist-invariants.js';
import { SAFETY_PROPERTIES, createSafetyCheckers } from './safety.js';

/** A healthy three-node run: election, replication, commit, ack, a follower crash and catch-up, re-election. */
function healthyRun(): FactLog {
  const f = new FactLog();
  f.persist(1, { term: 1, vote: 1 });
  f.persist(2, { term: 1, vote: 1 });
  f.role(1, 'leader', 1);
  f.role(2, 'follower', 1, 1);
  f.persist(1, { term: 1, vote: 1 }, [entry(1, 1, ''), entry(2, 1, 'set a=1')]);
  f.persist(2, { term: 1, vote: 1 }, [entry(1, 1, ''), entry(2, 1, 'set a=1')]);
  f.persist(1, { term: 1, vote: 1, commit: 2 });
  f.apply(1, entry(1, 1, ''));
  f.apply(1, entry(2, 1, 'set a=1'));
  f.ack(1, 2, 1);
  f.persist(3, { term: 1, vote: 0, commit: 2 }, [entry(1, 1, ''), entry(2, 1, 'set a=1')]);
  f.apply(3, entry(1, 1, ''));
  f.apply(3, entry(2, 1, 'set a=1'));
  f.crash(1);
  f.persist(2, { term: 2, vote: 2, commit: 2 });
  f.persist(3, { term: 2, vote: 2, commit: 2 });
  f.role(2, 'leader', 2);
  f.persist(2, { term: 2, vote: 2, commit: 2 }, [entry(3, 2, '')]);
  f.persist(3, { term: 2, vote: 2, commit: 3 }, [entry(3, 2, '')]);
  f.apply(3, entry(3, 2, ''));
  f.restart(1, [entry(1, 1, ''), entry(2, 1, 'set a=1')], { term: 1, vote: 1, commit: 2 });
  f.persist(1, { term: 2, vote: 0, commit: 3 }, [entry(3, 2, '')]);
  for (const e of [entry(1, 1, ''), entry(2, 1, 'set a=1'), entry(3, 2, '')]) f.apply(1, e);
  return f;
}

describe('safety checkers', () => {
  it('returns one checker per outcome property, then one for the per-persist invariants, in order', () => {
    const checkers = createSafetyCheckers([1, 2, 3]);
    expect(checkers.map((c) => c.property)).toEqual([...SAFETY_PROPERTIES.map((p) => p.name).slice(0, 6), 'snapshot-safety']);
    expect(SAFETY_PROPERTIES.map((p) => p.name).slice(5, 11)).toEqual(PERSIST_INVARIANTS);
    expect(SAFETY_PROPERTIES.map((p) => p.name)).toEqual([
      'election-safety',
      'log-matching',
      'leader-completeness',
      'state-machine-safety',
      'durability',
      'durable-term',
      'durable-vote',
      'commit-quorum',
      'leader-append-only',
      'leader-votes',
      'configuration-entries',
      'snapshot-safety',
    ]);
    for (const p of SAFETY_PROPERTIES) expect(p.description).toMatch(/^[A-Z].*\.$/);
  });

  it('passes a healthy run on every checker', () => {
    const facts = healthyRun().facts;
    for (const checker of createSafetyCheckers([1, 2, 3])) expect(runChecker(checker, facts)).toEqual([]);
  });

  it('each checker can fail on the same broken run (a checker that cannot fail is a defect)', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.persist(1, { term: 1, vote: 1, commit: 2 }, entries(1, 2, 1));
    f.apply(1, entry(1, 1));
    f.apply(1, entry(2, 1));
    f.ack(1, 2, 1);
    f.lead(2, 1); // election safety
    f.persist(2, { term: 2, vote: 2 }, [entry(1, 1), entry(2, 1, 'other')]); // log matching
    f.lead(3, 3); // leader completeness: node 3 has nothing
    f.apply(2, entry(1, 1));
    f.apply(2, entry(2, 3)); // state machine safety and durability
    f.persist(3, { term: 2, vote: 3 }); // durable term
    f.persist(2, { term: 2, vote: 3 }); // durable vote
    f.persist(1, { term: 1, vote: 1 }, [entry(3, 1)]);
    f.persist(1, { term: 1, vote: 1 }, entries(1, 2, 1)); // leader append-only: drops its own (3, 1)
    f.snapshot(1, 2, 1, 0xabc);
    f.snapshot(3, 2, 1, 0xdef); // snapshot safety: another state at the same index
    f.persist(4, { term: 1 }, [{ index: 1, term: 1, data: 'conf:[]' }]); // configuration entries: malformed
    // Commit quorum fires on the first apply (only node 1 stores it).
    const found = createSafetyCheckers([1, 2, 3]).flatMap((c) => runChecker(c, f.facts).map((v) => v.property));
    expect(new Set(found)).toEqual(new Set(SAFETY_PROPERTIES.map((p) => p.name)));
  });
});
