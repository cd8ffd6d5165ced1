/** The named scenarios, by name. */
import { crashStorm } from './crash-storm.js';
import { crashPoints, diskCorruption, powerLoss, tornWrites } from './disk-scenarios.js';
import { figure8 } from './figure8.js';
import { mitUnreliable, slowFollower } from './network-scenarios.js';
import { bridgePartition, flappingPartition, leaderIsolation, minorityPartition } from './partition-scenarios.js';
import { randomFaults } from './random-faults.js';
import type { Scenario } from './types.js';

export const SCENARIOS: readonly Scenario[] = [
  randomFaults,
  leaderIsolation,
  minorityPartition,
  flappingPartition,
  bridgePartition,
  crashStorm,
  powerLoss,
  tornWrites,
  crashPoints,
  diskCorruption,
  figure8,
  mitUnreliable,
  slowFollower,
];

export const DEFAULT_SCENARIO = 'random';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
