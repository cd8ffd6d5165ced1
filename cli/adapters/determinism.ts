/**
 * `--verify-determinism`: reruns the failing seeds and a sample of the passing ones and compares trace hashes.
 * A seed whose rerun hashes differently came from a nondeterministic implementation (its own clock or
 * randomness, state kept across runs, iteration over unordered state), and its failures cannot be trusted to
 * replay. The report names the first divergent trace line of two recorded reruns.
 */
import { runSeed } from '../../scenarios/run-seed.js';
import type { RunConfig } from '../../scenarios/run-seed.js';
import { describeTraceRecord } from '../../sim/trace.js';
import type { TraceRecord } from '../../sim/trace.js';

export interface SeedOutcome {
  readonly seed: number;
  readonly ok: boolean;
  readonly traceHash: string;
}

export interface Nondeterminism {
  readonly seed: number;
  readonly firstHash: string;
  readonly rerunHashes: readonly string[];
  /** The first trace line where two recorded reruns part, or null when both reruns agreed. */
  readonly firstDivergence: { readonly index: number; readonly a: string; readonly b: string } | null;
  readonly message: string;
}

export interface DeterminismReport {
  readonly checkedSeeds: readonly number[];
  readonly nondeterministic: readonly Nondeterminism[];
}

/** Failing seeds rerun at most; passing seeds sampled (evenly spaced, first and last included). */
export const FAILING_RERUNS_MAX = 10;
export const PASSING_SAMPLE_MAX = 5;

/** Which seeds to rerun: every failing one up to a bound, and an even sample of the passing ones. */
export function pickSeeds(outcomes: readonly SeedOutcome[]): SeedOutcome[] {
  const failing = outcomes.filter((o) => !o.ok).slice(0, FAILING_RERUNS_MAX);
  const passing = outcomes.filter((o) => o.ok);
  const sample: SeedOutcome[] = [];
  const count = Math.min(PASSING_SAMPLE_MAX, passing.length);
  for (let k = 0; k < count; k++) {
    const pick = passing[count === 1 ? 0 : Math.round((k * (passing.length - 1)) / (count - 1))];
    if (pick !== undefined && !sample.includes(pick)) sample.push(pick);
  }
  return [...failing, ...sample].sort((a, b) => a.seed - b.seed);
}

export function verifyDeterminism(base: Omit<RunConfig, 'seed'>, outcomes: readonly SeedOutcome[]): DeterminismReport {
  const chosen = pickSeeds(outcomes);
  const nondeterministic: Nondeterminism[] = [];
  for (const outcome of chosen) {
    const first = runSeed({ ...base, seed: outcome.seed, record: true });
    if (first.traceHash === outcome.traceHash) continue;
    const second = runSeed({ ...base, seed: outcome.seed, record: true });
    const divergence = firstDivergence(first.trace ?? [], second.trace ?? []);
    const where =
      divergence === null
        ? `two recorded reruns agreed with each other (${first.traceHash}) but not with the run in the batch: state carried over from earlier runs in the same process (module-level variables?)`
        : `first divergent event, trace line ${divergence.index + 1}: rerun 1 "${divergence.a}", rerun 2 "${divergence.b}"`;
    nondeterministic.push({
      seed: outcome.seed,
      firstHash: outcome.traceHash,
      rerunHashes: [first.traceHash, second.traceHash],
      firstDivergence: divergence,
      message: `seed ${outcome.seed} is not reproducible: trace hash ${outcome.traceHash} in the batch, ${first.traceHash} and ${second.traceHash} on reruns; ${where}`,
    });
  }
  return { checkedSeeds: chosen.map((o) => o.seed), nondeterministic };
}

/** The first index where the two traces differ, with both lines as text; null when they are equal. */
export function firstDivergence(a: readonly TraceRecord[], b: readonly TraceRecord[]): { index: number; a: string; b: string } | null {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = describeLine(a[i]);
    const y = describeLine(b[i]);
    if (x !== y) return { index: i, a: x, b: y };
  }
  return null;
}

function describeLine(line: TraceRecord | undefined): string {
  return line === undefined ? '(trace ended)' : `${line.atMs} ms, event ${line.event}, ${line.kind}, node ${line.node}: ${describeTraceRecord(line)}`;
}
