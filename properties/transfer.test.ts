import { describe, expect, it } from 'vitest';
import type { NodeId } from '../sim/contract.js';
import type { FaultPlan } from '../sim/faults.js';
import { RELIABLE_NETWORK } from '../sim/network.js';
import { confEntry, entries, FACT_STEP_MS, FactLog, runChecker } from './fact-builders.js';
import { calmForTransfer, createTransferChecker, disturbedIntervals, TRANSFER_DEADLINE_ELECTIONS, transferCheckerFor } from './transfer.js';
import type { DisturbedInterval } from './transfer.js';

const OPTIONS = { electionMs: 100, safetyMs: 10_000 };
/** Facts between an acceptance and its deadline. */
const WINDOW_FACTS = (TRANSFER_DEADLINE_ELECTIONS * OPTIONS.electionMs) / FACT_STEP_MS;

/** Node 1 leads term 2 over nodes 1..3 with entries 1..5; node 3 lags at entry 2. */
function calmStart(): FactLog {
  const l = new FactLog();
  l.persist(1, { term: 2, vote: 1 }, entries(1, 5, 2));
  l.lead(1, 2);
  l.persist(2, { term: 2, vote: 1 }, entries(1, 5, 2));
  l.persist(3, { term: 2, vote: 1 }, entries(1, 2, 2));
  return l;
}

/** `n` facts that change nothing the checker tracks: node 2 persisting its hard state again. */
function idle(l: FactLog, n: number): void {
  for (let i = 0; i < n; i++) l.persist(2, { term: 2, vote: 1 });
}

function check(l: FactLog, disturbed: readonly DisturbedInterval[] = [], options = OPTIONS): ReturnType<typeof runChecker> {
  return runChecker(createTransferChecker(disturbed, options), l.facts);
}

/** The thesis §3.10 transfer: catch the target up, TimeoutNow, the target wins term 3. */
function completedTransfer(l: FactLog, target: NodeId = 3): void {
  l.transfer(1, target);
  l.persist(target, { term: 2, vote: 1 }, entries(3, 5, 2));
  l.persist(target, { term: 3, vote: target });
  l.persist(2, { term: 3, vote: target });
  l.lead(target, 3);
  l.role(1, 'follower', 3, target);
}

describe('transfer', () => {
  it('passes a transfer whose target is brought up to date and wins the next term', () => {
    const l = calmStart();
    completedTransfer(l);
    idle(l, WINDOW_FACTS + 5);
    expect(check(l)).toEqual([]);
  });

  it('fails a target sent TimeoutNow while lagging: it campaigns, loses, and another node leads', () => {
    const l = calmStart();
    l.transfer(1, 3);
    l.persist(3, { term: 3, vote: 3 });
    l.persist(1, { term: 3, vote: 0 });
    l.role(1, 'follower', 3);
    l.persist(2, { term: 3, vote: 0 });
    idle(l, WINDOW_FACTS);
    const late = l.persist(2, { term: 4, vote: 2 });
    l.lead(2, 4);
    const violations = check(l);
    expect(violations).toHaveLength(1);
    const [v] = violations;
    expect(v).toMatchObject({ property: 'transfer', nodes: [1, 3], evidence: { leader: 1, target: 3, leaderTerm: 2, targetCampaigned: true } });
    expect(v?.message).toMatch(/leader 1 of term 2 accepted a leadership transfer to node 3 .* it campaigned and lost/);
    // Reported on the first fact at or after the deadline (acceptance + two election timeouts).
    expect(v?.atMs).toBeGreaterThanOrEqual((v?.evidence as { deadlineMs: number }).deadlineMs);
    expect(v?.atMs).toBeLessThanOrEqual(late.atMs);
  });

  it('fails a transfer whose target never campaigns (TimeoutNow never sent)', () => {
    const l = calmStart();
    l.transfer(1, 3);
    idle(l, WINDOW_FACTS + 1);
    const [v] = check(l);
    expect(v).toMatchObject({ property: 'transfer', evidence: { targetCampaigned: false } });
  });

  it('fails a target that wins only the leader\'s own term or leads after the deadline', () => {
    const l = calmStart();
    l.transfer(1, 3);
    idle(l, WINDOW_FACTS + 1);
    l.lead(3, 3);
    expect(check(l).map((v) => v.property)).toEqual(['transfer']);
  });

  it('reports a transfer still pending when the run ends past its deadline, and not one ending before it', () => {
    const l = calmStart();
    const t = l.transfer(1, 3);
    const checker = createTransferChecker([], OPTIONS);
    expect(runChecker(checker, l.facts)).toEqual([]);
    expect(checker.finish?.(t.atMs + 150, 99)).toBeNull();
    expect(checker.finish?.(t.atMs + 250, 100)).toMatchObject({ property: 'transfer', atMs: t.atMs + 250, event: 100, evidence: { targetCampaigned: false } });
    // Reported once.
    expect(checker.finish?.(t.atMs + 300, 101)).toBeNull();
  });

  it('judges an accepted transfer only: a refused one is no promise', () => {
    const l = calmStart();
    l.transfer(1, 3, false);
    idle(l, WINDOW_FACTS + 5);
    expect(check(l)).toEqual([]);
  });

  it('asked again for the same target, keeps the first deadline', () => {
    const l = calmStart();
    l.transfer(1, 3);
    idle(l, WINDOW_FACTS - 3);
    l.transfer(1, 3);
    idle(l, 4);
    expect(check(l).map((v) => v.property)).toEqual(['transfer']);
  });

  it('judges the later of two transfers to different targets (the leader starts over)', () => {
    const l = calmStart();
    l.transfer(1, 3);
    idle(l, WINDOW_FACTS - 3);
    completedTransfer(l, 2);
    idle(l, WINDOW_FACTS + 2);
    expect(check(l)).toEqual([]);
    const bad = calmStart();
    bad.transfer(1, 3);
    idle(bad, 3);
    bad.transfer(1, 2);
    idle(bad, WINDOW_FACTS + 1);
    expect(check(bad)).toMatchObject([{ property: 'transfer', evidence: { target: 2 } }]);
  });

  describe('skips transfers outside calm conditions', () => {
    const skipped: [string, (l: FactLog) => void][] = [
      ['a node crashes in the window', (l) => l.crash(2)],
      ['another node raises its term before the target campaigns', (l) => l.persist(2, { term: 3, vote: 2 })],
      ['a configuration change is accepted in the window', (l) => l.confProposal(1, { changes: [{ type: 'remove', node: 2 }] })],
      ['a configuration entry is persisted in the window', (l) => l.persist(3, { term: 3, vote: 3 }, [confEntry(6, 3, [1, 3])])],
      ['a node joins in the window', (l) => l.join(4)],
      ['a node retires in the window', (l) => l.retire(2)],
    ];
    for (const [what, disturb] of skipped) {
      it(what, () => {
        const l = calmStart();
        l.transfer(1, 3);
        disturb(l);
        idle(l, WINDOW_FACTS + 1);
        expect(check(l)).toEqual([]);
      });
    }

    const unjudged: [string, (l: FactLog) => void][] = [
      ['the accepting node is not the leader the facts show', (l) => l.transfer(2, 3)],
      ['a node is down', (l) => (l.crash(2), l.transfer(1, 3))],
      ['a stored term is above the leader\'s', (l) => (l.persist(2, { term: 5 }), l.transfer(1, 3))],
      ['configuration activity within an election timeout before', (l) => (l.persist(1, { term: 2, vote: 1 }, [confEntry(6, 2, [1, 2, 3])]), l.transfer(1, 3))],
      ['the target is behind the leader\'s snapshot', (l) => (l.snapshot(1, 4, 2, 7), l.transfer(1, 3))],
    ];
    for (const [what, setUp] of unjudged) {
      it(what, () => {
        const l = calmStart();
        setUp(l);
        idle(l, WINDOW_FACTS + 1);
        expect(check(l)).toEqual([]);
      });
    }

    it('a fault of the plan acts in the window', () => {
      const l = calmStart();
      const t = l.transfer(1, 3);
      idle(l, WINDOW_FACTS + 1);
      expect(check(l, [{ fromMs: t.atMs + 50, toMs: t.atMs + 60 }])).toEqual([]);
      // One that ended before the acceptance leaves the transfer judged (the lagging target of transfer-lagging).
      expect(check(l, [{ fromMs: 0, toMs: t.atMs - 1 }])).toHaveLength(1);
    });

    it('the deadline falls in the liveness phase', () => {
      const l = calmStart();
      const t = l.transfer(1, 3);
      idle(l, WINDOW_FACTS + 1);
      expect(check(l, [], { electionMs: 100, safetyMs: t.atMs + 150 })).toEqual([]);
    });
  });
});

describe('disturbedIntervals', () => {
  it('spans a crash to its restart, a shape to its heal, timed faults to their end, and ignores benign events', () => {
    const plan: FaultPlan = {
      events: [
        { atMs: 100, kind: 'crash', node: 2 },
        { atMs: 150, kind: 'transfer', target: 'random' },
        { atMs: 300, kind: 'restart', node: 2 },
        { atMs: 400, kind: 'partition', groups: [[1], [2, 3]] },
        { atMs: 700, kind: 'heal' },
        { atMs: 800, kind: 'away', node: 3, durationMs: 50 },
        { atMs: 900, kind: 'crash', node: 1 },
      ],
    };
    expect(disturbedIntervals(plan)).toEqual([
      { fromMs: 100, toMs: 300 },
      { fromMs: 400, toMs: 700 },
      { fromMs: 800, toMs: 850 },
      { fromMs: 900, toMs: Number.POSITIVE_INFINITY },
    ]);
  });
});

describe('transferCheckerFor', () => {
  const plan: FaultPlan = { events: [{ atMs: 500, kind: 'transfer', target: 3 }] };
  it('applies to implementations declaring leadership-transfer, with a transfer planned, on a calm network', () => {
    expect(transferCheckerFor(['leadership-transfer'], plan, RELIABLE_NETWORK, OPTIONS)?.property).toBe('transfer');
    expect(transferCheckerFor(['pre-vote'], plan, RELIABLE_NETWORK, OPTIONS)).toBeNull();
    expect(transferCheckerFor(undefined, plan, RELIABLE_NETWORK, OPTIONS)).toBeNull();
    expect(transferCheckerFor(['leadership-transfer'], { events: [] }, RELIABLE_NETWORK, OPTIONS)).toBeNull();
    expect(transferCheckerFor(['leadership-transfer'], plan, { ...RELIABLE_NETWORK, lossPerMille: 10 }, OPTIONS)).toBeNull();
  });

  it('calls a network calm only without loss, long delays, bounded links or slow messages', () => {
    expect(calmForTransfer(RELIABLE_NETWORK)).toBe(true);
    expect(calmForTransfer({ ...RELIABLE_NETWORK, longDelayPerMille: 1, longDelayMsMax: 300 })).toBe(false);
    expect(calmForTransfer({ ...RELIABLE_NETWORK, linkCapacity: 8 })).toBe(false);
    expect(calmForTransfer({ ...RELIABLE_NETWORK, latencyMsMax: 50 })).toBe(false);
  });
});
