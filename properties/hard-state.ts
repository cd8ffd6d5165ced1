/**
 * Hard-state invariants, judged on every persist and restart rather than on end states (issue 11):
 * - durable-term: a node's durable term never decreases, across persists and restarts (Raft Figure 2:
 *   `currentTerm` only grows; a term going backwards lets a node vote again in a term it already voted in);
 * - durable-vote: once a node's durable vote is set in a term, it never changes within that term (neither to
 *   another candidate nor back to none: a cleared vote lets the node vote twice; Raft §5.2).
 * Both catch the durability bugs where the harm needs an unlucky crash later, at the moment the bad state is
 * written. A correct Raft never triggers them.
 */
import type { NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RestartFact } from '../sim/facts.js';
import type { Checker, Violation } from './types.js';

/** A hard-state checker, with its judgements callable directly (RunCheckers' one dispatch per fact). */
export interface HardStateChecker extends Checker {
  /** What {@link Checker.observe} returns for a persist fact. */
  persist(fact: PersistFact): Violation | null;
  /** What {@link Checker.observe} returns for a restart fact. */
  restart(fact: RestartFact): Violation | null;
}

/** Creates the durable-term checker. `nodeIds` only pre-sizes per-node state. */
export function createDurableTermChecker(nodeIds: readonly NodeId[] = []): HardStateChecker {
  /** Position = node id: the highest durable term seen (the last one, while the invariant holds). */
  const termOf: number[] = [];
  for (const id of nodeIds) grow(termOf, id);

  function judge(fact: Fact, term: number, how: string): Violation | null {
    grow(termOf, fact.node);
    const before = termOf[fact.node] as number;
    if (term >= before) {
      termOf[fact.node] = term;
      return null;
    }
    return {
      property: 'durable-term',
      atMs: fact.atMs,
      event: fact.event,
      nodes: [fact.node],
      message: `Node ${fact.node} ${how} term ${term}, below the term ${before} it had durably stored before: its durable term went backwards.`,
      evidence: { node: fact.node, term, durableTermBefore: before, fact: fact.kind },
    };
  }

  return {
    property: 'durable-term',
    factKinds: ['persist', 'restart'],
    observe(fact: Fact): Violation | null {
      if (fact.kind === 'persist') return judge(fact, fact.hardState.term, 'persisted');
      if (fact.kind === 'restart') return judge(fact, fact.stored.hardState.term, 'restarted from a disk holding');
      return null;
    },
    persist: (fact: PersistFact): Violation | null => judge(fact, fact.hardState.term, 'persisted'),
    restart: (fact: RestartFact): Violation | null => judge(fact, fact.stored.hardState.term, 'restarted from a disk holding'),
  };
}

/** Creates the durable-vote checker. `nodeIds` only pre-sizes per-node state. */
export function createDurableVoteChecker(nodeIds: readonly NodeId[] = []): HardStateChecker {
  /** Position = node id: the last durable term and vote. */
  const termOf: number[] = [];
  const voteOf: number[] = [];
  for (const id of nodeIds) {
    grow(termOf, id);
    grow(voteOf, id);
  }

  function judge(fact: Fact, term: number, vote: number): Violation | null {
    const node = fact.node;
    grow(termOf, node);
    grow(voteOf, node);
    const termBefore = termOf[node] as number;
    const voteBefore = voteOf[node] as number;
    termOf[node] = term;
    voteOf[node] = vote;
    // A different term is durable-term's business (or a legitimate new term, which frees the vote).
    if (term !== termBefore || voteBefore === 0 || vote === voteBefore) return null;
    const now = vote === 0 ? 'cleared it' : `changed it to node ${vote}`;
    return {
      property: 'durable-vote',
      atMs: fact.atMs,
      event: fact.event,
      nodes: [node],
      message: `Node ${node} had durably voted for node ${voteBefore} in term ${term}, then ${now} within the same term: it can vote twice in term ${term}.`,
      evidence: { node, term, voteBefore, vote, fact: fact.kind },
    };
  }

  return {
    property: 'durable-vote',
    factKinds: ['persist', 'restart'],
    observe(fact: Fact): Violation | null {
      if (fact.kind === 'persist') return judge(fact, fact.hardState.term, fact.hardState.vote);
      if (fact.kind === 'restart') return judge(fact, fact.stored.hardState.term, fact.stored.hardState.vote);
      return null;
    },
    persist: (fact: PersistFact): Violation | null => judge(fact, fact.hardState.term, fact.hardState.vote),
    restart: (fact: RestartFact): Violation | null => judge(fact, fact.stored.hardState.term, fact.stored.hardState.vote),
  };
}

function grow(values: number[], node: NodeId): void {
  while (values.length <= node) values.push(0);
}
