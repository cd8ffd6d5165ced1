/**
 * The running totals of a `run` batch, fed one {@link SeedSummary} at a time in seed order. Nothing here grows
 * with the number of seeds, only with the number of failures (which the summary lists one by one) and a
 * bounded sample of passing seeds for `--verify-determinism`, so `--seeds` may be as large as a safe integer.
 */
import { FAILING_RERUNS_MAX } from './adapters/determinism.js';
import type { SeedOutcome } from './adapters/determinism.js';
import type { NondeterminismUsage } from './adapters/guard.js';
import type { SeedSummary } from './seed-summary.js';

export interface AggregateFailure {
  readonly seed: number;
  readonly property: string;
  readonly message: string;
  readonly atMs: number;
}

/** Passing outcomes kept for the determinism sample before it is thinned (every other one dropped). */
export const PASSING_KEPT_MAX = 4096;

export class RunAggregate {
  runs = 0;
  events = 0;
  simulatedMs = 0;
  implementationErrors = 0;
  implementationName: string;
  readonly faults: Record<string, number> = {};
  readonly probes: Record<string, number> = {};
  readonly clientOps = { ok: 0, fail: 0, info: 0 };
  readonly usage: NondeterminismUsage = { mathRandom: 0, clock: 0 };
  readonly failures: AggregateFailure[] = [];
  /** Seeds the watchdog stopped (a module call never returned): never rerun on the main thread. */
  readonly stoppedSeeds = new Set<number>();
  /** Seeds whose linearizability check was undecided within its budget (a warning each, not a failure). */
  readonly linUndecided: number[] = [];
  private readonly failingOutcomes: SeedOutcome[] = [];
  /** Every `passingStride`-th passing outcome; Invariant: length <= PASSING_KEPT_MAX. */
  private passingOutcomes: SeedOutcome[] = [];
  private passingStride = 1;
  private passingSeen = 0;

  constructor(implementationName: string) {
    this.implementationName = implementationName;
  }

  /** Adds one seed's summary; summaries must come in seed order so totals and lists match any `--jobs`. */
  add(summary: SeedSummary, usage: NondeterminismUsage | null): void {
    this.runs++;
    if (summary.implementationError) this.implementationErrors++;
    this.implementationName = summary.implementation;
    this.events += summary.events;
    this.simulatedMs += summary.simulatedMs;
    for (const [kind, count] of Object.entries(summary.faults)) this.faults[kind] = (this.faults[kind] ?? 0) + count;
    for (const [name, count] of Object.entries(summary.probes)) this.probes[name] = (this.probes[name] ?? 0) + count;
    this.clientOps.ok += summary.clientOps.ok;
    this.clientOps.fail += summary.clientOps.fail;
    this.clientOps.info += summary.clientOps.info;
    if (usage !== null) this.addUsage(usage);
    const first = summary.firstViolation;
    if (first !== null) this.failures.push({ seed: summary.seed, property: first.property, message: first.message, atMs: first.atMs, ...(first.kind === undefined ? {} : { kind: first.kind }) });
    if (summary.linUndecided === true) this.linUndecided.push(summary.seed);
    this.keepOutcome(summary);
  }

  /** Counts clock and Math.random uses outside the seeds themselves (the determinism reruns). */
  addUsage(usage: NondeterminismUsage): void {
    this.usage.mathRandom += usage.mathRandom;
    this.usage.clock += usage.clock;
  }

  /**
   * The outcomes `--verify-determinism` picks its reruns from: the first failing seeds and a thinned sample of
   * the passing ones (all of them up to {@link PASSING_KEPT_MAX}, so small batches pick exactly as before).
   * Seeds the watchdog stopped have no trace hash and are never rerun: a rerun would hang this thread.
   */
  outcomes(): SeedOutcome[] {
    return [...this.failingOutcomes, ...this.passingOutcomes].sort((a, b) => a.seed - b.seed);
  }

  private keepOutcome(summary: SeedSummary): void {
    if (summary.stopped === true) {
      this.stoppedSeeds.add(summary.seed);
      return;
    }
    const outcome: SeedOutcome = { seed: summary.seed, ok: summary.ok, traceHash: summary.traceHash };
    if (!summary.ok) {
      if (this.failingOutcomes.length < FAILING_RERUNS_MAX) this.failingOutcomes.push(outcome);
      return;
    }
    if (this.passingSeen++ % this.passingStride !== 0) return;
    this.passingOutcomes.push(outcome);
    if (this.passingOutcomes.length > PASSING_KEPT_MAX) {
      this.passingOutcomes = this.passingOutcomes.filter((_, i) => i % 2 === 0);
      this.passingStride *= 2;
    }
  }
}
