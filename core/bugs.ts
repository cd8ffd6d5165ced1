/**
 * Planted bugs: deliberate deviations from Raft that the checkers in properties/ must catch. `undefined`
 * everywhere means correct Raft. Under any planted bug the node skips its own safety assertions (a bug is meant
 * to be caught by the checkers from observed facts, not by the core crashing); structural assertions stay.
 */

export type CoreBug =
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

export const CORE_BUGS: readonly { readonly name: CoreBug; readonly description: string }[] = Object.freeze([
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

/** True when `name` is one of the planted bugs (for parsing user input in cli/). */
export function isCoreBug(name: string): name is CoreBug {
  return CORE_BUGS.some((b) => b.name === name);
}
