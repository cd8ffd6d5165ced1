/**
 * The six per-persist invariants (durable-term, durable-vote, commit-quorum, leader-append-only, leader-votes,
 * configuration-entries) as one checker, for the run's hot path: the observer's loop over checkers is a megamorphic call per checker
 * per fact, so the six are called here from call sites of their own (each monomorphic, so V8 can inline
 * them), and cost the loop one call instead of six. Each fact goes only to the parts that judge its kind
 * ({@link PERSIST_INVARIANT_ROUTES}, held to each part's `factKinds` by a test): an apply concerns two parts, a
 * role three, so most facts cost two or three calls here instead of seven. Each part is still a checker of its own
 * (and tested alone); violations keep their own property names. When several parts fail on the same fact, the
 * first in {@link PERSIST_INVARIANTS} order is reported (the run stops at that fact anyway).
 */
import type { NodeId } from '../sim/contract.js';
import type { Fact, PersistFact } from '../sim/facts.js';
import type { AppliedRecord } from './applied-record.js';
import { createCommitQuorumChecker } from './commit-quorum.js';
import type { CommitQuorumChecker } from './commit-quorum.js';
import { createConfigurationEntriesChecker } from './configuration-entries.js';
import type { ConfigurationEntriesChecker } from './configuration-entries.js';
import { Configurations } from './configurations.js';
import type { ConfigurationOptions } from './configurations.js';
import { DurableNodes } from './durable-state.js';
import { createDurableTermChecker, createDurableVoteChecker } from './hard-state.js';
import type { HardStateChecker } from './hard-state.js';
import { createLeaderAppendOnlyChecker } from './leader-append-only.js';
import type { LeaderAppendOnlyChecker } from './leader-append-only.js';
import { createLeaderVotesChecker } from './leader-votes.js';
import type { LeaderVotesChecker } from './leader-votes.js';
import type { Checker, PropertyName, Violation } from './types.js';

/** The properties the fused checker judges, in the order it asks its parts. */
export const PERSIST_INVARIANTS: readonly PropertyName[] = Object.freeze(['durable-term', 'durable-vote', 'commit-quorum', 'leader-append-only', 'leader-votes', 'configuration-entries'] as const);

type FactKind = Fact['kind'];

/**
 * Which parts the fused checker asks about each fact kind, in {@link PERSIST_INVARIANTS} order: exactly the parts
 * whose `factKinds` hold the kind (a part returns null and changes nothing for any other kind).
 */
export const PERSIST_INVARIANT_ROUTES: Readonly<Partial<Record<FactKind, readonly PropertyName[]>>> = Object.freeze({
  persist: PERSIST_INVARIANTS,
  restart: PERSIST_INVARIANTS,
  apply: ['commit-quorum', 'configuration-entries'],
  role: ['leader-append-only', 'leader-votes', 'configuration-entries'],
  crash: ['leader-append-only', 'configuration-entries'],
  join: ['commit-quorum', 'leader-votes', 'configuration-entries'],
  retire: ['commit-quorum', 'configuration-entries'],
});

/**
 * Creates the fused checker; `nodeIds` is every initial voter (the bootstrap configuration); `options` says when the
 * implementation's configurations take effect. The parts that count majorities share one {@link Configurations},
 * so each persisted entry is looked at once: fed each fact here before them, or, with `shared`, the caller's (built
 * with the same `options`), which the caller feeds every fact before this checker (the run shares one with the
 * probes).
 */
/** The fused checker, with the shortcut the run takes for commit-only persists. */
export interface PersistInvariantsChecker extends Checker {
  /**
   * A persist with no entries and the term and vote of the node's last persist since it (re)started, on a fixed
   * cluster (see RunCheckers): what {@link Checker.observe} would return for it. Of the six parts only
   * configuration-entries learns something (the commit index); durable-term and durable-vote see the values they
   * hold, commit-quorum and leader-append-only an empty batch of the same term, leader-votes a vote already counted,
   * so they are not asked.
   */
  observeCommitOnly(fact: PersistFact): Violation | null;
}

/** The six parts, in {@link PERSIST_INVARIANTS} order, for a caller that routes each fact to them itself (RunCheckers). */
export interface PersistInvariantParts {
  readonly term: HardStateChecker;
  readonly vote: HardStateChecker;
  readonly quorum: CommitQuorumChecker;
  readonly appendOnly: LeaderAppendOnlyChecker;
  readonly leaderVotes: LeaderVotesChecker;
  readonly confEntries: ConfigurationEntriesChecker;
  /**
   * Every node's durable term, vote and entry terms, which commit-quorum keeps (fed each persist and restart it is
   * given, after judging it) and configuration-entries reads; the run's message checker reads it too.
   */
  readonly durable: DurableNodes;
}

/**
 * The six parts over `configs`, which the caller feeds every fact before them (and every apply fact to `applied`,
 * when given). Commit-quorum keeps the durable logs (it judges a persist's losses before applying it); the
 * configuration-entries part, called after it, reads them.
 */
export function createPersistInvariantParts(nodeIds: readonly NodeId[], configs: Configurations, applied?: AppliedRecord): PersistInvariantParts {
  const durable = new DurableNodes(nodeIds);
  return {
    term: createDurableTermChecker(nodeIds),
    vote: createDurableVoteChecker(nodeIds),
    quorum: createCommitQuorumChecker(nodeIds, applied === undefined ? { configs, durable } : { configs, durable, applied }),
    appendOnly: createLeaderAppendOnlyChecker(nodeIds),
    leaderVotes: createLeaderVotesChecker(nodeIds, configs),
    confEntries: createConfigurationEntriesChecker(nodeIds, { configs, durable }),
    durable,
  };
}

export function createPersistInvariantsChecker(nodeIds: readonly NodeId[], options: ConfigurationOptions = {}, shared?: { readonly configs: Configurations }): PersistInvariantsChecker {
  const configs = shared?.configs ?? new Configurations(nodeIds, options);
  const ownsConfigs = shared === undefined;
  const { term, vote, quorum, appendOnly, leaderVotes, confEntries } = createPersistInvariantParts(nodeIds, configs);
  return {
    property: 'durable-term',
    // Everything but acks: the union of its parts' kinds.
    factKinds: ['persist', 'restart', 'apply', 'role', 'crash', 'join', 'retire'],
    observeCommitOnly(fact: PersistFact): Violation | null {
      if (ownsConfigs) configs.observe(fact);
      return confEntries.observe(fact);
    },
    observe(fact: Fact): Violation | null {
      if (ownsConfigs) configs.observe(fact);
      // Every part of a kind sees every fact of it (each keeps its own state), whatever an earlier part found.
      switch (fact.kind) {
        case 'persist':
        case 'restart': {
          const a = term.observe(fact);
          const b = vote.observe(fact);
          const c = quorum.observe(fact);
          const d = appendOnly.observe(fact);
          const e = leaderVotes.observe(fact);
          const g = confEntries.observe(fact);
          return a ?? b ?? c ?? d ?? e ?? g;
        }
        case 'apply': {
          const c = quorum.observe(fact);
          const g = confEntries.observe(fact);
          return c ?? g;
        }
        case 'role': {
          const d = appendOnly.observe(fact);
          const e = leaderVotes.observe(fact);
          const g = confEntries.observe(fact);
          return d ?? e ?? g;
        }
        case 'crash': {
          const d = appendOnly.observe(fact);
          const g = confEntries.observe(fact);
          return d ?? g;
        }
        case 'join': {
          const c = quorum.observe(fact);
          const e = leaderVotes.observe(fact);
          const g = confEntries.observe(fact);
          return c ?? e ?? g;
        }
        case 'retire': {
          const c = quorum.observe(fact);
          const g = confEntries.observe(fact);
          return c ?? g;
        }
        default:
          return null;
      }
    },
  };
}
