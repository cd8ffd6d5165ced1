/** Scenarios that need a capability the implementation does not declare are skipped, not failed. */
import type { Scenario } from '../../scenarios/types.js';
import { builtinRaft } from '../../sim/builtin.js';
import type { Capability, RaftImplementation } from '../../sim/contract.js';

/** The capabilities `scenario` requires that `implementation` (our core when undefined) does not declare. */
export function missingCapabilities(scenario: Scenario, implementation: RaftImplementation | undefined): Capability[] {
  const declared = (implementation ?? builtinRaft()).capabilities ?? [];
  return scenario.requires.filter((c) => !declared.includes(c));
}

/** The one-line notice printed for a skipped scenario. */
export function skipNotice(scenario: Scenario, implementation: string, missing: readonly Capability[]): string {
  return `skipped: scenario ${scenario.name} requires ${missing.join(', ')}, which ${implementation} does not declare in its capabilities`;
}
