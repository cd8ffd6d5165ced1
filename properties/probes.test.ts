import { describe, expect, it } from 'vitest';
import type { Entry } from '../sim/contract.js';
import { entries, FactLog } from './fact-builders.js';
import { PROBES, ProbeCounter, emptyProbeCounts, probeCombination } from './probes.js';
import type { ProbeName } from './probes.js';

const e = (index: number, term: number, data = `c${index}`): Entry => ({ index, term, data });
const hs = { term: 3, vote: 0, commit: 0 };

function countsOf(f: FactLog): Record<ProbeName, number> {
  const p = new ProbeCounter();
  for (const fact of f.facts) p.observe(fact);
  return p.counts;
}

/** The probes a fact sequence hit (count > 0). */
function hit(f: FactLog): ProbeName[] {
  const counts = countsOf(f);
  return PROBES.map((p) => p.name).filter((name) => counts[name] > 0);
}

describe('coverage probes', () => {
  it('has at least 20 probes with distinct names', () => {
    expect(PROBES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(PROBES.map((p) => p.name)).size).toBe(PROBES.length);
  });

  it('starts every run with every probe at 0, in PROBES order (the verdict JSON lists them so), in a fresh record', () => {
    const counts = emptyProbeCounts();
    expect(Object.keys(counts)).toEqual(PROBES.map((p) => p.name));
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    counts['leader-elected']++;
    expect(emptyProbeCounts()['leader-elected']).toBe(0);
    expect(new ProbeCounter().counts).toEqual(emptyProbeCounts());
  });

  it('counts truncation, catch-up, elections, deposals and indirect commits', () => {
    const p = new ProbeCounter();
    let event = 0;
    const base = () => ({ atMs: event, event: event++ });
    p.observe({ kind: 'persist', ...base(), node: 1, hardState: hs, entries: [e(1, 1), e(2, 1)] });
    p.observe({ kind: 'persist', ...base(), node: 1, hardState: hs, entries: [e(2, 2)] });
    expect(p.counts['log-truncated']).toBe(1);
    p.observe({ kind: 'persist', ...base(), node: 1, hardState: hs, entries: [e(2, 2)] });
    expect(p.counts['log-truncated']).toBe(1);
    p.observe({ kind: 'persist', ...base(), node: 2, hardState: hs, entries: Array.from({ length: 40 }, (_, i) => e(i + 1, 1)) });
    expect(p.counts['follower-caught-up']).toBe(1);
    p.observe({ kind: 'role', ...base(), node: 1, role: 'leader', leader: 1, term: 3 });
    p.observe({ kind: 'role', ...base(), node: 1, role: 'follower', leader: 2, term: 4 });
    expect(p.counts['leader-elected']).toBe(1);
    expect(p.counts['leader-deposed']).toBe(1);
    const at = base();
    p.observe({ kind: 'apply', ...at, node: 3, entry: e(1, 1) });
    p.observe({ kind: 'apply', ...at, node: 3, entry: e(2, 3) });
    p.observe({ kind: 'apply', ...at, node: 3, entry: e(3, 3) });
    expect(p.counts['old-term-entry-committed']).toBe(1);
  });

  it('notices a candidate standing with a staler log than a peer, from persisted logs alone', () => {
    const f = new FactLog();
    f.persist(2, { term: 2 }, [e(1, 1), e(2, 2)]);
    f.persist(1, { term: 1 }, [e(1, 1)]);
    f.role(1, 'candidate', 3);
    expect(countsOf(f)['vote-request-with-stale-log']).toBe(1);
    const up = new FactLog();
    up.persist(2, { term: 2 }, [e(1, 1)]);
    up.persist(1, { term: 2 }, [e(1, 1), e(2, 2)]);
    up.role(1, 'candidate', 3);
    expect(countsOf(up)['vote-request-with-stale-log']).toBe(0);
  });

  it('sees split votes, term jumps and a far-behind deposed leader', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.persist(2, { term: 1 });
    f.persist(2, { term: 4 }); // jumped from 1 to 4
    f.lead(2, 4); // no leader in terms 2 and 3
    f.role(1, 'follower', 4); // leader of term 1 steps down into term 4
    expect(hit(f)).toEqual(expect.arrayContaining(['split-vote', 'term-jump', 'deposed-leader-far-behind', 'stale-leader']));
    const calm = new FactLog();
    calm.lead(1, 1);
    calm.role(1, 'follower', 2);
    calm.lead(2, 2);
    expect(hit(calm)).not.toEqual(expect.arrayContaining(['split-vote']));
    expect(hit(calm)).not.toContain('deposed-leader-far-behind');
    expect(hit(calm)).not.toContain('stale-leader');
  });

  it('sees a leader change with uncommitted entries and a leader with a shorter log', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.persist(1, { term: 1, vote: 1 }, entries(1, 3, 1));
    f.apply(1, e(1, 1));
    f.crash(1);
    f.lead(2, 2);
    expect(hit(f)).toEqual(expect.arrayContaining(['leader-change-with-uncommitted-entries', 'leader-with-shorter-log', 'leader-crashed']));
  });

  it('sees a vote for a shorter log ending in a newer term', () => {
    const f = new FactLog();
    f.persist(1, { term: 1 }, entries(1, 3, 1));
    f.persist(2, { term: 2 }, [e(1, 1), e(2, 2)]);
    f.persist(1, { term: 3, vote: 2 });
    expect(countsOf(f)['vote-for-shorter-log-newer-term']).toBe(1);
    const same = new FactLog();
    same.persist(1, { term: 1 }, entries(1, 3, 1));
    same.persist(2, { term: 1 }, entries(1, 2, 1));
    same.persist(1, { term: 3, vote: 2 });
    expect(countsOf(same)['vote-for-shorter-log-newer-term']).toBe(0);
  });

  it('sees crashes, restarts and acknowledgements around them', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.persist(1, { term: 1, vote: 1 }, entries(1, 2, 1));
    f.ack(1, 1, 1);
    f.crash(1);
    f.crash(2);
    f.apply(3, e(1, 1));
    f.restart(1, entries(1, 2, 1), { term: 1, vote: 1 });
    f.lead(1, 2);
    f.ack(1, 3, 2);
    expect(hit(f)).toEqual(expect.arrayContaining(['ack-then-leader-crash', 'two-nodes-down', 'commit-with-node-down', 'restart-with-uncommitted-tail', 'restarted-node-elected', 'write-acked-by-new-leader', 'node-restarted-with-log']));
  });

  it('sees an apply burst only from 16 entries applied in one event', () => {
    const p = new ProbeCounter();
    for (let i = 1; i <= 15; i++) p.observe({ kind: 'apply', atMs: 0, event: 1, node: 1, entry: e(i, 1) });
    expect(p.counts['apply-burst']).toBe(0);
    p.observe({ kind: 'apply', atMs: 0, event: 1, node: 1, entry: e(16, 1) });
    p.observe({ kind: 'apply', atMs: 0, event: 1, node: 1, entry: e(17, 1) });
    expect(p.counts['apply-burst']).toBe(1);
  });

  it('names a run\'s probe combination in PROBES order', () => {
    expect(probeCombination({ 'leader-elected': 0 })).toBe('');
    expect(probeCombination({ 'acknowledged-write': 2, 'leader-elected': 1 })).toBe('leader-elected+acknowledged-write');
  });
});
