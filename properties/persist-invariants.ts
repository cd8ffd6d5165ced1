/**
 * The six per-persist invariants (durable-term, durable-vote, commit-quorum, leader-append-only, leader-votes,
 * configuration-entries) as one checker, for the run's hot path: the observer's loop over checkers is a megamorphic call per checker
 * per fact, so the six are called here from call sites of their own (each monomorphic, so V8 can inline
 * them), and cost the loop one call instead of six. Each part is still a checker of its own (and tested alone);
 * violations keep their own property names. When several parts fail on the same fact, the first in
 * {@link PERSIST_INVARIANTS} order is reported (the run stops at that fact anyway).
 */
import type { NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import { createCommitQuorumChecker } from './commit-quorum.js';
import { createConfigurationEntriesChecker } from './configuration-entries.js';
import { Configurations } from './configurations.js';
import type { ConfigurationOptions } from './configurations.js';
import { DurableNodes } from './durable-state.js';
import { createDurableTermChecker, createDurableVoteChecker } from './hard-state.js';
import { createLeaderAppendOnlyChecker } from './leader-append-only.js';
import { createLeaderVotesChecker } from './leader-votes.js';
import type { Checker, PropertyName, Violation } from './types.js';

/** The properties the fused checker judges, in the order it asks its parts. */
export const PERSIST_INVARIANTS: readonly PropertyName[] = Object.freeze(['durable-term', 'durable-vote', 'commit-quorum', 'leader-append-only', 'leader-votes', 'configuration-entries'] as const);

/**
 * Creates the fused checker; `nodeIds` is every initial voter (the bootstrap configuration); `options` says when the
 * implementation's configurations take effect. The parts that count
 * majorities share one {@link Configurations}, fed each fact here before them, so each persisted entry is looked at
 * once.
 */
export function createPersistInvariantsChecker(nodeIds: readonly NodeId[], options: ConfigurationOptions = {}): Checker {
  const configs = new Configurations(nodeIds, options);
  // Commit-quorum keeps the durable logs (it judges a persist's losses before applying it); the
  // configuration-entries part, called after it, reads them.
  const durable = new DurableNodes(nodeIds);
  const term = createDurableTermChecker(nodeIds);
  const vote = createDurableVoteChecker(nodeIds);
  const quorum = createCommitQuorumChecker(nodeIds, { configs, durable });
  const appendOnly = createLeaderAppendOnlyChecker(nodeIds);
  const leaderVotes = createLeaderVotesChecker(nodeIds, configs);
  const confEntries = createConfigurationEntriesChecker(nodeIds, { configs, durable });
  return {
    property: 'durable-term',
    // Everything but acks: the union of its parts' kinds.
    factKinds: ['persist', 'restart', 'apply', 'role', 'crash', 'join', 'retire'],
    observe(fact: Fact): Violation | null {
      configs.observe(fact);
      // Every part sees every fact (each keeps its own state), whatever an earlier part found.
      const a = term.observe(fact);
      const b = vote.observe(fact);
      const c = quorum.observe(fact);
      const d = appendOnly.observe(fact);
      const e = leaderVotes.observe(fact);
      const g = confEntries.observe(fact);
      return a ?? b ?? c ?? d ?? e ?? g;
    },
  };
}
