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
  /** `kind`: an implementation error's kind (contract, adapter, assertion; docs/contract.md § What the host validates). */
  readonly firstViolation: { readonly property: string; readonly message: string; readonly atMs: number; readonly kind?: string } | null;
  /**
   * The seed was stopped by the wall-clock watchdog (a call into an `--impl` module never returned), so it
   * has no verdict, trace hash or statistics; it is not rerun by `--verify-determinism`.
   */
  readonly stopped?: true;
  /** The linearizability check ran out of its work budget: a warning with this seed, not a failure. */
  readonly linUndecided?: true;
}

/** What the watchdog knows of a call that did not return (see cli/adapters/call-watch.ts). */
export interface StoppedCall {
  readonly seed: number;
  readonly node: number;
  readonly call: string;
  readonly sequence: number;
  readonly timeoutMs: number;
}

/**
 * The summary of a seed whose worker thread was terminated because one call into the implementation ran
 * past the watchdog: an `implementation-error` naming the seed, node and call. `atMs` is 0 because the
 * simulated time of the call died with the thread; the call's number within the seed locates it instead.
 */
export function stoppedSummary(implementation: string, stopped: StoppedCall): SeedSummary {
  const message = `node ${stopped.node}: ${stopped.call}() did not return within ${stopped.timeoutMs} ms (wall clock; --impl-timeout) in seed ${stopped.seed}, call ${stopped.sequence} into the implementation; the thread running it was stopped`;
  return {
    seed: stopped.seed,
    ok: false,
    traceHash: '',
    implementation,
    implementationError: true,
    events: 0,
    simulatedMs: 0,
    faults: {},
    probes: {},
    clientOps: { ok: 0, fail: 0, info: 0 },
    firstViolation: { property: 'implementation-error', message, atMs: 0 },
    stopped: true,
  };
}

/** `{kind}` from an implementation error's evidence, or nothing for any other violation. */
function implementationErrorKind(evidence: unknown): { kind?: string } {
  const kind = typeof evidence === 'object' && evidence !== null ? (evidence as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? { kind } : {};
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
    firstViolation: first === undefined ? null : { property: first.property, message: first.message, atMs: first.atMs, ...implementationErrorKind(first.evidence) },
    ...(verdict.linUndecided === undefined ? {} : { linUndecided: true as const }),
  };
}
