import { describe, expect, it } from 'vitest';
import type { Fact } from '../sim/facts.js';
import { FactDispatch } from './fact-dispatch.js';
import { FactLog, entries, entry } from './fact-builders.js';
import { PersistedLogs } from './persisted-log.js';
import { createSafetyCheckers, SAFETY_CHECKER_COUNT } from './safety.js';
import { SAFETY_ROUTES, SafetyRouter } from './safety-router.js';
import type { Checker, Violation } from './types.js';

const KINDS = Object.keys(SAFETY_ROUTES) as Fact['kind'][];

/** One fact of `kind` (its fields beyond kind and node do not matter to a recorder). */
function factOf(kind: Fact['kind']): Fact {
  return { kind, atMs: 0, event: 0, node: 1 } as unknown as Fact;
}

describe('safety router', () => {
  it('routes each kind to exactly the safety checkers that declare it, in their order', () => {
    const checkers = createSafetyCheckers([1, 2, 3], new PersistedLogs([1, 2, 3]));
    expect(checkers).toHaveLength(SAFETY_CHECKER_COUNT);
    for (const kind of KINDS) {
      const declaring = checkers.filter((c) => c.factKinds === undefined || c.factKinds.includes(kind)).map((c) => c.property);
      expect(SAFETY_ROUTES[kind], kind).toEqual(declaring);
    }
    // Stand-ins at the checkers' positions, recording what the router gives them.
    const calls: string[] = [];
    const standIns: Checker[] = checkers.map((c) => ({
      property: c.property,
      observe(fact: Fact): Violation | null {
        calls.push(`${fact.kind}:${c.property}`);
        return null;
      },
    }));
    const router = new SafetyRouter(standIns);
    for (const kind of KINDS) router.observe(factOf(kind), []);
    expect(calls).toEqual(KINDS.flatMap((kind) => SAFETY_ROUTES[kind].map((p) => `${kind}:${p}`)));
  });

  it('reports the same violations, in the same order, as the dispatch over the same checkers', () => {
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 1 }, entries(1, 3, 2));
    f.persist(2, { term: 2, vote: 1 }, entries(1, 2, 2));
    f.role(1, 'leader', 2);
    f.apply(1, entry(1, 2));
    f.role(2, 'leader', 2); // election safety, leader votes
    f.persist(1, { term: 1, vote: 1 }, [entry(1, 1)]); // durable term, log matching, commit quorum, append-only
    f.apply(3, entry(1, 9)); // state-machine safety, commit quorum
    const run = (route: (fact: Fact, out: Violation[]) => void, logs: PersistedLogs): Violation[] => {
      const out: Violation[] = [];
      for (const fact of f.facts) {
        logs.observe(fact);
        route(fact, out);
      }
      return out;
    };
    const logsA = new PersistedLogs([1, 2, 3]);
    const routed = new SafetyRouter(createSafetyCheckers([1, 2, 3], logsA));
    const viaRouter = run((fact, out) => routed.observe(fact, out), logsA);
    const logsB = new PersistedLogs([1, 2, 3]);
    const dispatch = new FactDispatch(createSafetyCheckers([1, 2, 3], logsB));
    const viaDispatch = run((fact, out) => dispatch.observe(fact, out), logsB);
    expect(viaRouter.length).toBeGreaterThan(4);
    expect(viaRouter).toEqual(viaDispatch);
  });
});
