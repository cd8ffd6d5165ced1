/** The named scenarios, by name. */
import { crashStorm } from './crash-storm.js';
import { figure8 } from './figure8.js';
import { randomFaults } from './random-faults.js';
import type { Scenario } from './types.js';

export const SCENARIOS: readonly Scenario[] = [randomFaults, crashStorm, figure8];

export const DEFAULT_SCENARIO = 'random';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
