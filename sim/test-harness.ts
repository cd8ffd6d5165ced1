/**
 * Test-only: the small, calm simulation most unit and suite tests start from (3 nodes, the standard timing, a
 * reliable network, two clients on one key, no faults), so each test states only what it changes. Not part of
 * the build (tsconfig.build.json leaves out test harnesses).
 */
import { builtinRaft } from './builtin.js';
import { RELIABLE_NETWORK } from './network.js';
import type { SimulationOptions } from './simulation.js';

export function smallSimulation(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  return {
    seed: 3,
    nodeCount: 3,
    implementation: builtinRaft(),
    tickMs: 10,
    electionTicks: 10,
    heartbeatTicks: 2,
    safetyMs: 3000,
    livenessMs: 5000,
    network: RELIABLE_NETWORK,
    workload: { clientCount: 2, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 40 },
    plan: { events: [] },
    record: false,
    ...overrides,
  };
}
