/**
 * The run pipeline for one seed: seed → scenario knobs and fault plan → simulation (safety phase, then
 * liveness phase) with the safety checkers watching every fact → linearizability of the client history →
 * a verdict. Pure: the same config always gives the same verdict and trace hash.
 */
import type { Violation } from '../properties/types.js';
import { checkClientHistory, describeExplanation } from '../properties/linearizability/index.js';
import type { ProbeCounts } from '../properties/probes.js';
import type { ConfigurationOptions } from '../properties/configurations.js';
import { RunCheckers } from '../properties/run-checkers.js';
import { stabilityCheckerFor } from '../properties/stability.js';
import { transferCheckerFor } from '../properties/transfer.js';
import type { Checker } from '../properties/types.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation } from '../sim/contract.js';
import { isMembershipEvent } from '../sim/faults.js';
import type { FaultPlan } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import { Prng } from '../sim/prng.js';
import { simulate } from '../sim/simulation.js';
import type { HostBugs, SimulationResult, SimulationStats } from '../sim/simulation.js';
import { describeTraceRecord } from '../sim/trace.js';
import type { TraceRecord } from '../sim/trace.js';
import type { ClientHistoryEvent, WorkloadOptions } from '../sim/workload.js';
import { nodeCountOf } from './cluster-size.js';
import type { Knobs, Scenario, ScenarioPlan } from './types.js';

/** The standard timing: 10 ms ticks, elections after 100–200 ms, heartbeats every 20 ms. */
export const DEFAULT_TIMING = Object.freeze({ tickMs: 10, electionTicks: 10, heartbeatTicks: 2, safetyMs: 10_000, livenessMs: 10_000 });

export const DEFAULT_WORKLOAD: WorkloadOptions = Object.freeze({
  clientCount: 3,
  keys: Object.freeze(['x', 'y', 'z']),
  requestTimeoutMs: 250,
  opTimeoutMs: 2_000,
  thinkMsMax: 40,
});

export interface RunConfig {
  readonly seed: number;
  readonly scenario: Scenario;
  /** The cluster size (1..7); absent, the size drawn for the seed (`drawnNodeCount`), as the swarm does. */
  readonly nodeCount?: number;
  /** The implementation under test; our core when absent. */
  readonly implementation?: RaftImplementation;
  /** Skip the liveness phase. */
  readonly safetyOnly?: boolean;
  /** Record readable trace lines. */
  readonly record?: boolean;
  /** Overrides of the standard timing (tests and benchmarks). */
  readonly safetyMs?: number;
  /** Host-level planted bugs. */
  readonly hostBugs?: HostBugs;
  /** The liveness phase heals every node instead of a random majority (see sim/liveness.ts). */
  readonly fullHeal?: boolean;
  /**
   * Replaces what the scenario would generate for this seed (network, disk, workload, fault plan, knobs):
   * a run is fully determined by (seed, plan), so a saved or shrunk plan replays exactly.
   */
  readonly plan?: ScenarioPlan;
  /**
   * Work units allowed to the end-of-run linearizability check (default `DEFAULT_WORK_BUDGET`): a deterministic
   * bound on its time, so a hard history gives a `linUndecided` warning instead of a hang.
   */
  readonly linWorkBudget?: number;
}

/** A trace record with its rendered line: what `verdict.trace` holds. */
export type TraceLine = TraceRecord & { readonly text: string };

function withText(record: TraceRecord): TraceLine {
  return { ...record, text: describeTraceRecord(record) };
}

export interface Verdict {
  readonly seed: number;
  readonly scenario: string;
  /** The cluster size the run used: the one given, or the one drawn for its seed. */
  readonly nodes: number;
  readonly implementation: string;
  readonly ok: boolean;
  readonly traceHash: string;
  /** Empty when ok; otherwise the violations found, first one first. */
  readonly violations: readonly Violation[];
  readonly knobs: Knobs;
  readonly network: NetworkOptions;
  readonly plan: FaultPlan;
  readonly stats: SimulationStats;
  readonly history: readonly ClientHistoryEvent[];
  /**
   * With `record`: the run's typed trace records, each with its readable `text` (the line `replay --trace`
   * prints). The `text` field keeps the 0.1 shape of `verdict.trace` ({atMs, event, kind, node, text}) working.
   */
  readonly trace: readonly TraceLine[] | null;
  /** Coverage probes hit in this run. */
  readonly probes: ProbeCounts;
  /**
   * Present when the linearizability check of the client history ran out of its (deterministic) work budget:
   * a warning, not a violation, so the seed still passes; `run` lists such seeds as `linUndecided`.
   */
  readonly linUndecided?: LinUndecided;
}

/** An undecided linearizability check: what was checked and how much search it took before giving up. */
export interface LinUndecided {
  readonly ops: number;
  readonly steps: number;
  readonly work: number;
  readonly message: string;
}

/** What the run of `config` uses: its `plan` override, else what its scenario generates for its seed. Pure. */
export function scenarioPlanOf(config: RunConfig): ScenarioPlan {
  if (config.plan !== undefined) return config.plan;
  const safetyMs = config.safetyMs ?? DEFAULT_TIMING.safetyMs;
  const capabilities = (config.implementation ?? builtinRaft()).capabilities ?? [];
  const ctx = { nodeCount: nodeCountOf(config), safetyMs, tickMs: DEFAULT_TIMING.tickMs, electionTicks: DEFAULT_TIMING.electionTicks, capabilities };
  return config.scenario.generate(Prng.forRun(config.seed).fork(`scenario/${config.scenario.name}`), ctx);
}

export function runSeed(config: RunConfig): Verdict {
  const implementation = config.implementation ?? builtinRaft();
  const safetyMs = config.safetyMs ?? DEFAULT_TIMING.safetyMs;
  const generated = scenarioPlanOf(config);
  const nodeCount = nodeCountOf(config);
  const nodeIds = Array.from({ length: nodeCount }, (_, i) => i + 1);
  const membership = generated.plan.events.some(isMembershipEvent);
  // The stability property models a fixed cluster from the plan (who is away, who leads); configuration changes
  // and transfers (which raise terms by design) are outside that model, so membership runs go without it.
  const stability = membership ? null : stabilityCheckerFor(implementation.capabilities, generated.plan, nodeIds, { electionMs: DEFAULT_TIMING.electionTicks * DEFAULT_TIMING.tickMs, safetyMs });
  // Leadership transfer: judged only where the implementation claims it and the plan asks for one.
  const transfer = transferCheckerFor(implementation.capabilities, generated.plan, generated.network, { electionMs: DEFAULT_TIMING.electionTicks * DEFAULT_TIMING.tickMs, safetyMs });
  const extra = [stability, transfer].filter((c): c is Checker => c !== null);
  // Configuration entries in force once applied (etcd) or once appended (the thesis, and the default).
  const configurations: ConfigurationOptions = { appliedInForce: implementation.contract?.configurations === 'applied' };
  const observer = new RunCheckers({
    nodeIds,
    annotations: implementation.messageAnnotations,
    extraCheckers: extra,
    electionMs: DEFAULT_TIMING.electionTicks * DEFAULT_TIMING.tickMs,
    configurations,
  });
  const result = simulate(
    {
      seed: config.seed,
      nodeCount,
      implementation,
      tickMs: DEFAULT_TIMING.tickMs,
      electionTicks: DEFAULT_TIMING.electionTicks,
      heartbeatTicks: DEFAULT_TIMING.heartbeatTicks,
      safetyMs,
      livenessMs: config.safetyOnly === true ? 0 : DEFAULT_TIMING.livenessMs,
      network: generated.network,
      workload: { ...DEFAULT_WORKLOAD, ...generated.workload },
      plan: generated.plan,
      record: config.record === true,
      ...(generated.disk === undefined ? {} : { disk: generated.disk }),
      ...(generated.clock === undefined ? {} : { clock: generated.clock }),
      ...(config.hostBugs === undefined ? {} : { hostBugs: config.hostBugs }),
      ...(config.fullHeal === true ? { fullHeal: true } : {}),
      // Membership events make it a run whose cluster changes; a plan without them runs the fixed cluster, exactly.
      ...(membership ? { membership: true } : {}),
    },
    observer,
  );
  if (result.stoppedBy === 'end' && observer.violations.length === 0) observer.finish(result.stats.simulatedMs, result.stats.events);
  const undecided: LinUndecided[] = [];
  const violations = [...observer.violations, ...endOfRunViolations(result, observer.violations.length > 0, { undecided, workBudget: config.linWorkBudget })];
  return {
    seed: config.seed,
    scenario: config.scenario.name,
    nodes: nodeCount,
    implementation: implementation.name,
    ok: violations.length === 0,
    traceHash: result.traceHash,
    violations,
    knobs: generated.knobs,
    network: generated.network,
    plan: generated.plan,
    stats: result.stats,
    // Built from the recorded operations when first read (see SimulationResult.history).
    get history(): readonly ClientHistoryEvent[] {
      return result.history;
    },
    trace: result.trace === null ? null : result.trace.map(withText),
    probes: observer.probes.counts,
    ...(undecided[0] === undefined ? {} : { linUndecided: undecided[0] }),
  };
}

/** The end-of-run linearizability check's budget, and where it reports an undecided history. */
interface LinCheckSink {
  readonly undecided: LinUndecided[];
  readonly workBudget: number | undefined;
}

/** Violations judged once the run is over: implementation errors, liveness, linearizability. */
function endOfRunViolations(result: SimulationResult, alreadyFailed: boolean, lin: LinCheckSink): Violation[] {
  const out: Violation[] = [];
  const { stats } = result;
  if (result.implementationError !== null) {
    const e = result.implementationError;
    // evidence.kind tells a contract breach from an adapter failure and from the library's own assertion.
    out.push({ property: 'implementation-error', atMs: e.atMs, event: e.event, nodes: e.node === 0 ? [] : [e.node], message: e.node === 0 ? e.message : `node ${e.node} ${e.message}`, evidence: { kind: e.kind } });
    return out;
  }
  if (alreadyFailed) return out;
  if (result.liveness.checked && !result.liveness.ok) {
    out.push({
      property: 'liveness',
      atMs: stats.simulatedMs,
      event: stats.events,
      nodes: [],
      message: `the cluster did not converge after faults healed: ${result.liveness.problems.join('; ')}`,
      evidence: { problems: result.liveness.problems },
    });
  }
  const linViolation = linearizabilityViolation(result, lin);
  if (linViolation !== null) out.push(linViolation);
  return out;
}

/** Lines of the explanation kept in a violation message (the whole explanation goes in `evidence`). */
const LIN_MESSAGE_LINES = 1;

/**
 * Checks the run's client history. An undecided check (the deterministic work budget ran out) is pushed to
 * `undecided` as a warning, never passed silently and never a hang: the budget bounds the check's time.
 */
function linearizabilityViolation(result: SimulationResult, { undecided, workBudget }: LinCheckSink): Violation | null {
  const lin = checkClientHistory(result.clientHistory, workBudget === undefined ? {} : { workBudget });
  if (lin.verdict === 'linearizable') return null;
  const { stats } = result;
  if (lin.verdict === 'unknown') {
    const message = `the client history (${lin.ops} operations) could not be decided within the search budget (${lin.steps} steps, ${lin.work} work units)`;
    undecided.push({ ops: lin.ops, steps: lin.steps, work: lin.work, message });
    return null;
  }
  const lines = describeExplanation(lin);
  const failing = lin.explanation?.failing;
  const lastEvent = result.history[result.history.length - 1];
  return {
    property: 'linearizability',
    atMs: lastEvent?.atMs ?? stats.simulatedMs,
    event: stats.events,
    nodes: [],
    message: `the client history is not linearizable: ${lines.slice(1, 1 + LIN_MESSAGE_LINES).map((l) => l.trim()).join('; ')}`,
    evidence: { verdict: lin.verdict, explanation: lines, operation: failing ?? null },
  };
}
