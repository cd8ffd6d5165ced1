/**
 * What a leader knows about one follower's log (Raft Figure 2 "volatile state on leaders", plus etcd's
 * probe/replicate flow control from tracker/progress.go).
 *
 * - probe: the leader does not know where the logs match; it sends one append at a time (paused until a
 *   response or the next heartbeat) and backs `next` off on rejection.
 * - replicate: the logs match up to `match`; the leader streams entries optimistically, advancing `next`
 *   as it sends. A rejection drops back to probe.
 */
export type ProgressState = 'probe' | 'replicate';

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

  /** Forget everything; used when this node becomes leader. */
  reset(lastIndex: number): void {
    this.match = 0;
    this.next = lastIndex + 1;
    this.state = 'probe';
    this.probeSent = false;
    this.recentActive = false;
    this.readAcked = 0;
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
