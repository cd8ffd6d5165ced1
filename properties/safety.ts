/** The five Raft safety checkers (Raft Figure 3 plus durability of acknowledged writes), as one set. */
import type { NodeId } from '../sim/contract.js';
import { createDurabilityChecker } from './durability.js';
import { createElectionSafetyChecker } from './election-safety.js';
import { createLeaderCompletenessChecker } from './leader-completeness.js';
import { createLogMatchingChecker } from './log-matching.js';
import type { PersistedLogs } from './persisted-log.js';
import { createStateMachineSafetyChecker } from './state-machine-safety.js';
import type { Checker, PropertyName } from './types.js';

export interface SafetyPropertyInfo {
  readonly name: PropertyName;
  /** One line, for docs and `--json`. */
  readonly description: string;
}

/** The safety properties {@link createSafetyCheckers} judges, in the order it returns their checkers. */
export const SAFETY_PROPERTIES: readonly SafetyPropertyInfo[] = Object.freeze([
  {
    name: 'election-safety',
    description: 'At most one node becomes leader in any term, over the whole run and across restarts (Raft §5.2).',
  },
  {
    name: 'log-matching',
    description:
      'Persisted logs holding an entry with the same index and term are identical up to that index, and every persist is consecutive without gaps (Raft §5.3).',
  },
  {
    name: 'leader-completeness',
    description:
      'A leader of a term above every term stored when an entry was first applied holds that committed entry in its persisted log (Raft §5.4.3).',
  },
  {
    name: 'state-machine-safety',
    description:
      'No two nodes apply different entries at the same index, and each node applies indexes 1, 2, 3, ... in order, nothing while crashed (Raft §5.4.3).',
  },
  {
    name: 'durability',
    description:
      'An acknowledged write is never lost: no node applies another term at its index, nor overwrites it on disk once committed there.',
  },
] as const satisfies readonly SafetyPropertyInfo[]);

/**
 * Fresh checkers for every safety property, in {@link SAFETY_PROPERTIES} order. `nodeIds` pre-sizes their
 * per-node state; checkers keep state, so use one set per run. Without `shared` every checker keeps what it
 * needs itself, so each can be fed facts on its own. With `shared`, the checkers that judge persisted logs read
 * that one store (each persisted entry is then stored and hashed once per run, not once per checker): the
 * caller feeds every fact to `shared.observe` first, then to every checker, in order.
 */
export function createSafetyCheckers(nodeIds: readonly NodeId[], shared?: PersistedLogs): Checker[] {
  return [
    createElectionSafetyChecker(),
    createLogMatchingChecker(nodeIds, shared),
    createLeaderCompletenessChecker(nodeIds, shared),
    createStateMachineSafetyChecker(nodeIds),
    createDurabilityChecker(nodeIds),
  ];
}
