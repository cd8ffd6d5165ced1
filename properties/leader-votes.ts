/**
 * Leader votes: a node announces leadership of term T only once a majority of the voters have durably voted
 * for it in T (Raft §5.2: a candidate wins an election when it receives votes from a majority of the servers
 * for the same term; Figure 2: a vote is persisted before it is granted, and the candidate votes for itself).
 * From facts only: every persist and restart tells a node's durable (term, vote), and the role fact of a new
 * leader names its term, so the votes behind every leadership are counted without reading any message.
 *
 * It catches a candidate that counts what is not a vote in its term — a grant left over from an earlier term, a
 * duplicated reply counted twice, a pre-vote grant taken for a vote, a wrong quorum size — at the moment it
 * declares itself leader, whether or not a second leader of that term ever appears (election safety needs one
 * to). A correct Raft passes: each of its voters persisted the vote before replying, and the persist fact
 * precedes the reply (the host sends a Ready's messages only after its hard state is fsynced).
 *
 * Configurations (thesis §4): once a configuration entry has reached a disk or a node has joined, the votes are
 * counted in the configuration a candidate campaigns in, the latest one in its own persisted log when it announces
 * leadership (its log cannot change between its campaign and its announcement: a candidate accepts no entries in
 * its term): a majority of each half during joint consensus, and only voters' votes (a learner's, a removed node's
 * or a stranger's never count). A node whose log carries no configuration (it joined empty and no entry names it
 * yet) cannot be elected. Before that, every node of the run is a voter (the fast path, unchanged).
 */
import type { NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RestartFact, RoleFact } from '../sim/facts.js';
import { Configurations, describeConfiguration, describeQuorum, jointMajority } from './configurations.js';
import type { Checker, Violation } from './types.js';

/** Keys (term, candidate) as one number: node ids stay below this (joined nodes included), terms below 2^32. */
const KEY_STRIDE = 2 ** 20;

/** The leader-votes checker, with its per-kind steps callable directly (RunCheckers' one dispatch per fact). */
export interface LeaderVotesChecker extends Checker {
  /** What {@link Checker.observe} does with a persist or restart fact (it never reports one). */
  persist(fact: PersistFact): void;
  restart(fact: RestartFact): void;
  /** What {@link Checker.observe} returns for a role fact. */
  role(fact: RoleFact): Violation | null;
}

/**
 * Creates the leader-votes checker; `nodeIds` is every initial voter. With `shared`, the checker reads those
 * configurations and its caller feeds every fact to `shared.observe` first; without, it keeps its own.
 */
export function createLeaderVotesChecker(nodeIds: readonly NodeId[], shared?: Configurations): LeaderVotesChecker {
  const majority = Math.floor(nodeIds.length / 2) + 1;
  const configs = shared ?? new Configurations(nodeIds);
  const ownsConfigs = shared === undefined;
  /** Position = node id: the highest term in which the node's durable vote was counted (0: none). */
  const countedTerm: number[] = [];
  /** (term, candidate) -> the nodes that durably voted for the candidate in that term, in vote order. */
  const votes = new Map<number, NodeId[]>();
  const stride = KEY_STRIDE;

  function vote(node: NodeId, term: number, candidate: NodeId | 0): void {
    // A node votes at most once per term, and terms only grow (durable-vote and durable-term judge both): the
    // first vote seen in a term is its vote.
    if (candidate === 0 || term <= (countedTerm[node] ?? 0)) return;
    while (countedTerm.length <= node) countedTerm.push(0);
    countedTerm[node] = term;
    const key = term * stride + candidate;
    const voters = votes.get(key);
    if (voters === undefined) votes.set(key, [node]);
    else voters.push(node);
  }

  function leader(fact: Fact & { kind: 'role' }): Violation | null {
    if (fact.role !== 'leader') return null;
    if (configs.changed) return leaderAcrossConfigurations(fact);
    const count = votes.get(fact.term * stride + fact.node)?.length ?? 0;
    if (count >= majority) return null;
    return {
      property: 'leader-votes',
      atMs: fact.atMs,
      event: fact.event,
      nodes: [fact.node],
      message: `Node ${fact.node} became leader of term ${fact.term} with durable votes from only ${count} of ${nodeIds.length} nodes (a majority is ${majority}): a leader needs votes from a majority in its own term, each persisted before it is granted.`,
      evidence: { node: fact.node, term: fact.term, durableVotes: count, majority },
    };
  }

  function leaderAcrossConfigurations(fact: Fact & { kind: 'role' }): Violation | null {
    const voters = votes.get(fact.term * stride + fact.node) ?? [];
    const config = configs.latest(fact.node);
    const voted = (id: NodeId): boolean => voters.includes(id);
    if (config !== null && jointMajority(config, voted)) return null;
    if (configs.appliedInForce) {
      // Apply-time configurations (etcd): a candidate whose latest change is not applied yet campaigns in the
      // configuration before it (one change at a time: it has applied the one before).
      const before = configs.previousAt(fact.node, Number.MAX_SAFE_INTEGER);
      if (before !== null && before !== undefined && jointMajority(before, voted)) return null;
    }
    const why =
      config === null
        ? 'its persisted log carries no configuration (it joined empty and no configuration entry names it), so no vote counts'
        : `the votes come from ${describeQuorum(config, voted)} in the configuration of its log, ${describeConfiguration(config)}`;
    return {
      property: 'leader-votes',
      atMs: fact.atMs,
      event: fact.event,
      nodes: [fact.node],
      message: `Node ${fact.node} became leader of term ${fact.term} with durable votes from [${[...voters].sort((a, b) => a - b).join(', ')}]: ${why}; a leader needs votes from a majority of each half of its configuration in its own term, each persisted before it is granted.`,
      evidence: { node: fact.node, term: fact.term, voters: [...voters].sort((a, b) => a - b), configuration: config },
    };
  }

  return {
    property: 'leader-votes',
    factKinds: ['persist', 'restart', 'role', 'join'],
    observe(fact: Fact): Violation | null {
      if (ownsConfigs) configs.observe(fact);
      switch (fact.kind) {
        case 'persist':
          vote(fact.node, fact.hardState.term, fact.hardState.vote);
          return null;
        case 'restart':
          vote(fact.node, fact.stored.hardState.term, fact.stored.hardState.vote);
          return null;
        case 'role':
          return leader(fact);
        default:
          return null;
      }
    },
    persist: (fact: PersistFact): void => vote(fact.node, fact.hardState.term, fact.hardState.vote),
    restart: (fact: RestartFact): void => vote(fact.node, fact.stored.hardState.term, fact.stored.hardState.vote),
    role: leader,
  };
}
