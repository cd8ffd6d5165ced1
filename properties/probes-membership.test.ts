import { describe, expect, it } from 'vitest';
import { FactLog, confEntry, entry } from './fact-builders.js';
import { PROBES, ProbeCounter, probeApplies } from './probes.js';
import type { ProbeName } from './probes.js';

const MEMBERSHIP: ProbeName[] = ['joint-entered', 'joint-left', 'learner-added', 'learner-promoted', 'leader-removed-stepped-down', 'removed-node-disrupting'];
const TRANSFER: ProbeName[] = ['transfer-completed', 'transfer-aborted'];

function counts(f: FactLog, electionMs = 100): Record<ProbeName, number> {
  const p = new ProbeCounter(undefined, { nodeIds: [1, 2, 3], electionMs });
  for (const fact of f.facts) p.observe(fact);
  return p.counts;
}

describe('membership and transfer probes', () => {
  it('apply only to implementations declaring the capability', () => {
    for (const name of MEMBERSHIP) expect([probeApplies(name, []), probeApplies(name, ['membership-change'])]).toEqual([false, true]);
    for (const name of TRANSFER) expect([probeApplies(name, ['membership-change']), probeApplies(name, ['leadership-transfer'])]).toEqual([false, true]);
    expect(PROBES.slice(-8).map((p) => p.name)).toEqual([...MEMBERSHIP, ...TRANSFER]);
  });

  it('count a learner added then promoted, joint consensus entered and left, each configuration entry once', () => {
    const f = new FactLog();
    f.persist(1, { term: 1, vote: 1 }, [entry(1, 1, '')]);
    f.role(1, 'leader', 1);
    const learner = confEntry(2, 1, [1, 2, 3], { learners: [4] });
    const promote = confEntry(3, 1, [1, 2, 3, 4]);
    const joint = confEntry(4, 1, [1, 4, 5], { outgoing: [1, 2, 3, 4] });
    const leave = confEntry(5, 1, [1, 4, 5]);
    for (const n of [1, 2]) f.persist(n, { term: 1, vote: 1 }, [learner, promote, joint, leave]);
    const c = counts(f);
    expect([c['learner-added'], c['learner-promoted'], c['joint-entered'], c['joint-left']]).toEqual([1, 1, 1, 1]);
    expect(c['leader-removed-stepped-down']).toBe(0);
  });

  it('count a leader removed from its configuration that steps down, and a removed node disrupting', () => {
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1 }, [entry(1, 1, '')]);
    f.role(1, 'leader', 1);
    const remove = confEntry(2, 1, [2, 3]);
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1 }, [remove]);
    f.apply(1, entry(1, 1, ''));
    f.apply(1, remove);
    f.role(1, 'follower', 1);
    // Node 1 is outside the committed configuration: standing for election, or raising the highest term, disrupts.
    f.role(1, 'pre-candidate', 1);
    f.persist(1, { term: 2, vote: 1 });
    const c = counts(f);
    expect(c['leader-removed-stepped-down']).toBe(1);
    expect(c['removed-node-disrupting']).toBe(2);
  });

  it('count a transfer completed within an election timeout, and one whose target never led as aborted', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.transfer(1, 2);
    f.lead(2, 2); // 20 ms later
    f.transfer(2, 3);
    for (let k = 0; k < 12; k++) f.persist(1, { term: 2, vote: 2 }); // 120 ms pass without node 3 leading
    const c = counts(f);
    expect([c['transfer-completed'], c['transfer-aborted']]).toEqual([1, 1]);
  });

  it('count nothing of the kind in a run without configuration entries or transfers', () => {
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1 }, [entry(1, 1, '')]);
    f.role(1, 'leader', 1);
    f.role(1, 'follower', 2);
    f.role(3, 'candidate', 3);
    f.transfer(2, 3, false); // refused
    for (let k = 0; k < 12; k++) f.persist(2, { term: 3, vote: 3 });
    const c = counts(f);
    for (const name of [...MEMBERSHIP, ...TRANSFER]) expect(c[name]).toBe(0);
  });
});
