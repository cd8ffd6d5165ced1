/**
 * Commit quorum: an entry is applied anywhere only while a majority of the voting configuration stores it
 * durably (same index and term), and once applied it stays on such a majority (Raft §5.4: a committed entry is
 * on a majority of disks, and no later leader lacks it). Judged at the moment of each apply and of each persist
 * or restart that removes an applied entry from a disk, so acknowledging entries before they are fsynced,
 * counting stale or inflated acknowledgements, a follower committing beyond what the leader sent it, and
 * Figure 8's commit of an earlier term's entry (once a later leader overwrites it) are caught when they happen,
 * without waiting for a crash to turn them into lost writes.
 *
 * "Durably" follows the facts: persist facts come only after fsync, restart facts carry what the disk kept. A
 * node re-applying its committed prefix after a restart is judged the same way, and passes in a correct Raft
 * because that prefix is still on a majority. The voting configuration is every node of the run (membership
 * changes are not part of the contract yet).
 */
import type { Entry, NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RestartFact } from '../sim/facts.js';
import { DurableNodes } from './durable-state.js';
import type { DurableNode } from './durable-state.js';
import type { Checker, Violation } from './types.js';

/** Creates the commit-quorum checker for a cluster of `nodeIds` (all voters). */
export function createCommitQuorumChecker(nodeIds: readonly NodeId[]): Checker {
  const nodes = new DurableNodes(nodeIds);
  const majority = Math.floor(nodeIds.length / 2) + 1;
  /** Position = index: the term first applied there by any node, 0 while nothing was. */
  const appliedTerm: number[] = [0];
  let appliedMax = 0;

  /** How many nodes durably store (index, term). O(nodes), no allocation. */
  function holders(index: number, term: number): number {
    let count = 0;
    const list = nodes.list;
    for (let k = 0; k < list.length; k++) if ((list[k] as DurableNode).termAt(index) === term) count++;
    return count;
  }

  function apply(fact: Fact & { kind: 'apply' }): Violation | null {
    const { index, term } = fact.entry;
    while (appliedTerm.length <= index) appliedTerm.push(0);
    if (appliedTerm[index] === 0) appliedTerm[index] = term;
    if (index > appliedMax) appliedMax = index;
    const count = holders(index, term);
    if (count >= majority) return null;
    return violation(
      fact,
      `Node ${fact.node} applied (index ${index}, term ${term}) while only ${count} of ${nodeIds.length} nodes stored it durably (a majority is ${majority}): it was never committed.`,
      { index, term, durableHolders: count, majority, holderNodes: holderNodes(index, term) },
    );
  }

  /** The applied entries a disk loses: judged before the node's view is updated, in place, without allocation. */
  function persist(fact: PersistFact): Violation | null {
    const node = nodes.of(fact.node);
    const first = fact.entries[0];
    let found: Violation | null = null;
    if (first !== undefined && first.index <= node.lastIndex && first.index <= appliedMax) {
      const batchLast = first.index + fact.entries.length - 1;
      const end = Math.min(node.lastIndex, appliedMax);
      for (let i = first.index; i <= end && found === null; i++) {
        const kept = i <= batchLast ? (fact.entries[i - first.index] as Entry).term : 0;
        found = judgeLoss(fact, node, i, kept);
      }
    }
    node.persist(fact);
    return found;
  }

  function restart(fact: RestartFact): Violation | null {
    const node = nodes.of(fact.node);
    const stored = fact.stored.entries;
    const end = Math.min(node.lastIndex, appliedMax);
    let found: Violation | null = null;
    for (let i = 1; i <= end && found === null; i++) {
      const kept = i <= stored.length ? (stored[i - 1] as Entry).term : 0;
      found = judgeLoss(fact, node, i, kept);
    }
    node.restart(fact);
    return found;
  }

  /** `node` is about to hold term `kept` (0: nothing) at `index`: does an applied entry fall below a majority? */
  function judgeLoss(fact: PersistFact | RestartFact, node: DurableNode, index: number, kept: number): Violation | null {
    const term = appliedTerm[index] as number;
    if (term === 0 || node.termAt(index) !== term || kept === term) return null;
    const after = holders(index, term) - 1;
    if (after >= majority) return null;
    const how = kept === 0 ? 'dropped' : `replaced it with term ${kept}`;
    return violation(
      fact,
      `Node ${fact.node} ${how} at index ${index} although (index ${index}, term ${term}) was applied, leaving it on only ${after} of ${nodeIds.length} disks (a majority is ${majority}): a committed entry was lost.`,
      { index, term, durableHolders: after, majority, replacedBy: kept },
    );
  }

  function holderNodes(index: number, term: number): NodeId[] {
    return nodeIds.filter((id) => nodes.of(id).termAt(index) === term);
  }

  return {
    property: 'commit-quorum',
    observe(fact: Fact): Violation | null {
      switch (fact.kind) {
        case 'apply':
          return apply(fact);
        case 'persist':
          return persist(fact);
        case 'restart':
          return restart(fact);
        default:
          return null;
      }
    },
  };
}

function violation(fact: Fact, message: string, evidence: unknown): Violation {
  return { property: 'commit-quorum', atMs: fact.atMs, event: fact.event, nodes: [fact.node], message, evidence };
}
