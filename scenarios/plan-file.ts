/**
 * Saved plans: everything a run depends on besides the implementation's code — seed, scenario, cluster size,
 * planted bug and the full scenario plan — as one JSON document, so `seaworthy replay --plan FILE` reruns
 * it exactly. Encoding and decoding only (the CLI reads and writes the file). Pure.
 */
import type { FaultKind } from '../sim/faults.js';
import type { ScenarioPlan } from './types.js';

export const PLAN_FILE_FORMAT = 'seaworthy-plan';
export const PLAN_FILE_VERSION = 1;

export interface PlanFile {
  readonly format: typeof PLAN_FILE_FORMAT;
  readonly version: typeof PLAN_FILE_VERSION;
  readonly seed: number;
  readonly scenario: string;
  readonly nodes: number;
  /** The planted bug the run used, or null for the correct core. */
  readonly bug: string | null;
  /** The implementation's name, for the reader (the file cannot carry a user's code). */
  readonly implementation: string;
  readonly safetyOnly: boolean;
  /** The property the plan violates (null for a passing plan). */
  readonly property: string | null;
  /** The trace hash the plan produced when saved; a replay that differs is not the same run. */
  readonly traceHash: string;
  readonly plan: ScenarioPlan;
}

const FAULT_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'partition', 'bridge', 'isolate-leader', 'heal', 'crash', 'bounce', 'power-loss', 'corrupt', 'crash-point', 'restart', 'one-way', 'ring', 'latency-spike', 'clog', 'pause', 'clock-jump',
]);

const NETWORK_FIELDS = ['latencyMsMin', 'latencyMsMax', 'lossPerMille', 'duplicatePerMille', 'longDelayPerMille', 'longDelayMsMax'] as const;

export function encodePlanFile(file: PlanFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export type DecodedPlanFile = { readonly ok: true; readonly file: PlanFile } | { readonly ok: false; readonly error: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** First shape problem of a decoded document, or null. `checkPlan` judges the events' meaning afterwards. */
function shapeProblem(doc: Record<string, unknown>): string | null {
  if (doc.format !== PLAN_FILE_FORMAT) return `expected "format": "${PLAN_FILE_FORMAT}", got ${JSON.stringify(doc.format)}`;
  if (doc.version !== PLAN_FILE_VERSION) return `expected "version": ${PLAN_FILE_VERSION}, got ${JSON.stringify(doc.version)}`;
  if (typeof doc.seed !== 'number' || !Number.isSafeInteger(doc.seed) || doc.seed < 0) return `expected "seed" to be a whole number >= 0, got ${JSON.stringify(doc.seed)}`;
  if (typeof doc.scenario !== 'string') return `expected "scenario" to be a name, got ${JSON.stringify(doc.scenario)}`;
  if (doc.nodes !== 3 && doc.nodes !== 5) return `expected "nodes" to be 3 or 5, got ${JSON.stringify(doc.nodes)}`;
  if (doc.bug !== null && typeof doc.bug !== 'string') return `expected "bug" to be a name or null, got ${JSON.stringify(doc.bug)}`;
  const plan = doc.plan;
  if (!isRecord(plan)) return 'expected "plan" to be an object {network, plan, knobs}';
  if (!isRecord(plan.network)) return 'expected "plan.network" to be an object';
  for (const field of NETWORK_FIELDS) {
    const v = plan.network[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `expected "plan.network.${field}" to be a whole number >= 0, got ${JSON.stringify(v)}`;
  }
  if (plan.workload !== undefined && !isRecord(plan.workload)) return 'expected "plan.workload" to be an object';
  if (plan.disk !== undefined && !isRecord(plan.disk)) return 'expected "plan.disk" to be an object';
  if (plan.clock !== undefined && !isRecord(plan.clock)) return 'expected "plan.clock" to be an object';
  if (!isRecord(plan.knobs)) return 'expected "plan.knobs" to be an object';
  if (!isRecord(plan.plan) || !Array.isArray(plan.plan.events)) return 'expected "plan.plan.events" to be an array of fault events';
  for (const [i, e] of plan.plan.events.entries()) {
    if (!isRecord(e) || typeof e.atMs !== 'number') return `expected fault event #${i} to be an object with "atMs"`;
    if (typeof e.kind !== 'string' || !FAULT_KINDS.has(e.kind as FaultKind)) return `unknown fault kind ${JSON.stringify(e.kind)} in event #${i}; expected one of: ${[...FAULT_KINDS].join(', ')}`;
  }
  return null;
}

/** Parses a plan file's text; errors are one line, in the form "expected X, got Y". */
export function decodePlanFile(text: string): DecodedPlanFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(doc)) return { ok: false, error: 'expected a JSON object' };
  const problem = shapeProblem(doc);
  if (problem !== null) return { ok: false, error: problem };
  return {
    ok: true,
    file: {
      format: PLAN_FILE_FORMAT,
      version: PLAN_FILE_VERSION,
      seed: doc.seed as number,
      scenario: doc.scenario as string,
      nodes: doc.nodes as number,
      bug: (doc.bug as string | null) ?? null,
      implementation: typeof doc.implementation === 'string' ? doc.implementation : 'unknown',
      safetyOnly: doc.safetyOnly === true,
      property: typeof doc.property === 'string' ? doc.property : null,
      traceHash: typeof doc.traceHash === 'string' ? doc.traceHash : '',
      plan: doc.plan as unknown as ScenarioPlan,
    },
  };
}

/** The file name a failure is saved under: `seed-<S>-<property>.json`. */
export function planFileName(seed: number, property: string): string {
  return `seed-${seed}-${property.replace(/[^a-z0-9-]/gi, '_')}.json`;
}
