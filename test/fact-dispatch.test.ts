import { describe, expect, it } from 'vitest';
import { findScenario } from '../scenarios/registry.js';
import { DEFAULT_TIMING, DEFAULT_WORKLOAD } from '../scenarios/run-seed.js';
import { builtinRaft } from '../sim/builtin.js';
import type { Fact } from '../sim/facts.js';
import { Prng } from '../sim/prng.js';
import { simulate } from '../sim/simulation.js';
import { FactDispatch } from '../properties/fact-dispatch.js';
import { FactLog } from '../properties/fact-builders.js';
import { PersistedLogs } from '../properties/persisted-log.js';
import { createSafetyCheckers } from '../properties/safety.js';
import type { Checker, Violation } from '../properties/types.js';

/** A checker that records the facts it is given and reports a violation on each fact of `reportOn`. */
function recorder(property: Checker['property'], kinds: readonly Fact['kind'][] | undefined, reportOn: Fact['kind']): Checker & { seen: Fact['kind'][] } {
  const seen: Fact['kind'][] = [];
  return {
    property,
    ...(kinds === undefined ? {} : { factKinds: kinds }),
    seen,
    observe(fact: Fact): Violation | null {
      seen.push(fact.kind);
      return fact.kind === reportOn ? { property, atMs: fact.atMs, event: fact.event, nodes: [fact.node], message: property } : null;
    },
  };
}

describe('fact dispatch', () => {
  it('gives a checker only the kinds it declares, and every fact to one that declares none, in checker order', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.persist(1, { term: 1, vote: 1, commit: 0 }, [{ index: 1, term: 1, data: '' }]);
    f.crash(2);
    const roles = recorder('election-safety', ['role'], 'role');
    const all = recorder('log-matching', undefined, 'role');
    const persists = recorder('durability', ['persist', 'crash'], 'persist');
    const dispatch = new FactDispatch([roles, all, persists]);
    const violations: Violation[] = [];
    for (const fact of f.facts) dispatch.observe(fact, violations);
    const kinds = f.facts.map((fact) => fact.kind);
    expect(kinds.filter((k) => k === 'role')).toHaveLength(1);
    expect(roles.seen).toEqual(['role']);
    expect(all.seen).toEqual(kinds);
    expect(persists.seen).toEqual(kinds.filter((k) => k === 'persist' || k === 'crash'));
    // Per fact, in checker order: the role fact reports twice (roles, all), each persist once (persists).
    const expected = kinds.flatMap((k) => (k === 'role' ? ['election-safety', 'log-matching'] : k === 'persist' ? ['durability'] : []));
    expect(violations.map((v) => v.message)).toEqual(expected);
  });

  it('without checkers judges nothing, and leaves the next dispatch\'s lists its own', () => {
    const f = new FactLog();
    f.lead(1, 1);
    f.persist(1, { term: 1, vote: 1, commit: 0 }, [{ index: 1, term: 1, data: '' }]);
    f.crash(2);
    f.restart(2, []);
    const violations: Violation[] = [];
    const none = new FactDispatch([]);
    for (const fact of f.facts) none.observe(fact, violations);
    expect(violations).toEqual([]);
    const roles = recorder('election-safety', ['role'], 'role');
    const some = new FactDispatch([roles]);
    for (const fact of f.facts) some.observe(fact, violations);
    for (const fact of f.facts) new FactDispatch([]).observe(fact, violations);
    expect(roles.seen).toEqual(['role']);
    expect(violations.map((v) => v.property)).toEqual(['election-safety']);
  });

  it('refuses a declared kind it would not route (a new fact kind must be added to the dispatch)', () => {
    const odd = recorder('election-safety', ['membership' as Fact['kind']], 'role');
    expect(() => new FactDispatch([odd])).toThrow(/declares fact kind 'membership'/);
  });

  // The contract behind factKinds: a checker judges nothing outside its kinds, so skipping those facts changes
  // no verdict. Checked on the safety checkers over real runs with planted bugs (which do report violations).
  it('reports exactly what calling every safety checker on every fact reports', () => {
    const scenario = findScenario('random');
    if (scenario === undefined) return expect.fail('no random scenario');
    const ctx = { nodeCount: 5, safetyMs: DEFAULT_TIMING.safetyMs, tickMs: DEFAULT_TIMING.tickMs, electionTicks: DEFAULT_TIMING.electionTicks };
    let reported = 0;
    for (const [seed, bug] of [[1, undefined], [2, 'forget-vote'], [3, 'no-truncate'], [4, 'apply-beyond-commit']] as const) {
      const facts: Fact[] = [];
      const g = scenario.generate(Prng.forRun(seed).fork(`scenario/${scenario.name}`), ctx);
      simulate(
        {
          seed,
          nodeCount: 5,
          implementation: builtinRaft(bug === undefined ? {} : { bug }),
          ...DEFAULT_TIMING,
          network: g.network,
          workload: { ...DEFAULT_WORKLOAD, ...g.workload },
          plan: g.plan,
          record: false,
          ...(g.disk === undefined ? {} : { disk: g.disk }),
          ...(g.clock === undefined ? {} : { clock: g.clock }),
        },
        { observe: (fact) => (facts.push(fact), false) },
      );
      const nodes = [1, 2, 3, 4, 5];
      const everyLogs = new PersistedLogs(nodes);
      const every = createSafetyCheckers(nodes, everyLogs);
      const routedLogs = new PersistedLogs(nodes);
      const routed = new FactDispatch(createSafetyCheckers(nodes, routedLogs));
      const fromEvery: Violation[] = [];
      const fromRouted: Violation[] = [];
      for (const fact of facts) {
        everyLogs.observe(fact);
        for (const checker of every) {
          const violation = checker.observe(fact);
          if (violation !== null) fromEvery.push(violation);
        }
        routedLogs.observe(fact);
        routed.observe(fact, fromRouted);
      }
      expect(fromRouted).toEqual(fromEvery);
      reported += fromEvery.length;
    }
    expect(reported).toBeGreaterThan(0);
  });
});
