/**
 * The failures of a `run` batch as they happen, and the reports about them: each failing seed becomes a
 * {@link RunFailure} with its repro at once; the first seed of each new failure class is rerun for its
 * evidence (cli/failure-evidence.ts) and its artifacts folder written (cli/artifacts.ts) before the batch
 * goes on; when the batch ends, the classes carry their folder and timeline excerpt into the summary, and
 * the summary goes to the artifacts folder and the JUnit file.
 */
import { nodeCountOf } from '../scenarios/cluster-size.js';
import type { ArtifactWriter } from './artifacts.js';
import { failureSignature, groupFailures } from './corpus.js';
import type { FailureClass } from './corpus.js';
import { captureEvidence, timelineExcerpt } from './failure-evidence.js';
import { mutatedFailureRepro } from './guided-run.js';
import type { MutatedRun } from './guided-run.js';
import type { Io } from './io.js';
import { junitXml } from './junit.js';
import type { JunitSummary } from './junit.js';
import { replayCommand } from './options.js';
import { writeReportFile } from './report-file.js';
import type { SeedSummary } from './seed-summary.js';
import type { Target } from './target.js';

/** One failing seed as the summary lists it (a public interface: fields are only ever added). */
export interface RunFailure {
  readonly seed: number;
  readonly property: string;
  readonly message: string;
  readonly atMs: number;
  /** For an `implementation-error`: its kind, `contract`, `adapter` or `assertion` (docs/contract.md). */
  readonly kind?: string;
  /** The seed's cluster size: `--nodes`, or the size drawn for it (the repro names it either way). */
  readonly nodes: number;
  readonly repro: string;
}

/** A failure class with what the batch learnt of its first seed (both only when evidence was captured). */
export interface ReportedClass extends FailureClass {
  /** The class's artifacts folder. */
  readonly artifact?: string;
  /** The first and last lines of its first seed's timeline (the last ones end at the violation). */
  readonly timelineExcerpt?: readonly string[];
}

/** Classes whose first seed is rerun for evidence, at most: past this, a broken implementation's flood of distinct messages would cost a rerun each. */
export const EVIDENCE_CLASSES_MAX = 100;

export interface FailureReportsOptions {
  readonly target: Target;
  /** Where a guided batch's mutated failing plans are saved (`--out`), and the batch, for their repro. */
  readonly outDir: string;
  readonly batch: { readonly seedStart: number; readonly seeds: number };
  /** A guided batch's mutated runs by seed (filled before each seed is reported). */
  readonly mutated: ReadonlyMap<number, MutatedRun>;
  /** Null: `--no-artifacts`. */
  readonly artifacts: ArtifactWriter | null;
  /** `--junit FILE`, or null. */
  readonly junitFile: string | null;
  readonly io: Io;
}

export class FailureReports {
  readonly failures: RunFailure[] = [];
  private readonly evidence = new Map<string, { readonly artifact?: string; readonly timelineExcerpt: readonly string[] }>();
  private readonly signatures = new Set<string>();
  private evidenceSkipped = 0;

  constructor(private readonly options: FailureReportsOptions) {}

  /** Evidence is captured when something will show it: artifacts or a JUnit report. */
  private get capturing(): boolean {
    return this.options.artifacts !== null || this.options.junitFile !== null;
  }

  /** Records a reported seed; a failing one of a new class is rerun and written before this returns. */
  onSeed(summary: SeedSummary): void {
    const first = summary.firstViolation;
    if (first === null) return;
    const failure = this.failureOf(summary.seed, first);
    this.failures.push(failure);
    const signature = failureSignature(failure.property, failure.message);
    if (this.signatures.has(signature)) return;
    this.signatures.add(signature);
    if (!this.capturing) return;
    if (this.evidence.size >= EVIDENCE_CLASSES_MAX) {
      this.evidenceSkipped++;
      return;
    }
    const m = this.options.mutated.get(summary.seed);
    const evidence = captureEvidence(this.options.target, signature, failure, { stopped: summary.stopped === true, traceHash: summary.traceHash, ...(m === undefined ? {} : { plan: m.mutation.plan }) });
    const folder = this.options.artifacts?.writeClass(evidence) ?? null;
    this.evidence.set(signature, { ...(folder === null ? {} : { artifact: folder }), timelineExcerpt: timelineExcerpt(evidence.timeline) });
  }

  /** The batch's failure classes, each with its evidence fields when captured. */
  classes(): ReportedClass[] {
    return groupFailures(this.failures).map((c) => ({ ...c, ...this.evidence.get(c.signature) }));
  }

  /** A notice when classes went without evidence (more than {@link EVIDENCE_CLASSES_MAX}). */
  notice(): string | null {
    return this.evidenceSkipped === 0 ? null : `${this.evidenceSkipped} failure classes beyond the first ${EVIDENCE_CLASSES_MAX} got no artifacts or timeline (each would cost a rerun); their seeds and repros are in the summary`;
  }

  /** With --shrink: the shrunk plan of a class joins its artifacts folder. */
  addShrunkPlan(signature: string, planFile: string): void {
    this.options.artifacts?.addShrunkPlan(signature, planFile);
  }

  /** The batch is over (finished, interrupted or out of time): the summary goes to the artifacts folder and the JUnit file. */
  finish(summary: JunitSummary, json: string): void {
    this.options.artifacts?.writeSummary(json);
    if (this.options.junitFile !== null) writeReportFile('--junit', this.options.junitFile, junitXml(summary), this.options.io);
  }

  private failureOf(seed: number, first: NonNullable<SeedSummary['firstViolation']>): RunFailure {
    const { target, mutated, outDir, batch } = this.options;
    const m = mutated.get(seed);
    if (m !== undefined) return { seed, ...first, nodes: m.mutation.nodes, repro: mutatedFailureRepro(target, m, seed, first.property, outDir, batch) };
    const nodes = nodeCountOf({ seed, nodeCount: target.nodeCount });
    return { seed, ...first, nodes, repro: replayCommand(seed, target.scenario.name, nodes, target.bug, target.custom === null ? '--trace' : `${target.custom.flags} --trace`) };
  }
}
