/** The named scenarios, by name. */
import { crashStorm } from './crash-storm.js';
import { crashPoints, diskCorruption, powerLoss, tornWrites } from './disk-scenarios.js';
import { figure8 } from './figure8.js';
import { addDuringPartition, confChangeCrash, jointPause, membershipChurn, removePartitionedCampaigner, replaceLeader, transferLagging, transferLossy } from './membership-scenarios.js';
import { congestedLinks, mitUnreliable, slowFollower } from './network-scenarios.js';
import { asymmetricPartition, bridgePartition, flappingPartition, leaderIsolation, majorityRing, minorityPartition } from './partition-scenarios.js';
import { divergentLogs, randomFaults, staleReplay } from './random-faults.js';
import { snapshotCrash, snapshotHeavy, snapshotLaggingFollower, snapshotLeaderChange } from './snapshot-scenarios.js';
import { rejoinStability } from './stability-phase.js';
import { clockSkew, leaderPause, leaseSkew } from './time-scenarios.js';
import type { Scenario } from './types.js';

export const SCENARIOS: readonly Scenario[] = [
  randomFaults,
  leaderIsolation,
  minorityPartition,
  flappingPartition,
  asymmetricPartition,
  bridgePartition,
  majorityRing,
  congestedLinks,
  crashStorm,
  powerLoss,
  tornWrites,
  crashPoints,
  diskCorruption,
  clockSkew,
  leaseSkew,
  leaderPause,
  figure8,
  rejoinStability,
  mitUnreliable,
  staleReplay,
  divergentLogs,
  slowFollower,
  snapshotLaggingFollower,
  snapshotCrash,
  snapshotLeaderChange,
  snapshotHeavy,
  membershipChurn,
  confChangeCrash,
  jointPause,
  replaceLeader,
  addDuringPartition,
  removePartitionedCampaigner,
  transferLossy,
  transferLagging,
];

export const DEFAULT_SCENARIO = 'random';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
