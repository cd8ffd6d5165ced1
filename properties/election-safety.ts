/**
 * Election Safety (Raft §5.2, Figure 3): at most one leader can be elected in a given term, over the whole
 * run and across crashes and restarts. Evidence: a RoleFact with role 'leader', whose `term` is the term
 * the node had durably stored when it announced leadership.
 */
import type { NodeId } from '../sim/contract.js';
import type { Fact, RoleFact } from '../sim/facts.js';
import type { Checker, Violation } from './types.js';

/** The election-safety checker, with its role-fact judgement callable directly (RunCheckers' one dispatch per fact). */
export interface ElectionSafetyChecker extends Checker {
  /** What {@link Checker.observe} returns for a role fact. */
  role(fact: RoleFact): Violation | null;
}

/** Creates an Election Safety checker. Memory: one record per term that had a leader. */
export function createElectionSafetyChecker(): ElectionSafetyChecker {
  /** term -> the first RoleFact declaring a leader in it. Invariant: never overwritten. */
  const leaderOfTerm = new Map<number, RoleFact>();

  function judge(fact: RoleFact): Violation | null {
    const first = leaderOfTerm.get(fact.term);
    if (first === undefined) {
      leaderOfTerm.set(fact.term, fact);
      return null;
    }
    // The same node announcing again (e.g. after a restart into the same term) is still one leader.
    if (first.node === fact.node) return null;
    const nodes: NodeId[] = [Math.min(first.node, fact.node), Math.max(first.node, fact.node)];
    return {
      property: 'election-safety',
      atMs: fact.atMs,
      event: fact.event,
      nodes,
      message:
        `Nodes ${first.node} and ${fact.node} both became leader of term ${fact.term} ` +
        `(node ${first.node} at ${first.atMs} ms, node ${fact.node} at ${fact.atMs} ms).`,
      evidence: {
        term: fact.term,
        first: { node: first.node, atMs: first.atMs, event: first.event },
        second: { node: fact.node, atMs: fact.atMs, event: fact.event },
      },
    };
  }

  return {
    property: 'election-safety',
    factKinds: ['role'],
    observe(fact: Fact): Violation | null {
      return fact.kind === 'role' && fact.role === 'leader' ? judge(fact) : null;
    },
    role(fact: RoleFact): Violation | null {
      return fact.role === 'leader' ? judge(fact) : null;
    },
  };
}
