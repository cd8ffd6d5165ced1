/** A named scenario: how one seed becomes network settings, a fault plan and the knobs that shaped them. */
import type { Capability } from '../sim/contract.js';
import type { ClockOptions } from '../sim/clock.js';
import type { DiskOptions } from '../sim/disk.js';
import type { FaultPlan } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import type { Prng } from '../sim/prng.js';
import type { WorkloadOptions } from '../sim/workload.js';

/** The cluster and timing a scenario plans for. */
export interface ScenarioContext {
  readonly nodeCount: number;
  readonly safetyMs: number;
  readonly tickMs: number;
  readonly electionTicks: number;
  /**
   * What the implementation under test declares. A scenario may add families only it can run (the swarm's
   * configuration changes and transfers) when they are declared; absent, none are.
   */
  readonly capabilities?: readonly Capability[];
}

/** Knob values chosen for one seed, printed by `replay` and included in JSON (numbers, flags, names). */
export type Knobs = Readonly<Record<string, number | boolean | string>>;

export interface ScenarioPlan {
  readonly network: NetworkOptions;
  /** Per-node clock skew and drift; perfect clocks when absent. */
  readonly clock?: ClockOptions;
  /** Disk behaviour (fsync latency, torn writes); a perfect disk when absent. */
  readonly disk?: DiskOptions;
  /** Workload settings this seed overrides (client intensity is a swarm knob too). */
  readonly workload?: Partial<WorkloadOptions>;
  readonly plan: FaultPlan;
  readonly knobs: Knobs;
}

export interface Scenario {
  readonly name: string;
  /** One line, for `seaworthy scenarios` and the docs. */
  readonly description: string;
  /**
   * What the scenario assumes Raft survives (its fault model), in one line. The plan guard (sim/faults.ts
   * checkPlan) enforces the common part: at most f of 2f+1 nodes down or with damaged storage at once.
   */
  readonly assumes: string;
  /** Fault kinds (keys of the run's `faults` counts) this scenario claims to inject; tests hold it to them. */
  readonly injects: readonly string[];
  /** Capabilities an implementation needs for this scenario to apply. */
  readonly requires: readonly Capability[];
  /** Derives everything random about the run from `prng` (a stream of its own). Pure. */
  generate(prng: Prng, ctx: ScenarioContext): ScenarioPlan;
}
