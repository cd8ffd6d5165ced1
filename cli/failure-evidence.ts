/**
 * What a batch keeps of the first failing seed of each failure class, for the reports written about it
 * (failure artifacts, JUnit): the seed rerun with its trace recorded (a run is a function of seed and plan,
 * so the rerun is the run that failed), its plan as a plan file `replay --plan` reruns exactly, and its
 * timeline as plain text. Captured once per class, when the class first appears, so the cost is one rerun
 * per class, not per failing seed.
 */
import { stripVTControlCharacters } from 'node:util';
import { encodePlanFile, PLAN_FILE_FORMAT, PLAN_FILE_VERSION } from '../scenarios/plan-file.js';
import type { PlanFile } from '../scenarios/plan-file.js';
import { runSeed, scenarioPlanOf } from '../scenarios/run-seed.js';
import type { Verdict } from '../scenarios/run-seed.js';
import type { ScenarioPlan } from '../scenarios/types.js';
import { formatTimeline } from './timeline.js';
import type { Target } from './target.js';

/** The failure as `run` reports it (RunFailure's fields). */
export interface FailureFacts {
  readonly seed: number;
  readonly property: string;
  readonly message: string;
  readonly atMs: number;
  readonly nodes: number;
  readonly repro: string;
}

/** One failure class's evidence (see the file's TSDoc). */
export interface FailureEvidence {
  /** The class's signature (cli/corpus.ts `failureSignature`). */
  readonly signature: string;
  readonly failure: FailureFacts;
  readonly scenario: string;
  readonly bug: string | null;
  /** The rerun with its trace; null when the seed could not be rerun here (see `note`). */
  readonly verdict: Verdict | null;
  /** The plan that failed, as a file `replay --plan` reruns. */
  readonly planFile: PlanFile;
  /** The command that replays `planFile` once saved as `file` (a user's implementation named again). */
  readonly planRepro: (file: string) => string;
  /** The timeline of the rerun as plain text, violations included; empty without a rerun. */
  readonly timeline: readonly string[];
  /** Why the evidence is partial (no rerun, or a rerun that did not fail the same way), if it is. */
  readonly note?: string;
}

/** Lines of the timeline a report shows when it cannot show all: the first ones, and the last ones, which end at the violation. */
export const EXCERPT_HEAD_LINES = 20;
export const EXCERPT_TAIL_LINES = 30;

/** The timeline's first and last lines, with a marker for what was left out between them. */
export function timelineExcerpt(timeline: readonly string[]): string[] {
  if (timeline.length <= EXCERPT_HEAD_LINES + EXCERPT_TAIL_LINES) return [...timeline];
  const left = timeline.length - EXCERPT_HEAD_LINES - EXCERPT_TAIL_LINES;
  return [...timeline.slice(0, EXCERPT_HEAD_LINES), `… ${left} lines …`, ...timeline.slice(-EXCERPT_TAIL_LINES)];
}

export interface CaptureOptions {
  /** The failing run's plan when it was not its seed's own (a guided batch's mutated run). */
  readonly plan?: ScenarioPlan;
  /** The seed was stopped by the watchdog: rerunning it here, without one, could hang this thread. */
  readonly stopped: boolean;
  /** The failing run's trace hash, to tell a rerun that is not the same run. */
  readonly traceHash: string;
}

/**
 * Reruns the class's first failing seed with its trace recorded (unless it was stopped by the watchdog) and
 * gathers its evidence. Never throws for the seed's sake: a rerun that throws leaves a note instead, since a
 * report about the failure is still worth writing.
 */
export function captureEvidence(target: Target, signature: string, failure: FailureFacts, options: CaptureOptions): FailureEvidence {
  const config = { ...target.base, seed: failure.seed, nodeCount: failure.nodes, ...(options.plan === undefined ? {} : { plan: options.plan }) };
  let verdict: Verdict | null = null;
  let note: string | undefined;
  if (options.stopped) note = 'the seed was stopped by the --impl-timeout watchdog, so it was not rerun for its timeline';
  else {
    try {
      verdict = runSeed({ ...config, record: true });
      if (verdict.traceHash !== options.traceHash) note = `the rerun's trace hash ${verdict.traceHash} differs from the batch's ${options.traceHash}: the implementation is not deterministic, and the timeline is of the rerun`;
    } catch (error) {
      note = `rerunning the seed for its timeline threw: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const planFile: PlanFile = {
    format: PLAN_FILE_FORMAT,
    version: PLAN_FILE_VERSION,
    seed: failure.seed,
    scenario: target.scenario.name,
    nodes: failure.nodes,
    bug: target.bug?.name ?? null,
    implementation: verdict?.implementation ?? target.base.implementation?.name ?? 'seaworthy-core',
    safetyOnly: target.base.safetyOnly === true,
    ...(target.base.fullHeal === true ? { fullHeal: true } : {}),
    property: failure.property,
    traceHash: verdict?.traceHash ?? options.traceHash,
    plan: options.plan ?? scenarioPlanOf(config),
  };
  const implFlags = target.custom === null ? '' : ` ${target.custom.flags}`;
  const timeline = verdict?.trace == null ? [] : formatTimeline(verdict.trace, verdict.violations, { messages: false, width: 0, nodeCount: verdict.nodes }).map((l) => stripVTControlCharacters(l));
  const violations = verdict === null ? [] : verdict.violations.map((v) => `✘ ${v.property} at ${v.atMs} ms (event ${v.event}, nodes ${v.nodes.join(',') || '-'}): ${v.message}`);
  return {
    signature,
    failure,
    scenario: target.scenario.name,
    bug: target.bug?.name ?? null,
    verdict,
    planFile,
    planRepro: (file) => `npx seaworthy replay --plan ${file}${implFlags} --trace`,
    timeline: [...timeline, ...violations],
    ...(note === undefined ? {} : { note }),
  };
}

/** The plan file's text (re-exported for writers, so they need not know the encoding). */
export function planFileText(evidence: FailureEvidence): string {
  return encodePlanFile(evidence.planFile);
}
