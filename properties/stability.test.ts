import { describe, expect, it } from 'vitest';
import type { NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import type { FaultEvent } from '../sim/faults.js';
import { calmWindows, createStabilityChecker, stabilityCheckerFor, STABILITY_STEP_DOWN_ELECTIONS } from './stability.js';
import type { StabilityWindow } from './stability.js';
import { runChecker } from './fact-builders.js';

const NODES = [1, 2, 3];
const OPTIONS = { nodeIds: NODES, electionMs: 100, settleMs: 300 };
const TIMING = { electionMs: 100, safetyMs: 10_000 };
/** Node 3 is away from 1000 to 1400 ms. */
const WINDOW: StabilityWindow = { kind: 'away', nodes: [3], fromMs: 1000, toMs: 1400 };

let event = 0;
const persist = (atMs: number, node: NodeId, term: number): Fact => ({ atMs, event: event++, node, kind: 'persist', hardState: { term, vote: 0, commit: 0 }, entries: [] });
const role = (atMs: number, node: NodeId, r: 'leader' | 'follower' | 'candidate' | 'pre-candidate', term: number): Fact => ({ atMs, event: event++, node, kind: 'role', role: r, leader: r === 'leader' ? node : 0, term });
const crash = (atMs: number, node: NodeId): Fact => ({ atMs, event: event++, node, kind: 'crash' });

/** Node 1 leads term 2 from 200 ms; everyone stores term 2. */
function stableStart(): Fact[] {
  return [persist(190, 1, 2), role(200, 1, 'leader', 2), persist(210, 2, 2), persist(210, 3, 2), role(210, 2, 'follower', 2), role(210, 3, 'follower', 2)];
}

function check(facts: Fact[], window: StabilityWindow = WINDOW): ReturnType<typeof runChecker> {
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

  it('opens no window once the configuration may have changed (a configuration entry on a disk, or a node joining)', () => {
    const conf: Fact = { atMs: 500, event: event++, node: 1, kind: 'persist', hardState: { term: 2, vote: 0, commit: 0 }, entries: [{ index: 1, term: 2, data: 'conf:{"voters":[1,2,3,4],"learners":[],"outgoing":[]}' }] };
    expect(check([...stableStart(), conf, persist(1200, 3, 3)])).toEqual([]);
    const join: Fact = { atMs: 500, event: event++, node: 4, kind: 'join' };
    expect(check([...stableStart(), join, persist(1200, 3, 3)])).toEqual([]);
  });

  it('skips what the environment did: another node raising its term while the node is still away', () => {
    expect(check([...stableStart(), persist(1100, 2, 3), persist(1450, 3, 4)])).toEqual([]);
  });

  it('judges nothing without a stable leader: leader too recent, the away node leading, a node down, or a crash in the window', () => {
    const recent = [persist(950, 1, 2), role(950, 1, 'leader', 2)];
    expect(check([...recent, persist(1200, 3, 3)])).toEqual([]);
    expect(check([...stableStart(), crash(500, 2), persist(1200, 3, 3)])).toEqual([]);
    expect(check([...stableStart(), crash(1100, 2), persist(1200, 3, 3)])).toEqual([]);
  });

  it('judges nothing in a cluster of 2: with one node away the leader has no majority, and CheckQuorum deposes it', () => {
    const two = runChecker(createStabilityChecker([{ kind: 'away', nodes: [2], fromMs: 1000, toMs: 1400 }], { ...OPTIONS, nodeIds: [1, 2] }), [persist(190, 1, 2), role(200, 1, 'leader', 2), persist(210, 2, 2), persist(1450, 1, 3)]);
    expect(two).toEqual([]);
  });

  it('fails a minority that raises its term while partitioned away together', () => {
    const five = { ...OPTIONS, nodeIds: [1, 2, 3, 4, 5] };
    const start = [persist(190, 1, 2), role(200, 1, 'leader', 2), ...[2, 3, 4, 5].map((n) => persist(210, n, 2))];
    const group: StabilityWindow = { kind: 'away', nodes: [4, 5], fromMs: 1000, toMs: 1400 };
    const [v] = runChecker(createStabilityChecker([group], five), [...start, persist(1150, 5, 3)]);
    expect(v?.message).toMatch(/node 5 stored term 3 while partitioned away with node 4, above the term 2 of stable leader 1/);
    expect(v?.nodes).toEqual([1, 4, 5]);
    expect(runChecker(createStabilityChecker([group], five), [...start, persist(1300, 1, 2), persist(1500, 4, 2)])).toEqual([]);
    // A minority of 3 in 5 is no minority: the rest is not a majority, the window is not judged.
    expect(runChecker(createStabilityChecker([{ ...group, nodes: [3, 4, 5] }], five), [...start, persist(1150, 5, 3)])).toEqual([]);
  });

  describe('the leader away', () => {
    const away: StabilityWindow = { kind: 'away', nodes: [1], fromMs: 1000, toMs: 2000 };
    const stepDownMs = 1000 + STABILITY_STEP_DOWN_ELECTIONS * 100;

    it('passes a leader that steps down in time while the rest elect a new leader', () => {
      expect(check([...stableStart(), role(1200, 1, 'follower', 2), persist(1300, 2, 3), role(1300, 2, 'leader', 3), persist(stepDownMs + 50, 3, 3), persist(2100, 1, 3)], away)).toEqual([]);
    });

    it('fails a leader still leading when the step-down bound has passed', () => {
      const [v] = check([...stableStart(), persist(1300, 2, 3), role(1300, 2, 'leader', 3), persist(stepDownMs + 5, 3, 3)], away);
      expect(v?.property).toBe('stability');
      expect(v?.message).toMatch(/leader 1 of term 2 still led 600 ms after it was cut off from the majority \(6 election timeouts allowed; no step-down by 605 ms\)/);
      expect(v?.evidence).toMatchObject({ stepDown: true, leader: 1 });
    });

    it('fails a leader that never stepped down, seen at the first fact after the window when none came within it', () => {
      const [v] = check([...stableStart(), persist(1300, 2, 3), role(1300, 2, 'leader', 3), persist(2050, 3, 3)], away);
      expect(v?.evidence).toMatchObject({ stepDown: true, leader: 1 });
      // A crash of the leader before the deadline ends the window unjudged; after it, the leader still led at the deadline.
      expect(check([...stableStart(), crash(1300, 1), persist(2050, 3, 3)], away)).toEqual([]);
      expect(check([...stableStart(), crash(1700, 1)], away)).toMatchObject([{ evidence: { stepDown: true } }]);
    });

    it('does not judge the step-down after the leader is back, nor in a window too short for it', () => {
      expect(check([...stableStart(), persist(1300, 2, 3), persist(1500, 3, 3)], { ...away, toMs: 1400 })).toEqual([]);
    });

    it('fails the away leader raising its own term while cut off', () => {
      const [v] = check([...stableStart(), role(1200, 1, 'follower', 2), persist(1400, 1, 3)], away);
      expect(v?.message).toMatch(/node 1 stored term 3 while partitioned away from the majority, above the term 2 it had when leader 1 was cut off/);
    });
  });

  describe("a follower's clock jump", () => {
    const jump: StabilityWindow = { kind: 'timeout', nodes: [3], fromMs: 1000, toMs: 1000 };

    it('passes when the lease keeps the leader', () => {
      expect(check([...stableStart(), role(1000, 3, 'pre-candidate', 2), role(1020, 3, 'follower', 2), persist(1500, 2, 2)], jump)).toEqual([]);
    });

    it('fails when any node raises its term within the settle time', () => {
      const [v] = check([...stableStart(), persist(1010, 3, 3), persist(1015, 2, 3)], jump);
      expect(v?.message).toMatch(/node 3 stored term 3, above the term 2 of stable leader 1, 10 ms after the clock of node 3 jumped/);
    });

    it("skips the leader's own clock jump (its CheckQuorum may rightly trip)", () => {
      expect(check([...stableStart(), persist(1010, 2, 3)], { ...jump, nodes: [1] })).toEqual([]);
    });
  });

  it('stops judging after the settle time', () => {
    expect(check([...stableStart(), persist(1800, 2, 3)])).toEqual([]);
  });

  it('takes only calm away windows from the plan', () => {
    const away: FaultEvent = { atMs: 1000, kind: 'away', node: 3, durationMs: 400 };
    expect(calmWindows({ events: [{ atMs: 0, kind: 'heal' }, { atMs: 0, kind: 'crash', node: 2 }, { atMs: 500, kind: 'restart', node: 2 }, away] }, 100, 300)).toEqual([WINDOW]);
    expect(calmWindows({ events: [{ atMs: 0, kind: 'crash', node: 2 }, away] }, 100, 300)).toEqual([]);
    expect(calmWindows({ events: [{ atMs: 0, kind: 'partition', groups: [[1], [2, 3]] }, away] }, 100, 300)).toEqual([]);
    expect(calmWindows({ events: [{ atMs: 0, kind: 'partition', groups: [[1], [2, 3]] }, { atMs: 10, kind: 'heal' }, away] }, 100, 300)).toEqual([{ kind: 'away', nodes: [1], fromMs: 0, toMs: 10 }, WINDOW]);
    expect(calmWindows({ events: [away, { atMs: 1600, kind: 'pause', node: 1, durationMs: 10 }] }, 100, 300)).toEqual([]);
    expect(calmWindows({ events: [{ atMs: 850, kind: 'clog', from: 1, to: 2, durationMs: 100 }, away] }, 100, 300)).toEqual([]);
  });

  it('takes minority partitions until their heal, and clock jumps, as windows too', () => {
    const partition: FaultEvent = { atMs: 1000, kind: 'partition', groups: [[1, 2, 5], [4, 3]] };
    const heal: FaultEvent = { atMs: 1400, kind: 'heal' };
    expect(calmWindows({ events: [partition, heal] }, 100, 300)).toEqual([{ kind: 'away', nodes: [3, 4], fromMs: 1000, toMs: 1400 }]);
    // No heal, or three groups: no window.
    expect(calmWindows({ events: [partition] }, 100, 300)).toEqual([]);
    expect(calmWindows({ events: [{ atMs: 1000, kind: 'partition', groups: [[1], [2], [3, 4, 5]] }, heal] }, 100, 300)).toEqual([]);
    // Another fault inside the partition's window makes it not calm.
    expect(calmWindows({ events: [partition, { atMs: 1100, kind: 'crash', node: 1 }, heal] }, 100, 300)).toEqual([]);
    expect(calmWindows({ events: [{ atMs: 2000, kind: 'clock-jump', node: 2, ticks: 25 }] }, 100, 300)).toEqual([{ kind: 'timeout', nodes: [2], fromMs: 2000, toMs: 2000 }]);
    expect(calmWindows({ events: [{ atMs: 2000, kind: 'clock-jump', node: 2, ticks: 25 }, { atMs: 2200, kind: 'pause', node: 1, durationMs: 10 }] }, 100, 300)).toEqual([]);
  });

  it('applies only to implementations declaring both pre-vote and check-quorum', () => {
    const plan = { events: [{ atMs: 1000, kind: 'away', node: 3, durationMs: 400 } as const] };
    expect(stabilityCheckerFor(['pre-vote', 'check-quorum'], plan, NODES, TIMING)).not.toBeNull();
    expect(stabilityCheckerFor(['pre-vote'], plan, NODES, TIMING)).toBeNull();
    expect(stabilityCheckerFor(['check-quorum', 'read-index'], plan, NODES, TIMING)).toBeNull();
    expect(stabilityCheckerFor(undefined, plan, NODES, TIMING)).toBeNull();
    expect(stabilityCheckerFor(['pre-vote', 'check-quorum'], { events: [] }, NODES, TIMING)).toBeNull();
    // A window whose settle time reaches the liveness phase (which cuts off the nodes outside its core) is not judged.
    expect(stabilityCheckerFor(['pre-vote', 'check-quorum'], plan, NODES, { electionMs: 100, safetyMs: 1700 })).toBeNull();
  });
});
