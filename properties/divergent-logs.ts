/**
 * Divergent logs at an election (the Raft paper's Figure 7): the log comparisons behind two coverage probes,
 * kept apart from `probes.ts` because they are the one place where "more up to date" (§5.4.1: last term first,
 * then length) and "longer" disagree. A follower may hold extra uncommitted entries of an older term (a deposed
 * leader's tail) while the only electable candidates hold shorter logs of a newer term. Raft elects one of them
 * anyway, with the votes of the longer logs; a vote check that also demands the candidate's log be at least as
 * long refuses those votes, and with no majority of shorter logs the cluster never elects a leader again (the
 * liveness bug class of issue 11: "over-strict log comparison in vote requests"). Facts only: persisted logs,
 * persisted votes, crash and restart facts.
 */
import type { PersistedLog } from './persisted-log.js';

/** Where a log ends, as a vote request describes it (Raft §5.4.1). */
export interface LogEnd {
  readonly lastIndex: number;
  readonly lastTerm: number;
}

/**
 * Where `log` ended before its entries of `term`: a leader of `term` holds entries of its own term only from its
 * own appends after it won (Leader Append-Only), so this is the log it stood for election with, whether or not the
 * election no-op reached its disk in the same write that announced the role.
 */
export function endBefore(log: PersistedLog, term: number): LogEnd {
  let index = log.lastIndex;
  let entry = log.entryAt(index);
  // Bounded by the entries of one term on one disk; at an election that is the no-op at most, in practice.
  while (entry !== undefined && entry.term >= term) entry = log.entryAt(--index);
  return { lastIndex: index, lastTerm: entry?.term ?? 0 };
}

/** Where `log` ends now. */
export function endOf(log: PersistedLog): LogEnd {
  return { lastIndex: log.lastIndex, lastTerm: log.entryAt(log.lastIndex)?.term ?? 0 };
}

/**
 * Whether a log ending at `voter` is longer than one ending at `candidate` but ends in an older term: §5.4.1 says
 * the candidate is more up to date (its vote is to be granted), a length comparison says the opposite.
 */
export function longerButOlder(voter: LogEnd, candidate: LogEnd): boolean {
  return voter.lastIndex > candidate.lastIndex && voter.lastTerm < candidate.lastTerm;
}

/** Whether a log ending at `voter` is neither longer nor of a newer last term than one ending at `candidate`. */
export function noLongerNoNewer(voter: LogEnd, candidate: LogEnd): boolean {
  return voter.lastIndex <= candidate.lastIndex && voter.lastTerm <= candidate.lastTerm;
}
