/**
 * RunCheckers calls each checker's per-kind method from one switch, and gives a commit-only persist (no entries, the
 * node's last persisted term and vote) only to the checkers it can concern. These tests hold both to the full path:
 * the same facts, fed to RunCheckers and to a reference that gives every fact to every store and, through the
 * SafetyRouter, to every checker's own `observe`, must yield the same violations, in the same order, and the same
 * probe counts, on good runs and on planted bugs.
 */
import { describe, expect, it } from 'vitest';
import { Configurations } from '../properties/configurations.js';
import { FactDispatch } from '../properties/fact-dispatch.js';
import { PersistedLogs } from '../properties/persisted-log.js';
import { ProbeCounter } from '../properties/probes.js';
import type { ProbeCounts } from '../properties/probes.js';
import { RunCheckers } from '../properties/run-checkers.js';
import { createMessageCheckerFor } from '../properties/safety.js';
import { COMMIT_ONLY_ROUTE, SAFETY_ROUTES, SafetyRouter } from '../properties/safety-router.js';
import { SnapshotFactExpander } from '../properties/snapshot-facts.js';
import { stabilityCheckerFor } from '../properties/stability.js';
import { transferCheckerFor } from '../properties/transfer.js';
import type { Checker, Violation } from '../properties/types.js';
import { findPlantedBug } from '../scenarios/planted-bugs.js';
import { findScenario } from '../scenarios/registry.js';
import { DEFAULT_TIMING, DEFAULT_WORKLOAD, scenarioPlanOf } from '../scenarios/run-seed.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import { isMembershipEvent } from '../sim/faults.js';
import { simulate } from '../sim/simulation.js';
import type { HostBugs } from '../sim/simulation.js';

const ELECTION_MS = DEFAULT_TIMING.electionTicks * DEFAULT_TIMING.tickMs;

interface Recorded {
  readonly facts: Fact[];
  readonly extra: () => Checker[];
  readonly implementation: RaftImplementation;
  readonly nodeIds: number[];
}

/** Every fact of one run (the simulation is not stopped by a violation: every fact is fed to both sides). */
function record(scenarioName: string, seed: number, implementation: RaftImplementation, hostBugs?: HostBugs): Recorded {
  const scenario = findScenario(scenarioName)!;
  const generated = scenarioPlanOf({ seed, scenario, implementation, nodeCount: 5 });
  const nodeIds = [1, 2, 3, 4, 5];
  const membership = generated.plan.events.some(isMembershipEvent);
  const facts: Fact[] = [];
  simulate(
    {
      seed,
      nodeCount: 5,
      implementation,
      ...DEFAULT_TIMING,
      network: generated.network,
      workload: { ...DEFAULT_WORKLOAD, ...generated.workload },
      plan: generated.plan,
      record: false,
      ...(generated.disk === undefined ? {} : { disk: generated.disk }),
      ...(generated.clock === undefined ? {} : { clock: generated.clock }),
      ...(hostBugs === undefined ? {} : { hostBugs }),
      ...(membership ? { membership: true } : {}),
    },
    {
      observe: (fact) => {
        facts.push(fact);
        return false;
      },
    },
  );
  const timing = { electionMs: ELECTION_MS, safetyMs: DEFAULT_TIMING.safetyMs };
  const extra = (): Checker[] =>
    [membership ? null : stabilityCheckerFor(implementation.capabilities, generated.plan, nodeIds, timing), transferCheckerFor(implementation.capabilities, generated.plan, generated.network, timing)].filter(
      (c): c is Checker => c !== null,
    );
  return { facts, extra, implementation, nodeIds };
}

/**
 * RunCheckers' observe as it was before the shortcut and the one dispatch: every fact through every store, the
 * SafetyRouter and each checker's generic `observe`.
 */
function reference(run: Recorded): { violations: Violation[]; probes: ProbeCounts } {
  const { nodeIds } = run;
  const logs = new PersistedLogs(nodeIds);
  const configs = new Configurations(nodeIds, {});
  const snapshots = new SnapshotFactExpander(logs, nodeIds);
  const probes = new ProbeCounter(logs, { nodeIds, electionMs: ELECTION_MS, configs });
  const safety = SafetyRouter.create(nodeIds, logs, {}, configs);
  const dispatch = new FactDispatch(run.extra());
  const messages = createMessageCheckerFor(run.implementation.messageAnnotations, nodeIds);
  const violations: Violation[] = [];
  for (const observed of run.facts) {
    const fact = snapshots.expand(observed);
    logs.observe(fact);
    configs.observe(fact);
    probes.observe(fact);
    safety.observe(fact, violations);
    dispatch.observe(fact, violations);
    messages?.observe(fact);
  }
  return { violations, probes: probes.counts };
}

function withShortcut(run: Recorded): { violations: Violation[]; probes: ProbeCounts; commitOnly: number } {
  const checkers = new RunCheckers({ nodeIds: run.nodeIds, annotations: run.implementation.messageAnnotations, extraCheckers: run.extra(), electionMs: ELECTION_MS, configurations: {} });
  const last = new Map<number, string>();
  let commitOnly = 0;
  for (const fact of run.facts) {
    if (fact.kind === 'persist') {
      const key = `${fact.hardState.term}/${fact.hardState.vote}`;
      if (fact.entries.length === 0 && last.get(fact.node) === key) commitOnly++;
      last.set(fact.node, key);
    } else if (fact.kind === 'restart') last.delete(fact.node);
    checkers.observe(fact);
  }
  return { violations: checkers.violations, probes: checkers.probes.counts, commitOnly };
}

describe('RunCheckers on commit-only persists', () => {
  it('asks of the persist route only the per-persist invariants, and the route is what the shortcut was proved for', () => {
    // A checker added to the persist route must be judged for commit-only persists too (then added here, or shown inert).
    expect(SAFETY_ROUTES.persist).toEqual(['log-matching', 'leader-completeness', 'durability', 'durable-term']);
    expect(COMMIT_ONLY_ROUTE).toEqual(['durable-term']);
  });

  const cases: [string, string, number[], (() => RaftImplementation) | undefined, HostBugs | undefined][] = [
    ['random, our core', 'random', [1, 2, 3, 4], undefined, undefined],
    ['stability windows', 'rejoin-stability', [1, 2], undefined, undefined],
    ['snapshots', 'snapshot-heavy', [1, 2], undefined, undefined],
    ['membership', 'membership-churn', [1, 2], undefined, undefined],
    ['transfers', 'transfer-lossy', [1, 2], undefined, undefined],
    ['crash storm', 'crash-restart-storm', [1], undefined, undefined],
  ];
  for (const bugName of ['double-vote', 'figure8-commit', 'no-truncate', 'early-ack', 'forget-vote', 'stale-snapshot', 'ack-before-fsync', 'ignore-checksums']) {
    const bug = findPlantedBug(bugName)!;
    cases.push([`planted ${bugName}`, bug.scenario, [1, 2, 3], () => bug.implementation(), bug.hostBugs]);
  }

  for (const [label, scenario, seeds, implementation, hostBugs] of cases) {
    it(`gives the same violations and probe counts as the full path: ${label}`, () => {
      let commitOnly = 0;
      let violated = 0;
      for (const seed of seeds) {
        const run = record(scenario, seed, implementation?.() ?? builtinRaft(), hostBugs);
        const want = reference(run);
        const got = withShortcut(run);
        expect(got.violations).toEqual(want.violations);
        expect(got.probes).toEqual(want.probes);
        commitOnly += got.commitOnly;
        if (want.violations.length > 0) violated++;
      }
      // The shortcut is exercised, and the planted bugs are reported on some seed.
      expect(commitOnly).toBeGreaterThan(0);
      if (label.startsWith('planted')) expect(violated).toBeGreaterThan(0);
    });
  }
});
