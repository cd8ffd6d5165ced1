import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paperRaft } from './index.js';
import { MUTATIONS } from './mutations.js';
import type { MutationName } from './mutations.js';
import { Cluster } from './test-harness.js';

/** Ticks until exactly one leader is up, at most `rounds` rounds; returns it. */
function electLeader(cluster: Cluster, rounds = 100): number {
  for (let r = 0; r < rounds; r++) {
    cluster.tickAll(1);
    const leaders = cluster.leaders();
    if (leaders.length === 1) return leaders[0] as number;
  }
  throw new Error('no leader elected');
}

/** Ticks only `loner` until it sends a pre-vote, then delivers: its pre-vote arrives before any heartbeat. */
function rejoinWithPreVote(cluster: Cluster, loner: number): void {
  const sentBefore = cluster.sent.length;
  for (let i = 0; i < 40 && !cluster.sent.slice(sentBefore).some((m) => m.type === 'RequestVote'); i++) cluster.tick(loner);
  expect(cluster.sent.slice(sentBefore).some((m) => m.type === 'RequestVote' && m['preVote'] === true)).toBe(true);
  cluster.deliverAll();
}

function logOf(cluster: Cluster, id: number): string {
  return cluster.node(id).entries.map((e) => `${e.index}/${e.term}:${e.data}`).join(' ');
}

describe('paper-raft: elections (Raft §5.2, thesis §9.6)', () => {
  it('elects one leader, which every node follows in the same term, and persists its vote first', () => {
    const cluster = new Cluster({ nodes: 3 });
    const leader = electLeader(cluster);
    cluster.tickAll(3);
    const term = cluster.node(leader).instance.status().term;
    for (const id of cluster.ids) {
      expect(cluster.node(id).instance.status()).toMatchObject({ term, leader });
      expect(cluster.node(id).hardState.term).toBe(term);
    }
    expect(cluster.node(leader).hardState.vote).toBe(leader);
  });

  it('sends pre-votes before votes, and a pre-vote leaves the receiver\'s term alone', () => {
    const cluster = new Cluster({ nodes: 3 });
    electLeader(cluster);
    const kinds = cluster.sent.filter((m) => m.type === 'RequestVote').map((m) => (m['preVote'] === true ? 'pre' : 'vote'));
    expect(kinds[0]).toBe('pre');
    expect(kinds).toContain('vote');
  });

  it('a node cut off from the others never raises its term, and on return does not depose the leader', () => {
    const cluster = new Cluster({ nodes: 3 });
    const leader = electLeader(cluster);
    const term = cluster.node(leader).instance.status().term;
    const loner = cluster.ids.find((id) => id !== leader) as number;
    cluster.isolate(loner);
    cluster.tickAll(100);
    expect(cluster.node(loner).instance.status().term).toBe(term);
    cluster.heal();
    rejoinWithPreVote(cluster, loner);
    cluster.tickAll(50);
    expect(cluster.leaders()).toEqual([leader]);
    expect(cluster.node(leader).instance.status().term).toBe(term);
  });

  it('a leader cut off from the majority steps down within two election timeouts (CheckQuorum, thesis §6.2)', () => {
    const cluster = new Cluster({ nodes: 5 });
    const leader = electLeader(cluster);
    cluster.isolate(leader);
    cluster.tickAll(40);
    expect(cluster.node(leader).instance.status().role).not.toBe('leader');
  });

  it('a restarted node keeps its term and vote and re-delivers its committed prefix from index 1', () => {
    const cluster = new Cluster({ nodes: 3 });
    const leader = electLeader(cluster);
    cluster.propose(leader, 'a');
    cluster.deliverAll();
    cluster.tickAll(2);
    const follower = cluster.ids.find((id) => id !== leader) as number;
    const before = cluster.node(follower).instance.status();
    cluster.restart(follower);
    const after = cluster.node(follower).instance.status();
    expect(after.term).toBe(before.term);
    expect(cluster.node(follower).hardState.vote).toBe(leader);
    expect(cluster.node(follower).applied.map((e) => e.index)).toEqual([1, 2]);
  });
});

describe('paper-raft: replication (Raft §5.3)', () => {
  it('commits a proposal on every node after the election no-op, and applies the same entries everywhere', () => {
    const cluster = new Cluster({ nodes: 5 });
    const leader = electLeader(cluster);
    const result = cluster.propose(leader, 'x=1');
    expect(result).toMatchObject({ accepted: true, index: 2 });
    cluster.deliverAll();
    cluster.tickAll(2);
    for (const id of cluster.ids) expect(cluster.node(id).applied.map((e) => e.data)).toEqual(['', 'x=1']);
  });

  it('a follower refuses proposals and names the leader', () => {
    const cluster = new Cluster({ nodes: 3 });
    const leader = electLeader(cluster);
    const follower = cluster.ids.find((id) => id !== leader) as number;
    expect(cluster.propose(follower, 'x')).toEqual({ accepted: false, reason: 'not-leader', leaderHint: leader });
  });

  it('replaces a deposed leader\'s uncommitted suffix with the new leader\'s log (conflict truncation)', () => {
    const cluster = new Cluster({ nodes: 3 });
    const old = electLeader(cluster);
    cluster.isolate(old);
    for (const data of ['lost-1', 'lost-2', 'lost-3']) cluster.propose(old, data);
    cluster.tickAll(60);
    const fresh = cluster.leaders().find((id) => id !== old);
    expect(fresh).toBeDefined();
    cluster.propose(fresh as number, 'kept');
    cluster.deliverAll();
    cluster.heal();
    cluster.tickAll(20);
    expect(logOf(cluster, old)).toBe(logOf(cluster, fresh as number));
    expect(logOf(cluster, old)).not.toContain('lost');
    expect(cluster.node(old).applied.map((e) => e.data)).toContain('kept');
  });

  it('backs a divergent follower off a whole term per rejection, to the first index it stores for that term (Raft §5.3)', () => {
    const cluster = new Cluster({ nodes: 3 });
    const old = electLeader(cluster);
    cluster.isolate(old);
    for (let i = 0; i < 5; i++) cluster.propose(old, `lost-${i}`);
    cluster.tickAll(60);
    const fresh = cluster.leaders().find((id) => id !== old) as number;
    const third = cluster.ids.find((id) => id !== old && id !== fresh) as number;
    for (let i = 0; i < 8; i++) cluster.propose(fresh, `kept-${i}`);
    cluster.deliverAll();
    cluster.tickAll(2);
    // The third node, whose next index for `old` starts past old's end, leads old back through the conflict.
    cluster.heal();
    cluster.isolate(fresh);
    const sentBefore = cluster.sent.length;
    cluster.tickAll(80);
    expect(cluster.leaders().filter((id) => id !== fresh)).toEqual([third]);
    const traffic = cluster.sent.slice(sentBefore);
    // Rejections at an index old stores (those past its end name no term and send the leader to old's end).
    const rejects = traffic.filter((m) => m.type === 'AppendEntriesReply' && m.from === old && m.to === third && m['success'] === false && (m['conflictTerm'] as number) > 0);
    expect(rejects.length).toBeGreaterThan(0);
    const oldTerm = cluster.sent.find((m) => m.type === 'AppendEntries' && m.from === old)?.term as number;
    // Each rejection names the follower's term at the probed index and the first index it stores for it; the
    // leader's next probe goes straight below that index, however many entries of the term lie in between.
    for (const r of rejects) {
      const nextProbe = traffic.slice(traffic.indexOf(r)).find((m) => m.type === 'AppendEntries' && m.from === third && m.to === old);
      expect(nextProbe?.['prevLogIndex']).toBe((r['conflictIndex'] as number) - 1);
    }
    expect(rejects.some((r) => r['conflictTerm'] === oldTerm)).toBe(true);
    expect(rejects.length).toBeLessThan(4);
    expect(logOf(cluster, old)).toBe(logOf(cluster, third));
  });

  it('caps an AppendEntries at its byte budget, with at least one entry, so a far-behind follower catches up in several messages', () => {
    const cluster = new Cluster({ nodes: 3 });
    const leader = electLeader(cluster);
    const behind = cluster.ids.find((id) => id !== leader) as number;
    cluster.isolate(behind);
    const big = 'x'.repeat(300);
    for (let i = 0; i < 6; i++) cluster.propose(leader, i === 3 ? big : `small-${i}`);
    cluster.deliverAll();
    cluster.heal();
    const sentBefore = cluster.sent.length;
    cluster.tickAll(20);
    const appends = cluster.sent.slice(sentBefore).filter((m) => m.type === 'AppendEntries' && m.to === behind);
    const sizes = appends.map((m) => (m['entries'] as { data: string }[]).reduce((sum, e) => sum + e.data.length + 16, 0));
    const counts = appends.map((m) => (m['entries'] as unknown[]).length);
    for (let i = 0; i < appends.length; i++) expect(counts[i] === 1 || (sizes[i] as number) <= 128, `append ${i}`).toBe(true);
    // The 300-byte entry travels alone: a budget never stops an entry from being sent.
    expect(appends.some((m) => (m['entries'] as { data: string }[]).length === 1 && (m['entries'] as { data: string }[])[0]?.data === big)).toBe(true);
    expect(new Set(appends.map((m) => m['prevLogIndex'])).size).toBeGreaterThan(2);
    expect(logOf(cluster, behind)).toBe(logOf(cluster, leader));
  });
});

/**
 * A follower left with a deposed leader's uncommitted tail of the term its log starts with, then led by a leader
 * two terms later: that leader's first probe is refused at a stale entry, the whole-term back-off sends it to the
 * follower's first entry of the term, and the budget ends the append long before the stale tail does. Returns
 * the cluster after the heal and the follower.
 */
function staleTailUnderNewLeader(bug?: MutationName): { cluster: Cluster; follower: number } {
  const cluster = new Cluster({ nodes: 5, ...(bug === undefined ? {} : { bug: { [bug]: true } }) });
  const old = electLeader(cluster);
  // Commands of a realistic size (the workload's are about 60 bytes): one or two fit the 128-byte budget.
  for (let i = 0; i < 4; i++) cluster.propose(old, `committed-${i}-${'v'.repeat(48)}`);
  cluster.tickAll(3);
  const [follower, ...majority] = cluster.ids.filter((id) => id !== old) as [number, ...number[]];
  cluster.isolate(old, majority);
  cluster.isolate(follower, majority);
  for (let i = 0; i < 6; i++) cluster.propose(old, `stale-${i}`);
  cluster.deliverAll();
  // The majority elects a leader of a newer term, which writes; it restarts, and the majority elects again.
  cluster.tickAll(60);
  const second = cluster.leaders().find((id) => majority.includes(id)) as number;
  cluster.propose(second, 'kept-0');
  cluster.tickAll(3);
  cluster.restart(second);
  cluster.tickAll(60);
  expect(cluster.leaders().filter((id) => majority.includes(id))).toHaveLength(1);
  cluster.heal();
  cluster.tickAll(40);
  return { cluster, follower };
}

describe('paper-raft: a stale tail past the last new entry (why two commit mutants are observable)', () => {
  it('the correct follower commits only what the leader sent it, and converges', () => {
    const { cluster, follower } = staleTailUnderNewLeader();
    const leader = cluster.leaders()[0] as number;
    expect(cluster.node(follower).applied.map((e) => e.data)).not.toContain('stale-0');
    expect(logOf(cluster, follower)).toBe(logOf(cluster, leader));
  });

  it('uncapped-follower-commit applies the stale tail', () => {
    const { cluster, follower } = staleTailUnderNewLeader('uncapped-follower-commit');
    expect(cluster.node(follower).applied.map((e) => e.data)).toContain('stale-0');
  });

  it('match-reports-last-index claims the stale tail, and the leader never repairs that follower', () => {
    const { cluster, follower } = staleTailUnderNewLeader('match-reports-last-index');
    const leader = cluster.leaders()[0] as number;
    expect(logOf(cluster, follower)).toContain('stale-');
    expect(logOf(cluster, follower)).not.toBe(logOf(cluster, leader));
  });
});

describe('paper-raft: ReadIndex (thesis §6.4)', () => {
  it('releases a read only after a quorum has answered, at the commit index', () => {
    const cluster = new Cluster({ nodes: 3 });
    const leader = electLeader(cluster);
    cluster.tickAll(2);
    expect(cluster.readIndex(leader, 7)).toBe(true);
    expect(cluster.node(leader).readStates).toEqual([]);
    cluster.deliverAll();
    expect(cluster.node(leader).readStates).toEqual([{ requestId: 7, index: 1 }]);
    const follower = cluster.ids.find((id) => id !== leader) as number;
    expect(cluster.readIndex(follower, 8)).toBe(false);
  });

  it('a leader cut off from the majority never releases a read', () => {
    const cluster = new Cluster({ nodes: 3 });
    const leader = electLeader(cluster);
    cluster.tickAll(2);
    cluster.isolate(leader);
    cluster.readIndex(leader, 9);
    cluster.tickAll(30);
    expect(cluster.node(leader).readStates).toEqual([]);
  });
});

describe('paper-raft: mutations are one-line switches', () => {
  const source = readFileSync(new URL('./paper-raft.ts', import.meta.url), 'utf8');

  it('has at least 20 mutations, each guarding exactly one line of the node', () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(20);
    for (const m of MUTATIONS) {
      const lines = source.split('\n').filter((line) => line.includes(`this.bug['${m.name}']`));
      expect(lines, m.name).toHaveLength(1);
    }
  });

  it('names each implementation after its mutation and declares the capabilities it has', () => {
    expect(paperRaft().name).toBe('paper-raft');
    expect(paperRaft({ mutation: 'double-vote' }).name).toBe('paper-raft/double-vote');
    expect(paperRaft().capabilities).toEqual(['pre-vote', 'check-quorum', 'read-index']);
    expect(paperRaft({ preVote: false, checkQuorum: false }).capabilities).toEqual(['read-index']);
  });

  it('pre-vote-bumps-term: a node rejoining after a partition deposes the leader', () => {
    const cluster = new Cluster({ nodes: 3, bug: { 'pre-vote-bumps-term': true }, checkQuorum: false });
    const leader = electLeader(cluster);
    const term = cluster.node(leader).instance.status().term;
    const loner = cluster.ids.find((id) => id !== leader) as number;
    cluster.isolate(loner);
    cluster.tickAll(100);
    cluster.heal();
    rejoinWithPreVote(cluster, loner);
    expect(cluster.node(leader).instance.status().term).toBeGreaterThan(term);
  });

  it('double-vote: a node that voted grants a second candidate of the same term', () => {
    const cluster = new Cluster({ nodes: 3, bug: { 'double-vote': true }, preVote: false });
    const voter = cluster.node(3).instance;
    voter.step({ type: 'RequestVote', from: 1, to: 3, term: 1, preVote: false, lastLogIndex: 0, lastLogTerm: 0 });
    voter.step({ type: 'RequestVote', from: 2, to: 3, term: 1, preVote: false, lastLogIndex: 0, lastLogTerm: 0 });
    const ready = voter.ready();
    const grants = (ready?.messages ?? []).filter((m) => m['voteGranted'] === true);
    expect(grants.map((m) => m.to)).toEqual([1, 2]);
  });
});
