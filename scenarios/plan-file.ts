/**
 * Saved plans: everything a run depends on besides the implementation's code — seed, scenario, cluster size,
 * planted bug and the full scenario plan — as one JSON document, so `seaworthy replay --plan FILE` reruns
 * it exactly. Encoding and decoding only (the CLI reads and writes the file). Pure.
 */
import type { z } from 'zod';
import { describeSchemaIssue, planFileSchema } from './plan-schema.js';
import type { scenarioPlanSchema } from './plan-schema.js';
import type { ScenarioPlan } from './types.js';
import type { FaultEvent } from '../sim/faults.js';

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
  /** The liveness phase healed every node (`--full-heal`); absent or false: a random majority. */
  readonly fullHeal?: boolean;
  /** The property the plan violates (null for a passing plan). */
  readonly property: string | null;
  /** The trace hash the plan produced when saved; a replay that differs is not the same run. */
  readonly traceHash: string;
  readonly plan: ScenarioPlan;
}

export function encodePlanFile(file: PlanFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export type DecodedPlanFile = { readonly ok: true; readonly file: PlanFile } | { readonly ok: false; readonly error: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Parses a plan file's text and checks every field against its documented range ({@link PLAN_LIMITS}), so a
 * hand-edited file fails here with one line, never later as an assertion inside the simulator. Errors read
 * "path: expected X, got Y". Unknown fields are ignored (files from newer versions that only add fields still
 * load). `checkPlan` judges the events against the fault model afterwards.
 */
export function decodePlanFile(text: string): DecodedPlanFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(doc)) return { ok: false, error: `expected a JSON object, got ${Array.isArray(doc) ? 'an array' : JSON.stringify(doc)}` };
  if (doc.format !== PLAN_FILE_FORMAT) return { ok: false, error: `expected "format": "${PLAN_FILE_FORMAT}", got ${JSON.stringify(doc.format)}` };
  if (doc.version !== PLAN_FILE_VERSION) return { ok: false, error: `expected "version": ${PLAN_FILE_VERSION}, got ${JSON.stringify(doc.version)}` };
  const parsed = planFileSchema.safeParse(doc);
  if (!parsed.success) return { ok: false, error: describeSchemaIssue(parsed.error, doc) };
  const d = parsed.data;
  return {
    ok: true,
    file: {
      format: PLAN_FILE_FORMAT,
      version: PLAN_FILE_VERSION,
      seed: d.seed,
      scenario: d.scenario,
      nodes: d.nodes,
      bug: d.bug,
      implementation: d.implementation ?? 'unknown',
      safetyOnly: d.safetyOnly ?? false,
      ...(d.fullHeal === true ? { fullHeal: true } : {}),
      property: d.property ?? null,
      traceHash: d.traceHash ?? '',
      plan: toScenarioPlan(d.plan),
    },
  };
}

/**
 * The schema's output as a ScenarioPlan: the optional parts are left out rather than set to undefined
 * (exactOptionalPropertyTypes), so a decoded plan equals the one that was saved.
 */
function toScenarioPlan(p: z.output<typeof scenarioPlanSchema>): ScenarioPlan {
  return {
    network: withoutUndefined(p.network),
    ...(p.clock === undefined ? {} : { clock: withoutUndefined(p.clock) }),
    ...(p.disk === undefined ? {} : { disk: withoutUndefined(p.disk) }),
    ...(p.workload === undefined ? {} : { workload: withoutUndefined(p.workload) }),
    // Optional event fields (a conf-change's crashLeaderMs) come back absent, not undefined.
    plan: { events: p.plan.events.map((e) => withoutUndefined(e) as FaultEvent) },
    knobs: p.knobs,
  };
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** `o` without the keys whose value is undefined. */
function withoutUndefined<T extends object>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/** The file name a failure is saved under: `seed-<S>-<property>.json`. */
export function planFileName(seed: number, property: string): string {
  return `seed-${seed}-${property.replace(/[^a-z0-9-]/gi, '_')}.json`;
}
