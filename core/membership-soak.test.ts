/**
 * Membership changes and transfers under message chaos and crashes, on the in-memory harness: the harness's own
 * host-observable checks (one leader per term, applied prefixes agree, persist before send) must hold throughout,
 * and the core's assertions must never fire. A smoke test of the combination; the simulator's checkers judge more.
 */
import { describe, expect, it } from 'vitest';
import type { CoreBug } from './bugs.js';
import type { ConfChange } from './configuration.js';
import { Cluster } from './test-harness.js';
import type { NodeId } from './types.js';

const ALL: readonly NodeId[] = [1, 2, 3, 4, 5, 6];

/** One random change from the leader's current configuration, joining a node first when it adds a new one. */
function randomChange(c: Cluster, leader: NodeId): ConfChange[] {
  const conf = c.node(leader).configuration();
  if (conf === null) return [];
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(c.random() * xs.length)];
  const strangers = ALL.filter((id) => !conf.voters.includes(id) && !conf.learners.includes(id));
  const r = c.random();
  const add = (type: 'add-voter' | 'add-learner'): ConfChange[] => {
    const node = pick(strangers);
    if (node === undefined) return [];
    if (!c.ids.includes(node)) c.join(node);
    return [{ type, node }];
  };
  if (r < 0.25) return add('add-voter');
  if (r < 0.4) return add('add-learner');
  if (r < 0.55) {
    const node = pick(conf.learners);
    return node === undefined ? [] : [{ type: 'promote', node }];
  }
  if (r < 0.75 && conf.voters.length > 2) {
    const node = pick(conf.voters);
    return node === undefined ? [] : [{ type: 'remove', node }];
  }
  // Two changes at once: joint consensus.
  const a = add('add-voter');
  const gone = conf.voters.length > 2 ? pick(conf.voters) : undefined;
  return gone === undefined ? a : [...a, { type: 'remove', node: gone }];
}

function soak(seed: number, bug?: CoreBug): { c: Cluster; confEntries: number } {
  const c = new Cluster({ size: 3, seed, electionTicks: 10, heartbeatTicks: 2, preVote: seed % 2 === 0, checkQuorum: seed % 2 === 0, snapshotEvery: seed % 3 === 0 ? 5 : 0, ...(bug === undefined ? {} : { bug }) });
  const crashed = new Set<NodeId>();
  for (let step = 0; step < 400; step++) {
    const leader = c.leader();
    const r = c.random();
    if (leader !== 0 && r < 0.3) c.node(leader).propose(`{"s":${step}}`);
    else if (leader !== 0 && r < 0.36) c.node(leader).proposeConfChange({ changes: randomChange(c, leader) });
    else if (leader !== 0 && r < 0.39) {
      const voters = c.node(leader).configuration()?.voters ?? [];
      const target = voters[Math.floor(c.random() * voters.length)];
      if (target !== undefined) c.node(leader).transferLeadership(target);
    } else if (r < 0.41 && crashed.size === 0) {
      const id = c.ids[Math.floor(c.random() * c.ids.length)] as NodeId;
      c.crash(id);
      crashed.add(id);
    } else if (r < 0.45 && crashed.size > 0) {
      for (const id of crashed) c.restart(id);
      crashed.clear();
    }
    c.processAll();
    c.tick(c.ids.filter((id) => !crashed.has(id)));
    c.chaosRound(0.1, 0.05);
  }
  for (const id of crashed) c.restart(id);
  c.settle();
  const ids = c.ids.filter((id) => c.nodes.has(id));
  const confs = new Set(ids.flatMap((id) => (c.applied.get(id) ?? []).filter((e) => e.data.startsWith('conf:')).map((e) => e.data)));
  return { c, confEntries: confs.size };
}

describe('membership soak', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}: changes, transfers, crashes and chaos keep the host-observable checks`, () => {
      const { c, confEntries } = soak(seed);
      expect(c.violations).toEqual([]);
      // The run really changed the configuration (12 seeds applied 4 to 18 distinct configuration entries).
      expect(confEntries).toBeGreaterThan(1);
    });
  }
});

describe('membership soak with planted bugs (informative: the simulator\'s checkers are what must catch them)', () => {
  for (const bug of ['joint-new-majority-only', 'learner-vote-counted', 'conf-from-committed', 'conf-change-before-own-term-commit'] as const) {
    it(`${bug}: runs without tripping the core\'s structural assertions`, () => {
      for (let seed = 1; seed <= 6; seed++) soak(seed, bug);
    });
  }
});
