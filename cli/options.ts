/**
 * Parsing and validation of the flags shared by several commands. Each failure is a UsageError with one
 * line in the form "expected X, got Y" so a user knows what to type instead.
 */
import { NODES_MAX, NODES_MIN } from '../scenarios/cluster-size.js';
import { findPlantedBug, PLANTED_BUGS } from '../scenarios/planted-bugs.js';
import type { PlantedBug } from '../scenarios/planted-bugs.js';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from '../scenarios/registry.js';
import type { Scenario } from '../scenarios/types.js';
import { UsageError } from './errors.js';

/** A non-negative safe integer seed. */
export function parseSeed(flag: string, raw: unknown): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'boolean' || raw === '' || !Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`--${flag} expects a whole number >= 0, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A whole number >= 1. */
export function parseCount(flag: string, raw: unknown): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'boolean' || raw === '' || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag} expects a whole number >= 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `--nodes N`: a whole number of nodes from NODES_MIN to NODES_MAX. */
export function parseNodes(raw: unknown): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'boolean' || raw === '' || !Number.isSafeInteger(value) || value < NODES_MIN || value > NODES_MAX) {
    throw new UsageError(`--nodes expects a whole number of nodes from ${NODES_MIN} to ${NODES_MAX}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The named scenario; without one, the planted bug's own scenario, else the default. */
export function parseScenario(raw: unknown, bug?: PlantedBug): Scenario {
  const name = raw === undefined ? (bug?.scenario ?? DEFAULT_SCENARIO) : String(raw);
  const scenario = findScenario(name);
  if (scenario === undefined) {
    throw new UsageError(`unknown scenario ${JSON.stringify(name)}; expected one of: ${SCENARIOS.map((s) => s.name).join(', ')} (see 'seaworthy scenarios')`);
  }
  return scenario;
}

export function parseBug(raw: unknown): PlantedBug | undefined {
  if (raw === undefined) return undefined;
  const bug = findPlantedBug(String(raw));
  if (bug === undefined) {
    throw new UsageError(`unknown bug ${JSON.stringify(raw)}; expected one of: ${PLANTED_BUGS.map((b) => b.name).join(', ')} (see 'seaworthy bugs')`);
  }
  return bug;
}

/** Narrower than this, a timeline line cannot show the time, the node columns and a step. */
export const WIDTH_MIN = 40;
export const WIDTH_MAX = 10_000;

/**
 * `--width COLUMNS` for timelines; without it, the terminal's width (`columns`), else no limit (0).
 * An explicit width must be a whole number in [WIDTH_MIN, WIDTH_MAX]: 0 and negative widths are refused.
 */
export function parseWidth(raw: unknown, columns: number | undefined): number {
  if (raw === undefined) return columns !== undefined && Number.isSafeInteger(columns) && columns > 0 ? columns : 0;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'boolean' || raw === '' || !Number.isSafeInteger(value) || value < WIDTH_MIN || value > WIDTH_MAX) {
    throw new UsageError(`--width expects a whole number of columns from ${WIDTH_MIN} to ${WIDTH_MAX}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Refuses flags that a saved plan file decides (`--seed`, `--scenario`, `--bug`, `--nodes`): silently ignoring
 * them would replay something other than what the user asked for.
 */
export function rejectFlagsWithPlan(args: Readonly<Record<string, unknown>>): void {
  for (const flag of ['seed', 'scenario', 'bug', 'nodes'] as const) {
    if (args[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --plan: the plan file sets the ${flag === 'nodes' ? 'cluster size' : flag}; drop --${flag}, or drop --plan to replay by seed`);
  }
}

/**
 * The command that reruns one seed exactly, for repro lines. It always names the cluster size: without
 * `--nodes`, replay draws the seed's size itself, but a repro that says it stays exact if the drawing changes.
 */
export function replayCommand(seed: number, scenario: string, nodes: number, bug: PlantedBug | undefined, extra = ''): string {
  const parts = ['npx seaworthy replay', `--seed ${seed}`];
  if (scenario !== (bug?.scenario ?? DEFAULT_SCENARIO)) parts.push(`--scenario ${scenario}`);
  parts.push(`--nodes ${nodes}`);
  if (bug !== undefined) parts.push(`--bug ${bug.name}`);
  if (extra !== '') parts.push(extra);
  return parts.join(' ');
}
