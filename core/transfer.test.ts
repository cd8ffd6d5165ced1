/** Leadership transfer (thesis §3.10) in the core: completes, waits for a lagging target, gives up after a timeout. */
import { describe, expect, it } from 'vitest';
import type { CoreBug } from './bugs.js';
import { describeMessage } from './describe.js';
import { LeadershipTransfer } from './transfer.js';
import { Cluster } from './test-harness.js';
import type { Message, NodeId } from './types.js';

/** A 3-node cluster (PreVote and CheckQuorum on, as builtinRaft runs) with a leader that committed its no-op. */
function ready(seed: number, bug?: CoreBug): { c: Cluster; leader: NodeId; target: NodeId } {
  const c = new Cluster({ size: 3, seed, electionTicks: 10, heartbeatTicks: 2, preVote: true, checkQuorum: true, ...(bug === undefined ? {} : { bug }) });
  c.runUntil(() => c.leader() !== 0 && c.node(c.leader()).status().commit === c.node(c.leader()).status().lastIndex);
  const leader = c.leader();
  return { c, leader, target: [1, 2, 3].find((id) => id !== leader) as NodeId };
}

/** Proposes `count` commands while `target` hears nothing, so it lags the leader by that many entries. */
function makeLag(c: Cluster, leader: NodeId, target: NodeId, count: number): void {
  c.filter = (m) => m.to !== target && m.from !== target;
  for (let i = 0; i < count; i++) c.node(leader).propose(`{"x":${i}}`);
  c.processAll();
  c.settle();
  c.filter = () => true;
}

function record(c: Cluster): Message[] {
  const sent: Message[] = [];
  c.filter = (m) => {
    sent.push(m);
    return true;
  };
  return sent;
}

describe('leadership transfer (thesis §3.10)', () => {
  it('hands leadership to an up-to-date target, through CheckQuorum\'s lease, in the next term', () => {
    const { c, leader, target } = ready(21);
    const term = c.node(leader).status().term;
    expect(c.node(leader).transferLeadership(target)).toBe(true);
    c.processAll();
    c.settle();
    expect(c.leader()).toBe(target);
    expect(c.node(target).status().term).toBe(term + 1);
    expect(c.node(leader).status().role).toBe('follower');
    expect(c.violations).toEqual([]);
  });

  it('brings a lagging target up to date before sending TimeoutNow', () => {
    const { c, leader, target } = ready(22);
    makeLag(c, leader, target, 5);
    const last = c.node(leader).status().lastIndex;
    expect(c.node(target).status().lastIndex).toBe(last - 5);
    const sent = record(c);
    expect(c.node(leader).transferLeadership(target)).toBe(true);
    c.processAll();
    c.settle();
    const toTarget = sent.filter((m) => m.from === leader && m.to === target).map((m) => m.type);
    expect(toTarget[0]).toBe('append');
    const timeoutNow = sent.findIndex((m) => m.type === 'timeout-now');
    const caughtUp = sent.findIndex((m) => m.type === 'append-resp' && m.from === target && m['index'] === last);
    expect(timeoutNow).toBeGreaterThan(-1);
    expect(caughtUp).toBeGreaterThan(-1);
    expect(timeoutNow).toBeGreaterThan(caughtUp);
    expect(c.leader()).toBe(target);
    expect(c.violations).toEqual([]);
  });

  it('refuses proposals meanwhile, naming the target, and gives up after an election timeout', () => {
    const { c, leader, target } = ready(23);
    c.isolate(target);
    expect(c.node(leader).transferLeadership(target)).toBe(true);
    expect(c.node(leader).propose('{"x":1}')).toEqual({ accepted: false, reason: 'not-leader', leaderHint: target });
    expect(c.node(leader).proposeConfChange({ changes: [{ type: 'add-learner', node: 4 }] }).accepted).toBe(false);
    c.processAll();
    for (let i = 0; i < 9; i++) c.tick([leader]);
    expect(c.node(leader).propose('{"x":2}').accepted).toBe(false);
    c.tick([leader]);
    expect(c.node(leader).status().role).toBe('leader');
    expect(c.node(leader).propose('{"x":3}').accepted).toBe(true);
  });

  it('accepts only a leader, and only another voter as target', () => {
    const { c, leader, target } = ready(24);
    expect(c.node(target).transferLeadership(leader)).toBe(false);
    expect(c.node(leader).transferLeadership(leader)).toBe(false);
    expect(c.node(leader).transferLeadership(9)).toBe(false);
  });

  it('under transfer-to-lagging-target, TimeoutNow leaves at once and the stale target cannot win', () => {
    const { c, leader, target } = ready(22, 'transfer-to-lagging-target');
    makeLag(c, leader, target, 5);
    const sent = record(c);
    c.node(leader).transferLeadership(target);
    const rd = c.node(leader).ready();
    expect(rd?.messages.map(describeMessage)).toContain(`${leader}->${target} timeout-now t${c.node(leader).status().term}`);
    c.node(leader).advance();
    c.queue.push(...(rd?.messages ?? []));
    c.settle();
    expect(sent.some((m) => m.type === 'vote' && m.from === target && m['transfer'] === true)).toBe(true);
    expect(c.leader()).not.toBe(target);
    expect(c.node(leader).status().role).not.toBe('leader');
  });
});

describe('LeadershipTransfer', () => {
  it('times out after exactly the given ticks and starts over for a new target', () => {
    const t = new LeadershipTransfer();
    expect(t.tick(3)).toBe(false);
    t.start(2);
    expect([t.tick(3), t.tick(3)]).toEqual([false, false]);
    t.start(3);
    expect([t.tick(3), t.tick(3), t.tick(3)]).toEqual([false, false, true]);
    expect(t.active()).toBe(false);
  });
});
