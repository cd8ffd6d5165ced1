/**
 * What a command runs against: cluster size, scenario, and the implementation under test (our core, a
 * planted bug, or — later — a user's implementation), resolved from flags once and shared by run, replay
 * and the other commands.
 */
import type { PlantedBug } from '../scenarios/planted-bugs.js';
import type { RunConfig } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { loadCustomImplementation } from './adapters/index.js';
import type { CustomImplementation } from './adapters/index.js';
import { parseBug, parseNodes, parseScenario } from './options.js';

export interface TargetArgs {
  readonly nodes: unknown;
  readonly scenario: unknown;
  readonly bug: unknown;
  readonly safetyOnly: boolean;
  /** `--impl PATH`: a module exporting a RaftImplementation (exclusive with bug and implCmd). */
  readonly impl?: unknown;
  /** `--impl-cmd "CMD"`: a process per node speaking docs/protocol.md. */
  readonly implCmd?: unknown;
  /** `--impl-timeout MS`: the process watchdog. */
  readonly implTimeout?: unknown;
}

export interface Target {
  readonly nodeCount: number;
  readonly scenario: Scenario;
  readonly bug: PlantedBug | undefined;
  /** Everything of a run's config but the seed. */
  readonly base: Omit<RunConfig, 'seed'>;
  /** A user's implementation from --impl/--impl-cmd, or null; commands close() it when done. */
  readonly custom: CustomImplementation | null;
}

export async function resolveTarget(args: TargetArgs): Promise<Target> {
  const nodeCount = parseNodes(args.nodes ?? 5);
  const bug = parseBug(args.bug);
  const scenario = parseScenario(args.scenario, bug);
  const custom = await loadCustomImplementation(args, nodeCount, process.cwd());
  const implementation = custom?.implementation ?? bug?.implementation();
  const base: Omit<RunConfig, 'seed'> = {
    scenario,
    nodeCount,
    ...(implementation === undefined ? {} : { implementation }),
    ...(bug?.hostBugs === undefined ? {} : { hostBugs: bug.hostBugs }),
    safetyOnly: args.safetyOnly,
  };
  return { nodeCount, scenario, bug, base, custom };
}
