/**
 * The JavaScript example's membership changes and transfers through the whole pipeline (host, membership driver,
 * checkers, liveness), on code we did not write in the core: each seed's own fault plan from a scenario, with
 * membership goals and transfers added, must pass on examples/js-raft/membership.js.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessAdapter } from '../cli/adapters/process.js';
import type { RaftImplementation } from '../sim/contract.js';
import type { FaultEvent } from '../sim/faults.js';
import { findScenario, SCENARIOS } from '../scenarios/registry.js';
import { runSeed, scenarioPlanOf } from '../scenarios/run-seed.js';
import type { Scenario, ScenarioPlan } from '../scenarios/types.js';
import { repoRoot } from './cli-helpers.js';

const EXAMPLE = '../examples/js-raft/';
const membership = ((await import(`${EXAMPLE}membership.js`)) as { default: RaftImplementation }).default;
const plain = ((await import(`${EXAMPLE}index.js`)) as { default: RaftImplementation }).default;
const { createRaft } = (await import(`${EXAMPLE}raft.js`)) as { createRaft: (options: { membership: boolean; bug?: string }) => RaftImplementation };

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

/** Grow 3 -> 5 (a learner promoted, a voter added), hand leadership over, replace the leader jointly, shrink. */
const CHURN: readonly FaultEvent[] = [
  { atMs: 800, kind: 'conf-change', goal: { op: 'add', node: 4, via: 'learner' }, retire: false, giveUpMs: 3_000 },
  { atMs: 1_600, kind: 'transfer', target: 'random' },
  { atMs: 2_000, kind: 'conf-change', goal: { op: 'add', node: 5, via: 'voter' }, retire: false, giveUpMs: 3_000 },
  { atMs: 4_000, kind: 'conf-change', goal: { op: 'replace', remove: 'leader', add: 6 }, retire: true, giveUpMs: 3_000 },
  { atMs: 5_500, kind: 'transfer', target: 'random' },
  { atMs: 6_500, kind: 'conf-change', goal: { op: 'remove', node: 2 }, retire: false, giveUpMs: 3_000 },
];

/** The scenario's plan for `seed` with the churn merged in, in time order. */
function withChurn(seed: number, name: string): ScenarioPlan {
  // Generated for an implementation without the membership capabilities, so the swarm adds no membership family
  // of its own: the churn below is the only one, and its node ids are free.
  const base = scenarioPlanOf({ seed, scenario: scenario(name), nodeCount: 3, implementation: plain });
  const events = [...base.plan.events, ...CHURN].sort((a, b) => a.atMs - b.atMs);
  return { ...base, plan: { events } };
}

describe('js-raft membership through the pipeline', () => {
  it.each([
    ['minority-partition', 1],
    ['minority-partition', 2],
    ['crash-restart-storm', 1],
    ['random', 3],
  ])('passes %s seed %i with membership churn and transfers added', (name, seed) => {
    const plan = withChurn(seed, name);
    const theirs = runSeed({ seed, scenario: scenario(name), nodeCount: 3, plan, implementation: membership, record: true });
    expect(theirs.violations).toEqual([]);
    // The changes really happened: nodes joined, changes and transfers were accepted.
    const facts = (theirs.trace ?? []).flatMap((r) => (r.type === 'fact' ? [r.fact] : []));
    expect(facts.filter((f) => f.kind === 'join').length).toBeGreaterThanOrEqual(2);
    expect(facts.filter((f) => f.kind === 'conf-proposal' && f.accepted).length).toBeGreaterThanOrEqual(4);
    expect(facts.filter((f) => f.kind === 'transfer' && f.accepted).length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

/** The named scenarios that need a membership capability (scenarios/membership-scenarios.ts). */
const MEMBERSHIP_SCENARIOS = SCENARIOS.filter((s) => s.requires.includes('membership-change') || s.requires.includes('leadership-transfer'));

describe('js-raft membership on the membership scenarios', () => {
  it('there are membership scenarios to run it on', () => {
    expect(MEMBERSHIP_SCENARIOS.map((s) => s.name).length).toBeGreaterThanOrEqual(4);
  });

  it.each(MEMBERSHIP_SCENARIOS.map((s) => [s.name] as const))('passes %s for seeds 1-3 (their own cluster sizes)', (name) => {
    for (const seed of [1, 2, 3]) {
      const verdict = runSeed({ seed, scenario: scenario(name), implementation: membership });
      expect(verdict.violations, `${name} seed ${seed}`).toEqual([]);
    }
  }, 300_000);

  it('the swarm (random) runs its membership family on an implementation declaring the capabilities', () => {
    const facts = [1, 2, 3, 4, 5, 6].flatMap((seed) => {
      const verdict = runSeed({ seed, scenario: scenario('random'), implementation: membership, record: true });
      expect(verdict.violations, `random seed ${seed}`).toEqual([]);
      return (verdict.trace ?? []).flatMap((r) => (r.type === 'fact' ? [r.fact] : []));
    });
    expect(facts.some((f) => f.kind === 'conf-proposal' || f.kind === 'transfer')).toBe(true);
  }, 300_000);
});

/** docs/properties.md's measurement plan: eight membership events on `random`'s own plan for 3 initial nodes. */
const EIGHT: readonly FaultEvent[] = [
  { atMs: 800, kind: 'conf-change', goal: { op: 'add', node: 4, via: 'learner' }, retire: false, giveUpMs: 3_000 },
  { atMs: 1_500, kind: 'transfer', target: 'random' },
  { atMs: 2_500, kind: 'conf-change', goal: { op: 'replace', remove: 'leader', add: 5 }, retire: true, giveUpMs: 3_000 },
  { atMs: 3_500, kind: 'conf-change', goal: { op: 'add', node: 6, via: 'voter' }, retire: false, giveUpMs: 3_000 },
  { atMs: 4_500, kind: 'transfer', target: 'random' },
  { atMs: 5_000, kind: 'conf-change', goal: { op: 'remove', node: 1 }, retire: false, giveUpMs: 3_000 },
  { atMs: 6_000, kind: 'transfer', target: 'random' },
  { atMs: 6_500, kind: 'conf-change', goal: { op: 'remove', node: 'leader' }, retire: true, giveUpMs: 3_000 },
];

describe('the membership checkers on the example: bugs planted in code we did not write in the core', () => {
  const plan = (seed: number): ScenarioPlan => {
    const base = scenarioPlanOf({ seed, scenario: scenario('random'), nodeCount: 3, implementation: plain });
    return { ...base, plan: { events: [...base.plan.events, ...EIGHT].sort((a, b) => a.atMs - b.atMs) } };
  };

  it('the 2015 bug (a change before the new leader committed an entry of its term) fails configuration-entries; the correct example passes', () => {
    const config = { seed: 1, scenario: scenario('random'), nodeCount: 3, plan: plan(1) };
    const buggy = runSeed({ ...config, implementation: createRaft({ membership: true, bug: 'conf-change-before-own-term-commit' }) });
    expect(buggy.violations[0]?.property).toBe('configuration-entries');
    expect(buggy.violations[0]?.message).toMatch(/own term/);
    expect(runSeed({ ...config, implementation: membership }).violations).toEqual([]);
  }, 60_000);
});

describe('js-raft membership through the process protocol', () => {
  const adapters: ProcessAdapter[] = [];
  afterAll(() => {
    for (const a of adapters) a.close();
  });
  const start = (flags: string): ProcessAdapter => {
    const adapter = ProcessAdapter.start({ command: `node examples/js-raft/serve.mjs examples/js-raft/membership.js ${flags}`, cwd: repoRoot, timeoutMs: 10_000, nodeCount: 3 });
    adapters.push(adapter);
    return adapter;
  };

  it('passes a churn seed in both forms with the same trace hash: joins, changes and transfers cross the pipe', () => {
    const lockstep = start('--protocol 1');
    const compact = start('--protocol 2');
    expect(compact.implementation.capabilities).toEqual(['membership-change', 'leadership-transfer']);
    const plan = withChurn(3, 'random');
    const config = { seed: 3, scenario: scenario('random'), nodeCount: 3, plan };
    const one = runSeed({ ...config, implementation: lockstep.implementation, record: true });
    const two = runSeed({ ...config, implementation: compact.implementation });
    expect(one.violations).toEqual([]);
    expect(two.traceHash).toBe(one.traceHash);
    const facts = (one.trace ?? []).flatMap((r) => (r.type === 'fact' ? [r.fact] : []));
    expect(facts.filter((f) => f.kind === 'conf-proposal' && f.accepted).length).toBeGreaterThanOrEqual(4);
    expect(facts.filter((f) => f.kind === 'transfer' && f.accepted).length).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it('reports a malformed propose-conf-change reply as an implementation error naming seed, node and request', () => {
    const adapter = ProcessAdapter.start({ command: 'node test/fixtures/membership/bad-conf-reply.mjs', cwd: repoRoot, timeoutMs: 10_000, nodeCount: 3 });
    adapters.push(adapter);
    const verdict = runSeed({ seed: 3, scenario: scenario('random'), nodeCount: 3, plan: withChurn(3, 'random'), implementation: adapter.implementation });
    expect(verdict.seed).toBe(3);
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    const [violation] = verdict.violations;
    expect(violation?.nodes).toHaveLength(1);
    expect(violation?.message).toMatch(/^node \d process replied to propose-conf-change with no boolean "accepted" \(docs\/protocol.md § Membership changes\): \{"type":"proposed","accepted":"yes","index":\d+,"term":\d+\}/);
  }, 120_000);
});
