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
  /** `--full-heal`: the liveness phase heals every node, not a random majority. */
  readonly fullHeal?: boolean;
  /** `--impl PATH`: a module exporting a RaftImplementation (exclusive with bug and implCmd). */
  readonly impl?: unknown;
  /** `--impl-cmd "CMD"`: a process per node speaking docs/protocol.md. */
  readonly implCmd?: unknown;
  /** `--impl-timeout MS`: the process watchdog. */
  readonly implTimeout?: unknown;
}

export interface Target {
  /** `--nodes N`; undefined when not given: each seed then runs the size drawn for it (`drawnNodeCount`). */
  readonly nodeCount: number | undefined;
  readonly scenario: Scenario;
  readonly bug: PlantedBug | undefined;
  /** Everything of a run's config but the seed. */
  readonly base: Omit<RunConfig, 'seed'>;
  /** A user's implementation from --impl/--impl-cmd, or null; commands close() it when done. */
  readonly custom: CustomImplementation | null;
}

/** The cluster size of a process implementation's capability probe when `--nodes` is not given (the old default). */
const PROBE_NODES = 5;

export async function resolveTarget(args: TargetArgs): Promise<Target> {
  const nodeCount = args.nodes === undefined ? undefined : parseNodes(args.nodes);
  const bug = parseBug(args.bug);
  const scenario = parseScenario(args.scenario, bug);
  // A process implementation is probed once for its capabilities, before any seed's size is known: the probe
  // asks with PROBE_NODES peers when the size is drawn per seed.
  const custom = await loadCustomImplementation(args, nodeCount ?? PROBE_NODES, process.cwd());
  const implementation = custom?.implementation ?? bug?.implementation();
  const base: Omit<RunConfig, 'seed'> = {
    scenario,
    ...(nodeCount === undefined ? {} : { nodeCount }),
    ...(implementation === undefined ? {} : { implementation }),
    ...(bug?.hostBugs === undefined ? {} : { hostBugs: bug.hostBugs }),
    safetyOnly: args.safetyOnly,
    ...(args.fullHeal === true ? { fullHeal: true } : {}),
  };
  return { nodeCount, scenario, bug, base, custom };
}
