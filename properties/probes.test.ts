import { describe, expect, it } from 'vitest';
import type { Entry } from '../sim/contract.js';
import { ProbeCounter } from './probes.js';

const e = (index: number, term: number, data = `c${index}`): Entry => ({ index, term, data });
const hs = { term: 3, vote: 0, commit: 0 };

describe('coverage probes', () => {
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

  it('notices a vote request from a candidate with a staler log', () => {
    const p = new ProbeCounter();
    p.observe({ kind: 'persist', atMs: 0, event: 0, node: 2, hardState: hs, entries: [e(1, 1), e(2, 2)] });
    p.deliver({ type: 'vote', from: 1, to: 2, term: 4, lastLogIndex: 5, lastLogTerm: 1 });
    expect(p.counts['vote-request-with-stale-log']).toBe(1);
    p.deliver({ type: 'vote', from: 1, to: 2, term: 4, lastLogIndex: 2, lastLogTerm: 2 });
    expect(p.counts['vote-request-with-stale-log']).toBe(1);
    p.deliver({ type: 'append', from: 1, to: 2, term: 4 });
    expect(p.counts['vote-request-with-stale-log']).toBe(1);
  });
});
