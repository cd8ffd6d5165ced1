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
 */
import type { NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import type { Checker, Violation } from './types.js';

/** Creates the leader-votes checker; `nodeIds` is every voter. */
export function createLeaderVotesChecker(nodeIds: readonly NodeId[]): Checker {
  const majority = Math.floor(nodeIds.length / 2) + 1;
  /** Position = node id: the highest term in which the node's durable vote was counted (0: none). */
  const countedTerm: number[] = [];
  /** (term, candidate) -> how many nodes durably voted for the candidate in that term. */
  const votes = new Map<number, number>();
  /** Keys (term, candidate) as one number; node ids are below `stride`. */
  const stride = Math.max(0, ...nodeIds) + 1;

  function vote(node: NodeId, term: number, candidate: NodeId | 0): void {
    // A node votes at most once per term, and terms only grow (durable-vote and durable-term judge both): the
    // first vote seen in a term is its vote.
    if (candidate === 0 || term <= (countedTerm[node] ?? 0)) return;
    while (countedTerm.length <= node) countedTerm.push(0);
    countedTerm[node] = term;
    const key = term * stride + candidate;
    votes.set(key, (votes.get(key) ?? 0) + 1);
  }

  function leader(fact: Fact & { kind: 'role' }): Violation | null {
    if (fact.role !== 'leader') return null;
    const count = votes.get(fact.term * stride + fact.node) ?? 0;
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

  return {
    property: 'leader-votes',
    factKinds: ['persist', 'restart', 'role'],
    observe(fact: Fact): Violation | null {
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
  };
}
