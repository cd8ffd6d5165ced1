/**
 * Planted bugs: deliberate deviations from Raft that the checkers in properties/ must catch. `undefined`
 * everywhere means correct Raft. Under any planted bug the node skips its own safety assertions (a bug is meant
 * to be caught by the checkers from observed facts, not by the core crashing); structural assertions stay.
 */

/**
 * The membership and leadership-transfer bugs (issue 15). Kept apart from {@link CORE_BUGS} until their catching
 * scenarios are registered in scenarios/planted-bugs.ts, so the planted-bug suite never runs one without its
 * scenario. Each is a one-line switch in raft-node.ts.
 */
export type MembershipBug =
  | 'conf-change-before-own-term-commit'
  | 'joint-new-majority-only'
  | 'learner-vote-counted'
  | 'conf-from-committed'
  | 'transfer-to-lagging-target';

export type CoreBug =
  | MembershipBug
  | 'double-vote'
  | 'figure8-commit'
  | 'no-truncate'
  | 'forget-vote'
  | 'early-ack'
  | 'apply-beyond-commit'
  | 'stale-read'
  | 'stale-snapshot'
  | 'snapshot-drops-suffix'
  | 'no-snapshot-fallback';

export const CORE_BUGS: readonly { readonly name: Exclude<CoreBug, MembershipBug>; readonly description: string }[] = Object.freeze([
  { name: 'double-vote', description: 'grants a vote to any candidate with an up-to-date log, even after voting for another in the same term' },
  { name: 'figure8-commit', description: 'the leader commits any entry stored on a majority, whatever its term (violates Raft §5.4.2, Figure 8), and appends no election no-op that would mask it' },
  { name: 'no-truncate', description: 'a follower keeps its conflicting entries on append yet reports success up to the leader\'s last entry' },
  { name: 'forget-vote', description: 'the vote is never persisted (hardState.vote is always 0), so a restarted node can vote twice in a term' },
  { name: 'early-ack', description: 'the leader delivers each proposed entry as committed at once, before it is replicated' },
  { name: 'apply-beyond-commit', description: 'followers deliver every stable entry as committed, ignoring the leader\'s commit index' },
  // Under stale-read the leader also ignores CheckQuorum (it never steps down for want of a quorum), so a
  // partitioned leader keeps serving reads for as long as the partition lasts: a wide window for the checker.
  { name: 'stale-read', description: 'a leader answers reads from local state at once, without confirming it still leads, so a deposed leader serves stale values' },
  // The snapshot bugs need the `snapshot` capability and a host that takes snapshots (a run's snapshotEvery).
  { name: 'stale-snapshot', description: 'a follower installs a snapshot even when it is not newer than its commit index (a late re-sent one), so its state machine regresses' },
  { name: 'snapshot-drops-suffix', description: 'a follower installing a snapshot discards its whole log, even the entries after the snapshot that match it, yet still acknowledges them' },
  { name: 'no-snapshot-fallback', description: 'a leader whose follower needs compacted entries never sends it the snapshot, so the follower never catches up' },
] as const);

export const MEMBERSHIP_BUGS: readonly { readonly name: MembershipBug; readonly description: string }[] = Object.freeze([
  // The 2015 single-server change bug (Ongaro, raft-dev): an earlier leader's uncommitted change and this one can
  // each reach a majority of a different configuration, without overlap, so two leaders of one term can be elected.
  { name: 'conf-change-before-own-term-commit', description: 'a new leader accepts a configuration change before it has committed an entry of its own term' },
  { name: 'joint-new-majority-only', description: 'during joint consensus, commitment and elections count only C_new\'s majority, not C_old\'s as well' },
  { name: 'learner-vote-counted', description: 'learners are counted as voters: the leader counts their match indexes toward commitment, and candidates ask for and count their votes' },
  { name: 'conf-from-committed', description: 'a node uses its latest committed configuration entry instead of the latest appended one (thesis §4.1)' },
  // Raft stays safe (a lagging target cannot win), but the transfer fails: the old leader is deposed by the
  // target's higher term and the cluster goes without a leader until another election.
  { name: 'transfer-to-lagging-target', description: 'leadership transfer sends TimeoutNow at once, without first bringing the target\'s log up to date' },
] as const);

/** True when `name` is one of the planted bugs (for parsing user input in cli/). */
export function isCoreBug(name: string): name is CoreBug {
  return CORE_BUGS.some((b) => b.name === name) || MEMBERSHIP_BUGS.some((b) => b.name === name);
}
