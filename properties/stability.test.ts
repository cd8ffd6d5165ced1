import { describe, expect, it } from 'vitest';
import type { NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import type { FaultEvent } from '../sim/faults.js';
import { calmAwayWindows, createStabilityChecker, stabilityCheckerFor } from './stability.js';
import type { AwayWindow } from './stability.js';
import { runChecker } from './fact-builders.js';

const NODES = [1, 2, 3];
const OPTIONS = { nodeIds: NODES, electionMs: 100, settleMs: 300 };
/** Node 3 is away from 1000 to 1400 ms. */
const WINDOW: AwayWindow = { node: 3, fromMs: 1000, toMs: 1400 };

let event = 0;
const persist = (atMs: number, node: NodeId, term: number): Fact => ({ atMs, event: event++, node, kind: 'persist', hardState: { term, vote: 0, commit: 0 }, entries: [] });
const role = (atMs: number, node: NodeId, r: 'leader' | 'follower' | 'candidate', term: number): Fact => ({ atMs, event: event++, node, kind: 'role', role: r, leader: r === 'leader' ? node : 0, term });
const crash = (atMs: number, node: NodeId): Fact => ({ atMs, event: event++, node, kind: 'crash' });

/** Node 1 leads term 2 from 200 ms; everyone stores term 2. */
function stableStart(): Fact[] {
  return [persist(190, 1, 2), role(200, 1, 'leader', 2), persist(210, 2, 2), persist(210, 3, 2), role(210, 2, 'follower', 2), role(210, 3, 'follower', 2)];
}

function check(facts: Fact[], window: AwayWindow = WINDOW): ReturnType<typeof runChecker> {
  return runChecker(createStabilityChecker([window], OPTIONS), facts);
}

describe('stability', () => {
  it('passes a quiet window: the away node comes back and follows the same leader', () => {
    expect(check([...stableStart(), persist(1200, 1, 2), role(1410, 3, 'follower', 2), persist(1500, 3, 2), persist(2000, 3, 3)])).toEqual([]);
  });

  it('fails an away node that raises its term while away', () => {
    const [v] = check([...stableStart(), persist(1200, 3, 3)]);
    expect(v?.property).toBe('stability');
    expect(v?.nodes).toEqual([1, 3]);
    expect(v?.message).toMatch(/node 3 stored term 3 while partitioned away, above the term 2 of stable leader 1/);
  });

  it('fails a returning node that deposes the leader (another node raises its term after the return)', () => {
    const [v] = check([...stableStart(), persist(1450, 2, 3), role(1450, 1, 'follower', 3)]);
    expect(v?.message).toMatch(/node 2 stored term 3, above the term 2 of stable leader 1, 50 ms after node 3 came back/);
  });

  it('skips what the environment did: another node raising its term while the node is still away', () => {
    expect(check([...stableStart(), persist(1100, 2, 3), persist(1450, 3, 4)])).toEqual([]);
  });

  it('judges nothing without a stable leader: leader too recent, the away node leading, a node down, or a crash in the window', () => {
    const recent = [persist(950, 1, 2), role(950, 1, 'leader', 2)];
    expect(check([...recent, persist(1200, 3, 3)])).toEqual([]);
    expect(check([...stableStart(), role(300, 3, 'leader', 3), persist(1200, 3, 4)])).toEqual([]);
    expect(check([...stableStart(), crash(500, 2), persist(1200, 3, 3)])).toEqual([]);
    expect(check([...stableStart(), crash(1100, 2), persist(1200, 3, 3)])).toEqual([]);
  });

  it('judges nothing in a cluster of 2: with one node away the leader has no majority, and CheckQuorum deposes it', () => {
    const two = runChecker(createStabilityChecker([{ node: 2, fromMs: 1000, toMs: 1400 }], { ...OPTIONS, nodeIds: [1, 2] }), [persist(190, 1, 2), role(200, 1, 'leader', 2), persist(210, 2, 2), persist(1450, 1, 3)]);
    expect(two).toEqual([]);
  });

  it('stops judging after the settle time', () => {
    expect(check([...stableStart(), persist(1800, 2, 3)])).toEqual([]);
  });

  it('takes only calm away windows from the plan', () => {
    const away: FaultEvent = { atMs: 1000, kind: 'away', node: 3, durationMs: 400 };
    expect(calmAwayWindows({ events: [{ atMs: 0, kind: 'heal' }, { atMs: 0, kind: 'crash', node: 2 }, { atMs: 500, kind: 'restart', node: 2 }, away] }, 100, 300)).toEqual([WINDOW]);
    expect(calmAwayWindows({ events: [{ atMs: 0, kind: 'crash', node: 2 }, away] }, 100, 300)).toEqual([]);
    expect(calmAwayWindows({ events: [{ atMs: 0, kind: 'partition', groups: [[1], [2, 3]] }, away] }, 100, 300)).toEqual([]);
    expect(calmAwayWindows({ events: [{ atMs: 0, kind: 'partition', groups: [[1], [2, 3]] }, { atMs: 10, kind: 'heal' }, away] }, 100, 300)).toEqual([WINDOW]);
    expect(calmAwayWindows({ events: [away, { atMs: 1600, kind: 'pause', node: 1, durationMs: 10 }] }, 100, 300)).toEqual([]);
    expect(calmAwayWindows({ events: [{ atMs: 850, kind: 'clog', from: 1, to: 2, durationMs: 100 }, away] }, 100, 300)).toEqual([]);
  });

  it('applies only to implementations declaring both pre-vote and check-quorum', () => {
    const plan = { events: [{ atMs: 1000, kind: 'away', node: 3, durationMs: 400 } as const] };
    expect(stabilityCheckerFor(['pre-vote', 'check-quorum'], plan, NODES, 100)).not.toBeNull();
    expect(stabilityCheckerFor(['pre-vote'], plan, NODES, 100)).toBeNull();
    expect(stabilityCheckerFor(['check-quorum', 'read-index'], plan, NODES, 100)).toBeNull();
    expect(stabilityCheckerFor(undefined, plan, NODES, 100)).toBeNull();
    expect(stabilityCheckerFor(['pre-vote', 'check-quorum'], { events: [] }, NODES, 100)).toBeNull();
  });
});
