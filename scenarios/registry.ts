/** The named scenarios, by name. */
import { crashStorm } from './crash-storm.js';
import { randomFaults } from './random-faults.js';
import type { Scenario } from './types.js';

export const SCENARIOS: readonly Scenario[] = [randomFaults, crashStorm];

export const DEFAULT_SCENARIO = 'random';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
