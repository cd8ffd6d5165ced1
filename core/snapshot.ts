/**
 * InstallSnapshot's chunking (Raft §7, Figure 13): the leader cuts its snapshot's data into chunks of
 * SNAPSHOT_CHUNK_CHARS and sends them one at a time; the follower assembles them in order and installs the
 * snapshot once the last one arrives. Pure data handling: the decisions (when to send, whether to install) stay in
 * raft-node.ts.
 */
import { objectList } from './arrays.js';
import { SNAPSHOT_CHUNK_CHARS, snapshotMessage } from './messages.js';
import type { SnapshotMessage } from './messages.js';
import type { NodeId, Snapshot } from './types.js';

/** The chunk of `snapshot` starting at `offset`, as a message from `from` to `to` in `term`. */
export function snapshotChunk(snapshot: Snapshot, offset: number, from: NodeId, to: NodeId, term: number): SnapshotMessage {
  const end = Math.min(snapshot.data.length, offset + SNAPSHOT_CHUNK_CHARS);
  // A configuration with learners or during joint consensus carries both lists; any other leaves them undefined
  // (absent on the wire).
  const learnerIds = snapshot.learners ?? [];
  const outgoingIds = snapshot.outgoing ?? [];
  const configured = learnerIds.length !== 0 || outgoingIds.length !== 0;
  const learners = configured ? learnerIds : undefined;
  const outgoing = configured ? outgoingIds : undefined;
  const chunk = snapshot.data.slice(offset, end);
  return snapshotMessage(from, to, term, { index: snapshot.index, term: snapshot.term, peers: snapshot.peers, learners, outgoing }, offset, chunk, end === snapshot.data.length);
}

/**
 * A follower's partly received snapshot. Chunks are accepted strictly in order: a chunk at another offset, or of
 * another snapshot when not at offset 0, is dropped and the leader is told how far this receiver got, so a lost,
 * duplicated or reordered chunk costs one round trip and never a wrong snapshot. Invariant: `received` is the
 * length of the data assembled so far for (`index`, `term`).
 */
export class SnapshotReceiver {
  private index = 0;
  private term = 0;
  private parts: string[] = objectList<string>();
  private received = 0;

  /**
   * Takes one chunk. Returns the complete snapshot when `m` was its last chunk, otherwise null; either way
   * {@link receivedOf} then says how far the receiver got for `m.snapshotIndex`.
   */
  accept(m: SnapshotMessage): Snapshot | null {
    if (m.offset === 0) this.begin(m.snapshotIndex, m.snapshotTerm);
    if (m.snapshotIndex !== this.index || m.snapshotTerm !== this.term || m.offset !== this.received) return null;
    this.parts.push(m.chunk);
    this.received += m.chunk.length;
    if (!m.done) return null;
    const data = this.parts.join('');
    // The last chunk's configuration: every chunk of one snapshot carries the same one.
    const learners = m.learners ?? [];
    const outgoing = m.outgoing ?? [];
    const snapshot: Snapshot =
      learners.length === 0 && outgoing.length === 0
        ? { index: m.snapshotIndex, term: m.snapshotTerm, peers: m.peers, data }
        : { index: m.snapshotIndex, term: m.snapshotTerm, peers: m.peers, learners, outgoing, data };
    this.begin(0, 0);
    return snapshot;
  }

  /** How much of the snapshot ending at `index` this receiver holds (0 for any other snapshot). */
  receivedOf(index: number): number {
    return index === this.index ? this.received : 0;
  }

  /** Forgets any partial snapshot (a new term's leader starts over). */
  reset(): void {
    this.begin(0, 0);
  }

  private begin(index: number, term: number): void {
    this.index = index;
    this.term = term;
    this.parts = objectList<string>();
    this.received = 0;
  }
}
