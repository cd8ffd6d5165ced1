/**
 * The membership driver's arithmetic, the configuration view and the fault guard against configurations in force:
 * pure parts, tested on hand-built configurations and facts (the driver on a running cluster is in
 * test/membership.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { encodeConfEntry, simpleConfiguration } from '../core/configuration.js';
import type { Configuration } from '../core/configuration.js';
import { ConfigurationView, mayTakeDown } from './configuration-view.js';
import { SnapshotConfigurations } from './host-snapshots.js';
import { goalMet, nextRequest } from './membership.js';
import type { Fact } from './facts.js';

const c = (voters: number[], learners: number[] = [], outgoing: number[] = []): Configuration => ({ voters, learners, outgoing });

describe('nextRequest and goalMet', () => {
  it('adds through a learner: add-learner, then promote, then the goal is met', () => {
    const goal = { op: 'add', node: 4, via: 'learner' } as const;
    expect(nextRequest(goal, c([1, 2, 3]))).toEqual({ changes: [{ type: 'add-learner', node: 4 }] });
    expect(goalMet(goal, c([1, 2, 3], [4]))).toBe(false);
    expect(nextRequest(goal, c([1, 2, 3], [4]))).toEqual({ changes: [{ type: 'promote', node: 4 }] });
    expect(goalMet(goal, c([1, 2, 3, 4]))).toBe(true);
    expect(nextRequest(goal, c([1, 2, 3, 4]))).toBeNull();
  });

  it('adds a voter at once when asked', () => {
    expect(nextRequest({ op: 'add', node: 5, via: 'voter' }, c([1, 2, 3]))).toEqual({ changes: [{ type: 'add-voter', node: 5 }] });
  });

  it('replaces through one joint change of two, and waits while the configuration is joint', () => {
    const goal = { op: 'replace', remove: 1, add: 4 } as const;
    expect(nextRequest(goal, c([1, 2, 3]))).toEqual({ changes: [{ type: 'add-voter', node: 4 }, { type: 'remove', node: 1 }] });
    const joint = c([2, 3, 4], [], [1, 2, 3]);
    expect(nextRequest(goal, joint)).toBeNull();
    expect(goalMet(goal, joint)).toBe(false);
    expect(goalMet(goal, c([2, 3, 4]))).toBe(true);
  });

  it('removes a voter or a learner; the leader to remove must be resolved first', () => {
    expect(nextRequest({ op: 'remove', node: 3 }, c([1, 2, 3]))).toEqual({ changes: [{ type: 'remove', node: 3 }] });
    expect(nextRequest({ op: 'remove', node: 4 }, c([1, 2, 3], [4]))).toEqual({ changes: [{ type: 'remove', node: 4 }] });
    expect(goalMet({ op: 'remove', node: 4 }, c([1, 2, 3], [4]))).toBe(false);
    expect(nextRequest({ op: 'remove', node: 'leader' }, c([1, 2, 3]))).toBeNull();
    expect(goalMet({ op: 'remove', node: 'leader' }, c([1, 2, 3]))).toBe(false);
  });
});

describe('mayTakeDown: at most f down in every voter half of every configuration in force', () => {
  it('allows one of three, not two', () => {
    const three = [simpleConfiguration([1, 2, 3])];
    expect(mayTakeDown(three, 1, () => false)).toBe(true);
    expect(mayTakeDown(three, 1, (id) => id === 2)).toBe(false);
  });

  it('judges each half of a joint configuration, and the old and new configurations together', () => {
    // C_old {1,2,3} with 1 down: 2 may not go, though C_new {3,4,5} would survive it.
    const joint = [c([3, 4, 5], [], [1, 2, 3])];
    expect(mayTakeDown(joint, 2, (id) => id === 1)).toBe(false);
    expect(mayTakeDown(joint, 4, (id) => id === 1)).toBe(true);
    expect(mayTakeDown([c([1, 2, 3]), c([1, 2, 3, 4, 5])], 3, (id) => id === 1)).toBe(false);
  });

  it('never counts learners or strangers, and a node already down costs nothing', () => {
    expect(mayTakeDown([c([1, 2, 3], [4])], 4, (id) => id === 1)).toBe(true);
    expect(mayTakeDown([c([1, 2, 3])], 6, (id) => id === 1)).toBe(true);
    expect(mayTakeDown([c([1, 2, 3])], 1, (id) => id === 1 || id === 2)).toBe(true);
  });
});

describe('ConfigurationView', () => {
  const base = { atMs: 0, event: 0 };
  const persist = (node: number, entries: { index: number; term: number; data: string }[]): Fact => ({ ...base, kind: 'persist', node, hardState: { term: 1, vote: 0, commit: 0 }, entries });
  const conf = (voters: number[], learners: number[] = [], outgoing: number[] = []): string => encodeConfEntry({ voters, learners, outgoing });

  it('follows appended configurations per node, overwritten suffixes, applies and installed snapshots', () => {
    const snapshots = new SnapshotConfigurations([1, 2, 3]);
    const view = new ConfigurationView([1, 2, 3], 7, snapshots, false);
    expect(view.latest(1)?.configuration).toEqual(simpleConfiguration([1, 2, 3]));
    expect(view.latest(4)).toBeUndefined();
    view.observe(persist(1, [{ index: 1, term: 1, data: '' }, { index: 2, term: 1, data: conf([1, 2, 3], [4]) }]));
    expect(view.latest(1)?.configuration).toEqual(c([1, 2, 3], [4]));
    expect(view.committed).toEqual(simpleConfiguration([1, 2, 3]));
    expect(view.inForce([1, 2, 3])).toEqual([simpleConfiguration([1, 2, 3]), c([1, 2, 3], [4])]);
    // A new leader overwrites index 2: the configuration entry is gone from node 1's log.
    view.observe(persist(1, [{ index: 2, term: 2, data: '{"x":1}' }]));
    expect(view.latest(1)?.index).toBe(0);
    view.observe({ ...base, kind: 'apply', node: 2, entry: { index: 3, term: 2, data: conf([1, 2, 3, 4]) } });
    expect(view.committed).toEqual(c([1, 2, 3, 4]));
    expect(view.committedIndex).toBe(3);
    snapshots.record(9, 3, c([2, 3, 4]));
    view.observe({ ...base, kind: 'snapshot', node: 4, index: 9, term: 3, digest: 0, origin: 'installed' });
    expect(view.latest(4)).toEqual({ index: 9, term: 3, configuration: c([2, 3, 4]) });
  });
});
