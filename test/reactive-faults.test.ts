/**
 * Reactive faults (issue 11, item 2): each trigger fires on its fact and its action happens right after, the
 * plan schema and the fault-model guard accept and judge them, the default swarm arms and fires them, and a
 * plan with reactive faults replays to the same trace hash.
 */
import { describe, expect, it } from 'vitest';
import type { Fact } from '../sim/facts.js';
import { checkPlan, isMembershipEvent } from '../sim/faults.js';
import type { FaultEvent, ReactiveAction, ReactiveTrigger } from '../sim/faults.js';
import { RELIABLE_NETWORK } from '../sim/network.js';
import { simulate } from '../sim/simulation.js';
import { smallSimulation } from '../sim/test-harness.js';
import type { SimulationOptions, SimulationResult } from '../sim/simulation.js';
import { PLAN_FILE_FORMAT, PLAN_FILE_VERSION, decodePlanFile, encodePlanFile } from '../scenarios/plan-file.js';
import { scenarioPlanSchema } from '../scenarios/plan-schema.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import { builtinRaft } from '../sim/builtin.js';

/** What our core declares: the swarm plans for it (configuration changes among them), as runSeed does. */
const CORE_CAPABILITIES = builtinRaft().capabilities ?? [];
import { Prng } from '../sim/prng.js';

function options(events: FaultEvent[], overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  return smallSimulation({ plan: { events }, record: true, ...overrides });
}

function run(events: FaultEvent[], overrides: Partial<SimulationOptions> = {}): { result: SimulationResult; facts: Fact[] } {
  const facts: Fact[] = [];
  const result = simulate(options(events, overrides), {
    observe: (fact) => {
      facts.push(fact);
      return false;
    },
  });
  return { result, facts };
}

function reactive(trigger: ReactiveTrigger, action: ReactiveAction, extra: Partial<Extract<FaultEvent, { kind: 'reactive' }>> = {}): Extract<FaultEvent, { kind: 'reactive' }> {
  return { atMs: 500, kind: 'reactive', trigger, action, windowMs: 2000, delayMs: 0, durationMs: 50, peer: 1, ...extra };
}

/** The first fact matching `match` at or after `fromMs`, and the first crash fact after it. */
function firstAfter(facts: readonly Fact[], fromMs: number, match: (f: Fact) => boolean): { trigger: Fact | undefined; crash: Fact | undefined } {
  const i = facts.findIndex((f) => f.atMs >= fromMs && match(f));
  const trigger = facts[i];
  const crash = i < 0 ? undefined : facts.slice(i + 1).find((f) => f.kind === 'crash');
  return { trigger, crash };
}

describe('reactive faults', () => {
  it('vote → bounce: the node that persisted a vote crashes in the same ms and restarts durationMs later', () => {
    // A leader is bounced at 500 ms, so an election (and vote persists) follows; arm the reactive fault after it.
    const { result, facts } = run([{ atMs: 500, kind: 'bounce', node: 'leader', downMs: 400 }, reactive('vote', 'bounce', { atMs: 501 })], { nodeCount: 5 });
    expect(result.stats.faults['reactive-fired']).toBe(1);
    const { trigger, crash } = firstAfter(facts, 501, (f) => f.kind === 'persist' && f.hardState.vote !== 0 && f.atMs > 501);
    expect(trigger).toBeDefined();
    expect(crash?.node).toBe(trigger?.node);
    expect(crash?.atMs).toBe(trigger?.atMs);
    const restart = facts.find((f) => f.kind === 'restart' && f.node === crash?.node && f.atMs > (crash?.atMs ?? 0));
    expect(restart?.atMs).toBe((crash?.atMs ?? 0) + 50);
  });

  it('candidate → bounce-peer: a voter of the election under way crashes', () => {
    const { result, facts } = run([{ atMs: 500, kind: 'bounce', node: 'leader', downMs: 400 }, reactive('candidate', 'bounce-peer', { atMs: 501, delayMs: 0, peer: 1 })], { nodeCount: 5 });
    expect(result.stats.faults['reactive-fired']).toBe(1);
    const { trigger, crash } = firstAfter(facts, 501, (f) => f.kind === 'role' && f.role === 'candidate');
    expect(trigger).toBeDefined();
    expect(crash?.node).toBe(((trigger?.node ?? 0) % 5) + 1);
  });

  it('leader-append → isolate: the leader is cut off right after it persists a new entry, then comes back', () => {
    const { result, facts } = run([reactive('leader-append', 'isolate', { durationMs: 600 })]);
    expect(result.stats.faults['reactive-fired']).toBe(1);
    expect(result.stats.faults.away).toBe(1);
    const trace = result.trace ?? [];
    const away = trace.find((r) => r.type === 'fault' && r.fault.kind === 'away');
    expect(away).toBeDefined();
    const appended = facts.find((f) => f.atMs >= 500 && f.kind === 'persist' && f.entries.length > 0 && f.node === away?.node);
    expect(appended?.atMs).toBe(away?.atMs);
    // Cut off, it is replaced: a later leader in a higher term.
    expect(facts.some((f) => f.kind === 'role' && f.role === 'leader' && f.atMs > (away?.atMs ?? 0) && f.node !== away?.node)).toBe(true);
    expect(result.liveness.ok).toBe(true);
  });

  it('ack → bounce: the node that served an acknowledged write crashes right after', () => {
    const { result, facts } = run([reactive('ack', 'bounce', { durationMs: 200 })]);
    expect(result.stats.faults['reactive-fired']).toBe(1);
    const { trigger, crash } = firstAfter(facts, 500, (f) => f.kind === 'ack');
    expect(crash?.node).toBe(trigger?.node);
    expect(crash?.atMs).toBe(trigger?.atMs);
  });

  it('leader-elected → clog: the new leader\'s link to one follower is held', () => {
    const { result } = run([{ atMs: 500, kind: 'bounce', node: 'leader', downMs: 400 }, reactive('leader-elected', 'clog', { atMs: 501, durationMs: 500, peer: 2 })]);
    expect(result.stats.faults['reactive-fired']).toBe(1);
    expect(result.stats.faults.clog).toBe(1);
    expect((result.trace ?? []).some((r) => r.type === 'clog-end')).toBe(true);
  });

  it('leader-elected → mute: every link from the new leader is held, what it already sent included, so the others elect another', () => {
    const { result, facts } = run([{ atMs: 500, kind: 'bounce', node: 'leader', downMs: 400 }, reactive('leader-elected', 'mute', { atMs: 501, durationMs: 400 })], { nodeCount: 5 });
    expect(result.stats.faults['reactive-fired']).toBe(1);
    expect(result.stats.faults.clog).toBe(4);
    const muted = facts.find((f) => f.atMs > 501 && f.kind === 'role' && f.role === 'leader');
    expect(muted).toBeDefined();
    const mutedAtMs = muted?.atMs ?? 0;
    const clogs = (result.trace ?? []).filter((r) => r.type === 'fault' && r.fault.kind === 'clog');
    expect(clogs.map((r) => (r.type === 'fault' && r.fault.kind === 'clog' ? [r.fault.from, r.fault.to, r.atMs] : [])).sort()).toEqual(
      [1, 2, 3, 4, 5].filter((n) => n !== muted?.node).map((to) => [muted?.node, to, mutedAtMs]).sort(),
    );
    // Its election appends were held in flight: nobody hears the new leader, and another node leads a later term
    // before the mute ends.
    const next = facts.find((f) => f.atMs > mutedAtMs && f.kind === 'role' && f.role === 'leader' && f.node !== muted?.node);
    expect(next).toBeDefined();
    expect(next?.atMs).toBeLessThan(mutedAtMs + 400);
    expect((result.trace ?? []).filter((r) => r.type === 'clog-end')).toHaveLength(4);
    expect(result.liveness.ok).toBe(true);
  });

  it('an unfired reactive fault does nothing once its window closes', () => {
    // No election after 500 ms on a calm cluster: nobody becomes a candidate.
    const { result } = run([reactive('candidate', 'bounce-peer', { windowMs: 300 })]);
    expect(result.stats.faults.reactive).toBe(1);
    expect(result.stats.faults['reactive-fired']).toBe(0);
    expect(result.stats.faults.bounce).toBe(0);
  });

  it('a reactive bounce counts toward f for its whole window', () => {
    const bounce = reactive('vote', 'bounce');
    expect(checkPlan({ events: [bounce] }, 3, 3000)).toEqual([]);
    expect(checkPlan({ events: [bounce, { ...bounce, atMs: 600 }] }, 3, 3000).join()).toMatch(/more than 1 of 3 nodes down/);
    expect(checkPlan({ events: [bounce, { ...bounce, atMs: 2000 + 50 + 500 + 1 }] }, 3, 3000)).toEqual([]);
    expect(checkPlan({ events: [reactive('ack', 'isolate'), reactive('ack', 'isolate', { atMs: 501 })] }, 3, 3000)).toEqual([]);
    expect(checkPlan({ events: [reactive('candidate', 'clog', { peer: 3 })] }, 3, 3000).join()).toMatch(/peer must be a whole number in \[1, 2\]/);
  });

  it('the plan-file schema accepts reactive and away events and names a bad field', () => {
    const plan = (events: unknown[]): unknown => ({ network: RELIABLE_NETWORK, plan: { events }, knobs: {} });
    expect(scenarioPlanSchema.safeParse(plan([reactive('vote', 'bounce'), { atMs: 1, kind: 'away', node: 2, durationMs: 10 }])).success).toBe(true);
    const bad = scenarioPlanSchema.safeParse(plan([{ ...reactive('vote', 'bounce'), trigger: 'gossip' }]));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['plan', 'events', 0, 'trigger']);
  });

  it('the default swarm arms and fires reactive faults, inside the fault model, and replays exactly', () => {
    const scenario = findScenario('random');
    if (scenario === undefined) return expect.fail('no random scenario');
    let armed = 0;
    let fired = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const ctx = { nodeCount: 5, safetyMs: 10_000, tickMs: 10, electionTicks: 10, capabilities: CORE_CAPABILITIES };
      const plan = scenario.generate(Prng.forRun(seed).fork('scenario/random'), ctx);
      expect(checkPlan(plan.plan, 5, 10_000, ctx)).toEqual([]);
      const verdict = runSeed({ seed, scenario, nodeCount: 5 });
      expect(verdict.violations).toEqual([]);
      armed += verdict.stats.faults.reactive;
      fired += verdict.stats.faults['reactive-fired'];
      if (seed === 1) expect(runSeed({ seed, scenario, nodeCount: 5, plan }).traceHash).toBe(verdict.traceHash);
    }
    expect(armed).toBeGreaterThan(0);
    expect(fired).toBeGreaterThan(0);
  });

  it('a plan with reactive and away events, saved as a plan file (with fullHeal), replays to the same trace hash', () => {
    const scenario = findScenario('random');
    if (scenario === undefined) return expect.fail('no random scenario');
    const ctx = { nodeCount: 5, safetyMs: 10_000, tickMs: 10, electionTicks: 10, capabilities: CORE_CAPABILITIES };
    // A seed whose plan has both kinds: the reactive family and the stability phase.
    const seed = Array.from({ length: 60 }, (_, i) => i + 1).find((s) => {
      const events = scenario.generate(Prng.forRun(s).fork('scenario/random'), ctx).plan.events;
      // A fixed-cluster plan: a membership run's liveness core is drawn among members (see sim/liveness.ts).
      return events.some((e) => e.kind === 'reactive') && events.some((e) => e.kind === 'away') && !events.some(isMembershipEvent);
    });
    if (seed === undefined) return expect.fail('no seed with both reactive and away events');
    const plan = scenario.generate(Prng.forRun(seed).fork('scenario/random'), ctx);
    const verdict = runSeed({ seed, scenario, nodeCount: 5, fullHeal: true });
    const text = encodePlanFile({ format: PLAN_FILE_FORMAT, version: PLAN_FILE_VERSION, seed, scenario: 'random', nodes: 5, bug: null, implementation: verdict.implementation, safetyOnly: false, fullHeal: true, property: null, traceHash: verdict.traceHash, plan });
    const decoded = decodePlanFile(text);
    if (!decoded.ok) return expect.fail(decoded.error);
    expect(decoded.file.fullHeal).toBe(true);
    const replayed = runSeed({ seed, scenario, nodeCount: 5, plan: decoded.file.plan, fullHeal: decoded.file.fullHeal === true });
    expect(replayed.traceHash).toBe(verdict.traceHash);
    // The full heal is a different run from the default majority-only one.
    expect(runSeed({ seed, scenario, nodeCount: 5 }).traceHash).not.toBe(verdict.traceHash);
  });
});
