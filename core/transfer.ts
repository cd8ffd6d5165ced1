/**
 * A leader's leadership transfer in progress (Raft thesis §3.10): to whom, and for how long it has waited. The
 * leader stops accepting proposals while it lasts, brings the target's log up to date, sends it a TimeoutNow once
 * the target holds its whole log, and gives up after an election timeout (the target is down, cut off, or lost
 * the election), accepting proposals again. raft-node.ts does the sending; this holds the clock.
 */
import type { NodeId } from './types.js';

/** The TimeoutNow message (thesis §3.10): the receiver campaigns at once, skipping PreVote and its timeout. */
export const TIMEOUT_NOW = 'timeout-now';

export class LeadershipTransfer {
  /** The node leadership is being handed to; 0 when no transfer is in progress. */
  private targetId: NodeId | 0 = 0;
  /** Ticks since the transfer began. Invariant: 0 when no transfer is in progress. */
  private elapsedTicks = 0;

  /** The target of the transfer in progress, 0 when none. */
  target(): NodeId | 0 {
    return this.targetId;
  }

  active(): boolean {
    return this.targetId !== 0;
  }

  /** Begins (or restarts, for a new target) a transfer to `target`: the timeout starts over. */
  start(target: NodeId): void {
    this.targetId = target;
    this.elapsedTicks = 0;
  }

  /** Ends the transfer: it succeeded (the leader stepped down), or it was given up. */
  clear(): void {
    this.targetId = 0;
    this.elapsedTicks = 0;
  }

  /**
   * One leader tick. Returns true when the transfer has now lasted `timeoutTicks` (an election timeout) and was
   * given up; the leader accepts proposals again from then on.
   */
  tick(timeoutTicks: number): boolean {
    if (this.targetId === 0) return false;
    if (++this.elapsedTicks < timeoutTicks) return false;
    this.clear();
    return true;
  }
}
