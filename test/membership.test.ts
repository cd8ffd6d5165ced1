/**
 * Membership runs end to end on our core (issue 15): every action of the membership driver and of the fault
 * guard happens and is visible in counts, facts and the trace; runs replay exactly; and an implementation without
 * the capabilities plans and runs exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { isConfEntryData } from '../core/configuration.js';
import { findScenario } from '../scenarios/registry.js';
import { membershipChurn, MEMBERSHIP_SCENARIOS } from '../scenarios/membership-scenarios.js';
import { randomFaults } from '../scenarios/random-faults.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { RunConfig, Verdict } from '../scenarios/run-seed.js';
import type { ScenarioPlan } from '../scenarios/types.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation } from '../sim/contract.js';
import type { FaultEvent } from '../sim/faults.js';
import { RELIABLE_NETWORK } from '../sim/network.js';
import { Prng } from '../sim/prng.js';

function fixedClusterCore(): RaftImplementation {
  const core = builtinRaft();
  return { ...core, capabilities: (core.capabilities ?? []).filter((c) => c !== 'membership-change' && c !== 'leadership-transfer') };
}

/** A 3-node run of `events` on a calm network, recorded, with a short safety phase. */
function run(events: readonly FaultEvent[], overrides: Partial<RunConfig> = {}): Verdict {
  const plan: ScenarioPlan = { network: RELIABLE_NETWORK, plan: { events }, workload: { thinkMsMax: 40 }, knobs: {} };
  return runSeed({ seed: 1, scenario: membershipChurn, nodeCount: 3, plan, record: true, safetyMs: 3000, ...overrides });
}

const goal = (atMs: number, g: Extract<FaultEvent, { kind: 'conf-change' }>['goal'], more: Partial<Extract<FaultEvent, { kind: 'conf-change' }>> = {}): FaultEvent => ({ atMs, kind: 'conf-change', goal: g, retire: false, giveUpMs: 2000, ...more });

describe('membership runs on our core', () => {
  it('joins, adds through a learner, replaces by joint consensus, removes and retires', () => {
    const v = run([goal(300, { op: 'add', node: 4, via: 'learner' }), goal(301, { op: 'replace', remove: 1, add: 5 }, { retire: true }), goal(302, { op: 'remove', node: 2 }, { retire: true })]);
    expect(v.violations).toEqual([]);
    expect(v.stats.faults).toMatchObject({ 'conf-change': 3, 'conf-change-done': 3, 'conf-change-given-up': 0, join: 2, retire: 2 });
    const kinds = (v.trace ?? []).filter((r) => r.type === 'fact').map((r) => (r.type === 'fact' ? `${r.fact.kind}:${r.node}` : ''));
    for (const k of ['join:4', 'join:5', 'retire:1', 'retire:2']) expect(kinds).toContain(k);
    const proposals = (v.trace ?? []).flatMap((r) => (r.type === 'fact' && r.fact.kind === 'conf-proposal' && r.fact.accepted ? [r.fact.request.changes.map((c) => `${c.type} ${c.node}`).join(' + ')] : []));
    expect(proposals).toEqual(['add-learner 4', 'promote 4', 'add-voter 5 + remove 1', 'remove 2']);
  });

  it('conf-append → bounce: the leader that persisted a configuration entry crashes in that ms, and the change still completes', () => {
    const reactive: FaultEvent = { atMs: 250, kind: 'reactive', trigger: 'conf-append', action: 'bounce', windowMs: 2000, delayMs: 0, durationMs: 100, peer: 1 };
    const v = run([reactive, goal(300, { op: 'add', node: 4, via: 'voter' })]);
    expect(v.violations).toEqual([]);
    expect(v.stats.faults['reactive-fired']).toBe(1);
    const facts = (v.trace ?? []).flatMap((r) => (r.type === 'fact' ? [r.fact] : []));
    const appended = facts.find((f) => f.kind === 'persist' && f.entries.some((e) => isConfEntryData(e.data)));
    expect(appended).toBeDefined();
    const crash = facts.find((f) => f.kind === 'crash' && f.atMs >= (appended?.atMs ?? 0));
    expect(crash?.node).toBe(appended?.node);
    expect(crash?.atMs).toBe(appended?.atMs);
    expect(v.stats.faults['conf-change-done']).toBe(1);
  });

  it('gives a goal up at its deadline when no leader can be asked', () => {
    const v = run([{ atMs: 0, kind: 'partition', groups: [[1], [2], [3]] }, goal(300, { op: 'add', node: 4, via: 'voter' }, { giveUpMs: 500 })], { safetyOnly: true });
    expect(v.stats.faults['conf-change-given-up']).toBe(1);
    expect((v.trace ?? []).some((r) => r.type === 'membership' && r.step === 'given-up')).toBe(true);
  });

  it('skips a crash that would take more than f of the configuration in force down, though the initial cluster allowed it', () => {
    // After node 3 is removed the configuration {1, 2} tolerates no node down: crashing node 1 is refused.
    const v = run([goal(300, { op: 'remove', node: 3 }), { atMs: 2000, kind: 'crash', node: 1 }], { safetyOnly: true });
    expect(v.stats.faults['conf-change-done']).toBe(1);
    expect(v.stats.faults['fault-skipped']).toBe(1);
    expect((v.trace ?? []).some((r) => r.type === 'fact' && r.fact.kind === 'crash')).toBe(false);
    expect((v.trace ?? []).some((r) => r.type === 'fault-skipped' && r.target === 1)).toBe(true);
  });

  it('crashes the leader right after it persists a configuration entry, before sending it (crashLeaderMs)', () => {
    const v = run([goal(300, { op: 'add', node: 4, via: 'voter' }, { crashLeaderMs: 150 })]);
    expect(v.violations).toEqual([]);
    expect(v.stats.faults['crash-point-struck']).toBe(1);
    const trace = v.trace ?? [];
    const crash = trace.findIndex((r) => r.type === 'fact' && r.fact.kind === 'crash');
    const before = trace[crash - 1];
    expect(before?.type === 'fact' && before.fact.kind === 'persist' && before.fact.entries.some((e) => isConfEntryData(e.data))).toBe(true);
    // The next leader is asked again and the goal is met.
    expect(v.stats.faults['conf-change-done']).toBe(1);
  });

  it('asks the leader for transfers, to a named node and to a random voter', () => {
    const v = run([{ atMs: 1000, kind: 'transfer', target: 2 }, { atMs: 2000, kind: 'transfer', target: 'random' }]);
    expect(v.violations).toEqual([]);
    const transfers = (v.trace ?? []).flatMap((r) => (r.type === 'fact' && r.fact.kind === 'transfer' ? [r.fact] : []));
    expect(transfers.length).toBe(2);
    expect(transfers[0]?.target).toBe(2);
    // A random target is a voter other than the leader asked.
    expect(transfers[1]?.target).not.toBe(transfers[1]?.node);
    expect([1, 2, 3]).toContain(transfers[1]?.target);
  });

  it('skips membership events for an implementation without the capabilities, with a record saying so', () => {
    const v = run([goal(300, { op: 'add', node: 4, via: 'voter' }), { atMs: 500, kind: 'transfer', target: 'random' }], { implementation: fixedClusterCore() });
    expect(v.violations).toEqual([]);
    expect(v.stats.faults['conf-proposal']).toBe(0);
    expect((v.trace ?? []).filter((r) => r.type === 'membership' && r.step === 'not-capable').length).toBe(2);
  });

  it('replays a membership run exactly', () => {
    const a = runSeed({ seed: 4, scenario: membershipChurn, nodeCount: 3 });
    const b = runSeed({ seed: 4, scenario: membershipChurn, nodeCount: 3 });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.stats.faults['conf-change-done']).toBeGreaterThan(0);
  });
});

describe('membership scenarios and the swarm family', () => {
  it('every membership scenario declares what it needs and is registered', () => {
    for (const s of MEMBERSHIP_SCENARIOS) {
      expect(findScenario(s.name)).toBe(s);
      expect(s.requires.some((r) => r === 'membership-change' || r === 'leadership-transfer')).toBe(true);
    }
  });

  it('plans exactly as before for an implementation without the capabilities: same plan and knobs, no draw', () => {
    const ctx = { nodeCount: 5, safetyMs: 10_000, tickMs: 10, electionTicks: 10 };
    for (let seed = 1; seed <= 10; seed++) {
      const before = randomFaults.generate(Prng.forRun(seed).fork('scenario/random'), ctx);
      const without = randomFaults.generate(Prng.forRun(seed).fork('scenario/random'), { ...ctx, capabilities: fixedClusterCore().capabilities ?? [] });
      expect(without).toEqual(before);
    }
  });

  it('adds configuration changes and transfers to about half the seeds of a capable implementation', () => {
    const ctx = { nodeCount: 5, safetyMs: 10_000, tickMs: 10, electionTicks: 10, capabilities: builtinRaft().capabilities ?? [] };
    let on = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const p = randomFaults.generate(Prng.forRun(seed).fork('scenario/random'), ctx);
      const kinds = new Set(p.plan.events.map((e) => e.kind));
      if (p.knobs['membership'] === true) {
        on++;
        expect(kinds.has('conf-change') || kinds.has('transfer')).toBe(true);
      } else expect(kinds.has('conf-change') || kinds.has('transfer')).toBe(false);
    }
    expect(on).toBeGreaterThan(10);
    expect(on).toBeLessThan(30);
  });
});
