/**
 * Leader Append-Only (Raft Figure 3, §5.3): a leader never overwrites or deletes entries in its log; it only
 * appends. Judged on every persist of a node that announced itself leader of its durable term: no entry of that
 * term the node stores may be replaced by another term or dropped while it still leads that term.
 *
 * Only entries of the leader's own term are judged, which needs no copy of the log: every entry of term T on a
 * disk was created by the leader of T, so the entries of term T a node stored while its durable term was T
 * form one contiguous run at the end of its log, tracked here as [first, last] per node.
 */
import type { Entry, NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RoleFact } from '../sim/facts.js';
import type { Checker, Violation } from './types.js';

/** Per node: the run of entries of its durable term it stores, and whether it leads that term. */
interface OwnRun {
  term: number;
  /** The run [first, last]; empty when last < first. */
  first: number;
  last: number;
  leading: boolean;
}

/** The leader-append-only checker, with its per-kind steps callable directly (RunCheckers' one dispatch per fact). */
export interface LeaderAppendOnlyChecker extends Checker {
  /** What {@link Checker.observe} returns for a persist fact. */
  persist(fact: PersistFact): Violation | null;
  /** What {@link Checker.observe} does with a role fact, and with a crash or restart of `node` (it never reports them). */
  role(fact: RoleFact): void;
  stopped(node: NodeId): void;
}

/** Creates the leader-append-only checker. `nodeIds` only pre-sizes per-node state. */
export function createLeaderAppendOnlyChecker(nodeIds: readonly NodeId[] = []): LeaderAppendOnlyChecker {
  const runs: (OwnRun | undefined)[] = [];
  for (const id of nodeIds) runOf(id);

  function runOf(node: NodeId): OwnRun {
    let run = runs[node];
    if (run === undefined) {
      while (runs.length <= node) runs.push(undefined);
      run = { term: 0, first: 1, last: 0, leading: false };
      runs[node] = run;
    }
    return run;
  }

  function persist(fact: PersistFact): Violation | null {
    const run = runOf(fact.node);
    const term = fact.hardState.term;
    if (term !== run.term) {
      // A new term: the old run belongs to an earlier term, which a node may lose once it is no longer leader.
      run.term = term;
      run.first = 1;
      run.last = 0;
      run.leading = false;
    }
    const entries = fact.entries;
    const head = entries[0];
    if (head === undefined) return null;
    const f = head.index;
    const batchLast = f + entries.length - 1;
    let found: Violation | null = null;
    if (run.leading && run.last >= run.first && f <= run.last) {
      for (let i = Math.max(f, run.first); i <= run.last && found === null; i++) {
        const kept = i <= batchLast ? (entries[i - f] as Entry).term : 0;
        if (kept !== term) found = violation(fact, term, i, kept, run.last);
      }
    }
    if (f <= run.last) run.last = f - 1;
    // Entries of the durable term are a suffix of the batch (terms never decrease along a log).
    let r = batchLast + 1;
    while (r > f && (entries[r - 1 - f] as Entry).term === term) r--;
    if (r <= batchLast) {
      if (run.last < run.first || run.last !== r - 1) run.first = r;
      run.last = batchLast;
    }
    return found;
  }

  function role(fact: RoleFact): void {
    const run = runOf(fact.node);
    run.leading = fact.role === 'leader' && fact.term === run.term;
  }

  function stopped(node: NodeId): void {
    // A restarted node cannot lead its stored term again (it would have to win a second election in it).
    const run = runOf(node);
    run.leading = false;
    run.first = 1;
    run.last = 0;
  }

  return {
    property: 'leader-append-only',
    factKinds: ['persist', 'role', 'crash', 'restart'],
    observe(fact: Fact): Violation | null {
      switch (fact.kind) {
        case 'persist':
          return persist(fact);
        case 'role':
          role(fact);
          return null;
        case 'crash':
        case 'restart':
          stopped(fact.node);
          return null;
        default:
          return null;
      }
    },
    persist,
    role,
    stopped,
  };
}

function violation(fact: PersistFact, term: number, index: number, kept: number, ownLast: number): Violation {
  const how = kept === 0 ? `dropped index ${index}` : `replaced index ${index} with an entry of term ${kept}`;
  return {
    property: 'leader-append-only',
    atMs: fact.atMs,
    event: fact.event,
    nodes: [fact.node],
    message: `Node ${fact.node}, leader of term ${term}, ${how}: a leader never overwrites or deletes entries of its own term (it stored them up to index ${ownLast}).`,
    evidence: { node: fact.node, term, index, replacedBy: kept, ownLastIndex: ownLast },
  };
}
