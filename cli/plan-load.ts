/** Reading a saved plan file for `replay --plan`: every problem is a one-line UsageError (exit 2). */
import { readFileSync } from 'node:fs';
import { decodePlanFile } from '../scenarios/plan-file.js';
import type { PlanFile } from '../scenarios/plan-file.js';
import { DEFAULT_TIMING } from '../scenarios/run-seed.js';
import { checkPlan } from '../sim/faults.js';
import { UsageError } from './errors.js';
import type { TargetArgs } from './target.js';

export function loadPlanFile(path: string): PlanFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`cannot read plan file ${JSON.stringify(path)}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}; expected a file written by 'seaworthy shrink' or 'run --shrink'`);
  }
  const decoded = decodePlanFile(text);
  if (!decoded.ok) throw new UsageError(`bad plan file ${JSON.stringify(path)}: ${decoded.error}`);
  const problems = checkPlan(decoded.file.plan.plan, decoded.file.nodes, DEFAULT_TIMING.safetyMs, { tickMs: DEFAULT_TIMING.tickMs, electionTicks: DEFAULT_TIMING.electionTicks });
  if (problems.length > 0) throw new UsageError(`bad plan file ${JSON.stringify(path)}: fault plan outside the fault model: ${problems[0] ?? ''}`);
  return decoded.file;
}

/** The target a saved plan names (its nodes, scenario and bug), with the command's other flags kept. */
export function targetArgsFromPlan<A extends TargetArgs>(args: A, file: PlanFile): A {
  return { ...args, nodes: file.nodes, scenario: file.scenario, bug: file.bug ?? undefined, safetyOnly: args.safetyOnly || file.safetyOnly };
}
