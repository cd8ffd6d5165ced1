/**
 * Leader Completeness (Raft §5.4, §5.4.3): if an entry is committed in a given term, it is present in the
 * log of every leader of every higher term. Judged from observed facts only:
 *
 * - An entry is known committed when some node first applies it (ApplyFact). At that moment we record
 *   uMax, the highest term any node has durably stored so far: the entry was committed by a leader of some
 *   term u, which had stored u before committing, so u <= uMax.
 * - A leader announced (RoleFact 'leader') with term T > uMax of a committed entry must hold that entry
 *   (same index, term and data) in its persisted log at that moment. Leaders of terms <= uMax are not
 *   judged: a stale leader of a term below the commit term is legitimate (delayed vote responses).
 *
 * Committed entries form a prefix (each node applies 1, 2, 3, ...), and their bounds grow with the index,
 * so one chain-hash comparison at the last relevant index judges the whole prefix; the first differing
 * entry is searched only on a violation.
 *
 * The other direction (an entry becoming known committed after a leader of a term above its bound was
 * announced) cannot happen: uMax also takes in every announced leader's term, so any leader already
 * announced has term <= uMax when a later commit becomes known. Taking the max with RoleFact terms stays
 * sound (a larger bound only judges fewer leaders) and equals the persisted max when the host keeps its
 * promise that a RoleFact's term is durably stored.
 */
import type { Entry, NodeId } from '../sim/contract.js';
import type { ApplyFact, Fact, PersistFact, RestartFact, RoleFact } from '../sim/facts.js';
import { CHAIN_EMPTY } from './entry-hash.js';
import { PersistedLogs } from './persisted-log.js';
import type { Checker, Violation } from './types.js';

/** The leader-completeness checker, with its per-kind steps callable directly (RunCheckers' one dispatch per fact). */
export interface LeaderCompletenessChecker extends Checker {
  /** What {@link Checker.observe} does with a persist fact (it never reports one). */
  persist(fact: PersistFact): void;
  /** What {@link Checker.observe} does with a restart fact (it never reports one). */
  restart(fact: RestartFact): void;
  /** What {@link Checker.observe} does with an apply fact (it never reports one). */
  apply(fact: ApplyFact): void;
  /** What {@link Checker.observe} returns for a role fact. */
  role(fact: RoleFact): Violation | null;
}

/**
 * Creates a Leader Completeness checker. `nodeIds` only pre-sizes per-node state. With `shared`, the checker
 * reads those logs instead of keeping its own, and its caller feeds every fact to `shared.observe` before
 * this checker (it throws otherwise).
 */
export function createLeaderCompletenessChecker(nodeIds: readonly NodeId[] = [], shared?: PersistedLogs): LeaderCompletenessChecker {
  const logs = shared ?? new PersistedLogs(nodeIds);
  const sync = shared === undefined ? (fact: Fact) => logs.observe(fact) : (fact: PersistFact | RestartFact) => logs.expectCurrent(fact);
  /** Highest term durably stored (or announced) by any node so far. */
  let uMax = 0;

  // The known-committed prefix 1..committedCount, position = index (position 0 unused / CHAIN_EMPTY).
  // Invariant: committedBound is non-decreasing (a running max, which stays sound: see header).
  const committed: (ApplyFact | null)[] = [null];
  const committedChain: number[] = [CHAIN_EMPTY];
  const committedBound: number[] = [0];
  let committedCount = 0;
  /** Applies seen beyond the prefix + 1 (only when some node skipped an index, itself a violation). */
  const pending = new Map<number, ApplyFact>();

  function extendCommitted(fact: ApplyFact): void {
    const index = committedCount + 1;
    const previousBound = committedBound[committedCount]!;
    committed.push(fact);
    // The committed prefix is the prefix a majority persisted, so its chains are usually the persisted logs'.
    committedChain.push(logs.cache.chainAt(index, committedChain[committedCount]!, fact.entry));
    committedBound.push(uMax > previousBound ? uMax : previousBound);
    committedCount = index;
  }

  function apply(fact: ApplyFact): void {
    const index = fact.entry.index;
    if (index <= committedCount) return; // the common case: already known committed
    if (index > committedCount + 1) {
      if (!pending.has(index)) pending.set(index, fact);
      return;
    }
    extendCommitted(fact);
    for (let next = pending.get(committedCount + 1); next !== undefined; next = pending.get(committedCount + 1)) {
      pending.delete(committedCount + 1);
      extendCommitted(next);
    }
  }

  /** The number of committed entries whose bound is below `term` (binary search on the bounds). */
  function relevantCount(term: number): number {
    let lo = 0;
    let hi = committedCount;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      // Computed before the branch: most runs only ever take the first, and an arithmetic operation first met
      // late (a leader elected below a committed entry's bound) deoptimized the whole search for want of feedback.
      const below = mid - 1;
      if (committedBound[mid]! < term) lo = mid;
      else hi = below;
    }
    return lo;
  }

  function judgeLeader(fact: RoleFact): Violation | null {
    const count = relevantCount(fact.term);
    if (count === 0) return null;
    const log = logs.logOf(fact.node);
    if (log.lastIndex >= count && log.chainAt(count) === committedChain[count]) return null;
    for (let index = 1; index <= count; index++) {
      const want = committed[index]!;
      const have = log.entryAt(index);
      if (have === undefined || have.term !== want.entry.term || have.data !== want.entry.data) {
        return missing(fact, want, have, committedBound[index]!);
      }
    }
    return null; // a chain collision in the other direction cannot happen: equal logs hash equal
  }

  function persist(fact: PersistFact): void {
    if (fact.hardState.term > uMax) uMax = fact.hardState.term;
    // A malformed persist is log-matching's to report; the store leaves the log unchanged.
    sync(fact);
  }

  function restart(fact: RestartFact): void {
    if (fact.stored.hardState.term > uMax) uMax = fact.stored.hardState.term;
    sync(fact);
  }

  function role(fact: RoleFact): Violation | null {
    if (fact.role !== 'leader') return null;
    const violation = judgeLeader(fact);
    if (fact.term > uMax) uMax = fact.term;
    return violation;
  }

  return {
    property: 'leader-completeness',
    factKinds: ['persist', 'restart', 'apply', 'role'],
    observe(fact: Fact): Violation | null {
      switch (fact.kind) {
        case 'persist':
          persist(fact);
          return null;
        case 'restart':
          restart(fact);
          return null;
        case 'apply':
          apply(fact);
          return null;
        case 'role':
          return role(fact);
        default:
          return null;
      }
    },
    persist,
    restart,
    apply,
    role,
  };
}

function missing(fact: RoleFact, want: ApplyFact, have: Entry | undefined, bound: number): Violation {
  const { index, term } = want.entry;
  const nodes = want.node === fact.node ? [fact.node] : [Math.min(fact.node, want.node), Math.max(fact.node, want.node)];
  const instead =
    have === undefined
      ? `its persisted log ends at index ${index - 1}`
      : have.term !== term
        ? `its persisted log has term ${have.term} there`
        : `its persisted log has data ${JSON.stringify(have.data)} there instead of ${JSON.stringify(want.entry.data)}`;
  return {
    property: 'leader-completeness',
    atMs: fact.atMs,
    event: fact.event,
    nodes,
    message:
      `Node ${fact.node} became leader of term ${fact.term} without committed entry (index ${index}, term ${term}), ` +
      `first applied by node ${want.node} at ${want.atMs} ms when no node had stored a term above ${bound}; ${instead}.`,
    evidence: {
      leader: fact.node,
      leaderTerm: fact.term,
      index,
      term,
      appliedBy: want.node,
      appliedAtMs: want.atMs,
      commitTermBound: bound,
      found: have === undefined ? null : { term: have.term, data: have.data },
    },
  };
}
