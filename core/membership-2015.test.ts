/**
 * The single-server change bug of 2015 (Ongaro, raft-dev, "bug in single-server membership changes"), scripted on
 * the harness: a leader's uncommitted change and a new leader's change made before it committed an entry of its
 * own term reach majorities of two configurations that do not overlap, so a committed entry is overwritten and two
 * nodes apply different entries at one index. The correct core refuses the second change until the new leader's
 * no-op is committed under the old configuration, which shuts the old leader out.
 */
import { describe, expect, it } from 'vitest';
import type { CoreBug } from './bugs.js';
import { Cluster } from './test-harness.js';
import type { Message, NodeId } from './types.js';

/** Only messages between nodes of one of `groups` pass. */
function links(...groups: NodeId[][]): (m: Message) => boolean {
  return (m) => groups.some((g) => g.includes(m.from) && g.includes(m.to));
}

/** Ticks only `id` until it campaigns, delivers, and again until it leads (a candidate that lost tries anew). */
function campaignAndSettle(c: Cluster, id: NodeId): void {
  for (let i = 0; i < 20 && c.node(id).status().role !== 'leader'; i++) {
    const term = c.node(id).status().term;
    for (let t = 0; t < 100 && c.node(id).status().term === term; t++) c.tick([id]);
    c.settle();
  }
}

function script(bug: CoreBug | undefined): { c: Cluster; secondAccepted: boolean } {
  const c = new Cluster({ size: 4, seed: 15, electionTicks: 10, heartbeatTicks: 2, ...(bug === undefined ? {} : { bug }) });
  campaignAndSettle(c, 1);
  // S1 adds S5, but only S5 hears of it: C1 = {1..5} is on S1 and S5, uncommitted.
  c.join(5);
  c.filter = links([1, 5]);
  expect(c.node(1).proposeConfChange({ changes: [{ type: 'add-voter', node: 5 }] }).accepted).toBe(true);
  c.processAll();
  c.settle();
  // S1 goes away; S2 is elected by S2, S3, S4 (a majority of C0 = {1..4}) and at once proposes removing S1. Its
  // appends reach S3 only, so its no-op is not committed under C0 (2 of 4), but C2 = {2, 3, 4} commits with S2, S3.
  c.crash(1);
  const votes = links([2, 3, 4]);
  const appends = links([2, 3]);
  c.filter = (m) => (m.type.includes('vote') ? votes(m) : appends(m));
  campaignAndSettle(c, 2);
  const second = c.node(2).proposeConfChange({ changes: [{ type: 'remove', node: 1 }] });
  c.processAll();
  c.settle();
  c.tick([2]);
  c.tick([2]);
  c.settle();
  // S1 returns where only S4 and S5 hear it: with C1 it needs 3 of 5, and gets S1, S4 (whose log is no newer), S5.
  c.restart(1);
  c.filter = links([1, 4, 5]);
  campaignAndSettle(c, 1);
  c.filter = () => true;
  c.run(10);
  return { c, secondAccepted: second.accepted };
}

describe('the 2015 single-server change bug', () => {
  // S1 still wins with C1 (S4 never got a term-2 entry), but nothing it overwrites was committed.
  it('correct: the new leader refuses the change before its own-term commit, and every node applies the same entries', () => {
    const { c, secondAccepted } = script(undefined);
    expect(secondAccepted).toBe(false);
    expect(c.violations).toEqual([]);
  });

  it('conf-change-before-own-term-commit: the committed change is overwritten, two nodes apply different entries at one index', () => {
    const { c, secondAccepted } = script('conf-change-before-own-term-commit');
    expect(secondAccepted).toBe(true);
    expect(c.violations.some((v) => /applied different entries/.test(v))).toBe(true);
  });
});
