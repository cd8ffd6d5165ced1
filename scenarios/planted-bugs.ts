/**
 * Planted bugs: deliberately broken variants of our core, selectable with `--bug NAME`. They show users,
 * and us, that the checkers have teeth: each must be caught by its scenario within `seedsToCatchMax` seeds
 * (a test asserts it).
 */
import { CORE_BUGS } from '../core/bugs.js';
import type { CoreBug } from '../core/bugs.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation } from '../sim/contract.js';

export interface PlantedBug {
  readonly name: string;
  readonly description: string;
  /** The scenario meant to catch it. */
  readonly scenario: string;
  /** Upper bound on seeds (from seed 1) before the first failure; tests hold us to it. */
  readonly seedsToCatchMax: number;
  implementation(): RaftImplementation;
}

const SEEDS_TO_CATCH: Readonly<Record<CoreBug, number>> = {
  'double-vote': 200,
  'figure8-commit': 300,
  'no-truncate': 200,
  'forget-vote': 300,
  'early-ack': 100,
  'apply-beyond-commit': 100,
};

export const PLANTED_BUGS: readonly PlantedBug[] = CORE_BUGS.map((bug) => ({
  name: bug.name,
  description: bug.description,
  scenario: 'random',
  seedsToCatchMax: SEEDS_TO_CATCH[bug.name],
  implementation: () => builtinRaft({ bug: bug.name }),
}));

export function findPlantedBug(name: string): PlantedBug | undefined {
  return PLANTED_BUGS.find((b) => b.name === name);
}
