/**
 * Interaction transcripts (etcd-raft's testdata/*.txt habit): a short script drives a few nodes step by step and
 * every Ready is written out with describeReady, in the order the harness handled them. The files under
 * core/testdata/ make a behaviour change reviewable as a diff; update them only deliberately (vitest -u).
 */
import { describe, expect, it } from 'vitest';
import type { ConfChange } from './configuration.js';
import { describeReady } from './describe.js';
import { Cluster } from './test-harness.js';
import type { NodeId } from './types.js';

/** A 3-node cluster where node 1 campaigns first and leads; every Ready is written to `lines`. */
function script(): { c: Cluster; lines: string[]; note: (s: string) => void } {
  const c = new Cluster({ size: 3, seed: 1, electionTicks: 10, heartbeatTicks: 2 });
  const lines: string[] = [];
  c.onReady = (id, rd) => lines.push(`n${id}: ${describeReady(rd)}`);
  const note = (s: string): void => {
    lines.push(`> ${s}`);
  };
  note('tick node 1 until it campaigns, then deliver everything');
  while (c.node(1).status().role === 'follower') c.tick([1]);
  c.settle();
  return { c, lines, note };
}

function change(c: Cluster, note: (s: string) => void, leader: NodeId, ...changes: ConfChange[]): void {
  note(`n${leader}.proposeConfChange(${changes.map((ch) => `${ch.type} ${ch.node}`).join(', ')})`);
  const r = c.node(leader).proposeConfChange({ changes });
  note(`→ ${JSON.stringify(r)}`);
  c.processAll();
  c.settle();
}

describe('interaction transcripts', () => {
  it('a learner joins with no configuration and is promoted; a heartbeat follows', async () => {
    const { c, lines, note } = script();
    note('node 4 starts with peers [] (joining)');
    c.join(4);
    change(c, note, 1, { type: 'add-learner', node: 4 });
    change(c, note, 1, { type: 'promote', node: 4 });
    note('tick the leader twice (one heartbeat)');
    c.tick([1]);
    c.tick([1]);
    c.settle();
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('testdata/learner-promote.txt');
  });

  it('joint consensus: C_old,new, then the leader\'s own C_new (auto-leave)', async () => {
    const { c, lines, note } = script();
    note('node 4 starts with peers [] (joining)');
    c.join(4);
    change(c, note, 1, { type: 'add-voter', node: 4 }, { type: 'remove', node: 3 });
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('testdata/joint-replace.txt');
  });

  it('leadership transfer to an up-to-date follower', async () => {
    const { c, lines, note } = script();
    note('n1.transferLeadership(2)');
    note(`→ ${String(c.node(1).transferLeadership(2))}`);
    c.processAll();
    c.settle();
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot('testdata/transfer.txt');
  });
});
