/** Reading a saved plan file for `replay --plan`: every problem is a one-line UsageError (exit 2). */
import { readFileSync } from 'node:fs';
import { decodePlanFile } from '../scenarios/plan-file.js';
import type { PlanFile } from '../scenarios/plan-file.js';
import { findPlantedBug, PLANTED_BUGS } from '../scenarios/planted-bugs.js';
import { findScenario, SCENARIOS } from '../scenarios/registry.js';
import { DEFAULT_TIMING } from '../scenarios/run-seed.js';
import { checkPlan } from '../sim/faults.js';
import { UsageError } from './errors.js';
import type { TargetArgs } from './target.js';

/**
 * Reads, decodes and checks a plan file before anything runs: its shape and every field's range
 * (scenarios/plan-schema.ts), the scenario and bug it names, and its fault plan against the fault model.
 */
export function loadPlanFile(path: string): PlanFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code ?? error);
    throw new UsageError(`cannot read plan file ${JSON.stringify(path)}: ${reason}; expected a file written by 'seaworthy shrink' or 'run --shrink'`);
  }
  const bad = (problem: string): UsageError => new UsageError(`bad plan file ${JSON.stringify(path)}: ${problem}`);
  const decoded = decodePlanFile(text);
  if (!decoded.ok) throw bad(decoded.error);
  const file = decoded.file;
  // Named here, not left to the flag parsers, whose messages would point at --scenario and --bug.
  if (findScenario(file.scenario) === undefined) throw bad(`scenario: expected one of ${SCENARIOS.map((s) => s.name).join(', ')}, got ${JSON.stringify(file.scenario)}`);
  if (file.bug !== null && findPlantedBug(file.bug) === undefined) throw bad(`bug: expected null or one of ${PLANTED_BUGS.map((b) => b.name).join(', ')}, got ${JSON.stringify(file.bug)}`);
  const problems = checkPlan(file.plan.plan, file.nodes, DEFAULT_TIMING.safetyMs, { tickMs: DEFAULT_TIMING.tickMs, electionTicks: DEFAULT_TIMING.electionTicks });
  if (problems.length > 0) throw bad(`fault plan outside the fault model: ${problems[0] ?? ''}`);
  return file;
}

/** The target a saved plan names (its nodes, scenario and bug), with the command's other flags kept. */
export function targetArgsFromPlan<A extends TargetArgs>(args: A, file: PlanFile): A {
  return { ...args, nodes: file.nodes, scenario: file.scenario, bug: file.bug ?? undefined, safetyOnly: args.safetyOnly || file.safetyOnly, fullHeal: args.fullHeal === true || file.fullHeal === true };
}
