/**
 * What a command runs against: cluster size, scenario, and the implementation under test (our core, a
 * planted bug, or — later — a user's implementation), resolved from flags once and shared by run, replay
 * and the other commands.
 */
import type { PlantedBug } from '../scenarios/planted-bugs.js';
import type { RunConfig } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { parseBug, parseNodes, parseScenario } from './options.js';

export interface TargetArgs {
  readonly nodes: unknown;
  readonly scenario: unknown;
  readonly bug: unknown;
  readonly safetyOnly: boolean;
}

export interface Target {
  readonly nodeCount: number;
  readonly scenario: Scenario;
  readonly bug: PlantedBug | undefined;
  /** Everything of a run's config but the seed. */
  readonly base: Omit<RunConfig, 'seed'>;
}

export async function resolveTarget(args: TargetArgs): Promise<Target> {
  const nodeCount = parseNodes(args.nodes ?? 5);
  const bug = parseBug(args.bug);
  const scenario = parseScenario(args.scenario, bug);
  const implementation = bug?.implementation();
  const base: Omit<RunConfig, 'seed'> = {
    scenario,
    nodeCount,
    ...(implementation === undefined ? {} : { implementation }),
    ...(bug?.hostBugs === undefined ? {} : { hostBugs: bug.hostBugs }),
    safetyOnly: args.safetyOnly,
  };
  return { nodeCount, scenario, bug, base };
}
