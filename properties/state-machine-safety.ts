/**
 * State Machine Safety (Raft §5.4.3, Figure 3): if a node has applied a log entry at a given index, no
 * other node ever applies a different entry (term or data) at that index, over the whole run including
 * restarts. Also judged per node: applies are consecutive (after a start or restart the first apply is
 * index 1, or the restart's `applied` + 1 for a durable state machine, then previous + 1: nothing applied
 * twice, nothing skipped; a state machine restored from a snapshot goes on from the snapshot's index + 1), and a
 * crashed node applies nothing until it restarts.
 */
import type { NodeId } from '../sim/contract.js';
import type { ApplyFact, Fact, RestartFact, RestoreFact } from '../sim/facts.js';
import { AppliedRecord } from './applied-record.js';
import type { Checker, Violation } from './types.js';

interface NodeApplyState {
  /** The index this node must apply next. Invariant: >= 1; reset by a restart to 1, or its `applied` + 1. */
  nextIndex: number;
  /** Index and term of the node's last apply since it (re)started; 0 when none. */
  lastIndex: number;
  lastTerm: number;
  crashed: boolean;
}

/** The state-machine-safety checker, with its per-kind steps callable directly (RunCheckers' one dispatch per fact). */
export interface StateMachineSafetyChecker extends Checker {
  /** What {@link Checker.observe} returns for an apply fact. */
  apply(fact: ApplyFact): Violation | null;
  /** What {@link Checker.observe} does with a crash, restart or restore fact (it never reports one). */
  crash(node: NodeId): void;
  restart(fact: RestartFact): void;
  restore(fact: RestoreFact): void;
}

/**
 * Creates a State Machine Safety checker. `nodeIds` only pre-sizes per-node state. With `shared`, it reads the first
 * apply at each index there, and its caller feeds every apply fact to `shared` first; without, it keeps its own.
 */
export function createStateMachineSafetyChecker(nodeIds: readonly NodeId[] = [], shared?: AppliedRecord): StateMachineSafetyChecker {
  /** Position = node id (ids are small integers): an array read per apply instead of a Map lookup. */
  const nodes: (NodeApplyState | undefined)[] = [];
  for (const id of nodeIds) stateOf(id);
  /** The first apply fact seen at each index, by any node. */
  const record = shared ?? new AppliedRecord();
  const ownsRecord = shared === undefined;

  function stateOf(node: NodeId): NodeApplyState {
    let s = nodes[node];
    if (s === undefined) {
      while (nodes.length <= node) nodes.push(undefined);
      s = fresh();
      nodes[node] = s;
    }
    return s;
  }

  function judgeOrder(fact: ApplyFact, s: NodeApplyState): Violation | null {
    const { index, term } = fact.entry;
    if (s.crashed) {
      return violation(fact, [fact.node], `Node ${fact.node} applied entry (index ${index}, term ${term}) while crashed.`, {
        node: fact.node,
        index,
        term,
        crashed: true,
      });
    }
    if (index === s.nextIndex) return null;
    const after = s.lastIndex === 0 ? 'as its first apply since it started' : `after index ${s.lastIndex} (term ${s.lastTerm})`;
    const what = index > s.nextIndex ? `skipping index ${s.nextIndex}` : 'out of order';
    return violation(fact, [fact.node], `Node ${fact.node} applied entry (index ${index}, term ${term}) ${after}, ${what}.`, {
      node: fact.node,
      index,
      term,
      expectedIndex: s.nextIndex,
    });
  }

  function judgeAgreement(fact: ApplyFact): Violation | null {
    const { index, term, data } = fact.entry;
    if (ownsRecord) record.observe(fact);
    const first = record.firstAt(index) as ApplyFact;
    if (first === fact) return null;
    if (first.entry.term === term && first.entry.data === data) return null;
    const other = first.entry;
    const differs = other.term !== term ? `term ${other.term}` : `data ${JSON.stringify(other.data)} (not ${JSON.stringify(data)})`;
    const involved = first.node === fact.node ? [fact.node] : [Math.min(first.node, fact.node), Math.max(first.node, fact.node)];
    return violation(
      fact,
      involved,
      `Node ${fact.node} applied entry (index ${index}, term ${term}) but node ${first.node} had applied ${differs} at that index at ${first.atMs} ms.`,
      {
        index,
        applied: { node: fact.node, term, data, atMs: fact.atMs },
        firstApplied: { node: first.node, term: other.term, data: other.data, atMs: first.atMs },
      },
    );
  }

  function apply(fact: ApplyFact): Violation | null {
    const s = stateOf(fact.node);
    const order = judgeOrder(fact, s);
    const agreement = judgeAgreement(fact);
    s.nextIndex = fact.entry.index + 1;
    s.lastIndex = fact.entry.index;
    s.lastTerm = fact.entry.term;
    return order ?? agreement;
  }

  function crash(node: NodeId): void {
    stateOf(node).crashed = true;
  }

  function restore(fact: RestoreFact): void {
    // The state machine now holds everything up to the snapshot's index (whether that went forward or,
    // wrongly, back is snapshot-safety's to judge): the node goes on from there.
    const s = stateOf(fact.node);
    s.nextIndex = fact.index + 1;
    s.lastIndex = fact.index;
    s.lastTerm = fact.term;
  }

  function restart(fact: RestartFact): void {
    const s = stateOf(fact.node);
    s.crashed = false;
    // A durable state machine kept what it applied: the node goes on from there (contract version 2).
    s.nextIndex = (fact.applied ?? 0) + 1;
    s.lastIndex = 0;
    s.lastTerm = 0;
  }

  return {
    property: 'state-machine-safety',
    factKinds: ['apply', 'crash', 'restart', 'restore'],
    observe(fact: Fact): Violation | null {
      switch (fact.kind) {
        case 'apply':
          return apply(fact);
        case 'crash':
          crash(fact.node);
          return null;
        case 'restore':
          restore(fact);
          return null;
        case 'restart':
          restart(fact);
          return null;
        default:
          return null;
      }
    },
    apply,
    crash,
    restart,
    restore,
  };
}

function fresh(): NodeApplyState {
  return { nextIndex: 1, lastIndex: 0, lastTerm: 0, crashed: false };
}

function violation(fact: ApplyFact, nodes: NodeId[], message: string, evidence: unknown): Violation {
  return { property: 'state-machine-safety', atMs: fact.atMs, event: fact.event, nodes, message, evidence };
}
