/**
 * What a leader knows about one follower's log (Raft Figure 2 "volatile state on leaders", plus etcd's
 * probe/replicate flow control from tracker/progress.go).
 *
 * - probe: the leader does not know where the logs match; it sends one append at a time (paused until a
 *   response or the next heartbeat) and backs `next` off on rejection.
 * - replicate: the logs match up to `match`; the leader streams entries optimistically, advancing `next`
 *   as it sends. A rejection drops back to probe.
 * - snapshot: the entries the follower needs are compacted; the leader sends its snapshot (InstallSnapshot,
 *   Raft §7) chunk by chunk and sends no appends until the follower's log reaches the snapshot's index.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  /** Highest index known replicated on the follower. Invariant: never decreases within a term. */
  match = 0;
  /** Next index to send. Invariant: match < next <= leader's lastIndex + 1. */
  next = 1;
  state: ProgressState = 'probe';
  /** In probe: an append is outstanding; further sends wait for its response or the next heartbeat. */
  probeSent = false;
  /** The follower responded since the last CheckQuorum round. */
  recentActive = false;
  /** The highest read round (ReadIndex `ctx`) the follower echoed in the leader's current term. */
  readAcked = 0;
  /** In snapshot: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** In snapshot: how much of its data the follower acknowledged; the next chunk starts there. */
  snapshotSent = 0;

  /** Forget everything; used when this node becomes leader. */
  reset(lastIndex: number): void {
    this.match = 0;
    this.next = lastIndex + 1;
    this.state = 'probe';
    this.probeSent = false;
    this.recentActive = false;
    this.readAcked = 0;
    this.pendingSnapshot = 0;
    this.snapshotSent = 0;
  }

  /** The follower needs entries the leader compacted: send it the snapshot ending at `index`. */
  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotSent = 0;
    this.probeSent = false;
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.next = this.match + 1;
    this.probeSent = false;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
  }

  /** A success response says the follower matches up to `index`. Returns false when it tells nothing new. */
  maybeUpdate(index: number): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.probeSent = false;
    if (this.next < index + 1) this.next = index + 1;
    return true;
  }

  /**
   * A rejection of the append whose prevLogIndex was `rejected`; `hint` is where the leader should probe next
   * (the leader's own estimate of the last matching index). Returns false for a stale rejection (one that is not
   * about the append currently outstanding), which must be ignored.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    // A rejection of an append sent before the snapshot began: the snapshot supersedes it.
    if (this.state === 'snapshot') return false;
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.becomeProbe();
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }
}
