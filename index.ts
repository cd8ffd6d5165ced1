/**
 * Seaworthy as a library: run one seed (`simulate`) or a batch (`checkSeeds`) against your Raft
 * implementation from your own tests, with the same simulator, fault scenarios and checkers as the CLI.
 *
 * ```ts
 * import { checkSeeds } from 'seaworthy';
 * const result = checkSeeds({ seeds: 50, implementation: myRaft });
 * expect(result.failures).toEqual([]);
 * ```
 */
import { NODES_MAX, NODES_MIN } from './scenarios/cluster-size.js';
import { PLANTED_BUGS } from './scenarios/planted-bugs.js';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from './scenarios/registry.js';
import { runSeed } from './scenarios/run-seed.js';
import type { Verdict } from './scenarios/run-seed.js';
import type { Scenario, ScenarioPlan } from './scenarios/types.js';
import { builtinRaft } from './sim/builtin.js';
import type { RaftImplementation } from './sim/contract.js';

export type {
  Capability,
  ContractOptions,
  CreateInit,
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  RaftImplementation,
  RaftInstance,
  Ready,
  Role,
  SoftState,
  Status,
  StoredState,
} from './sim/contract.js';
export type { BuiltinOptions } from './sim/builtin.js';
export type { ImplementationErrorKind } from './sim/host.js';
export type { FaultEvent, FaultPlan } from './sim/faults.js';
export type { Fact } from './sim/facts.js';
export type { TraceRecord, TraceDetail, TraceKind } from './sim/trace.js';
export { describeTraceRecord, describeFault } from './sim/trace.js';
export type { Violation } from './properties/types.js';
export type { Verdict, RunConfig, TraceLine } from './scenarios/run-seed.js';
export type { Scenario, ScenarioPlan, Knobs } from './scenarios/types.js';
export type { PlantedBug } from './scenarios/planted-bugs.js';
export type { ShrinkOutcome, ShrinkOptions } from './scenarios/shrink.js';
export type { PlanFile } from './scenarios/plan-file.js';
export { builtinRaft, PLANTED_BUGS, SCENARIOS, runSeed };
export { shrinkFailure } from './scenarios/shrink.js';
export { drawnNodeCount, NODES_MAX, NODES_MIN } from './scenarios/cluster-size.js';
export { scenarioPlanArbitrary, faultPlanArbitrary } from './scenarios/arbitraries.js';
export { decodePlanFile, encodePlanFile } from './scenarios/plan-file.js';

export interface SimulateOptions {
  readonly seed: number;
  /** A scenario name (see SCENARIOS) or a Scenario; `random` when absent. */
  readonly scenario?: string | Scenario;
  /** Cluster size, 1 to 7; absent, the size drawn for the seed (as the CLI's swarm draws it; `verdict.nodes` says which). */
  readonly nodes?: number;
  /** The implementation under test; our correct core when absent. */
  readonly implementation?: RaftImplementation;
  /** A saved or shrunk plan that replaces what the scenario generates for this seed. */
  readonly plan?: ScenarioPlan;
  /** Keep the run's typed trace records in `verdict.trace` (render one as text with `describeTraceRecord`). */
  readonly record?: boolean;
}

function scenarioOf(scenario: string | Scenario | undefined): Scenario {
  if (typeof scenario === 'object') return scenario;
  const name = scenario ?? DEFAULT_SCENARIO;
  const found = findScenario(name);
  if (found === undefined) throw new Error(`unknown scenario ${JSON.stringify(name)}; expected one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}

/** The given size, checked; undefined stays undefined (each seed then runs the size drawn for it). */
function nodesOf(nodes: number | undefined): number | undefined {
  if (nodes === undefined) return undefined;
  if (!Number.isInteger(nodes) || nodes < NODES_MIN || nodes > NODES_MAX) throw new Error(`expected nodes to be a whole number from ${NODES_MIN} to ${NODES_MAX}, got ${nodes}`);
  return nodes;
}

/**
 * Runs one seed: safety phase with the scenario's faults, liveness phase, linearizability. Deterministic:
 * the same options give the same verdict and trace hash. Throws on an unknown scenario or a bad node count.
 */
export function simulate(options: SimulateOptions): Verdict {
  const nodes = nodesOf(options.nodes);
  return runSeed({
    seed: options.seed,
    scenario: scenarioOf(options.scenario),
    ...(nodes === undefined ? {} : { nodeCount: nodes }),
    ...(options.implementation === undefined ? {} : { implementation: options.implementation }),
    ...(options.plan === undefined ? {} : { plan: options.plan }),
    ...(options.record === undefined ? {} : { record: options.record }),
  });
}

export interface CheckSeedsOptions {
  /** How many seeds to run. */
  readonly seeds: number;
  /** First seed; 1 when absent. */
  readonly seedStart?: number;
  readonly scenario?: string | Scenario;
  /** Cluster size, 1 to 7; absent, each seed runs the size drawn for it (each failure's repro names it). */
  readonly nodes?: number;
  readonly implementation?: RaftImplementation;
}

export interface SeedFailure {
  readonly seed: number;
  readonly property: string;
  readonly message: string;
  /** How to rerun it: the `simulate` call (with your implementation). */
  readonly repro: string;
}

export interface CheckSeedsResult {
  readonly ok: boolean;
  readonly runs: number;
  readonly failures: readonly SeedFailure[];
}

/**
 * Runs seeds seedStart .. seedStart + seeds - 1 and collects the first violation of each failing seed.
 *
 * Runs `implementation` on the calling thread, synchronously, so there is no wall-clock watchdog: a call
 * into it that never returns never returns from here either (an in-memory object cannot be moved to a thread
 * that could be stopped). Bound it with your test runner's timeout, or run the module through the CLI's
 * `run --impl`, which stops such a call after `--impl-timeout` ms and reports it as an implementation error.
 */
export function checkSeeds(options: CheckSeedsOptions): CheckSeedsResult {
  const scenario = scenarioOf(options.scenario);
  const nodes = nodesOf(options.nodes);
  const seedStart = options.seedStart ?? 1;
  const failures: SeedFailure[] = [];
  for (let seed = seedStart; seed < seedStart + options.seeds; seed++) {
    const verdict = simulate({ seed, scenario, ...(nodes === undefined ? {} : { nodes }), ...(options.implementation === undefined ? {} : { implementation: options.implementation }) });
    const first = verdict.violations[0];
    if (first === undefined) continue;
    const impl = options.implementation === undefined ? '' : ', implementation';
    failures.push({ seed, property: first.property, message: first.message, repro: `simulate({ seed: ${seed}, scenario: '${scenario.name}', nodes: ${verdict.nodes}${impl}, record: true })` });
  }
  return { ok: failures.length === 0, runs: options.seeds, failures };
}
