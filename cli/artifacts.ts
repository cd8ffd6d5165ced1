/**
 * Failure artifacts: `run` writes one folder per failure class as soon as the class first appears, so a CI
 * job killed later keeps everything it found. By default into `./seaworthy-failures/`, or `--artifacts DIR`;
 * `--no-artifacts` (or `SEAWORTHY_ARTIFACTS=off`) writes none. A batch without failures creates nothing.
 *
 *     <dir>/<property>-<8 hex of the class signature>/
 *       plan.json      the failing plan: `npx seaworthy replay --plan <that file> --trace` reruns it
 *       repro.txt      the commands that rerun it (by seed, and by plan file)
 *       timeline.txt   the rerun's timeline as plain text, ending at the violation
 *       failure.html   the rerun drawn as a self-contained HTML page (cli/html/failure-page.ts, an ArtifactExtra)
 *       run.json       the failing run: seed, violations, trace hash, statistics, knobs, the batch it was in
 *       shrunk-plan.json   with --shrink, once the batch is over: the minimal plan
 *     <dir>/summary.json   the batch's JSON summary, when the batch ends (also on SIGINT/SIGTERM or a time budget)
 *
 * Each file is written to a temporary name and renamed, and `run.json` last, so a class folder holding a
 * `run.json` is complete. Other renderings (an HTML page per class, say) join through {@link ArtifactExtra}.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutDir } from './out-dir.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { planFileText } from './failure-evidence.js';
import type { FailureEvidence } from './failure-evidence.js';
import { seaworthyVersion } from './version.js';

/** Where failure artifacts go when nothing says otherwise. */
export const ARTIFACTS_DIR_DEFAULT = './seaworthy-failures/';

/** The environment variable that sets the default folder (or `off`), for CI and for test suites. */
export const ARTIFACTS_ENV = 'SEAWORTHY_ARTIFACTS';

/** One more file of a class folder. */
export interface ArtifactFile {
  /** A plain file name, no folders. */
  readonly name: string;
  readonly content: string;
}

/**
 * A rendering of a failure class written beside the others (e.g. `failure.html`): called once per class,
 * right after the standard files; what it returns is written the same way (temporary name, rename).
 */
export type ArtifactExtra = (evidence: FailureEvidence) => readonly ArtifactFile[];

/** The batch a failure was found in, as recorded in each `run.json`. */
export interface ArtifactBatch {
  readonly seedStart: number;
  readonly seeds: number | null;
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** The flags that rerun the batch (e.g. `--seed-start 42 --seeds 1000 --shard 2/4`). */
  readonly flags: string;
}

/**
 * The artifacts folder a run asked for: `--artifacts DIR`, `--no-artifacts` (false), else the environment's
 * `SEAWORTHY_ARTIFACTS` (a folder, or `off`), else {@link ARTIFACTS_DIR_DEFAULT}. A folder given by flag or
 * variable that cannot be written is a UsageError; the default one only costs a warning (artifacts off), so
 * a run in a read-only folder works as it did before artifacts existed.
 */
export function resolveArtifactsDir(raw: unknown, env: Readonly<Record<string, string | undefined>>, io: Io): string | null {
  if (raw === false) return null;
  const fromEnv = env[ARTIFACTS_ENV];
  if (raw === undefined && fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv === 'off') return null;
    return checkFolder(fromEnv, ARTIFACTS_ENV);
  }
  if (raw === undefined || raw === true) {
    try {
      return checkFolder(ARTIFACTS_DIR_DEFAULT, '--artifacts');
    } catch (error) {
      io.stderr(`seaworthy: not writing failure artifacts: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }
  if (typeof raw !== 'string' || raw.trim() === '') throw new UsageError(`--artifacts expects a folder, got ${JSON.stringify(raw)}`);
  return checkFolder(raw, '--artifacts');
}

function checkFolder(dir: string, what: string): string {
  return checkOutDir(dir, ARTIFACTS_DIR_DEFAULT, { flag: what, purpose: 'the failure artifacts' });
}

/** The folder name of a failure class: its property and a short hash of its signature (stable across runs and shards). */
export function classFolderName(property: string, signature: string): string {
  const hash = createHash('sha256').update(signature).digest('hex').slice(0, 8);
  return `${property.replace(/[^a-z0-9-]/gi, '_')}-${hash}`;
}

/** Writes the artifacts of one batch (see the file's TSDoc). */
export class ArtifactWriter {
  /** Class folders written by this batch, by signature. */
  private readonly written = new Map<string, string>();
  /** Why the last write failed (reported once, the batch goes on). */
  private failedOnce = false;

  constructor(
    readonly dir: string,
    private readonly batch: ArtifactBatch,
    private readonly io: Io,
    private readonly extras: readonly ArtifactExtra[] = [],
  ) {}

  /** The folder of the class with this signature, if this batch wrote it. */
  folderOf(signature: string): string | undefined {
    return this.written.get(signature);
  }

  /**
   * Writes the class folder of `evidence` (replacing one a previous batch left for the same class), and
   * returns its path; null when it could not be written (one line on stderr, once per batch).
   */
  writeClass(evidence: FailureEvidence): string | null {
    const folder = join(this.dir, classFolderName(evidence.failure.property, evidence.signature));
    try {
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
      const planPath = join(folder, 'plan.json');
      const planRepro = evidence.planRepro(planPath);
      this.put(folder, 'plan.json', planFileText(evidence));
      this.put(folder, 'repro.txt', reproText(evidence, planRepro, this.batch));
      this.put(folder, 'timeline.txt', timelineText(evidence));
      for (const extra of this.extras) for (const file of extra(evidence)) this.put(folder, file.name, file.content);
      this.put(folder, 'run.json', `${JSON.stringify(runRecord(evidence, planRepro, this.batch), null, 2)}\n`);
      this.written.set(evidence.signature, folder);
      return folder;
    } catch (error) {
      this.reportFailure(folder, error);
      return null;
    }
  }

  /** Copies a shrunk plan file into its class's folder as `shrunk-plan.json`. */
  addShrunkPlan(signature: string, planFile: string): void {
    const folder = this.written.get(signature);
    if (folder === undefined) return;
    try {
      const temporary = join(folder, `.shrunk-plan.json.${process.pid}.tmp`);
      copyFileSync(planFile, temporary);
      renameSync(temporary, join(folder, 'shrunk-plan.json'));
    } catch (error) {
      this.reportFailure(folder, error);
    }
  }

  /** Writes the batch's summary beside the class folders, when there are any (a passing batch leaves no folder). */
  writeSummary(summaryJson: string): void {
    if (this.written.size === 0) return;
    try {
      this.put(this.dir, 'summary.json', `${summaryJson}\n`);
    } catch (error) {
      this.reportFailure(this.dir, error);
    }
  }

  private put(folder: string, name: string, content: string): void {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`artifact file names are plain names, got ${JSON.stringify(name)}`);
    const temporary = join(folder, `.${name}.${process.pid}.tmp`);
    writeFileSync(temporary, content);
    renameSync(temporary, join(folder, name));
  }

  private reportFailure(where: string, error: unknown): void {
    if (this.failedOnce) return;
    this.failedOnce = true;
    this.io.stderr(`seaworthy: could not write failure artifacts in ${where}: ${error instanceof Error ? error.message : String(error)} (the batch goes on; its summary still lists every failure)`);
  }
}

function reproText(e: FailureEvidence, planRepro: string, batch: ArtifactBatch): string {
  return [
    `# ${e.signature}`,
    `# first failing seed of this class: ${e.failure.seed} (batch ${batch.flags}); rerun it by seed:`,
    e.failure.repro,
    '# or from its saved plan (independent of how the scenario generates plans in later versions):',
    planRepro,
    ...(e.note === undefined ? [] : [`# note: ${e.note}`]),
    '',
  ].join('\n');
}

function timelineText(e: FailureEvidence): string {
  if (e.timeline.length === 0) return `(no timeline: ${e.note ?? 'the seed was not rerun'})\n`;
  return `${e.timeline.join('\n')}\n`;
}

function runRecord(e: FailureEvidence, planRepro: string, batch: ArtifactBatch): Record<string, unknown> {
  const v = e.verdict;
  return {
    version: seaworthyVersion(),
    signature: e.signature,
    property: e.failure.property,
    message: e.failure.message,
    seed: e.failure.seed,
    nodes: e.failure.nodes,
    scenario: e.scenario,
    bug: e.bug,
    implementation: e.planFile.implementation,
    repro: e.failure.repro,
    planRepro,
    batch,
    ...(v === null ? {} : { traceHash: v.traceHash, violations: v.violations, stats: v.stats, knobs: v.knobs }),
    ...(e.note === undefined ? {} : { note: e.note }),
  };
}
