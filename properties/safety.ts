/**
 * The Raft safety checkers (Raft Figure 3, durability of acknowledged writes, and the per-persist invariants
 * of hard state and commit quorums), as one set; plus the opt-in checks on annotated messages.
 */
import type { MessageAnnotations, NodeId } from '../sim/contract.js';
import { createDurabilityChecker } from './durability.js';
import { createMessageChecker } from './message-checks.js';
import { createPersistInvariantsChecker } from './persist-invariants.js';
import type { MessageChecker } from './message-checks.js';
import { createElectionSafetyChecker } from './election-safety.js';
import { createLeaderCompletenessChecker } from './leader-completeness.js';
import { createLogMatchingChecker } from './log-matching.js';
import type { ConfigurationOptions } from './configurations.js';
import type { PersistedLogs } from './persisted-log.js';
import { createSnapshotSafetyChecker } from './snapshot-safety.js';
import { createStateMachineSafetyChecker } from './state-machine-safety.js';
import type { Checker, PropertyName } from './types.js';
import type { Configurations } from './configurations.js';
import type { DurableNodes } from './durable-state.js';

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
  {
    name: 'durable-term',
    description: "A node's durable term never decreases, across persists and restarts (Raft Figure 2).",
  },
  {
    name: 'durable-vote',
    description: "A node's durable vote, once set in a term, never changes or is cleared within that term (Raft §5.2).",
  },
  {
    name: 'commit-quorum',
    description:
      'An entry is applied only while a majority of the voters store it durably (of each half of a configuration its leader could have used; learners never count), and once applied it stays on such a majority of disks (Raft §5.4, thesis §4).',
  },
  {
    name: 'leader-append-only',
    description: 'A leader never overwrites or deletes entries of its own term in its persisted log (Raft Figure 3, §5.3).',
  },
  {
    name: 'leader-votes',
    description: 'A node becomes leader of a term only once a majority of the voters durably voted for it in that term (of each half of the configuration in its log; learners never count) (Raft §5.2, thesis §4).',
  },
  {
    name: 'configuration-entries',
    description:
      'Configuration entries are well formed, and a leader appends one only after committing an entry of its own term and the previous configuration entry, as a single-server change, entering joint consensus or leaving it (Raft thesis §4).',
  },
  {
    name: 'snapshot-safety',
    description:
      "Snapshots and restores at an index carry the state and term other nodes had there and stand for a persisted prefix; a node's state never goes back to an older snapshot, within an incarnation or across restarts (Raft §7).",
  },
] as const satisfies readonly SafetyPropertyInfo[]);

/** How many checkers {@link createSafetyCheckers} returns (properties/safety-router.ts routes each by position). */
export const SAFETY_CHECKER_COUNT = 7;

/**
 * Fresh checkers for every safety property, in {@link SAFETY_PROPERTIES} order; one judges the six
 * per-persist invariants together (persist-invariants.ts), so the list is shorter than the property list. `nodeIds` pre-sizes their
 * per-node state and is the bootstrap configuration: the run's initial nodes, all voters, which commit-quorum and
 * leader-votes count majorities of until a configuration entry reaches a disk (then they count in the
 * configurations the persisted logs carry; see properties/configurations.ts);
 * checkers keep state, so use one set per run. Without `shared` every checker keeps what it needs itself, so each
 * can be fed facts on its own. With `shared`, the checkers that judge persisted logs read that one store (each
 * persisted entry is then stored and hashed once per run, not once per checker): the caller feeds every fact to
 * `shared.observe` first, then to every checker, in order. `configurations` says when the implementation's
 * configuration entries take effect (contract version 2's `configurations`; default: when appended). With `configs`
 * (built from `nodeIds` and `configurations`), the per-persist invariants read those configurations, which the
 * caller feeds every fact before the checkers, as it does `shared`.
 */
export function createSafetyCheckers(nodeIds: readonly NodeId[], shared?: PersistedLogs, configurations: ConfigurationOptions = {}, configs?: Configurations): Checker[] {
  return [
    createElectionSafetyChecker(),
    createLogMatchingChecker(nodeIds, shared),
    createLeaderCompletenessChecker(nodeIds, shared),
    createStateMachineSafetyChecker(nodeIds),
    createDurabilityChecker(nodeIds),
    createPersistInvariantsChecker(nodeIds, configurations, configs === undefined ? undefined : { configs }),
    createSnapshotSafetyChecker(nodeIds, shared),
  ];
}

/** The properties {@link createMessageCheckerFor} judges, for implementations that declare message annotations. */
export const MESSAGE_PROPERTIES: readonly SafetyPropertyInfo[] = Object.freeze([
  {
    name: 'message-term',
    description: "No message carries a term above its sender's durable term, except declared PreVote traffic (Raft Figure 2, thesis §9.6).",
  },
  {
    name: 'vote-grant',
    description: "A declared vote grant is sent only while the sender's durable hard state holds that term and a vote for the receiver (Raft §5.2).",
  },
  {
    name: 'append-ack',
    description: "A declared append acknowledgement claims only indexes the sender's durable log reaches (Raft §5.3).",
  },
] as const satisfies readonly SafetyPropertyInfo[]);

/**
 * The message checker for an implementation's declared annotations, or null when it declares none (then its
 * messages stay opaque and only the fact-based checkers run). Feed it every fact, after the checkers; with `durable`,
 * it reads the senders' durable state there instead (see {@link createMessageChecker}).
 */
export function createMessageCheckerFor(annotations: MessageAnnotations | undefined, nodeIds: readonly NodeId[], durable?: DurableNodes): MessageChecker | null {
  return annotations === undefined ? null : createMessageChecker(annotations, nodeIds, durable);
}
