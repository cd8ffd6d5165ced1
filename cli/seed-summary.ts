/**
 * What `run` keeps of one seed's verdict: small, plain and structured-clonable, so seeds can run in worker
 * threads and be aggregated in seed order exactly as if they had run in this thread.
 */
import type { Verdict } from '../scenarios/run-seed.js';

export interface SeedSummary {
  readonly seed: number;
  readonly ok: boolean;
  readonly traceHash: string;
  readonly implementation: string;
  readonly implementationError: boolean;
  readonly events: number;
  readonly simulatedMs: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly probes: Readonly<Record<string, number>>;
  readonly clientOps: { readonly ok: number; readonly fail: number; readonly info: number };
  readonly firstViolation: { readonly property: string; readonly message: string; readonly atMs: number } | null;
  /** The linearizability check ran out of its work budget: a warning with this seed, not a failure. */
  readonly linUndecided?: true;
}

export function summarize(verdict: Verdict): SeedSummary {
  const first = verdict.violations[0];
  const { ok, fail, info } = verdict.stats.clientOps;
  return {
    seed: verdict.seed,
    ok: verdict.ok,
    traceHash: verdict.traceHash,
    implementation: verdict.implementation,
    implementationError: verdict.violations.some((v) => v.property === 'implementation-error'),
    events: verdict.stats.events,
    simulatedMs: verdict.stats.simulatedMs,
    faults: { ...verdict.stats.faults },
    probes: { ...verdict.probes },
    clientOps: { ok, fail, info },
    firstViolation: first === undefined ? null : { property: first.property, message: first.message, atMs: first.atMs },
    ...(verdict.linUndecided === undefined ? {} : { linUndecided: true as const }),
  };
}
